package dev.landcover.app;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.landcover.geo.ChildJvm;
import dev.landcover.geo.Gdal;
import dev.landcover.geo.GeoTiffRaster;
import dev.landcover.geo.GeoTiffWriter;
import dev.landcover.geo.GeoTransform;
import dev.landcover.geo.RasterGrid;
import dev.landcover.pixels.LandcoverClass;
import dev.landcover.pixels.PixelWindow;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code landcover vectorize}, {@code sieve} and {@code labels rasterize} through the command line
 * (their agreement with gdal_polygonize and gdal_rasterize is tested in the vectors module): a map
 * vectorized and rasterized back onto its own grid is the map again; bad input gets one line and
 * the right exit code.
 */
class VectorCommandsTest {
  @TempDir Path dir;

  private Path noisyMap() throws Exception {
    int width = 90;
    int height = 70;
    RasterGrid grid =
        RasterGrid.ofEpsg(width, height, new GeoTransform(600000, 20, 0, 4100000, 0, -20), 32612);
    List<LandcoverClass> classes =
        List.of(
            new LandcoverClass(1, "water", 0, 0, 255),
            new LandcoverClass(2, "forest", 0, 128, 0),
            new LandcoverClass(3, "built", 200, 0, 0));
    Random random = new Random(3);
    int[] pixels = new int[width * height];
    for (int i = 0; i < pixels.length; i++) {
      int x = i % width;
      int y = i / width;
      pixels[i] = random.nextInt(6) == 0 ? random.nextInt(4) : (x / 20 + y / 15) % 3 + 1;
    }
    Path map = dir.resolve("map.tif");
    GeoTiffWriter.classMap(grid, classes)
        .noData(0)
        .write(
            map,
            (tile, target) -> {
              for (int y = 0; y < tile.height(); y++) {
                for (int x = 0; x < tile.width(); x++) {
                  int gx = tile.x() + x;
                  int gy = tile.y() + y;
                  target.setSample(
                      x, y, 0, gx < width && gy < height ? pixels[gy * width + gx] : 0);
                }
              }
            });
    return map;
  }

  private static int[] pixels(Path file) throws Exception {
    try (GeoTiffRaster r = GeoTiffRaster.open(file)) {
      return r.read(new PixelWindow(0, 0, r.width(), r.height()), 1)
          .raster()
          .getSamples(0, 0, r.width(), r.height(), 0, (int[]) null);
    }
  }

  @Test
  void runningOutOfJavaHeapIsOneLineAndLeavesNoOutput() throws Exception {
    // Four classes at random on 2048 x 2048: about a million patches, whose tables do not fit a
    // 40 MB heap. The error is thrown on the command's thread, so only a fresh JVM shows it.
    int size = 2048;
    RasterGrid grid =
        RasterGrid.ofEpsg(size, size, new GeoTransform(600000, 10, 0, 4100000, 0, -10), 32612);
    Random random = new Random(5);
    Path map = dir.resolve("speckle.tif");
    GeoTiffWriter.classMap(
            grid,
            List.of(
                new LandcoverClass(1, "water", 0, 0, 255),
                new LandcoverClass(2, "forest", 0, 128, 0),
                new LandcoverClass(3, "built", 200, 0, 0),
                new LandcoverClass(4, "bare", 200, 200, 200)))
        .noData(0)
        .write(
            map,
            (tile, target) -> {
              for (int y = 0; y < tile.height(); y++) {
                for (int x = 0; x < tile.width(); x++) {
                  target.setSample(x, y, 0, 1 + random.nextInt(4));
                }
              }
            });
    Path out = Files.createDirectories(dir.resolve("oom"));
    Path err = dir.resolve("oom.err");
    Process p =
        ChildJvm.builder(
                Main.class,
                List.of("-Xmx40m"),
                "sieve",
                map.toString(),
                "--sieve",
                "5",
                "--out",
                out.resolve("sieved.tif").toString())
            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .redirectError(err.toFile())
            .start();
    assertEquals(1, p.waitFor(), Files.readString(err));
    List<String> lines = Files.readAllLines(err);
    assertEquals(1, lines.size(), String.join("\n", lines));
    assertTrue(lines.get(0).startsWith("landcover: out of Java heap"), lines.get(0));
    try (var left = Files.list(out)) {
      assertEquals(List.of(), left.toList(), "nothing left in the output folder");
    }
  }

  @Test
  void vectorizedMapRasterizesBackToTheMap() throws Exception {
    Path map = noisyMap();
    for (String name : List.of("map.gpkg", "map.geojson")) {
      Path vector = dir.resolve(name);
      Cli v = Cli.run("vectorize", map.toString(), "--out", vector.toString());
      assertEquals(0, v.code(), v.err());
      assertTrue(v.out().contains("polygons"), v.out());
      Path back = dir.resolve(name + ".tif");
      Cli r =
          Cli.run(
              "labels",
              "rasterize",
              "--vector",
              vector.toString(),
              "--field",
              "class",
              "--like",
              map.toString(),
              "--out",
              back.toString());
      assertEquals(0, r.code(), r.err());
      assertArrayEquals(pixels(map), pixels(back), name);
    }
    Cli again = Cli.run("vectorize", map.toString(), "--out", dir.resolve("map.gpkg").toString());
    assertEquals(1, again.code(), "an existing output needs --overwrite: " + again.err());
  }

  @Test
  void chipsFromVectorLabelsEqualChipsFromTheLabelRaster() throws Exception {
    Path map = noisyMap();
    Path vector = dir.resolve("labels.geojson");
    assertEquals(0, Cli.run("vectorize", map.toString(), "--out", vector.toString()).code());
    Path fromRaster = dir.resolve("chips-raster");
    Path fromVector = dir.resolve("chips-vector");
    Cli a =
        Cli.run(
            "chips",
            "--image",
            map.toString(),
            "--labels",
            map.toString(),
            "--size",
            "32",
            "--out",
            fromRaster.toString());
    assertEquals(0, a.code(), a.err());
    Cli b =
        Cli.run(
            "chips",
            "--image",
            map.toString(),
            "--vector-labels",
            vector.toString(),
            "--field",
            "class",
            "--size",
            "32",
            "--out",
            fromVector.toString());
    assertEquals(0, b.code(), b.err());
    List<Path> chips;
    try (var files = Files.list(fromRaster.resolve("labels"))) {
      chips = files.sorted().toList();
    }
    assertTrue(chips.size() > 1);
    for (Path chip : chips) {
      assertArrayEquals(
          pixels(chip),
          pixels(fromVector.resolve("labels").resolve(chip.getFileName())),
          chip.toString());
    }
    Cli both =
        Cli.run(
            "chips",
            "--image",
            map.toString(),
            "--labels",
            map.toString(),
            "--vector-labels",
            vector.toString(),
            "--field",
            "class",
            "--size",
            "32",
            "--out",
            dir.resolve("c").toString());
    assertEquals(2, both.code(), both.err());
  }

  /**
   * {@code chips --vector-labels --all-touched} burns labels as {@code gdal_rasterize -at} does,
   * and without it as {@code gdal_rasterize} does: off-grid polygons give label chips equal to
   * chips cut from GDAL's rasters, and the two rules give different chips.
   */
  @Test
  void allTouchedChipsFollowGdalRasterizeAt() throws Exception {
    Path map = noisyMap();
    Path vector = dir.resolve("offgrid.gpkg");
    Path centre = dir.resolve("gdal-centre.tif");
    Path touched = dir.resolve("gdal-at.tif");
    Gdal.runScript(
        VectorCommandsTest.class,
        "rasterize_off_grid.py",
        dir,
        map.toString(),
        vector.toString(),
        centre.toString(),
        touched.toString());
    List<int[]> byRule = new java.util.ArrayList<>();
    for (boolean at : new boolean[] {false, true}) {
      Path fromGdal = dir.resolve("chips-gdal-" + at);
      Path fromVector = dir.resolve("chips-vector-" + at);
      Cli a =
          Cli.run(
              "chips",
              "--image",
              map.toString(),
              "--labels",
              (at ? touched : centre).toString(),
              "--size",
              "32",
              "--out",
              fromGdal.toString());
      assertEquals(0, a.code(), a.err());
      List<String> args =
          new java.util.ArrayList<>(
              List.of(
                  "chips",
                  "--image",
                  map.toString(),
                  "--vector-labels",
                  vector.toString(),
                  "--field",
                  "class",
                  "--size",
                  "32",
                  "--out",
                  fromVector.toString()));
      if (at) {
        args.add("--all-touched");
      }
      Cli b = Cli.run(args.toArray(String[]::new));
      assertEquals(0, b.code(), b.err());
      List<Path> chips;
      try (var files = Files.list(fromGdal.resolve("labels"))) {
        chips = files.sorted().toList();
      }
      assertEquals(9, chips.size());
      int[] all = new int[0];
      for (Path chip : chips) {
        int[] ours = pixels(fromVector.resolve("labels").resolve(chip.getFileName()));
        assertArrayEquals(pixels(chip), ours, chip + (at ? " -at" : ""));
        int[] joined = java.util.Arrays.copyOf(all, all.length + ours.length);
        System.arraycopy(ours, 0, joined, all.length, ours.length);
        all = joined;
      }
      byRule.add(all);
    }
    long changed = 0;
    for (int i = 0; i < byRule.get(0).length; i++) {
      changed += byRule.get(0)[i] != byRule.get(1)[i] ? 1 : 0;
    }
    assertTrue(changed > 50, "all-touched changed only " + changed + " label pixels");
    Cli without =
        Cli.run(
            "chips",
            "--image",
            map.toString(),
            "--labels",
            map.toString(),
            "--all-touched",
            "--size",
            "32",
            "--out",
            dir.resolve("x").toString());
    assertEquals(2, without.code(), without.err());
  }

  @Test
  void sieveWritesAMapWithoutSmallPatches() throws Exception {
    Path map = noisyMap();
    Path sieved = dir.resolve("sieved.tif");
    Cli s = Cli.run("sieve", map.toString(), "--sieve", "12", "--out", sieved.toString());
    assertEquals(0, s.code(), s.err());
    Path vector = dir.resolve("sieved.gpkg");
    Cli v = Cli.run("vectorize", sieved.toString(), "--out", vector.toString());
    assertEquals(0, v.code(), v.err());
    Path direct = dir.resolve("direct.gpkg");
    Cli d = Cli.run("vectorize", map.toString(), "--sieve", "12", "--out", direct.toString());
    assertEquals(0, d.code(), d.err());
    // The polygon table printed (class, pixels, area) is the same both ways.
    assertEquals(
        v.out().lines().skip(1).filter(l -> !l.startsWith("Patches")).toList(),
        d.out().lines().skip(1).filter(l -> !l.startsWith("Patches")).toList());
  }

  @Test
  void badVectorInputGetsOneLineAndItsExitCode() throws Exception {
    Path map = noisyMap();
    Path shp = dir.resolve("fields.shp");
    Files.writeString(shp, "not read");
    Cli r =
        Cli.run(
            "labels",
            "rasterize",
            "--vector",
            shp.toString(),
            "--field",
            "class",
            "--like",
            map.toString(),
            "--out",
            dir.resolve("l.tif").toString());
    assertEquals(1, r.code());
    assertTrue(r.err().contains("ogr2ogr -f GPKG"), r.err());
    assertFalse(Files.exists(dir.resolve("l.tif")));

    Cli out = Cli.run("vectorize", map.toString(), "--out", dir.resolve("m.txt").toString());
    assertEquals(2, out.code(), out.err());

    Path vector = dir.resolve("m.gpkg");
    assertEquals(0, Cli.run("vectorize", map.toString(), "--out", vector.toString()).code());
    Cli field =
        Cli.run(
            "labels",
            "rasterize",
            "--vector",
            vector.toString(),
            "--field",
            "klass",
            "--like",
            map.toString(),
            "--out",
            dir.resolve("l.tif").toString());
    assertEquals(2, field.code(), field.err());
    assertTrue(field.err().contains("klass"), field.err());
    Cli text =
        Cli.run(
            "labels",
            "rasterize",
            "--vector",
            vector.toString(),
            "--field",
            "name",
            "--like",
            map.toString(),
            "--out",
            dir.resolve("l.tif").toString());
    assertEquals(1, text.code(), text.err());
    assertTrue(text.err().contains("expected an integer class"), text.err());
    assertFalse(Files.exists(dir.resolve("l.tif")));
  }

  private static long polygons(Cli vectorize) {
    String first = vectorize.out().lines().findFirst().orElseThrow();
    return Long.parseLong(first.replaceAll(".*: ([0-9,]+) polygons$", "$1").replace(",", ""));
  }

  /**
   * --connectivity 8: fewer polygons than 4 on a noisy map (pixels touching at corners joined),
   * MultiPolygons that rasterize back to the map, the same polygons as vectorizing the map that
   * {@code sieve --connectivity 8} writes; any other connectivity is a usage error (exit 2).
   */
  @Test
  void eightConnectivityJoinsCornersAndStillRasterizesBackToTheMap() throws Exception {
    Path map = noisyMap();
    Path four = dir.resolve("four.gpkg");
    Path eight = dir.resolve("eight.gpkg");
    Cli v4 = Cli.run("vectorize", map.toString(), "--out", four.toString());
    Cli v8 = Cli.run("vectorize", map.toString(), "--connectivity", "8", "--out", eight.toString());
    assertEquals(0, v4.code(), v4.err());
    assertEquals(0, v8.code(), v8.err());
    assertTrue(polygons(v8) < polygons(v4), v8.out() + " vs " + v4.out());
    Path back = dir.resolve("eight.tif");
    Cli r =
        Cli.run(
            "labels",
            "rasterize",
            "--vector",
            eight.toString(),
            "--field",
            "class",
            "--like",
            map.toString(),
            "--out",
            back.toString());
    assertEquals(0, r.code(), r.err());
    assertArrayEquals(pixels(map), pixels(back));

    Path sieved = dir.resolve("sieved8.tif");
    Cli s =
        Cli.run(
            "sieve",
            map.toString(),
            "--sieve",
            "12",
            "--connectivity",
            "8",
            "--out",
            sieved.toString());
    assertEquals(0, s.code(), s.err());
    Cli fromSieved =
        Cli.run(
            "vectorize",
            sieved.toString(),
            "--connectivity",
            "8",
            "--out",
            dir.resolve("s8.gpkg").toString());
    Cli direct =
        Cli.run(
            "vectorize",
            map.toString(),
            "--sieve",
            "12",
            "--connectivity",
            "8",
            "--out",
            dir.resolve("d8.gpkg").toString());
    assertEquals(0, direct.code(), direct.err());
    assertEquals(
        fromSieved.out().lines().skip(1).filter(l -> !l.startsWith("Patches")).toList(),
        direct.out().lines().skip(1).filter(l -> !l.startsWith("Patches")).toList());
    Cli s4 =
        Cli.run(
            "sieve", map.toString(), "--sieve", "12", "--out", dir.resolve("s4.tif").toString());
    assertEquals(0, s4.code(), s4.err());
    assertFalse(java.util.Arrays.equals(pixels(sieved), pixels(dir.resolve("s4.tif"))));

    Cli bad =
        Cli.run(
            "vectorize",
            map.toString(),
            "--connectivity",
            "6",
            "--out",
            dir.resolve("bad.gpkg").toString());
    assertEquals(2, bad.code(), bad.err());
    assertTrue(bad.err().contains("--connectivity must be 4 or 8: 6"), bad.err());
    assertFalse(Files.exists(dir.resolve("bad.gpkg")));
  }
}

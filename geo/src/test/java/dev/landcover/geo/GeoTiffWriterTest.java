package dev.landcover.geo;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.landcover.geo.internal.Rasters;
import dev.landcover.geo.internal.tiff.TiffDirectory;
import dev.landcover.pixels.LandcoverClass;
import dev.landcover.pixels.PixelWindow;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Files written by {@link GeoTiffWriter}, read back by GDAL. */
class GeoTiffWriterTest {
  private static final List<LandcoverClass> CLASSES =
      List.of(
          new LandcoverClass(1, "fields", 230, 200, 60),
          new LandcoverClass(2, "forest", 20, 110, 30),
          new LandcoverClass(4, "water", 30, 90, 220),
          new LandcoverClass(200, "built-up", 200, 30, 30));

  @TempDir Path dir;

  private static int classAt(int x, int y) {
    int[] ids = {0, 1, 2, 4, 200};
    return ids[Math.floorMod(x / 7 + y / 5 + x * y, ids.length)];
  }

  private static TileFiller classes() {
    return (tile, raster) -> {
      for (int y = 0; y < tile.height(); y++) {
        for (int x = 0; x < tile.width(); x++) {
          raster.setSample(x, y, 0, classAt(tile.x() + x, tile.y() + y));
        }
      }
    };
  }

  @Test
  void classMapReadsBackInGdalWithGridColoursNoDataAndNames() throws IOException {
    RasterGrid grid;
    try (GeoTiffRaster naip =
        GeoTiffRaster.open(Gdal.sharedData().resolve("scenes/naip-4band-2019.tif"))) {
      grid = naip.grid();
    }
    Path out = dir.resolve("map.tif");
    GeoTiffWriter.classMap(grid, CLASSES).noData(0).write(out, classes());
    Gdal.Reference ref = Gdal.describe(List.of(new Gdal.Request(out))).get(out);
    assertTrue(ref.ok(), ref.error());
    assertEquals(grid.width(), ref.width());
    assertEquals(grid.height(), ref.height());
    assertEquals("Byte", ref.dtype());
    assertEquals("DEFLATE", ref.compression());
    assertArrayEquals(grid.transform().toGdal(), ref.geotransform(), 1e-9);
    assertEquals(26914, ref.epsg());
    assertEquals(0.0, ref.nodata(1));
    List<int[]> colors = ref.colors();
    assertEquals(256, colors.size());
    for (LandcoverClass c : CLASSES) {
      assertArrayEquals(
          new int[] {c.red(), c.green(), c.blue(), 255}, colors.get(c.id()), c.name());
    }
    double[] pixels = ref.data(0);
    for (int y = 0; y < grid.height(); y++) {
      for (int x = 0; x < grid.width(); x++) {
        assertEquals(classAt(x, y), pixels[y * grid.width() + x], "pixel " + x + "," + y);
      }
    }
    assertTrue(
        Files.readString(dir.resolve("map.tif.aux.xml")).contains("<Category>forest</Category>"));
    try (GeoTiffRaster back = GeoTiffRaster.open(out)) {
      assertTrue(back.grid().sameGrid(grid), back.grid().describe() + " vs " + grid.describe());
      assertEquals(0.0, back.noData(1).getAsDouble());
    }
    assertOnlyFiles("map.tif", "map.tif.aux.xml");
  }

  @Test
  void moreThan255ClassesGiveUInt16() throws IOException {
    RasterGrid grid =
        RasterGrid.ofEpsg(300, 40, new GeoTransform(500000, 10, 0, 4000000, 0, -10), 32633);
    List<LandcoverClass> many =
        List.of(new LandcoverClass(1, "a", 1, 2, 3), new LandcoverClass(1000, "b", 4, 5, 6));
    Path out = dir.resolve("wide.tif");
    GeoTiffWriter writer = GeoTiffWriter.classMap(grid, many).noData(0);
    assertEquals(SampleType.UINT16, writer.sampleType());
    writer.write(
        out,
        (tile, raster) -> {
          for (int y = 0; y < tile.height(); y++) {
            for (int x = 0; x < tile.width(); x++) {
              raster.setSample(x, y, 0, (tile.x() + x) % 3 == 0 ? 1000 : 1);
            }
          }
        });
    Gdal.Reference ref = Gdal.describe(List.of(new Gdal.Request(out))).get(out);
    assertEquals("UInt16", ref.dtype());
    assertEquals(32633, ref.epsg());
    double[] pixels = ref.data(0);
    assertEquals(1000.0, pixels[0]);
    assertEquals(1.0, pixels[1]);
    assertArrayEquals(new int[] {4, 5, 6, 255}, ref.colors().get(1000));
  }

  @Test
  void multiBandCopyOfARealSceneEqualsTheSourceInGdal() throws IOException {
    Path source = Gdal.sharedData().resolve("scenes/s2-slovenia-13band.tif");
    Path out = dir.resolve("copy.tif");
    try (GeoTiffRaster raster = GeoTiffRaster.open(source)) {
      RasterWindow all =
          raster.read(new PixelWindow(0, 0, raster.width(), raster.height()), raster.allBands());
      GeoTiffWriter.forGrid(raster.grid(), raster.sampleType(), raster.bandCount())
          .noData(0)
          .write(out, all);
    }
    Map<Path, Gdal.Reference> refs =
        Gdal.describe(List.of(new Gdal.Request(source), new Gdal.Request(out)));
    Gdal.Reference a = refs.get(source);
    Gdal.Reference b = refs.get(out);
    assertEquals(a.bands(), b.bands());
    assertEquals(a.dtype(), b.dtype());
    assertEquals(a.epsg(), b.epsg());
    assertArrayEquals(a.geotransform(), b.geotransform(), 1e-9);
    assertArrayEquals(a.data(0), b.data(0));
    assertEquals(0.0, b.nodata(13));
  }

  @Test
  void floatBandsWithNanNoDataAndDescriptionsInBigTiff() throws IOException {
    RasterGrid grid = RasterGrid.ofEpsg(70, 50, new GeoTransform(10, 0.01, 0, 50, 0, -0.01), 4326);
    Path out = dir.resolve("prob.tif");
    GeoTiffWriter.forGrid(grid, SampleType.FLOAT32, 2)
        .noData(Double.NaN)
        .bandDescriptions(List.of("forest", "water"))
        .bigTiffThreshold(0)
        .write(
            out,
            (tile, raster) -> {
              for (int y = 0; y < tile.height(); y++) {
                for (int x = 0; x < tile.width(); x++) {
                  int gx = tile.x() + x;
                  raster.setSample(x, y, 0, gx == 3 ? Float.NaN : gx * 0.25f);
                  raster.setSample(x, y, 1, -(tile.y() + y) * 1.5f);
                }
              }
            });
    assertTrue(TiffDirectory.read(out).isBigTiff());
    Gdal.Reference ref = Gdal.describe(List.of(new Gdal.Request(out))).get(out);
    assertEquals("Float32", ref.dtype());
    assertEquals(4326, ref.epsg());
    assertArrayEquals(grid.transform().toGdal(), ref.geotransform(), 1e-12);
    assertTrue(Double.isNaN(ref.nodata(1)));
    double[] d = ref.data(0);
    assertEquals(0.5, d[2]);
    assertTrue(Double.isNaN(d[3]));
    assertEquals(-1.5 * 49, d[70 * 50 + 49 * 70 + 5]);
    try (GeoTiffRaster back = GeoTiffRaster.open(out)) {
      assertTrue(back.grid().sameGrid(grid), back.grid().describe() + " vs " + grid.describe());
      assertTrue(back.isBigTiff());
    }
  }

  @Test
  void rotatedAndNorthFirstGridsRoundTrip() throws IOException {
    Path rotated = Gdal.sharedData().resolve("corpus/rasterio/tests_data_rotated.tif");
    RasterGrid grid;
    try (GeoTiffRaster r = GeoTiffRaster.open(rotated)) {
      grid = RasterGrid.of(r.width(), r.height(), r.grid().transform(), null);
    }
    RasterGrid laea =
        RasterGrid.ofEpsg(40, 30, new GeoTransform(4321000, 20, 0, 3210000, 0, -20), 3035);
    Path a = dir.resolve("rotated.tif");
    Path b = dir.resolve("laea.tif");
    GeoTiffWriter.forGrid(grid, SampleType.UINT8, 1).write(a, classes());
    GeoTiffWriter.forGrid(laea, SampleType.UINT8, 1).write(b, classes());
    Map<Path, Gdal.Reference> refs =
        Gdal.describe(List.of(new Gdal.Request(a), new Gdal.Request(b)));
    assertArrayEquals(grid.transform().toGdal(), refs.get(a).geotransform(), 1e-9);
    assertArrayEquals(laea.transform().toGdal(), refs.get(b).geotransform(), 1e-9);
    assertEquals(3035, refs.get(b).epsg());
  }

  @Test
  void aFailedWriteLeavesNothingAndAnExistingFileIsKept() throws IOException {
    RasterGrid grid = RasterGrid.ofEpsg(600, 600, new GeoTransform(0, 1, 0, 0, 0, -1), 32633);
    Path out = dir.resolve("fail.tif");
    IOException boom =
        assertThrows(
            IOException.class,
            () ->
                GeoTiffWriter.classMap(grid, CLASSES)
                    .write(
                        out,
                        (tile, raster) -> {
                          if (tile.y() > 0) {
                            throw new IOException("disk on fire");
                          }
                        }));
    assertEquals("disk on fire", boom.getMessage());
    assertOnlyFiles();

    Files.writeString(out, "precious");
    GeoTiffException e =
        assertThrows(
            GeoTiffException.class,
            () -> GeoTiffWriter.classMap(grid, CLASSES).write(out, classes()));
    assertTrue(e.getMessage().contains("already exists"), e.getMessage());
    assertEquals("precious", Files.readString(out));
    GeoTiffWriter.classMap(grid, CLASSES).overwrite(true).write(out, classes());
    assertFalse(
        Files.readString(out, java.nio.charset.StandardCharsets.ISO_8859_1).startsWith("precious"));
  }

  /**
   * In place (for files of a staged folder) the target is the only file written, it equals what the
   * temporary-file path writes, and a failed write deletes what it wrote.
   */
  @Test
  void inPlaceWritesOnlyTheTargetAndAFailureRemovesIt() throws IOException {
    RasterGrid grid = RasterGrid.ofEpsg(600, 600, new GeoTransform(0, 1, 0, 0, 0, -1), 32633);
    Path staged = dir.resolve("staged.tif");
    Path atomic = dir.resolve("atomic.tif");
    GeoTiffWriter.classMap(grid, List.of()).inPlace(true).write(staged, classes());
    GeoTiffWriter.classMap(grid, List.of()).write(atomic, classes());
    assertOnlyFiles("staged.tif", "atomic.tif");
    assertArrayEquals(Files.readAllBytes(atomic), Files.readAllBytes(staged));
    assertThrows(
        GeoTiffException.class,
        () -> GeoTiffWriter.classMap(grid, List.of()).inPlace(true).write(staged, classes()));

    Path failed = dir.resolve("failed.tif");
    IOException boom =
        assertThrows(
            IOException.class,
            () ->
                GeoTiffWriter.classMap(grid, List.of())
                    .inPlace(true)
                    .write(
                        failed,
                        (tile, raster) -> {
                          if (tile.y() > 0) {
                            throw new IOException("disk on fire");
                          }
                        }));
    assertEquals("disk on fire", boom.getMessage());
    assertOnlyFiles("staged.tif", "atomic.tif");
  }

  /** Chips go through the single-pass writer: every sample type, padding, rotation, both codecs. */
  @Test
  void singleTileFilesReadBackInGdalForEveryTypeAndLayout() throws IOException {
    GeoTransform rotated = new GeoTransform(500000, 9.5, 1.25, 4100000, 0.75, -9.5);
    GeoTransform northUp = new GeoTransform(500000, 10, 0, 4100000, 0, -10);
    List<Gdal.Request> requests = new java.util.ArrayList<>();
    List<double[]> expected = new java.util.ArrayList<>();
    int k = 0;
    for (SampleType type : SampleType.values()) {
      for (int level : new int[] {0, 1}) {
        int w = 37 + k;
        int h = 53 - k;
        RasterGrid grid = RasterGrid.ofEpsg(w, h, k % 2 == 0 ? northUp : rotated, 32633);
        var raster = Rasters.createBanded(type, w, h, 3);
        double[] values = new double[3 * w * h];
        for (int b = 0; b < 3; b++) {
          for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
              double v =
                  switch (type) {
                    case UINT8 -> (x * 7 + y * 3 + b * 50) % 256;
                    case UINT16 -> (x * 977 + y * 311 + b) % 65536;
                    case INT16 -> (x * 977 + y * 311) % 65536 - 32768;
                    case UINT32 -> 4_000_000_000.0 - x * 1000 - y;
                    case INT32 -> -2_000_000_000 + x * 100_003 + y * 7 + b;
                    case FLOAT32 -> (float) (x * 0.25 - y * 1.5 + b);
                    case FLOAT64 -> x * 1e-7 - y * 1e9 + b;
                  };
              values[(b * h + y) * w + x] = v;
              raster.setSample(x, y, b, type == SampleType.UINT32 ? (double) (int) (long) v : v);
            }
          }
        }
        var window =
            new RasterWindow(
                new dev.landcover.pixels.PixelWindow(0, 0, w, h),
                new int[] {1, 2, 3},
                type,
                new double[] {Double.NaN, Double.NaN, Double.NaN},
                raster,
                new boolean[w * h]);
        Path out = dir.resolve(type + "-" + level + ".tif");
        GeoTiffWriter.forGrid(grid, type, 3).noData(7).deflateLevel(level).write(out, window);
        requests.add(new Gdal.Request(out));
        expected.add(values);
        k++;
      }
    }
    Map<Path, Gdal.Reference> refs = Gdal.describe(requests);
    for (int i = 0; i < requests.size(); i++) {
      Gdal.Reference ref = refs.get(requests.get(i).path());
      String name = requests.get(i).path().getFileName().toString();
      assertTrue(ref.ok(), name + ": " + ref.error());
      assertEquals(3, ref.bands(), name);
      assertEquals(32633, ref.epsg(), name);
      assertEquals(7.0, ref.nodata(1), name);
      assertArrayEquals(expected.get(i), ref.data(0), name);
      assertEquals(
          i % 2 == 0 ? "NONE" : "DEFLATE",
          ref.compression() == null ? "NONE" : ref.compression(),
          name);
      GeoTransform t = i % 2 == 0 ? northUp : rotated;
      assertArrayEquals(t.toGdal(), ref.geotransform(), 1e-9, name);
    }
  }

  /**
   * A thread reuses the header of its last chip for the next chip of the same shape: each file must
   * equal the file written by a thread that wrote nothing before it.
   */
  @Test
  void chipsAfterOtherChipsEqualChipsWrittenAlone() throws Exception {
    GeoTransform northUp = new GeoTransform(500000, 10, 0, 4100000, 0, -10);
    GeoTransform rotated = new GeoTransform(500000, 9.5, 1.25, 4100000, 0.75, -9.5);
    List<Runnable> checks = new java.util.ArrayList<>();
    for (GeoTransform t : List.of(northUp, rotated)) {
      for (int bands : new int[] {1, 3}) {
        for (int level : new int[] {0, 1}) {
          RasterGrid scene = RasterGrid.ofEpsg(300, 200, t, 32633);
          String name = (t == northUp ? "n" : "r") + bands + "-" + level;
          for (int i = 0; i < 3; i++) {
            RasterGrid chip =
                scene.window(new dev.landcover.pixels.PixelWindow(40 * i, 30 * i, 64, 48));
            var raster = Rasters.createBanded(SampleType.UINT16, 64, 48, bands);
            for (int b = 0; b < bands; b++) {
              for (int y = 0; y < 48; y++) {
                for (int x = 0; x < 64; x++) {
                  raster.setSample(x, y, b, (x * 31 + y * 7 + b * 1000 + i * 77) % 65536);
                }
              }
            }
            int[] bandNumbers = java.util.stream.IntStream.rangeClosed(1, bands).toArray();
            var window =
                new RasterWindow(
                    new dev.landcover.pixels.PixelWindow(0, 0, 64, 48),
                    bandNumbers,
                    SampleType.UINT16,
                    new double[bands],
                    raster,
                    new boolean[64 * 48]);
            GeoTiffWriter writer =
                GeoTiffWriter.forGrid(chip, SampleType.UINT16, bands).noData(0).deflateLevel(level);
            Path inRun = dir.resolve(name + "-run-" + i + ".tif");
            Path alone = dir.resolve(name + "-alone-" + i + ".tif");
            writer.write(inRun, window);
            Thread fresh =
                new Thread(
                    () -> {
                      try {
                        writer.write(alone, window);
                      } catch (IOException e) {
                        throw new java.io.UncheckedIOException(e);
                      }
                    });
            fresh.start();
            fresh.join();
            checks.add(
                () -> {
                  try {
                    assertArrayEquals(
                        Files.readAllBytes(alone), Files.readAllBytes(inRun), inRun.toString());
                  } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                  }
                });
          }
        }
      }
    }
    assertEquals(24, checks.size());
    checks.forEach(Runnable::run);
  }

  private void assertOnlyFiles(String... names) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      assertEquals(
          List.of(names).stream().sorted().toList(),
          s.map(p -> p.getFileName().toString()).sorted().toList());
    }
  }
}

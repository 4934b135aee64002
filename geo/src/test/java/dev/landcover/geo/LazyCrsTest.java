package dev.landcover.geo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.landcover.pixels.LandcoverClass;
import dev.landcover.pixels.PixelWindow;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.opengis.referencing.crs.CoordinateReferenceSystem;

/**
 * A GeoTIFF's CRS is decoded only when something needs it as an object: opening a file, cutting
 * chips from it (with labels on the same grid) and writing chips and a class map on its grid never
 * start Apache SIS's GeoTIFF reader or the EPSG database (Apache Derby), which cost seconds of CPU
 * per run.
 */
class LazyCrsTest {
  /** GDAL's keys for EPSG:32633 (WGS 84 / UTM zone 33N), as gdal_translate -a_srs writes them. */
  private static final GeoKeys UTM_33N =
      GeoKeys.of(
          new int[] {
            1, 1, 0, 7, 1024, 0, 1, 1, 1025, 0, 1, 1, 1026, 34737, 22, 0, 2049, 34737, 7, 22, 2054,
            0, 1, 9102, 3072, 0, 1, 32633, 3076, 0, 1, 9001
          },
          new double[0],
          "WGS 84 / UTM zone 33N|WGS 84|");

  private static final String DEMAND = "-- the CRS is demanded now --";

  @TempDir Path dir;

  /** A 64 x 48 uint8 GeoTIFF in {@code keys}, with values {@code (x + y) % 5}. */
  private static void write(Path file, GeoKeys keys) throws IOException {
    RasterGrid grid =
        RasterGrid.ofGeoTiff(
            64,
            48,
            new GeoTransform(500000, 10, 0, 4000000, 0, -10),
            keys,
            () -> {
              throw new AssertionError("the writer decoded the CRS");
            });
    RasterWindow data = RasterWindow.create(SampleType.UINT8, 64, 48, 1);
    for (int y = 0; y < 48; y++) {
      for (int x = 0; x < 64; x++) {
        data.writableRaster().setSample(x, y, 0, (x + y) % 5);
      }
    }
    GeoTiffWriter.forGrid(grid, SampleType.UINT8, 1).noData(255).write(file, data);
  }

  @Test
  void openingChippingAndWritingLoadNeitherSisReaderNorEpsgDatabase() throws Exception {
    Path image = dir.resolve("image.tif");
    Path labels = dir.resolve("labels.tif");
    write(image, UTM_33N);
    write(labels, UTM_33N);
    Path log = dir.resolve("classes.log");
    Process child =
        ChildJvm.builder(
                LazyCrsTest.class,
                List.of("-Xlog:class+load=info"),
                image.toString(),
                labels.toString(),
                dir.resolve("out").toString())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    assertTrue(child.waitFor(120, TimeUnit.SECONDS), "the child JVM did not finish");
    List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
    assertEquals(0, child.exitValue(), () -> String.join("\n", lines));
    int demand = lines.indexOf(DEMAND);
    assertTrue(demand > 0, () -> "no marker in:\n" + String.join("\n", lines));
    List<String> before = new ArrayList<>();
    for (String line : lines.subList(0, demand)) {
      if (line.contains("org.apache.derby.")
          || line.contains("org.apache.sis.referencing.factory.sql.")
          || line.contains("org.apache.sis.storage.geotiff.reader.")) {
        before.add(line);
      }
    }
    assertEquals(List.of(), before, "loaded before the CRS was needed");
    // the observation is real: the CRS, once demanded, comes from the EPSG database
    List<String> after = lines.subList(demand, lines.size());
    assertTrue(
        after.stream().anyMatch(l -> l.contains("org.apache.sis.referencing.factory.sql.EPSG")),
        "the EPSG factory was not seen loading");
    assertTrue(after.contains("EPSG:32633"), () -> String.join("\n", after));
    assertTrue(Files.exists(dir.resolve("out/map.tif")));
    assertTrue(Files.exists(dir.resolve("out/chip0.tif")));
  }

  /**
   * The child JVM: opens {@code args[0]} and its labels {@code args[1]}, writes 3 chips of 32
   * pixels and a class map into {@code args[2]}, asks whether the grid is in metres (as the map's
   * summary does), then prints {@link #DEMAND} and the CRS's label.
   */
  public static void main(String[] args) throws Exception {
    Path out = Files.createDirectories(Path.of(args[2]));
    try (GeoTiffRaster image = GeoTiffRaster.open(Path.of(args[0]));
        GeoTiffRaster labels = GeoTiffRaster.open(Path.of(args[1]))) {
      ChipGenerator chips =
          ChipGenerator.builder(image).labels(labels).chipSize(32).overlap(16).build();
      for (Chip chip : (Iterable<Chip>) chips.stream()::iterator) {
        GeoTiffWriter.forGrid(chip.grid(), image.sampleType(), 1)
            .deflateLevel(0)
            .write(out.resolve("chip" + chip.index() + ".tif"), chip.image());
      }
      GeoTiffWriter.classMap(image.grid(), List.of(new LandcoverClass(1, "one", 10, 20, 30)))
          .write(out.resolve("map.tif"), (tile, raster) -> {});
      if (!image.grid().axesInMetres()) {
        throw new AssertionError("EPSG:32633 is in metres");
      }
      System.out.println(DEMAND);
      System.out.flush();
      System.out.println(image.grid().crsLabel());
    }
  }

  @Test
  void theGridAndItsWindowsDecodeOnceFromAnyThread() throws Exception {
    Path image = dir.resolve("image.tif");
    write(image, UTM_33N);
    try (GeoTiffRaster raster = GeoTiffRaster.open(image)) {
      ExecutorService pool = Executors.newFixedThreadPool(4);
      try {
        List<Future<CoordinateReferenceSystem>> crss = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
          RasterGrid window = raster.grid().window(new PixelWindow(i, i, 16, 16));
          crss.add(pool.submit(() -> window.crs().orElseThrow()));
        }
        CoordinateReferenceSystem first = raster.grid().crs().orElseThrow();
        for (Future<CoordinateReferenceSystem> crs : crss) {
          assertSame(first, crs.get());
        }
      } finally {
        pool.shutdownNow();
      }
      assertEquals(32633, raster.grid().epsg().orElseThrow());
    }
  }

  @Test
  void aFileChangedBeforeItsCrsIsNeededIsAOneLineErrorNamingIt() throws IOException {
    Path image = dir.resolve("image.tif");
    write(image, UTM_33N);
    Path other = dir.resolve("other.tif");
    write(
        other,
        GeoKeys.of(
            new int[] {1, 1, 0, 3, 1024, 0, 1, 1, 1025, 0, 1, 1, 3072, 0, 1, 3857},
            new double[0],
            null));
    try (GeoTiffRaster raster = GeoTiffRaster.open(image)) {
      Files.copy(other, image, StandardCopyOption.REPLACE_EXISTING);
      UncheckedIOException e = assertThrows(UncheckedIOException.class, () -> raster.grid().crs());
      assertInstanceOf(GeoTiffException.class, e.getCause());
      String message = e.getCause().getMessage();
      assertTrue(message.contains(image.toString()), message);
      assertTrue(message.contains("changed since it was opened"), message);
      assertTrue(!message.contains("\n"), message);
    }
  }
}

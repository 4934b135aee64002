package dev.landcover.geo;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.landcover.geo.internal.tiff.TiffDirectory;
import dev.landcover.pixels.LandcoverClass;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Cloud-Optimized GeoTIFFs written by {@link GeoTiffWriter#cloudOptimized}: GDAL's COG validator
 * passes with no error and no warning, and the overviews GDAL reads equal those GDAL's {@code
 * gdaladdo} computes from the full resolution. Sizes are odd on purpose: overview windows are then
 * not all 2 x 2, which is where resampling rules differ.
 */
class CloudOptimizedGeoTiffTest {
  private static final List<LandcoverClass> CLASSES =
      List.of(
          new LandcoverClass(1, "fields", 230, 200, 60),
          new LandcoverClass(2, "forest", 20, 110, 30),
          new LandcoverClass(3, "water", 30, 90, 220),
          new LandcoverClass(7, "built-up", 200, 30, 30));

  /**
   * Averages equal gdaladdo's up to float32 rounding: GDAL sums in double in an order of its own
   * (and with SIMD where windows are 2 x 2 and nothing is nodata), so the last bit of a float32
   * mean may differ. Probabilities are in [0, 1], where one float32 step is at most 6e-8.
   */
  private static final double FLOAT_AVERAGE_TOLERANCE = 2.5e-7;

  @TempDir Path dir;

  private static RasterGrid grid(int width, int height) {
    return RasterGrid.ofEpsg(
        width, height, new GeoTransform(500000, 10, 0, 4600000, 0, -10), 32633);
  }

  /** Classes in blocks, small patches and single pixels, nodata in a corner. */
  private static int classAt(int x, int y) {
    if (x < 40 && y < 30) {
      return 0;
    }
    if ((x * 7 + y * 13) % 97 == 0) {
      return 7; // isolated built-up pixels
    }
    int[] ids = {1, 2, 3};
    return ids[Math.floorMod(x / 9 + y / 5 + (x * y) % 3, ids.length)];
  }

  private JsonNode reference(Path file, String resampling) throws IOException {
    Path work = Files.createDirectories(dir.resolve("gdal"));
    String out =
        Gdal.runScript(
            CloudOptimizedGeoTiffTest.class,
            "cog_reference.py",
            work,
            file.toString(),
            resampling,
            work.toString());
    return new ObjectMapper()
        .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS.mappedFeature())
        .readTree(out.substring(out.lastIndexOf("\n{") + 1));
  }

  private static void assertValidCog(JsonNode ref) {
    assertEquals(0, ref.get("errors").size(), "COG validator errors: " + ref.get("errors"));
    assertEquals(0, ref.get("warnings").size(), "COG validator warnings: " + ref.get("warnings"));
    assertEquals(ref.get("referenceOverviews"), ref.get("overviews"), "overview sizes");
  }

  @Test
  void classMapIsAValidCogWithModeOverviewsEqualToGdaladdo() throws IOException {
    RasterGrid grid = grid(1201, 777);
    Path out = dir.resolve("map.tif");
    GeoTiffWriter.classMap(grid, CLASSES)
        .noData(0)
        .cloudOptimized(OverviewResampling.MODE)
        .write(
            out,
            (tile, raster) -> {
              for (int y = 0; y < tile.height(); y++) {
                for (int x = 0; x < tile.width(); x++) {
                  raster.setSample(x, y, 0, classAt(tile.x() + x, tile.y() + y));
                }
              }
            });
    JsonNode ref = reference(out, "mode");
    assertValidCog(ref);
    // 1201 x 777 -> 601 x 389 -> 301 x 195 -> 151 x 98: halved until one 256 x 256 tile holds it
    assertEquals("[[601,389],[301,195],[151,98]]", ref.get("overviews").toString());
    assertEquals(0.0, ref.get("maxDifference").asDouble(), "mode overviews differ from gdaladdo");
    assertEquals(0.0, ref.get("nodata").asDouble());
    assertEquals(256, ref.get("colors").asInt());
    Gdal.Reference full = Gdal.describe(List.of(new Gdal.Request(out))).get(out);
    assertEquals(32633, full.epsg());
    assertArrayEquals(grid.transform().toGdal(), full.geotransform(), 1e-9);
    double[] pixels = full.data(0);
    for (int y = 0; y < grid.height(); y++) {
      for (int x = 0; x < grid.width(); x++) {
        assertEquals(classAt(x, y), pixels[y * grid.width() + x], "pixel " + x + "," + y);
      }
    }
    assertTrue(Files.exists(dir.resolve("map.tif.aux.xml")));
    try (Stream<Path> files = Files.list(dir)) {
      assertEquals(
          List.of("gdal", "map.tif", "map.tif.aux.xml"),
          files.map(p -> p.getFileName().toString()).sorted().toList(),
          "temporary files left behind");
    }
  }

  /**
   * Nearest picks one source pixel per overview pixel; every pixel here holds a value of its own
   * (its index in the image, nodata in a corner), so a pixel picked one column or row off differs.
   */
  @Test
  void nearestOverviewsEqualGdaladdoPixelForPixelWithOddSizes() throws IOException {
    RasterGrid grid = grid(1001, 739);
    Path out = dir.resolve("ids.tif");
    GeoTiffWriter.forGrid(grid, SampleType.UINT16, 1)
        .noData(0)
        .cloudOptimized(OverviewResampling.NEAREST)
        .write(
            out,
            (tile, raster) -> {
              for (int y = 0; y < tile.height(); y++) {
                for (int x = 0; x < tile.width(); x++) {
                  int gx = tile.x() + x;
                  int gy = tile.y() + y;
                  int id = gx < 50 && gy < 20 ? 0 : 1 + (gx + gy * 1001) % 65535;
                  raster.setSample(x, y, 0, id);
                }
              }
            });
    JsonNode ref = reference(out, "nearest");
    assertValidCog(ref);
    // 1001 x 739 -> 501 x 370 -> 251 x 185 (fits one tile): odd sizes at both levels
    assertEquals("[[501,370],[251,185]]", ref.get("overviews").toString());
    assertEquals(
        0.0, ref.get("maxDifference").asDouble(), "nearest overviews differ from gdaladdo");
  }

  @Test
  void floatProbabilitiesWithNanNoDataHaveAverageOverviewsEqualToGdaladdo() throws IOException {
    RasterGrid grid = grid(1031, 517);
    Path out = dir.resolve("probabilities.tif");
    GeoTiffWriter.forGrid(grid, SampleType.FLOAT32, 3)
        .noData(Double.NaN)
        .bandDescriptions(List.of("a", "b", "c"))
        .cloudOptimized(OverviewResampling.AVERAGE)
        .write(
            out,
            (tile, raster) -> {
              for (int y = 0; y < tile.height(); y++) {
                for (int x = 0; x < tile.width(); x++) {
                  int gx = tile.x() + x;
                  int gy = tile.y() + y;
                  boolean nodata = (gx < 100 && gy < 60) || (gx + gy) % 11 == 0;
                  double a = 0.5 + 0.5 * Math.sin(gx * 0.05) * Math.cos(gy * 0.031);
                  double b = (1 - a) * ((gx * 31 + gy * 17) % 100) / 100.0;
                  raster.setSample(x, y, 0, nodata ? Float.NaN : (float) a);
                  raster.setSample(x, y, 1, nodata ? Float.NaN : (float) b);
                  raster.setSample(x, y, 2, nodata ? Float.NaN : (float) (1 - a - b));
                }
              }
            });
    JsonNode ref = reference(out, "average");
    assertValidCog(ref);
    assertEquals("[[516,259],[258,130],[129,65]]", ref.get("overviews").toString());
    assertEquals(0, ref.get("nanMismatches").asInt(), "nodata pixels differ from gdaladdo");
    double diff = ref.get("maxDifference").asDouble();
    assertTrue(
        diff <= FLOAT_AVERAGE_TOLERANCE, "average overviews differ from gdaladdo by " + diff);
    assertTrue(Double.isNaN(ref.get("nodata").asDouble()));
  }

  @Test
  void byteConfidenceWithNoDataHasAverageOverviewsEqualToGdaladdoInBigTiff() throws IOException {
    RasterGrid grid = grid(700, 301);
    Path out = dir.resolve("confidence.tif");
    GeoTiffWriter.forGrid(grid, SampleType.UINT8, 1)
        .noData(255)
        .bigTiffThreshold(0)
        .cloudOptimized(OverviewResampling.AVERAGE)
        .write(
            out,
            (tile, raster) -> {
              for (int y = 0; y < tile.height(); y++) {
                for (int x = 0; x < tile.width(); x++) {
                  int gx = tile.x() + x;
                  int gy = tile.y() + y;
                  raster.setSample(x, y, 0, gy > 280 && gx < 50 ? 255 : (gx * 3 + gy * gy) % 101);
                }
              }
            });
    assertTrue(TiffDirectory.read(out).isBigTiff());
    JsonNode ref = reference(out, "average");
    assertValidCog(ref);
    assertEquals("[[350,151],[175,76]]", ref.get("overviews").toString());
    assertEquals(0.0, ref.get("maxDifference").asDouble(), "byte averages differ from gdaladdo");
  }

  @Test
  void anImageOfOneTileIsAValidCogWithoutOverviews() throws IOException {
    RasterGrid grid = grid(200, 150);
    Path out = dir.resolve("small.tif");
    GeoTiffWriter.forGrid(grid, SampleType.UINT16, 2)
        .cloudOptimized(OverviewResampling.AVERAGE)
        .write(
            out,
            (tile, raster) -> {
              for (int y = 0; y < tile.height(); y++) {
                for (int x = 0; x < tile.width(); x++) {
                  raster.setSample(x, y, 0, tile.x() + x);
                  raster.setSample(x, y, 1, 60000 + tile.y() + y);
                }
              }
            });
    JsonNode ref = reference(out, "average");
    assertValidCog(ref);
    assertEquals(0, ref.get("overviews").size());
    Gdal.Reference full = Gdal.describe(List.of(new Gdal.Request(out))).get(out);
    double[] bands = full.data(0); // band, row, column order
    assertEquals(17, bands[5 * 200 + 17]);
    assertEquals(60000 + 149, bands[200 * 150 + 149 * 200 + 3]);
  }
}

package dev.landcover.geo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.landcover.pixels.PixelWindow;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link RasterAligner} against gdalwarp on the real Zion rasters: the NLCD (NAD83 / UTM 12N, about
 * 31.5 m) aligned onto the Landsat grid (WGS 84 / UTM 12N, 30 m) with nearest equals the shared
 * label file that {@code gdalwarp -r near} made; bilinear, cubic, average and mode agree with
 * gdalwarp ({@code -et 0}) on NAD83 grids of 25 m and 90 m within the stated tolerances.
 */
class RasterAlignerTest {
  private static final Path LANDSAT = Gdal.sharedData().resolve("scenes/landsat8-zion-4band.tif");
  private static final Path NLCD = Gdal.sharedData().resolve("zion-sources/nlcd.tif");

  @TempDir Path dir;

  /** Differences between two rasters of the same grid: count, largest, and pixels compared. */
  private record Difference(long differing, double largest, long pixels) {
    double fraction() {
      return differing / (double) pixels;
    }

    @Override
    public String toString() {
      return String.format(
          Locale.ROOT,
          "%d of %d samples differ (%.4f%%), largest difference %s",
          differing,
          pixels,
          100 * fraction(),
          largest);
    }
  }

  private static Difference compare(Path ours, Path reference) throws IOException {
    try (GeoTiffRaster a = GeoTiffRaster.open(ours);
        GeoTiffRaster b = GeoTiffRaster.open(reference)) {
      assertTrue(a.grid().sameGrid(b.grid()), a.grid() + " vs " + b.grid());
      assertEquals(b.bandCount(), a.bandCount());
      assertEquals(b.sampleType(), a.sampleType());
      assertEquals(b.noData(1), a.noData(1));
      PixelWindow all = new PixelWindow(0, 0, a.width(), a.height());
      RasterWindow x = a.read(all, a.allBands());
      RasterWindow y = b.read(all, b.allBands());
      long differing = 0;
      double largest = 0;
      for (int band = 0; band < a.bandCount(); band++) {
        for (int r = 0; r < a.height(); r++) {
          for (int c = 0; c < a.width(); c++) {
            double d = Math.abs(x.sample(band, c, r) - y.sample(band, c, r));
            if (d != 0) {
              differing++;
              largest = Math.max(largest, d);
            }
          }
        }
      }
      return new Difference(differing, largest, (long) a.width() * a.height() * a.bandCount());
    }
  }

  private Path align(Path source, Path like, Resampling method) throws IOException {
    Path out = dir.resolve(source.getFileName() + "-" + method.gdalName() + ".tif");
    try (GeoTiffRaster src = GeoTiffRaster.open(source);
        GeoTiffRaster grid = GeoTiffRaster.open(like)) {
      RasterAligner.align(src, grid.grid(), method, out, false);
    }
    return out;
  }

  @Test
  void otherMethodsAgreeWithGdalwarp() throws IOException {
    Path refs = dir.resolve("refs");
    Gdal.runScript(
        RasterAlignerTest.class,
        "align_refs.py",
        dir,
        LANDSAT.toString(),
        NLCD.toString(),
        refs.toString());
    Path like25 = refs.resolve("like25.tif");
    Path like90 = refs.resolve("like90.tif");
    // Exact methods: equal. Interpolating ones: GDAL accumulates in another order and rounds
    // integers its own way, so a sample may differ by 1 (of 0-65535 reflectance DNs).
    for (Object[] c :
        List.of(
            new Object[] {LANDSAT, like25, Resampling.NEAREST, "landsat_near25.tif", 0.0},
            new Object[] {LANDSAT, like25, Resampling.BILINEAR, "landsat_bilinear25.tif", 1.0},
            new Object[] {LANDSAT, like25, Resampling.CUBIC, "landsat_cubic25.tif", 1.0},
            new Object[] {LANDSAT, like90, Resampling.AVERAGE, "landsat_average90.tif", 1.0},
            new Object[] {NLCD, like90, Resampling.MODE, "nlcd_mode90.tif", 0.0},
            new Object[] {NLCD, like90, Resampling.NEAREST, "nlcd_near90.tif", 0.0})) {
      Difference d =
          compare(align((Path) c[0], (Path) c[1], (Resampling) c[2]), refs.resolve((String) c[3]));
      System.out.println(c[3] + ": " + d);
      assertTrue(d.largest() <= (double) c[4], c[3] + ": " + d);
      assertTrue(d.fraction() < 0.03, c[3] + ": " + d);
    }
  }

  @Test
  void bilinearDownsamplingIsRefused() throws IOException {
    Path out = dir.resolve("down.tif");
    try (GeoTiffRaster src = GeoTiffRaster.open(LANDSAT)) {
      RasterGrid coarse =
          RasterGrid.of(
              100, 100, new GeoTransform(302000, 90, 0, 4154000, 0, -90), src.grid().crs().get());
      IllegalArgumentException e =
          assertThrows(
              IllegalArgumentException.class,
              () -> RasterAligner.align(src, coarse, Resampling.BILINEAR, out, false));
      assertTrue(e.getMessage().contains("average"), e.getMessage());
    }
    assertTrue(!java.nio.file.Files.exists(out));
  }
}

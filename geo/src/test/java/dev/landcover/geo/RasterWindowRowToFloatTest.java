package dev.landcover.geo;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.landcover.pixels.PixelWindow;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link RasterWindow#rowToFloat} gives the samples of a few columns of one row of one band, as
 * {@link RasterWindow#toFloatChw} gives them for the whole window, for windows of several sample
 * types read at an offset in the file.
 */
class RasterWindowRowToFloatTest {
  @ParameterizedTest
  @MethodSource("dev.landcover.geo.Gdal#rasterioSampleTypes")
  void columnsOfARowEqualTheWholeWindowAsFloat(String name) throws Exception {
    Path file = Gdal.sharedData().resolve("corpus/rasterio").resolve(name);
    try (GeoTiffRaster raster = GeoTiffRaster.open(file)) {
      int x0 = raster.width() / 5;
      int y0 = raster.height() / 7;
      int w = Math.max(1, raster.width() - x0 - 1);
      int h = Math.max(1, raster.height() - y0 - 2);
      RasterWindow read = raster.read(new PixelWindow(x0, y0, w, h), raster.allBands());
      float[] whole = read.toFloatChw();
      int[][] ranges = {{0, w}, {0, 1}, {w - 1, 1}, {w / 3, w / 2}, {Math.min(5, w), 0}};
      for (int b = 0; b < read.bandCount(); b++) {
        for (int y = 0; y < h; y += Math.max(1, h / 9)) {
          for (int[] r : ranges) {
            float[] out = new float[r[1] + 3];
            Arrays.fill(out, -7f);
            read.rowToFloat(b, y, r[0], r[1], out, 2);
            float[] expected = out.clone();
            int from = (b * h + y) * w + r[0];
            System.arraycopy(whole, from, expected, 2, r[1]);
            Arrays.fill(expected, 0, 2, -7f);
            Arrays.fill(expected, 2 + r[1], expected.length, -7f);
            assertArrayEquals(expected, out, name + " band " + b + " row " + y);
          }
        }
      }
      float[] out = new float[w + 1];
      assertThrows(IndexOutOfBoundsException.class, () -> read.rowToFloat(0, 0, 1, w, out, 0));
      assertThrows(IndexOutOfBoundsException.class, () -> read.rowToFloat(0, h, 0, 1, out, 0));
      assertThrows(
          IndexOutOfBoundsException.class,
          () -> read.rowToFloat(read.bandCount(), 0, 0, 1, out, 0));
    }
  }
}

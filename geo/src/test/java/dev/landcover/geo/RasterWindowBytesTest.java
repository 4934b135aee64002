package dev.landcover.geo;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.landcover.pixels.PixelWindow;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.OptionalDouble;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link RasterWindow#toLittleEndianBytes} lays samples out band after band, row after row, each
 * little-endian, and {@link RasterWindow#fromLittleEndianBytes} gives back the samples and the
 * validity that reading the file gave (nodata values, NaN).
 */
class RasterWindowBytesTest {
  @ParameterizedTest
  @MethodSource("dev.landcover.geo.Gdal#rasterioSampleTypes")
  void bytesHoldTheSamplesInGdalsOrderAndReadBackWithTheirValidity(String name) throws Exception {
    Path file = Gdal.sharedData().resolve("corpus/rasterio").resolve(name);
    try (GeoTiffRaster raster = GeoTiffRaster.open(file)) {
      RasterWindow read =
          raster.read(new PixelWindow(0, 0, raster.width(), raster.height()), raster.allBands());
      byte[] bytes = read.toLittleEndianBytes();
      int w = raster.width();
      int h = raster.height();
      int size = read.sampleType().bits() / 8;
      assertEquals((long) read.bandCount() * w * h * size, bytes.length);
      ByteBuffer in = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
      for (int b = 0; b < read.bandCount(); b++) {
        for (int r = 0; r < h; r++) {
          for (int c = 0; c < w; c++) {
            int at = ((b * h + r) * w + c) * size;
            double value =
                switch (read.sampleType()) {
                  case UINT8 -> in.get(at) & 0xFF;
                  case UINT16 -> in.getShort(at) & 0xFFFF;
                  case INT16 -> in.getShort(at);
                  case UINT32 -> Integer.toUnsignedLong(in.getInt(at));
                  case INT32 -> in.getInt(at);
                  case FLOAT32 -> in.getFloat(at);
                  case FLOAT64 -> in.getDouble(at);
                };
            assertEquals(read.sample(b, c, r), value, 0.0, name + " band " + b);
          }
        }
      }
      OptionalDouble noData = raster.noData(1);
      RasterWindow back =
          RasterWindow.fromLittleEndianBytes(
              read.sampleType(), w, h, read.bandCount(), noData.orElse(Double.NaN), bytes);
      // The bytes carry samples and nodata, not a GDAL mask (as chip files): pixels the file's mask
      // masks are compared by their samples only.
      boolean[] expected = read.validMask();
      boolean[] actual = back.validMask();
      for (int r = 0; r < h; r++) {
        for (int c = 0; c < w; c++) {
          if (read.isMasked(c, r)) {
            expected[r * w + c] = actual[r * w + c];
          }
        }
      }
      assertArrayEquals(expected, actual, name);
      assertArrayEquals(read.toFloatChw(), back.toFloatChw(), name);
      assertArrayEquals(bytes, back.toLittleEndianBytes());
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"UINT32", "INT32", "INT16", "FLOAT64"})
  void otherTypesRoundTripWithTheirNodata(String typeName) {
    SampleType type = SampleType.valueOf(typeName);
    RasterWindow window = RasterWindow.create(type, 5, 3, 2);
    double noData = type == SampleType.UINT32 ? 4294967295.0 : -7;
    for (int i = 0; i < 15; i++) {
      window.writableRaster().setSample(i % 5, i / 5, 0, i == 4 ? stored(type, noData) : i * 3 + 1);
      window.writableRaster().setSample(i % 5, i / 5, 1, i == 9 ? stored(type, noData) : 100 + i);
    }
    byte[] bytes = window.toLittleEndianBytes();
    RasterWindow back = RasterWindow.fromLittleEndianBytes(type, 5, 3, 2, noData, bytes);
    for (int i = 0; i < 15; i++) {
      assertEquals(i != 4 && i != 9, back.isValid(i % 5, i / 5), "pixel " + i);
      for (int b = 0; b < 2; b++) {
        assertEquals(window.sample(b, i % 5, i / 5), back.sample(b, i % 5, i / 5));
      }
    }
    assertThrows(
        IllegalArgumentException.class,
        () -> RasterWindow.fromLittleEndianBytes(type, 5, 3, 3, noData, bytes));
  }

  private static double stored(SampleType type, double value) {
    return type == SampleType.UINT32 ? (int) (long) value : value;
  }
}

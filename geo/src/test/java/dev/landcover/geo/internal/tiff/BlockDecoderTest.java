package dev.landcover.geo.internal.tiff;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.landcover.geo.Gdal;
import dev.landcover.geo.SampleType;
import dev.landcover.geo.internal.Rasters;
import dev.landcover.pixels.PixelWindow;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link BlockDecoder} on files that GDAL writes from known sample arrays: every sample type, both
 * byte orders, uncompressed and Deflate with and without the horizontal predictor, tiled and
 * pixel-interleaved or striped and band-interleaved. The decoded samples must equal the arrays.
 */
class BlockDecoderTest {
  private static final int WIDTH = 37;
  private static final int HEIGHT = 29;
  private static final int BANDS = 3;
  private static final PixelWindow ALL = new PixelWindow(0, 0, WIDTH, HEIGHT);

  @TempDir static Path dir;

  /** One file to write with GDAL and decode. */
  record Case(SampleType type, ByteOrder order, boolean deflate, boolean predictor, boolean tiled) {
    String name() {
      return type
          + (order == ByteOrder.BIG_ENDIAN ? "-big-endian" : "-little-endian")
          + (deflate ? "-deflate" : "-uncompressed")
          + (predictor ? "-predictor" : "")
          + (tiled ? "-tiled-pixel-interleaved" : "-striped-band-interleaved");
    }

    List<String> options() {
      List<String> o = new ArrayList<>();
      o.add("COMPRESS=" + (deflate ? "DEFLATE" : "NONE"));
      if (predictor) {
        o.add("PREDICTOR=2");
      }
      o.add("ENDIANNESS=" + (order == ByteOrder.BIG_ENDIAN ? "BIG" : "LITTLE"));
      if (tiled) {
        o.addAll(List.of("TILED=YES", "BLOCKXSIZE=16", "BLOCKYSIZE=16", "INTERLEAVE=PIXEL"));
      } else {
        o.addAll(List.of("BLOCKYSIZE=5", "INTERLEAVE=BAND"));
      }
      return o;
    }

    @Override
    public String toString() {
      return name();
    }
  }

  static List<Case> cases() {
    List<Case> cases = new ArrayList<>();
    for (SampleType type : SampleType.values()) {
      for (ByteOrder order : List.of(ByteOrder.LITTLE_ENDIAN, ByteOrder.BIG_ENDIAN)) {
        for (boolean tiled : new boolean[] {true, false}) {
          cases.add(new Case(type, order, false, false, tiled));
          cases.add(new Case(type, order, true, false, tiled));
          if (!type.isFloatingPoint()) {
            cases.add(new Case(type, order, true, true, tiled));
          }
        }
      }
    }
    return cases;
  }

  /** The value of band {@code b} (0-based) at ({@code x}, {@code y}), using the type's range. */
  static double value(SampleType type, int b, int y, int x) {
    return switch (type) {
      case UINT8 -> (x * 7 + y * 13 + b * 50) % 256;
      case UINT16 -> (x * 977 + y * 311 + b * 5000) % 65536;
      case INT16 -> (x * 977 + y * 311 + b * 5000) % 65536 - 32768;
      case UINT32 -> 4_000_000_000.0 - x * 100_003L - y * 7L - b;
      case INT32 -> -2_000_000_000 + x * 100_003 + y * 7 + b;
      case FLOAT32 -> x == 3 && y == 2 ? Double.NaN : (float) (x * 0.25 - y * 1.5 + b);
      case FLOAT64 -> x == 3 && y == 2 ? Double.NaN : x * 1e-7 - y * 1e9 + b;
    };
  }

  /** The samples of {@link #value}, little-endian, band by band, row by row. */
  private static Path writeRaw(SampleType type) throws IOException {
    ByteBuffer buf =
        ByteBuffer.allocate(BANDS * HEIGHT * WIDTH * type.bits() / 8)
            .order(ByteOrder.LITTLE_ENDIAN);
    for (int b = 0; b < BANDS; b++) {
      for (int y = 0; y < HEIGHT; y++) {
        for (int x = 0; x < WIDTH; x++) {
          double v = value(type, b, y, x);
          switch (type) {
            case UINT8 -> buf.put((byte) v);
            case UINT16, INT16 -> buf.putShort((short) (int) v);
            case UINT32 -> buf.putInt((int) (long) v);
            case INT32 -> buf.putInt((int) v);
            case FLOAT32 -> buf.putFloat((float) v);
            case FLOAT64 -> buf.putDouble(v);
          }
        }
      }
    }
    return Files.write(dir.resolve(type + ".raw"), buf.array());
  }

  private static Map<String, Object> spec(
      String name, SampleType type, List<String> options, int[] window) {
    Map<String, Object> item = new LinkedHashMap<>();
    item.put("path", dir.resolve(name + ".tif").toString());
    item.put("raw", dir.resolve(type + ".raw").toString());
    item.put("type", type.gdalName());
    item.put("width", WIDTH);
    item.put("height", HEIGHT);
    item.put("bands", BANDS);
    item.put("options", options);
    item.put("window", window);
    return item;
  }

  /** Writes every file with GDAL, in one Python run. */
  @BeforeAll
  static void writeFiles() throws IOException {
    Gdal.assumeAvailable();
    for (SampleType type : SampleType.values()) {
      writeRaw(type);
    }
    List<Map<String, Object>> specs = new ArrayList<>();
    for (Case c : cases()) {
      specs.add(spec(c.name(), c.type(), c.options(), null));
    }
    specs.add(
        spec(
            "sparse",
            SampleType.UINT16,
            List.of(
                "COMPRESS=DEFLATE",
                "TILED=YES",
                "BLOCKXSIZE=16",
                "BLOCKYSIZE=16",
                "SPARSE_OK=TRUE"),
            new int[] {0, 0, 16, 16}));
    specs.add(spec("lzw", SampleType.UINT16, List.of("COMPRESS=LZW"), null));
    specs.add(
        spec(
            "float-predictor",
            SampleType.FLOAT32,
            List.of("COMPRESS=DEFLATE", "PREDICTOR=3"),
            null));
    Path json = dir.resolve("spec.json");
    new ObjectMapper().writeValue(json.toFile(), specs);
    Gdal.runScript(BlockDecoderTest.class, "make_tiffs.py", dir, json.toString());
  }

  /** A sample of a bank of the type's Java storage type, with the type's sign. */
  private static double sample(Object bank, int i, SampleType type) {
    if (bank instanceof byte[] a) {
      return a[i] & 0xFF;
    } else if (bank instanceof short[] a) {
      return type == SampleType.UINT16 ? a[i] & 0xFFFF : a[i];
    } else if (bank instanceof int[] a) {
      return type == SampleType.UINT32 ? Integer.toUnsignedLong(a[i]) : a[i];
    } else if (bank instanceof float[] a) {
      return a[i];
    }
    return ((double[]) bank)[i];
  }

  /**
   * Decodes {@code bands} of {@code window} and checks them against {@code expected}: inside the
   * raster the file's samples (or the fill value), outside it the untouched zeros.
   */
  private static void assertDecoded(
      BlockDecoder decoder,
      SampleType type,
      PixelWindow window,
      int[] bands,
      double fill,
      Expected expected,
      String name)
      throws IOException {
    PixelWindow inside = window.intersection(ALL);
    var raster = Rasters.createBanded(type, window.width(), window.height(), bands.length);
    Object[] banks = new Object[bands.length];
    for (int b = 0; b < bands.length; b++) {
      banks[b] = Rasters.bankData(raster.getDataBuffer(), b);
    }
    decoder.copy(inside, window, bands, banks, fill);
    int n = window.width() * window.height();
    for (int b = 0; b < bands.length; b++) {
      double[] want = new double[n];
      double[] got = new double[n];
      for (int i = 0; i < n; i++) {
        int x = window.x() + i % window.width();
        int y = window.y() + i / window.width();
        want[i] = inside.contains(x, y) ? expected.at(bands[b] - 1, y, x) : 0;
        got[i] = sample(banks[b], i, type);
      }
      assertArrayEquals(want, got, name + ", window " + window + ", band " + bands[b]);
    }
  }

  /** The expected value of band {@code b} (0-based) at ({@code x}, {@code y}). */
  @FunctionalInterface
  private interface Expected {
    double at(int b, int y, int x);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void decodedSamplesEqualTheArrayGdalWrote(Case c) throws IOException {
    Path file = dir.resolve(c.name() + ".tif");
    TiffDirectory d = TiffDirectory.read(file);
    assertEquals(c.order(), d.order(), "GDAL wrote the byte order asked for");
    assertEquals(c.deflate() ? 8 : 1, d.first(TiffDirectory.TAG_COMPRESSION, 1));
    assertEquals(c.predictor() ? 2 : 1, d.first(TiffDirectory.TAG_PREDICTOR, 1));
    assertEquals(c.tiled(), d.has(TiffDirectory.TAG_TILE_WIDTH));
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      BlockDecoder decoder = BlockDecoder.open(d, ch);
      assertEquals(c.type(), decoder.sampleType());
      Expected known = (b, y, x) -> value(c.type(), b, y, x);
      assertDecoded(decoder, c.type(), ALL, new int[] {1, 2, 3}, 0, known, c.name());
      // past the left and bottom edges, across blocks, bands reordered and repeated
      PixelWindow edge = new PixelWindow(-5, 10, 30, 30);
      assertDecoded(decoder, c.type(), edge, new int[] {3, 1, 3}, 0, known, c.name());
      PixelWindow small = new PixelWindow(20, 3, 9, 4);
      assertDecoded(decoder, c.type(), small, new int[] {2}, 0, known, c.name());
    }
  }

  @Test
  void blocksAbsentFromASparseFileReadAsTheFillValue() throws IOException {
    Path file = dir.resolve("sparse.tif");
    TiffDirectory d = TiffDirectory.read(file);
    assertTrue(
        d.blockRanges().stream().anyMatch(r -> r[0] == 0 && r[1] == 0),
        "GDAL left blocks out of the sparse file");
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      BlockDecoder decoder = BlockDecoder.open(d, ch);
      Expected firstTileOnly =
          (b, y, x) -> x < 16 && y < 16 ? value(SampleType.UINT16, b, y, x) : 7;
      assertDecoded(
          decoder, SampleType.UINT16, ALL, new int[] {1, 2, 3}, 7, firstTileOnly, "sparse");
    }
  }
}

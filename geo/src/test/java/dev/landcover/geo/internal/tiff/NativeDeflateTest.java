package dev.landcover.geo.internal.tiff;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * The Deflate codec through {@link Codecs#decode} and the writers' {@link NativeDeflate#deflate}.
 * The build runs this class twice, with {@code -Dlandcover.deflate=jdk} and with the default
 * (libdeflate where it loads, as on CI), so every expectation below holds for both codecs: the
 * decoded bytes equal the data zlib compressed, and corrupt, truncated or short streams get the JDK
 * zlib's outcome and one-line message.
 */
class NativeDeflateTest {
  private static final Inflater INFLATER = new Inflater();

  @AfterAll
  static void endInflater() {
    INFLATER.end();
  }

  /** Samples like a predictor's differences of a uint16 band: small values, some structure. */
  private static byte[] data(int n, long seed) {
    Random random = new Random(seed);
    byte[] data = new byte[n];
    for (int i = 0; i < n; i++) {
      data[i] = (byte) (i % 2 == 0 ? random.nextGaussian() * 12 : random.nextInt(3) - 1);
    }
    return data;
  }

  private static byte[] zlib(byte[] data, int level, int strategy) {
    Deflater deflater = new Deflater(level);
    try {
      deflater.setStrategy(strategy);
      deflater.setInput(data);
      deflater.finish();
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      byte[] buffer = new byte[8192];
      while (!deflater.finished()) {
        out.write(buffer, 0, deflater.deflate(buffer));
      }
      return out.toByteArray();
    } finally {
      deflater.end();
    }
  }

  private static byte[] decode(byte[] stream, int length, int limit, boolean reuse)
      throws IOException {
    byte[] out =
        Codecs.decode(
            Codecs.DEFLATE,
            stream,
            length,
            limit,
            reuse ? new byte[limit + 7] : null,
            () -> {
              INFLATER.reset();
              return INFLATER;
            });
    return Arrays.copyOf(out, limit);
  }

  private static String refusal(byte[] stream, int length, int limit) {
    return assertThrows(IOException.class, () -> decode(stream, length, limit, true)).getMessage();
  }

  @Test
  void theCodecInUseIsTheOneAsked() {
    String asked = System.getProperty(NativeDeflate.PROPERTY);
    System.out.println("Deflate codec: " + NativeDeflate.description());
    if ("jdk".equals(asked)) {
      assertFalse(NativeDeflate.usesLibdeflate());
      assertEquals("JDK zlib (landcover.deflate=jdk)", NativeDeflate.description());
      return;
    }
    boolean debianLibrary =
        Files.exists(Path.of("/usr/lib/x86_64-linux-gnu/libdeflate.so.0"))
            || Files.exists(Path.of("/usr/lib/aarch64-linux-gnu/libdeflate.so.0"))
            || "true".equals(System.getenv("CI"));
    if (asked == null && System.getenv(NativeDeflate.ENVIRONMENT) == null && debianLibrary) {
      // CI installs GDAL, whose libtiff brings libdeflate (Debian's libdeflate0): the native codec
      // must load there
      assertTrue(NativeDeflate.usesLibdeflate(), NativeDeflate.description());
      assertTrue(NativeDeflate.description().startsWith("libdeflate ("));
    }
  }

  @Test
  void everyLevelAndStrategyDecodesToTheCompressedBytes() throws IOException {
    for (int n : new int[] {1, 100, 4096, 65_536, 524_288, (4 << 20) + 64}) {
      byte[] data = data(n, n);
      for (int level = 0; level <= 9; level++) {
        for (int strategy :
            new int[] {Deflater.DEFAULT_STRATEGY, Deflater.HUFFMAN_ONLY, Deflater.FILTERED}) {
          if (n > 100_000 && (level % 5 != 1 || strategy != Deflater.DEFAULT_STRATEGY)) {
            continue;
          }
          byte[] stream = zlib(data, level, strategy);
          String what = n + " bytes, level " + level + ", strategy " + strategy;
          assertArrayEquals(data, decode(stream, stream.length, n, true), what);
          assertArrayEquals(data, decode(stream, stream.length, n, false), what);
        }
      }
    }
  }

  @Test
  void theWritersStreamsDecodeWithZlib() throws DataFormatException {
    byte[] data = data(300_000, 3);
    for (int level = 0; level <= 9; level++) {
      for (boolean huffmanOnly : new boolean[] {false, true}) {
        byte[] stream = NativeDeflate.deflate(data, level, huffmanOnly);
        Inflater inflater = new Inflater();
        try {
          inflater.setInput(stream);
          byte[] decoded = new byte[data.length + 1];
          assertEquals(data.length, inflater.inflate(decoded), "level " + level);
          assertTrue(inflater.finished());
          assertArrayEquals(data, Arrays.copyOf(decoded, data.length));
        } finally {
          inflater.end();
        }
      }
    }
    // which compressor ran: libdeflate's stream differs from zlib's at the same level
    byte[] jdk = zlib(data, 6, Deflater.DEFAULT_STRATEGY);
    if (NativeDeflate.usesLibdeflate()) {
      assertNotEquals(Arrays.toString(jdk), Arrays.toString(NativeDeflate.deflate(data, 6, false)));
    } else {
      assertArrayEquals(jdk, NativeDeflate.deflate(data, 6, false));
    }
    assertThrows(IllegalArgumentException.class, () -> NativeDeflate.deflate(data, 10, false));
  }

  @Test
  void damagedStreamsGetZlibsOutcome() throws IOException {
    int n = 100_000;
    byte[] data = data(n, 7);
    byte[] stream = zlib(data, 6, Deflater.DEFAULT_STRATEGY);
    int length = stream.length;

    // data beyond the block is ignored, as libtiff ignores it
    assertArrayEquals(Arrays.copyOf(data, n - 10), decode(stream, length, n - 10, true));
    // trailing bytes after the stream are ignored
    byte[] trailing = Arrays.copyOf(stream, length + 9);
    assertArrayEquals(data, decode(trailing, trailing.length, n, true));
    // a stream cut in its Adler-32 holds all the block's bytes, but GDAL (libtiff with libdeflate)
    // refuses it
    for (int cut = 1; cut <= 4; cut++) {
      assertEquals(
          "corrupt Deflate data: the stream ends before its checksum",
          refusal(stream, length - cut, n));
    }
    // data past the block need not be whole (libtiff stops at the block's end)
    assertArrayEquals(Arrays.copyOf(data, n - 1000), decode(stream, length - 4, n - 1000, true));

    assertEquals(
        "DEFLATE data of "
            + length
            + " bytes decodes to "
            + n
            + " bytes where the block holds "
            + (n + 10),
        refusal(stream, length, n + 10));
    assertTrue(
        refusal(stream, length / 2, n)
            .matches(
                "DEFLATE data of "
                    + length / 2
                    + " bytes decodes to \\d+ bytes where the block holds "
                    + n),
        refusal(stream, length / 2, n));

    byte[] badChecksum = stream.clone();
    badChecksum[length - 1] ^= 1;
    assertEquals("corrupt Deflate data: incorrect data check", refusal(badChecksum, length, n));

    byte[] badHeader = stream.clone();
    badHeader[0] = 0;
    assertEquals("corrupt Deflate data: incorrect header check", refusal(badHeader, length, n));

    byte[] badBlockType = stream.clone();
    badBlockType[2] = (byte) 0x07; // final block of the reserved type 3
    assertEquals("corrupt Deflate data: invalid block type", refusal(badBlockType, length, n));
  }

  @Test
  void threadsDecodeConcurrently() throws Exception {
    List<byte[]> blocks = new ArrayList<>();
    List<byte[]> streams = new ArrayList<>();
    for (int i = 0; i < 32; i++) {
      byte[] data = data(131_072 + 4096 * i, 100 + i);
      blocks.add(data);
      streams.add(NativeDeflate.deflate(data, 1 + i % 9, i % 5 == 0));
    }
    ExecutorService pool = Executors.newFixedThreadPool(6);
    try {
      List<Future<Boolean>> results = new ArrayList<>();
      for (int round = 0; round < 4; round++) {
        for (int i = 0; i < blocks.size(); i++) {
          byte[] data = blocks.get(i);
          byte[] stream = streams.get(i);
          results.add(
              pool.submit(
                  () -> {
                    Inflater inflater = new Inflater();
                    try {
                      byte[] out =
                          Codecs.decode(
                              Codecs.DEFLATE,
                              stream,
                              stream.length,
                              data.length,
                              new byte[data.length],
                              () -> inflater);
                      return Arrays.equals(data, out);
                    } finally {
                      inflater.end();
                    }
                  }));
        }
      }
      for (Future<Boolean> result : results) {
        assertTrue(result.get());
      }
    } finally {
      pool.shutdownNow();
    }
  }
}

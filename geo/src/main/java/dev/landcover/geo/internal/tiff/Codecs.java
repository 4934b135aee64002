package dev.landcover.geo.internal.tiff;

import com.github.luben.zstd.ZstdInputStreamNoFinalizer;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.function.Supplier;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;
import org.tukaani.xz.XZInputStream;

/**
 * The lossless TIFF compressions, each decoding one compressed tile or strip into at most the
 * number of bytes the block should hold. Output buffers grow with the data actually decoded, up to
 * that bound, so a block that claims more than it holds (or a decompression bomb) costs no more
 * memory than the block's declared size, and extra decoded data is ignored as libtiff ignores it.
 *
 * <p>Deflate uses libdeflate where it loads, else the JDK's zlib ({@link NativeDeflate}), ZSTD the
 * zstd-jni binding of the reference library, LZMA the XZ for Java library (libtiff writes LZMA
 * blocks as .xz streams). LZW and PackBits are a few lines each, as specified in TIFF 6.0 section
 * 13 and 9 (no maintained Java library decodes them outside a JVM-wide ImageIO TIFF plugin); they
 * are checked against GDAL by the encoding matrix test.
 */
final class Codecs {
  static final int NONE = 1;
  static final int LZW = 5;
  static final int JPEG = 7;
  static final int DEFLATE = 8;
  static final int DEFLATE_OLD = 32946;
  static final int PACKBITS = 32773;
  static final int LZMA = 34925;
  static final int ZSTD = 50000;

  /**
   * Memory XZ for Java may use for an LZMA dictionary, in KiB (libtiff's presets use <= 64 MiB).
   */
  private static final int LZMA_MEMORY_LIMIT_KIB = 128 * 1024;

  private Codecs() {}

  /** Whether {@link #decode} handles compression {@code code}. */
  static boolean isLossless(long code) {
    return code == NONE
        || code == LZW
        || code == DEFLATE
        || code == DEFLATE_OLD
        || code == PACKBITS
        || code == LZMA
        || code == ZSTD;
  }

  /**
   * Decodes one block.
   *
   * @param code the TIFF compression code (one for which {@link #isLossless} holds)
   * @param data the block's bytes as stored in the file: the first {@code length} of the array
   * @param length the number of stored bytes
   * @param limit the number of bytes the block must hold once decoded
   * @param reuse a buffer of at least {@code limit} bytes to decode into, or null to allocate one
   *     that grows with the data decoded
   * @param inflaters where Deflate gets its inflater, reset for a new stream (the caller keeps and
   *     ends it)
   * @return the decoded bytes: the first {@code limit} of the array ({@code reuse} when given)
   * @throws IOException when the data is corrupt or decodes to fewer than {@code limit} bytes
   */
  static byte[] decode(
      int code, byte[] data, int length, int limit, byte[] reuse, Supplier<Inflater> inflaters)
      throws IOException {
    Sink out = reuse != null ? new Sink(limit, reuse) : new Sink(limit, length);
    switch (code) {
      case NONE -> out.write(data, 0, Math.min(length, limit));
      case DEFLATE, DEFLATE_OLD -> {
        if (out.room() >= limit && NativeDeflate.inflate(data, length, out.buffer, limit)) {
          out.length = limit;
        } else {
          inflate(data, length, out, inflaters.get());
        }
      }
      case LZW -> lzw(data, length, out);
      case PACKBITS -> packBits(data, length, out);
      case ZSTD -> {
        try (InputStream in =
            new ZstdInputStreamNoFinalizer(new ByteArrayInputStream(data, 0, length))) {
          out.readFrom(in);
        }
      }
      case LZMA -> {
        try (InputStream in =
            new XZInputStream(new ByteArrayInputStream(data, 0, length), LZMA_MEMORY_LIMIT_KIB)) {
          out.readFrom(in);
        }
      }
      default -> throw new IOException("compression code " + code + " is not a lossless codec");
    }
    if (out.length < limit) {
      throw new IOException(
          TiffDirectory.compressionName(code)
              + " data of "
              + length
              + " bytes decodes to "
              + out.length
              + " bytes where the block holds "
              + limit);
    }
    return out.buffer;
  }

  private static void inflate(byte[] data, int length, Sink out, Inflater inflater)
      throws IOException {
    try {
      inflater.setInput(data, 0, length);
      while (!out.full() && !inflater.finished()) {
        out.ensureRoom();
        int k = inflater.inflate(out.buffer, out.length, out.room());
        if (k == 0 && (inflater.needsInput() || inflater.needsDictionary())) {
          break;
        }
        out.length += k;
      }
      if (out.full() && !inflater.finished()) {
        // zlib goes on to the end of the stream and its checksum, as it does inside libtiff; a
        // stream that holds exactly the block must end with its checksum, as libdeflate (GDAL's
        // inflater) requires, while one that holds more is taken as libtiff takes it
        int more = inflater.needsInput() ? 0 : inflater.inflate(new byte[256]);
        if (more == 0 && !inflater.finished() && inflater.needsInput()) {
          throw new IOException("corrupt Deflate data: the stream ends before its checksum");
        }
      }
    } catch (DataFormatException e) {
      throw new IOException("corrupt Deflate data: " + e.getMessage(), e);
    }
  }

  /** TIFF LZW: MSB-first codes of 9 to 12 bits, code 256 clears the table, 257 ends the data. */
  private static void lzw(byte[] data, int stored, Sink out) throws IOException {
    if (stored >= 2 && data[0] == 0 && (data[1] & 1) != 0) {
      throw new IOException(
          "old-style (pre-TIFF 6.0, LSB-first) LZW data; convert it with gdal_translate -co"
              + " COMPRESS=LZW in.tif out.tif");
    }
    final int clear = 256;
    final int end = 257;
    short[] prefix = new short[4096];
    byte[] suffix = new byte[4096];
    short[] length = new short[4096];
    byte[] first = new byte[4096];
    for (int i = 0; i < 256; i++) {
      suffix[i] = (byte) i;
      first[i] = (byte) i;
      length[i] = 1;
      prefix[i] = -1;
    }
    byte[] string = new byte[4096];
    int next = 258;
    int bits = 9;
    int previous = -1;
    long bitBuffer = 0;
    int bitCount = 0;
    int pos = 0;
    while (!out.full()) {
      while (bitCount < bits && pos < stored) {
        bitBuffer = (bitBuffer << 8) | (data[pos++] & 0xFF);
        bitCount += 8;
      }
      if (bitCount < bits) {
        break;
      }
      int code = (int) ((bitBuffer >>> (bitCount - bits)) & ((1 << bits) - 1));
      bitCount -= bits;
      if (code == end) {
        break;
      }
      if (code == clear) {
        next = 258;
        bits = 9;
        previous = -1;
        continue;
      }
      if (previous == -1) {
        if (code > 255) {
          throw new IOException("corrupt LZW data: code " + code + " after a clear code");
        }
        out.write(code);
        previous = code;
        continue;
      }
      if (code > next) {
        throw new IOException(
            "corrupt LZW data: code " + code + " where at most " + next + " fits");
      }
      if (next < 4096) {
        prefix[next] = (short) previous;
        suffix[next] = code < next ? first[code] : first[previous];
        first[next] = first[previous];
        length[next] = (short) (length[previous] + 1);
        next++;
      } else if (code == next) {
        throw new IOException("corrupt LZW data: the code table overflows");
      }
      int n = length[code];
      int c = code;
      for (int i = n - 1; i >= 0; i--) {
        string[i] = suffix[c];
        c = prefix[c];
      }
      out.write(string, 0, n);
      previous = code;
      if (next >= (1 << bits) - 1 && bits < 12) {
        bits++;
      }
    }
  }

  /**
   * PackBits: a header byte n, then n + 1 literal bytes (n >= 0) or one byte repeated 1 - n times.
   */
  private static void packBits(byte[] data, int length, Sink out) {
    int pos = 0;
    while (pos < length && !out.full()) {
      int n = data[pos++];
      if (n >= 0) {
        int k = Math.min(n + 1, length - pos);
        out.write(data, pos, k);
        pos += k;
      } else if (n != -128 && pos < length) {
        out.repeat(data[pos++], 1 - n);
      }
    }
  }

  /**
   * A byte buffer that grows with what is written, up to a limit past which writes are dropped:
   * only the first {@code limit} bytes of {@link #buffer} are ever written.
   */
  static final class Sink {
    private static final int GROW_ABOVE = 4 << 20;
    private final int limit;
    byte[] buffer;

    /** The bytes of {@link #buffer} that may be written: at most {@code limit}. */
    private int capacity;

    int length;

    Sink(int limit, int inputLength) {
      this.limit = limit;
      // ordinary blocks get their whole buffer at once; large ones grow with the data decoded
      this.buffer =
          new byte
              [(int)
                  (limit <= GROW_ABOVE
                      ? limit
                      : Math.min(limit, Math.max(1 << 16, 4L * inputLength)))];
      this.capacity = buffer.length;
    }

    /** A sink that writes into {@code buffer}, which holds at least {@code limit} bytes. */
    Sink(int limit, byte[] buffer) {
      this.limit = limit;
      this.buffer = buffer;
      this.capacity = limit;
    }

    boolean full() {
      return length >= limit;
    }

    /** The bytes that may be written now without growing. */
    int room() {
      return capacity - length;
    }

    /** Grows the buffer when it is full and below the limit. */
    void ensureRoom() {
      if (length == capacity && capacity < limit) {
        buffer = java.util.Arrays.copyOf(buffer, (int) Math.min(limit, 2L * capacity));
        capacity = buffer.length;
      }
    }

    void write(int b) {
      if (length < limit) {
        ensureRoom();
        buffer[length++] = (byte) b;
      }
    }

    void write(byte[] b, int from, int n) {
      n = Math.min(n, limit - length);
      while (n > 0) {
        ensureRoom();
        int k = Math.min(n, room());
        System.arraycopy(b, from, buffer, length, k);
        length += k;
        from += k;
        n -= k;
      }
    }

    void repeat(byte b, int n) {
      n = Math.min(n, limit - length);
      while (n > 0) {
        ensureRoom();
        int k = Math.min(n, room());
        java.util.Arrays.fill(buffer, length, length + k, b);
        length += k;
        n -= k;
      }
    }

    void readFrom(InputStream in) throws IOException {
      while (!full()) {
        ensureRoom();
        int k = in.read(buffer, length, room());
        if (k < 0) {
          break;
        }
        length += k;
      }
    }
  }
}

package dev.landcover.geo.internal.tiff;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Pointer;
import java.io.ByteArrayOutputStream;
import java.lang.ref.Cleaner;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Locale;
import java.util.zip.Deflater;

/**
 * The Deflate codec of the TIFF reader and writers: libdeflate (the inflater and deflater of GDAL's
 * libtiff, about twice as fast as zlib) through JNA when the system library loads, else the JDK's
 * zlib ({@link java.util.zip.Inflater}, {@link Deflater}).
 *
 * <p>The choice is made once per process from the system property {@value #PROPERTY}, else the
 * environment variable {@value #ENVIRONMENT}: {@code auto} (the default: libdeflate when it loads),
 * {@code libdeflate} (an {@link IllegalArgumentException} on first use when it does not load) or
 * {@code jdk}.
 *
 * <p>Decoding: libdeflate's result is taken only when it decodes a whole zlib stream, checksum
 * verified, to exactly the bytes the block holds. Every other outcome (a stream that is corrupt,
 * truncated, has a bad Adler-32, or decodes to fewer or more bytes) is decoded again by the JDK's
 * zlib, which gives the result or the error, so the two codecs accept the same blocks, decode them
 * to the same bytes and refuse the others with the same messages. Blocks of more than {@link
 * #KEEP_BYTES} bytes are decoded by the JDK's zlib (its output grows with the data, so a block that
 * claims more than it holds costs no more memory than it decodes to).
 *
 * <p>Encoding: the zlib stream of libdeflate at the same level (1 to 9), or at level 1 where the
 * JDK would code Huffman-only; the bytes differ from zlib's, the decoded data does not.
 *
 * <p>Native state: each thread that decodes or encodes keeps, for its life, one libdeflate
 * decompressor, one compressor per level it used and direct buffers of at most {@link #KEEP_BYTES}
 * each for input and output; a {@link Cleaner} frees them once the thread has ended and its state
 * is collected. Nothing grows with the number of blocks or scenes: larger data goes through native
 * memory freed at once after the call.
 */
public final class NativeDeflate {
  /**
   * The system property that selects the codec: {@code auto}, {@code libdeflate} or {@code jdk}.
   */
  public static final String PROPERTY = "landcover.deflate";

  /** The environment variable read when {@value #PROPERTY} is not set. */
  public static final String ENVIRONMENT = "LANDCOVER_DEFLATE";

  /** The largest block a thread keeps native buffers for, in bytes. */
  static final int KEEP_BYTES = 4 << 20;

  private static final int SUCCESS = 0;
  private static final int DECOMPRESSOR = 10;
  private static final Cleaner CLEANER = Cleaner.create();
  private static final Selection SELECTED = select();
  private static final ThreadLocal<State> STATE = ThreadLocal.withInitial(State::new);

  private NativeDeflate() {}

  /** The codec chosen for this process and why. */
  private record Selection(boolean libdeflate, String description, String error) {}

  /**
   * One line naming the Deflate codec in use: libdeflate and its file, or the JDK's zlib and why.
   *
   * @throws IllegalArgumentException when {@value #PROPERTY} (or {@value #ENVIRONMENT}) has a value
   *     other than auto, libdeflate or jdk, or asks for libdeflate and it did not load
   */
  public static String description() {
    check();
    return SELECTED.description;
  }

  /** Whether libdeflate encodes and decodes Deflate data in this process. */
  public static boolean usesLibdeflate() {
    check();
    return SELECTED.libdeflate;
  }

  private static void check() {
    if (SELECTED.error != null) {
      throw new IllegalArgumentException(SELECTED.error);
    }
  }

  private static Selection select() {
    String property = System.getProperty(PROPERTY);
    String source = property != null ? PROPERTY : ENVIRONMENT;
    String value = property != null ? property : System.getenv(ENVIRONMENT);
    String mode = value == null || value.isBlank() ? "auto" : value.trim().toLowerCase(Locale.ROOT);
    if (!mode.equals("auto") && !mode.equals("libdeflate") && !mode.equals("jdk")) {
      return new Selection(
          false,
          null,
          source + "=" + value + " is not a Deflate codec; expected auto, libdeflate or jdk");
    }
    if (mode.equals("jdk")) {
      return new Selection(false, "JDK zlib (" + source + "=" + value + ")", null);
    }
    String why;
    try {
      String file = Libdeflate.load();
      return new Selection(true, "libdeflate (" + file + ")", null);
    } catch (LinkageError | RuntimeException e) {
      String message = String.valueOf(e.getMessage());
      why = message.lines().findFirst().orElse(e.getClass().getSimpleName());
    }
    if (mode.equals("libdeflate")) {
      return new Selection(
          false, null, source + "=" + value + " but libdeflate did not load: " + why);
    }
    return new Selection(false, "JDK zlib (libdeflate did not load: " + why + ")", null);
  }

  /**
   * The calling thread's direct buffer for a stream of {@code length} bytes to {@link
   * #inflateInput}, cleared and limited to {@code length}; null when libdeflate is not in use or
   * the stream is too long to keep a buffer for (the caller then decodes from a heap array).
   */
  static ByteBuffer inputBuffer(int length) {
    check();
    if (!SELECTED.libdeflate || length > KEEP_BYTES) {
      return null;
    }
    return STATE.get().input(length).duplicate().clear().limit(length);
  }

  /**
   * Decodes the zlib stream in the first {@code length} bytes of the thread's {@link #inputBuffer}
   * when it decodes to exactly {@code limit} bytes: they are returned in the thread's output buffer
   * (position 0, limit {@code limit}, valid until the thread's next call here). Otherwise returns
   * null, and the caller decodes the stream with the JDK's zlib.
   */
  static ByteBuffer inflateInput(int length, int limit) {
    if (limit > KEEP_BYTES) {
      return null;
    }
    State s = STATE.get();
    ByteBuffer decoded = s.output(limit);
    int result =
        Libdeflate.libdeflate_zlib_decompress(
            s.decompressor(), s.inputAddress, length, s.outputAddress, limit, s.actualAddress);
    if (result != SUCCESS || s.actual.getLong(0) != limit) {
      return null;
    }
    return decoded.duplicate().clear().limit(limit);
  }

  /**
   * Decodes the zlib stream in the first {@code length} bytes of {@code data} into the first {@code
   * limit} bytes of {@code out} when libdeflate is in use and decodes it to exactly {@code limit}
   * bytes; otherwise writes nothing and returns false, and the caller decodes with the JDK's zlib.
   */
  static boolean inflate(byte[] data, int length, byte[] out, int limit) {
    ByteBuffer in = out.length < limit ? null : inputBuffer(length);
    if (in == null) {
      return false;
    }
    in.put(0, data, 0, length);
    ByteBuffer decoded = inflateInput(length, limit);
    if (decoded == null) {
      return false;
    }
    decoded.get(0, out, 0, limit);
    return true;
  }

  /**
   * The zlib stream of {@code data}.
   *
   * @param level 1 (fast) to 9 (small), or 0 for stored (uncompressed) blocks
   * @param huffmanOnly whether zlib codes without string matching; libdeflate then uses level 1
   */
  static byte[] deflate(byte[] data, int level, boolean huffmanOnly) {
    check();
    if (level < 0 || level > 9) {
      throw new IllegalArgumentException("Deflate level must be 0 to 9: " + level);
    }
    return SELECTED.libdeflate
        ? STATE.get().deflate(data, huffmanOnly ? 1 : level)
        : jdkDeflate(data, level, huffmanOnly);
  }

  private static byte[] jdkDeflate(byte[] data, int level, boolean huffmanOnly) {
    Deflater deflater = new Deflater(level);
    try {
      if (huffmanOnly) {
        deflater.setStrategy(Deflater.HUFFMAN_ONLY);
      }
      deflater.setInput(data);
      deflater.finish();
      ByteArrayOutputStream out = new ByteArrayOutputStream(data.length / 2 + 64);
      byte[] buffer = new byte[1 << 16];
      while (!deflater.finished()) {
        int n = deflater.deflate(buffer);
        out.write(buffer, 0, n);
      }
      return out.toByteArray();
    } finally {
      deflater.end();
    }
  }

  /** A thread's libdeflate handles and buffers. */
  private static final class State {
    /** Index 0 to 9: the compressor of that level; 10: the decompressor; 0 where not allocated. */
    private final long[] handles = new long[11];

    private ByteBuffer input = ByteBuffer.allocateDirect(0);
    private ByteBuffer output = ByteBuffer.allocateDirect(0);
    private long inputAddress;
    private long outputAddress;
    final ByteBuffer actual = ByteBuffer.allocateDirect(8).order(ByteOrder.nativeOrder());
    final long actualAddress = address(actual);

    State() {
      CLEANER.register(this, new Free(handles));
    }

    long decompressor() {
      if (handles[DECOMPRESSOR] == 0) {
        handles[DECOMPRESSOR] = Libdeflate.libdeflate_alloc_decompressor();
        if (handles[DECOMPRESSOR] == 0) {
          throw new OutOfMemoryError("libdeflate_alloc_decompressor failed");
        }
      }
      return handles[DECOMPRESSOR];
    }

    long compressor(int level) {
      if (handles[level] == 0) {
        handles[level] = Libdeflate.libdeflate_alloc_compressor(level);
        if (handles[level] == 0) {
          throw new OutOfMemoryError("libdeflate_alloc_compressor(" + level + ") failed");
        }
      }
      return handles[level];
    }

    /** The input buffer, at least {@code n} (at most {@link #KEEP_BYTES}) bytes. */
    ByteBuffer input(int n) {
      if (input.capacity() < n) {
        input = ByteBuffer.allocateDirect(Math.max(n, Math.min(KEEP_BYTES, 2 * input.capacity())));
        inputAddress = address(input);
      }
      return input;
    }

    /** The output buffer, at least {@code n} (at most {@link #KEEP_BYTES}) bytes. */
    ByteBuffer output(int n) {
      if (output.capacity() < n) {
        output =
            ByteBuffer.allocateDirect(Math.max(n, Math.min(KEEP_BYTES, 2 * output.capacity())));
        outputAddress = address(output);
      }
      return output;
    }

    byte[] deflate(byte[] data, int level) {
      long compressor = compressor(level);
      long bound = Libdeflate.libdeflate_zlib_compress_bound(compressor, data.length);
      if (data.length <= KEEP_BYTES && bound <= KEEP_BYTES) {
        input(data.length).put(0, data);
        ByteBuffer encoded = output((int) bound);
        int n = compress(compressor, inputAddress, data.length, outputAddress, bound);
        byte[] out = new byte[n];
        encoded.get(0, out);
        return out;
      }
      try (Memory in = new Memory(Math.max(1, data.length));
          Memory encoded = new Memory(bound)) {
        in.write(0, data, 0, data.length);
        int n =
            compress(
                compressor,
                Pointer.nativeValue(in),
                data.length,
                Pointer.nativeValue(encoded),
                bound);
        return encoded.getByteArray(0, n);
      }
    }

    private static int compress(long compressor, long in, int length, long out, long bound) {
      long n = Libdeflate.libdeflate_zlib_compress(compressor, in, length, out, bound);
      if (n <= 0 || n > bound) {
        throw new IllegalStateException(
            "libdeflate_zlib_compress of " + length + " bytes failed within its bound " + bound);
      }
      return (int) n;
    }
  }

  private static long address(ByteBuffer direct) {
    return Pointer.nativeValue(Native.getDirectBufferPointer(direct));
  }

  /** Frees a thread's libdeflate handles once its state is unreachable. */
  private record Free(long[] handles) implements Runnable {
    @Override
    public void run() {
      if (handles[DECOMPRESSOR] != 0) {
        Libdeflate.libdeflate_free_decompressor(handles[DECOMPRESSOR]);
      }
      for (int level = 0; level < DECOMPRESSOR; level++) {
        if (handles[level] != 0) {
          Libdeflate.libdeflate_free_compressor(handles[level]);
        }
      }
      Arrays.fill(handles, 0);
    }
  }

  /**
   * libdeflate's functions, bound by JNA direct mapping; pointers and {@code size_t} are passed as
   * {@code long} (64-bit platforms only).
   */
  private static final class Libdeflate {
    private Libdeflate() {}

    /**
     * Binds the functions and checks them with a round trip.
     *
     * @return the library's file
     */
    static String load() {
      if (Native.POINTER_SIZE != 8 || Native.SIZE_T_SIZE != 8) {
        throw new UnsupportedOperationException("not a 64-bit platform");
      }
      NativeLibrary library;
      try {
        library = NativeLibrary.getInstance("deflate");
      } catch (UnsatisfiedLinkError e) {
        // Debian and Ubuntu install only the versioned name without the -dev package
        try {
          library = NativeLibrary.getInstance("libdeflate.so.0");
        } catch (UnsatisfiedLinkError versioned) {
          throw e;
        }
      }
      Native.register(Libdeflate.class, library);
      byte[] data = new byte[10_000];
      for (int i = 0; i < data.length; i++) {
        data[i] = (byte) (i * 7 / 13);
      }
      State s = new State();
      byte[] encoded = s.deflate(data, 6);
      byte[] decoded = new byte[data.length];
      s.input(encoded.length).put(0, encoded);
      s.output(data.length);
      int result =
          libdeflate_zlib_decompress(
              s.decompressor(),
              s.inputAddress,
              encoded.length,
              s.outputAddress,
              data.length,
              s.actualAddress);
      s.output.get(0, decoded);
      if (result != SUCCESS
          || s.actual.getLong(0) != data.length
          || !Arrays.equals(decoded, data)
          || !Arrays.equals(jdkInflate(encoded, data.length), data)) {
        throw new IllegalStateException("its round trip of " + data.length + " bytes failed");
      }
      return library.getFile() != null ? library.getFile().toString() : library.getName();
    }

    private static byte[] jdkInflate(byte[] encoded, int length) {
      java.util.zip.Inflater inflater = new java.util.zip.Inflater();
      try {
        inflater.setInput(encoded);
        byte[] out = new byte[length];
        int n = inflater.inflate(out);
        return n == length && inflater.finished() ? out : new byte[0];
      } catch (java.util.zip.DataFormatException e) {
        return new byte[0];
      } finally {
        inflater.end();
      }
    }

    static native long libdeflate_alloc_decompressor();

    static native void libdeflate_free_decompressor(long decompressor);

    static native int libdeflate_zlib_decompress(
        long decompressor, long in, long inBytes, long out, long outAvailable, long actualOut);

    static native long libdeflate_alloc_compressor(int level);

    static native long libdeflate_zlib_compress(
        long compressor, long in, long inBytes, long out, long outAvailable);

    static native long libdeflate_zlib_compress_bound(long compressor, long inBytes);

    static native void libdeflate_free_compressor(long compressor);
  }
}

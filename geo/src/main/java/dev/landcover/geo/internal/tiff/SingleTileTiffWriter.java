package dev.landcover.geo.internal.tiff;

import dev.landcover.geo.GeoKeys;
import dev.landcover.geo.GeoTransform;
import dev.landcover.geo.RasterGrid;
import dev.landcover.geo.SampleType;
import dev.landcover.geo.internal.sis.SisTiffWriter;
import java.io.FileOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import org.opengis.referencing.crs.CoordinateReferenceSystem;

/**
 * Writes an image that fits in one tile (a chip) as a complete GeoTIFF in a single pass, without
 * Apache SIS: for thousands of chips, SIS's per-file set-up costs more than the pixels. The
 * georeferencing is {@link GeoTiffTags#encode}'s: the grid's own GeoKeys (those of the source file)
 * verbatim; for a grid made in Java with a CRS and no keys, the keys that SIS writes for that CRS,
 * taken once per CRS from a 1 x 1 file ({@link SisTiffWriter#writeGeoKeyProbe}); without either, no
 * keys (GDAL then reads no CRS, as from the source).
 *
 * <p>Layout: little-endian classic TIFF, one tile per band (planar configuration 2), tile size
 * rounded up to a multiple of 16 and padded with zeros, Deflate (zlib) with the horizontal
 * predictor for integer samples, or no compression.
 */
public final class SingleTileTiffWriter {
  /** Largest tile side written this way. */
  private static final int MAX_TILE = 1024;

  private static final int TAG_EXTRA_SAMPLES = 338;

  /** GeoKey tags (34735, 34736, 34737) as SIS encodes each CRS, by CRS identity. */
  private static final Map<CoordinateReferenceSystem, Map<Integer, TiffDirectory.Entry>> GEO_KEYS =
      new ConcurrentHashMap<>();

  private SingleTileTiffWriter() {}

  /** Whether an image of this size is written by this class. */
  public static boolean fits(RasterGrid grid, int bands, SampleType type) {
    return roundUp16(grid.width()) <= MAX_TILE
        && roundUp16(grid.height()) <= MAX_TILE
        && (long) roundUp16(grid.width()) * roundUp16(grid.height()) * bands * type.bits() / 8
            < Integer.MAX_VALUE / 2;
  }

  private static int roundUp16(int n) {
    return (n + 15) / 16 * 16;
  }

  /**
   * Writes the image of the grid's size in {@code banks} to {@code file}, created or truncated. The
   * image must {@link #fits fit}.
   *
   * @param banks one primitive array per band, of the Java storage type of {@code type}
   * @param offset index in each bank of the image's upper-left sample
   * @param scanline distance between the starts of two rows in each bank, in samples
   * @param tags extra ASCII tags (GDAL_NODATA, GDAL_METADATA) by tag number
   * @param deflateLevel 0 for no compression, else 1 to 9
   * @param huffmanOnly Deflate without string matching (ignored without compression)
   */
  public static void write(
      Path file,
      RasterGrid grid,
      Object[] banks,
      int offset,
      int scanline,
      SampleType type,
      Map<Integer, String> tags,
      int deflateLevel,
      boolean huffmanOnly)
      throws IOException {
    int bands = banks.length;
    int width = grid.width();
    int height = grid.height();
    int tileWidth = roundUp16(width);
    int tileHeight = roundUp16(height);
    int planeBytes = tileWidth * tileHeight * (type.bits() / 8);
    boolean compress = deflateLevel > 0;
    boolean predictor = compress && !type.isFloatingPoint();
    List<byte[]> planes = new ArrayList<>(bands);
    long[] counts = new long[bands];
    for (int b = 0; b < bands; b++) {
      if (compress) {
        byte[] raw =
            plane(
                banks[b], offset, scanline, type, width, height, tileWidth, tileHeight, predictor);
        planes.add(NativeDeflate.deflate(raw, deflateLevel, huffmanOnly));
        counts[b] = planes.get(b).length;
      } else {
        counts[b] = planeBytes;
      }
    }
    Header header = Header.of(grid, bands, type, tags, compress);
    long[] offsets = new long[bands];
    long position = header.bytes.length;
    for (int b = 0; b < bands; b++) {
      offsets[b] = position;
      position += counts[b];
    }
    // The whole file in one buffer, written with one call: a direct buffer kept by the thread, so
    // that the kernel copies straight from it (NIO copies a heap buffer into a direct one first).
    ByteBuffer out = FileBuffer.get((int) position);
    out.put(header.bytes);
    header.place(out, grid.transform(), offsets, counts);
    for (int b = 0; b < bands; b++) {
      if (compress) {
        out.put(planes.get(b));
      } else {
        putPlane(out, banks[b], offset, scanline, width, height, tileWidth, tileHeight);
      }
    }
    out.flip();
    // FileOutputStream opens the file (created or truncated) with far less Java code than
    // FileChannel.open, which the JIT compiles into every chip writer's hot path.
    try (FileOutputStream stream = new FileOutputStream(file.toFile());
        FileChannel ch = stream.getChannel()) {
      while (out.hasRemaining()) {
        ch.write(out);
      }
    }
  }

  /**
   * A file's TIFF header, directory and tag values, encoded once for the chips that differ only in
   * their origin and in their tiles' byte counts (the chips of one scene), then copied and patched
   * per file: the tags, their order and the layout are those of a directory encoded for each file.
   */
  private static final class Header {
    /** The header a thread wrote last: chips come in runs of one scene. */
    private static final ThreadLocal<Header> LAST = new ThreadLocal<>();

    private final int width;
    private final int height;
    private final int bands;
    private final SampleType type;
    private final boolean compress;
    private final Map<Integer, String> tags;
    private final GeoKeys keys;
    private final CoordinateReferenceSystem crs;
    private final GeoTransform transform;
    private final byte[] bytes;

    /** Where the origin's x and y go, and the first of the offsets and of the byte counts. */
    private final int originXAt;

    private final int originYAt;
    private final int offsetsAt;
    private final int countsAt;

    private Header(
        RasterGrid grid,
        int bands,
        SampleType type,
        Map<Integer, String> tags,
        boolean compress,
        byte[] bytes,
        int originXAt,
        int originYAt,
        int offsetsAt,
        int countsAt) {
      this.width = grid.width();
      this.height = grid.height();
      this.bands = bands;
      this.type = type;
      this.compress = compress;
      this.tags = Map.copyOf(tags);
      this.keys = grid.geoKeys().orElse(null);
      this.crs = keys == null ? grid.crs().orElse(null) : null;
      this.transform = grid.transform();
      this.bytes = bytes;
      this.originXAt = originXAt;
      this.originYAt = originYAt;
      this.offsetsAt = offsetsAt;
      this.countsAt = countsAt;
    }

    /** The header of a file of {@code grid}: the thread's last one when it fits, else a new one. */
    static Header of(
        RasterGrid grid, int bands, SampleType type, Map<Integer, String> tags, boolean compress)
        throws IOException {
      Header last = LAST.get();
      if (last != null && last.fits(grid, bands, type, tags, compress)) {
        return last;
      }
      Header h = encode(grid, bands, type, tags, compress);
      LAST.set(h);
      return h;
    }

    private boolean fits(
        RasterGrid grid, int bands, SampleType type, Map<Integer, String> tags, boolean compress) {
      GeoTransform t = grid.transform();
      GeoKeys k = grid.geoKeys().orElse(null);
      return grid.width() == width
          && grid.height() == height
          && bands == this.bands
          && type == this.type
          && compress == this.compress
          && k == keys
          && (k != null || grid.crs().orElse(null) == crs)
          && Double.compare(t.pixelWidth(), transform.pixelWidth()) == 0
          && Double.compare(t.pixelHeight(), transform.pixelHeight()) == 0
          && Double.compare(t.rowRotation(), transform.rowRotation()) == 0
          && Double.compare(t.columnRotation(), transform.columnRotation()) == 0
          && tags.equals(this.tags);
    }

    /** Writes the origin, offsets and byte counts of one file into its copy of the header. */
    void place(ByteBuffer out, GeoTransform t, long[] offsets, long[] counts) {
      out.putDouble(originXAt, t.originX()).putDouble(originYAt, t.originY());
      for (int b = 0; b < bands; b++) {
        out.putInt(offsetsAt + 4 * b, (int) offsets[b]);
        out.putInt(countsAt + 4 * b, (int) counts[b]);
      }
    }

    private static Header encode(
        RasterGrid grid, int bands, SampleType type, Map<Integer, String> tags, boolean compress)
        throws IOException {
      boolean predictor = compress && !type.isFloatingPoint();
      Ifd ifd = new Ifd();
      ifd.longs(TiffDirectory.TAG_IMAGE_WIDTH, grid.width());
      ifd.longs(TiffDirectory.TAG_IMAGE_LENGTH, grid.height());
      ifd.shorts(TiffDirectory.TAG_BITS_PER_SAMPLE, repeat(type.bits(), bands));
      ifd.shorts(TiffDirectory.TAG_COMPRESSION, compress ? 8 : 1);
      ifd.shorts(TiffDirectory.TAG_PHOTOMETRIC, 1);
      ifd.shorts(TiffDirectory.TAG_SAMPLES_PER_PIXEL, bands);
      ifd.shorts(TiffDirectory.TAG_PLANAR_CONFIGURATION, 2);
      if (predictor) {
        ifd.shorts(TiffDirectory.TAG_PREDICTOR, 2);
      }
      ifd.longs(TiffDirectory.TAG_TILE_WIDTH, roundUp16(grid.width()));
      ifd.longs(TiffDirectory.TAG_TILE_LENGTH, roundUp16(grid.height()));
      ifd.longs(TiffDirectory.TAG_TILE_OFFSETS, new long[bands]);
      ifd.longs(TiffDirectory.TAG_TILE_BYTE_COUNTS, new long[bands]);
      if (bands > 1) {
        ifd.shorts(TAG_EXTRA_SAMPLES, new int[bands - 1]);
      }
      int format =
          type.isFloatingPoint()
              ? 3
              : (type == SampleType.INT16 || type == SampleType.INT32) ? 2 : 1;
      ifd.shorts(TiffDirectory.TAG_SAMPLE_FORMAT, repeat(format, bands));
      Map<Integer, Object> georeferencing =
          GeoTiffTags.encode(grid.transform(), grid.geoKeys().orElse(null));
      georeferencing.forEach(
          (tag, value) ->
              ifd.raw(
                  tag,
                  GeoTiffTags.typeOf(value),
                  GeoTiffTags.countOf(value),
                  GeoTiffTags.bytes(value, ByteOrder.LITTLE_ENDIAN)));
      if (grid.geoKeys().isEmpty() && grid.crs().isPresent()) {
        for (TiffDirectory.Entry e : geoKeys(grid.crs().get()).values()) {
          ifd.raw(e.tag(), e.type(), e.count(), e.value());
        }
      }
      tags.forEach(ifd::ascii);
      ByteBuffer head = ifd.encode(8);
      byte[] bytes = new byte[head.remaining()];
      head.get(bytes);
      int originXAt;
      int originYAt;
      if (georeferencing.containsKey(GeoTiffTags.TAG_MODEL_TIEPOINT)) {
        int at = ifd.valueAt(GeoTiffTags.TAG_MODEL_TIEPOINT);
        originXAt = at + 3 * 8;
        originYAt = at + 4 * 8;
      } else {
        int at = ifd.valueAt(GeoTiffTags.TAG_MODEL_TRANSFORMATION);
        originXAt = at + 3 * 8;
        originYAt = at + 7 * 8;
      }
      return new Header(
          grid,
          bands,
          type,
          tags,
          compress,
          bytes,
          originXAt,
          originYAt,
          ifd.valueAt(TiffDirectory.TAG_TILE_OFFSETS),
          ifd.valueAt(TiffDirectory.TAG_TILE_BYTE_COUNTS));
    }
  }

  /**
   * The buffer a thread encodes files into: direct and kept from file to file up to {@link
   * #KEEP_BYTES}, on the heap and new for larger files.
   */
  private static final class FileBuffer {
    static final int KEEP_BYTES = 16 << 20;
    private static final ThreadLocal<ByteBuffer> OF_THREAD = new ThreadLocal<>();

    /** An empty little-endian buffer of at least {@code n} bytes, limited to {@code n}. */
    static ByteBuffer get(int n) {
      if (n > KEEP_BYTES) {
        return ByteBuffer.allocate(n).order(ByteOrder.LITTLE_ENDIAN);
      }
      ByteBuffer b = OF_THREAD.get();
      if (b == null || b.capacity() < n) {
        b = ByteBuffer.allocateDirect(Math.max(n, 1 << 20)).order(ByteOrder.LITTLE_ENDIAN);
        OF_THREAD.set(b);
      }
      b.clear().limit(n);
      return b;
    }
  }

  /**
   * Puts the samples of one band as an uncompressed tile of {@code tileWidth x tileHeight},
   * little-endian, the part outside the image zero.
   */
  private static void putPlane(
      ByteBuffer out,
      Object bank,
      int offset,
      int scanline,
      int width,
      int height,
      int tileWidth,
      int tileHeight) {
    for (int r = 0; r < height; r++) {
      int s = offset + r * scanline;
      if (bank instanceof byte[] a) {
        out.put(a, s, width);
      } else if (bank instanceof short[] a) {
        out.asShortBuffer().put(a, s, width);
        out.position(out.position() + 2 * width);
      } else if (bank instanceof int[] a) {
        out.asIntBuffer().put(a, s, width);
        out.position(out.position() + 4 * width);
      } else if (bank instanceof float[] a) {
        out.asFloatBuffer().put(a, s, width);
        out.position(out.position() + 4 * width);
      } else if (bank instanceof double[] a) {
        out.asDoubleBuffer().put(a, s, width);
        out.position(out.position() + 8 * width);
      } else {
        throw new IllegalArgumentException("Unsupported sample array " + bank);
      }
      putZeros(out, (tileWidth - width) * sampleBytes(bank));
    }
    putZeros(out, (tileHeight - height) * tileWidth * sampleBytes(bank));
  }

  private static int sampleBytes(Object bank) {
    if (bank instanceof byte[]) {
      return 1;
    } else if (bank instanceof short[]) {
      return 2;
    } else if (bank instanceof double[]) {
      return 8;
    }
    return 4;
  }

  private static void putZeros(ByteBuffer out, int n) {
    for (int i = 0; i < n; i++) {
      out.put((byte) 0);
    }
  }

  private static int[] repeat(int value, int n) {
    int[] v = new int[n];
    java.util.Arrays.fill(v, value);
    return v;
  }

  /** One band as little-endian bytes of a padded tile, with the predictor applied. */
  private static byte[] plane(
      Object bank,
      int offset,
      int scanline,
      SampleType type,
      int width,
      int height,
      int tileWidth,
      int tileHeight,
      boolean predictor) {
    int bytes = type.bits() / 8;
    ByteBuffer out =
        ByteBuffer.allocate(tileWidth * tileHeight * bytes).order(ByteOrder.LITTLE_ENDIAN);
    for (int r = 0; r < height; r++) {
      int s = offset + r * scanline;
      out.position(r * tileWidth * bytes);
      if (bank instanceof byte[] a) {
        if (predictor) {
          byte[] row = new byte[width];
          byte prev = 0;
          for (int c = 0; c < width; c++) {
            row[c] = (byte) (a[s + c] - prev);
            prev = a[s + c];
          }
          out.put(row);
        } else {
          out.put(a, s, width);
        }
      } else if (bank instanceof short[] a) {
        if (predictor) {
          short[] row = new short[width];
          short prev = 0;
          for (int c = 0; c < width; c++) {
            row[c] = (short) (a[s + c] - prev);
            prev = a[s + c];
          }
          out.asShortBuffer().put(row);
        } else {
          out.asShortBuffer().put(a, s, width);
        }
      } else if (bank instanceof int[] a) {
        if (predictor) {
          int[] row = new int[width];
          int prev = 0;
          for (int c = 0; c < width; c++) {
            row[c] = a[s + c] - prev;
            prev = a[s + c];
          }
          out.asIntBuffer().put(row);
        } else {
          out.asIntBuffer().put(a, s, width);
        }
      } else if (bank instanceof float[] a) {
        out.asFloatBuffer().put(a, s, width);
      } else if (bank instanceof double[] a) {
        out.asDoubleBuffer().put(a, s, width);
      } else {
        throw new IllegalArgumentException("Unsupported data type of " + type);
      }
    }
    return out.array();
  }

  /** The GeoKey tags SIS writes for {@code crs}, from a 1 x 1 file written once per CRS. */
  private static Map<Integer, TiffDirectory.Entry> geoKeys(CoordinateReferenceSystem crs)
      throws IOException {
    Map<Integer, TiffDirectory.Entry> keys = GEO_KEYS.get(crs);
    if (keys != null) {
      return keys;
    }
    Path tmp = Files.createTempFile("landcover-geokeys", ".tif");
    try {
      Files.delete(tmp);
      SisTiffWriter.writeGeoKeyProbe(tmp, crs);
      TiffDirectory dir = TiffDirectory.read(tmp);
      keys = new TreeMap<>();
      for (int tag :
          new int[] {
            TiffDirectory.TAG_GEO_KEY_DIRECTORY,
            GeoTiffTags.TAG_GEO_DOUBLE_PARAMS,
            TiffDirectory.TAG_GEO_ASCII_PARAMS
          }) {
        TiffDirectory.Entry e = dir.entries().get(tag);
        if (e != null) {
          keys.put(tag, e);
        }
      }
      if (dir.order() != ByteOrder.LITTLE_ENDIAN) {
        throw new IOException("Apache SIS wrote a big-endian GeoTIFF; expected little-endian");
      }
      GEO_KEYS.put(crs, keys);
      return keys;
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  /** A TIFF directory under construction: entries in tag order, values laid out after it. */
  private static final class Ifd {
    private final TreeMap<Integer, Object[]> entries = new TreeMap<>();
    private final Map<Integer, Integer> valuePositions = new TreeMap<>();

    void raw(int tag, int type, long count, byte[] value) {
      entries.put(tag, new Object[] {type, count, value});
    }

    void shorts(int tag, int... values) {
      ByteBuffer b = ByteBuffer.allocate(2 * values.length).order(ByteOrder.LITTLE_ENDIAN);
      for (int v : values) {
        b.putShort((short) v);
      }
      raw(tag, TiffDirectory.TYPE_SHORT, values.length, b.array());
    }

    void longs(int tag, long... values) {
      ByteBuffer b = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
      for (long v : values) {
        b.putInt((int) v);
      }
      raw(tag, TiffDirectory.TYPE_LONG, values.length, b.array());
    }

    void ascii(int tag, String text) {
      byte[] v = (text + "\0").getBytes(StandardCharsets.ISO_8859_1);
      raw(tag, TiffDirectory.TYPE_ASCII, v.length, v);
    }

    /** Where {@link #encode} put the value of {@code tag}: in its entry or after the directory. */
    int valueAt(int tag) {
      return valuePositions.get(tag);
    }

    /** Bytes from {@code start} to the end of the directory and its values. */
    long size(long start) {
      long n = 2 + 12L * entries.size() + 4;
      for (Object[] e : entries.values()) {
        byte[] v = (byte[]) e[2];
        if (v.length > 4) {
          n += v.length + (v.length & 1);
        }
      }
      return start + n;
    }

    /** The header and directory, for a directory at offset 8. */
    ByteBuffer encode(int start) {
      int total = (int) size(start);
      ByteBuffer out = ByteBuffer.allocate(total).order(ByteOrder.LITTLE_ENDIAN);
      out.put((byte) 'I').put((byte) 'I').putShort((short) 42).putInt(start);
      out.position(start);
      out.putShort((short) entries.size());
      int valuePosition = start + 2 + 12 * entries.size() + 4;
      for (Map.Entry<Integer, Object[]> e : entries.entrySet()) {
        int type = (Integer) e.getValue()[0];
        long count = (Long) e.getValue()[1];
        byte[] v = (byte[]) e.getValue()[2];
        out.putShort((short) (int) e.getKey()).putShort((short) type).putInt((int) count);
        if (v.length <= 4) {
          valuePositions.put(e.getKey(), out.position());
          byte[] field = new byte[4];
          System.arraycopy(v, 0, field, 0, v.length);
          out.put(field);
        } else {
          valuePositions.put(e.getKey(), valuePosition);
          out.putInt(valuePosition);
          out.put(valuePosition, v);
          valuePosition += v.length + (v.length & 1);
        }
      }
      out.putInt(0); // no next directory
      out.position(0);
      out.limit(total);
      return out;
    }
  }
}

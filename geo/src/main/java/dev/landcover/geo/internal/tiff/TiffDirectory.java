package dev.landcover.geo.internal.tiff;

import dev.landcover.geo.GeoTiffException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The first image file directory (IFD) of a TIFF file, parsed with bounds checks on every offset.
 * Used to check a file before Apache SIS decodes it (so that unsupported or broken files get a
 * clear message), to read what SIS does not report (compression name, GDAL_NODATA), and to add tags
 * to files that SIS wrote.
 */
public final class TiffDirectory {
  public static final int TAG_IMAGE_WIDTH = 256;
  public static final int TAG_IMAGE_LENGTH = 257;
  public static final int TAG_BITS_PER_SAMPLE = 258;
  public static final int TAG_COMPRESSION = 259;
  public static final int TAG_PHOTOMETRIC = 262;
  public static final int TAG_STRIP_OFFSETS = 273;
  public static final int TAG_SAMPLES_PER_PIXEL = 277;
  public static final int TAG_STRIP_BYTE_COUNTS = 279;
  public static final int TAG_PLANAR_CONFIGURATION = 284;
  public static final int TAG_PREDICTOR = 317;
  public static final int TAG_TILE_WIDTH = 322;
  public static final int TAG_TILE_LENGTH = 323;
  public static final int TAG_TILE_OFFSETS = 324;
  public static final int TAG_TILE_BYTE_COUNTS = 325;
  public static final int TAG_SAMPLE_FORMAT = 339;
  public static final int TAG_S_MIN_SAMPLE_VALUE = 340;
  public static final int TAG_S_MAX_SAMPLE_VALUE = 341;
  public static final int TAG_GEO_KEY_DIRECTORY = 34735;
  public static final int TAG_GEO_DOUBLE_PARAMS = 34736;
  public static final int TAG_GEO_ASCII_PARAMS = 34737;
  public static final int TAG_GDAL_METADATA = 42112;
  public static final int TAG_GDAL_NODATA = 42113;

  static final int TYPE_BYTE = 1;
  static final int TYPE_ASCII = 2;
  static final int TYPE_SHORT = 3;
  static final int TYPE_LONG = 4;
  static final int TYPE_LONG8 = 16;

  /**
   * One IFD entry.
   *
   * @param tag the TIFF tag number
   * @param type the TIFF field type (1 BYTE, 2 ASCII, 3 SHORT, 4 LONG, 12 DOUBLE, 16 LONG8...)
   * @param count the number of values
   * @param value the value bytes in the file's byte order, copied from the inline field or from the
   *     offset (callers must not modify it)
   * @param valueOffset where the value bytes are in the file (inside the entry when inline)
   * @param raw the entry's own bytes as stored in the directory (12 in classic TIFF, 20 in BigTIFF)
   */
  record Entry(int tag, int type, long count, byte[] value, long valueOffset, byte[] raw) {}

  private final Path file;
  private final long fileSize;
  private final ByteOrder order;
  private final boolean bigTiff;
  private final long ifdOffset;
  private final long nextIfd;
  private final Map<Integer, Entry> entries;
  private final java.util.Set<Integer> unknownTypes;

  private TiffDirectory(
      Path file,
      long fileSize,
      ByteOrder order,
      boolean bigTiff,
      long ifdOffset,
      long nextIfd,
      Map<Integer, Entry> entries,
      java.util.Set<Integer> unknownTypes) {
    this.file = file;
    this.fileSize = fileSize;
    this.order = order;
    this.bigTiff = bigTiff;
    this.ifdOffset = ifdOffset;
    this.nextIfd = nextIfd;
    this.entries = Collections.unmodifiableMap(entries);
    this.unknownTypes = java.util.Set.copyOf(unknownTypes);
  }

  /**
   * Reads the header and first IFD of {@code file}.
   *
   * @throws GeoTiffException when the file is not a TIFF or its directory points outside the file;
   *     the message names the file
   * @throws IOException when the file cannot be read
   */
  public static TiffDirectory read(Path file) throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      long size = ch.size();
      ByteBuffer head = readAt(ch, 0, (int) Math.min(16, size));
      if (size < 8
          || !((head.get(0) == 'I' && head.get(1) == 'I')
              || (head.get(0) == 'M' && head.get(1) == 'M'))) {
        throw new GeoTiffException(
            file,
            "not a TIFF file: it does not start with the TIFF byte-order mark II or MM",
            "give a GeoTIFF (.tif) file; other formats can be converted with"
                + " gdal_translate -of GTiff -co COMPRESS=DEFLATE in out.tif");
      }
      ByteOrder order = head.get(0) == 'I' ? ByteOrder.LITTLE_ENDIAN : ByteOrder.BIG_ENDIAN;
      head.order(order);
      int magic = head.getShort(2) & 0xFFFF;
      boolean big;
      long ifd;
      if (magic == 42) {
        big = false;
        ifd = head.getInt(4) & 0xFFFFFFFFL;
      } else if (magic == 43 && size >= 16) {
        big = true;
        ifd = head.getLong(8);
        int offsetSize = head.getShort(4) & 0xFFFF;
        int reserved = head.getShort(6) & 0xFFFF;
        if (offsetSize != 8 || reserved != 0) {
          throw new GeoTiffException(
              file,
              "not a TIFF file: its BigTIFF header has offset size "
                  + offsetSize
                  + " and reserved value "
                  + reserved
                  + " where 8 and 0 were expected",
              null);
        }
      } else {
        throw new GeoTiffException(
            file,
            "not a TIFF file: version number " + magic + " where 42 or 43 was expected",
            null);
      }
      return readIfd(ch, file, size, order, big, ifd, "first image directory");
    }
  }

  /**
   * Reads the IFD after this one, in the same file: empty at the end of the chain.
   *
   * @throws GeoTiffException when the next IFD points outside the file or is broken
   * @throws IOException when the file cannot be read
   */
  public java.util.Optional<TiffDirectory> next() throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      int pointer = bigTiff ? 8 : 4;
      ByteBuffer b = readAt(ch, nextIfd, pointer).order(order);
      if (b.limit() < pointer) {
        throw truncated(file, "the next image directory pointer is at byte " + nextIfd, fileSize);
      }
      long offset = bigTiff ? b.getLong(0) : b.getInt(0) & 0xFFFFFFFFL;
      if (offset == 0) {
        return java.util.Optional.empty();
      }
      return java.util.Optional.of(
          readIfd(ch, file, fileSize, order, bigTiff, offset, "image directory at byte " + offset));
    }
  }

  private static TiffDirectory readIfd(
      FileChannel ch, Path file, long size, ByteOrder order, boolean big, long ifd, String which)
      throws IOException {
    int countSize = big ? 8 : 2;
    int entrySize = big ? 20 : 12;
    int inline = big ? 8 : 4;
    if (ifd < 8 || ifd + countSize > size) {
      throw truncated(file, "its " + which + " is at byte " + ifd, size);
    }
    ByteBuffer cb = readAt(ch, ifd, countSize).order(order);
    long n = big ? cb.getLong(0) : (cb.getShort(0) & 0xFFFF);
    if (n <= 0 || n > 4096 || ifd + countSize + n * entrySize + inline > size) {
      throw truncated(file, "its " + which + " declares " + n + " entries", size);
    }
    ByteBuffer eb = readAt(ch, ifd + countSize, (int) (n * entrySize + inline)).order(order);
    Map<Integer, Entry> entries = new LinkedHashMap<>();
    java.util.Set<Integer> unknownTypes = new java.util.HashSet<>();
    for (int i = 0; i < n; i++) {
      int p = i * entrySize;
      int tag = eb.getShort(p) & 0xFFFF;
      int type = eb.getShort(p + 2) & 0xFFFF;
      long count = big ? eb.getLong(p + 4) : (eb.getInt(p + 4) & 0xFFFFFFFFL);
      if (entries.containsKey(tag) || unknownTypes.contains(tag)) {
        throw new GeoTiffException(
            file,
            "broken TIFF: tag " + tag + " appears twice in the " + which,
            "re-create it from an intact source, e.g. with gdal_translate");
      }
      int unit = typeSize(type);
      if (unit == 0) {
        unknownTypes.add(tag);
        continue; // unknown type: TIFF readers must skip such entries
      }
      if (count < 0 || count > size) {
        throw truncated(file, "tag " + tag + " declares " + count + " values", size);
      }
      long bytes = count * unit;
      long valueOffset;
      byte[] value;
      if (bytes <= inline) {
        valueOffset = ifd + countSize + p + (big ? 12 : 8);
        value = new byte[(int) bytes];
        eb.get(p + (big ? 12 : 8), value, 0, value.length);
      } else {
        ByteBuffer ob = eb.duplicate().order(order);
        valueOffset = big ? ob.getLong(p + 12) : (ob.getInt(p + 8) & 0xFFFFFFFFL);
        if (valueOffset < 0 || valueOffset + bytes > size) {
          throw truncated(
              file,
              "the values of tag " + tag + " are at bytes " + valueOffset + "+" + bytes,
              size);
        }
        value = new byte[(int) bytes]; // at most the file's size, checked above
        readAt(ch, valueOffset, value.length).get(value);
      }
      byte[] raw = new byte[entrySize];
      eb.get(p, raw, 0, entrySize);
      entries.put(tag, new Entry(tag, type, count, value, valueOffset, raw));
    }
    long next = ifd + countSize + n * entrySize;
    return new TiffDirectory(file, size, order, big, ifd, next, entries, unknownTypes);
  }

  private static GeoTiffException truncated(Path file, String what, long size) {
    return new GeoTiffException(
        file,
        "truncated or corrupt TIFF: " + what + " but the file has only " + size + " bytes",
        "copy the file again or re-create it, e.g. gdal_translate -co COMPRESS=DEFLATE in.tif"
            + " out.tif from an intact source");
  }

  private static ByteBuffer readAt(FileChannel ch, long position, int length) throws IOException {
    ByteBuffer buf = ByteBuffer.allocate(length);
    while (buf.hasRemaining()) {
      if (ch.read(buf, position + buf.position()) < 0) {
        break;
      }
    }
    return buf.flip();
  }

  /** Bytes per value of a TIFF field type, or 0 for a type this parser does not know. */
  static int typeSize(int type) {
    switch (type) {
      case 1: // BYTE
      case 2: // ASCII
      case 6: // SBYTE
      case 7: // UNDEFINED
        return 1;
      case 3: // SHORT
      case 8: // SSHORT
        return 2;
      case 4: // LONG
      case 9: // SLONG
      case 11: // FLOAT
      case 13: // IFD
        return 4;
      case 5: // RATIONAL
      case 10: // SRATIONAL
      case 12: // DOUBLE
      case 16: // LONG8
      case 17: // SLONG8
      case 18: // IFD8
        return 8;
      default:
        return 0;
    }
  }

  /** The file this directory was read from. */
  public Path file() {
    return file;
  }

  /** The file's size in bytes when it was read. */
  public long fileSize() {
    return fileSize;
  }

  /** The file's byte order (II: little-endian, MM: big-endian). */
  ByteOrder order() {
    return order;
  }

  /** Whether the file is a BigTIFF (version 43, 64-bit offsets). */
  public boolean isBigTiff() {
    return bigTiff;
  }

  /** Offset of the first IFD. */
  long ifdOffset() {
    return ifdOffset;
  }

  /** Offset of the next-IFD pointer, after the entries of the first IFD. */
  long nextIfdPointer() {
    return nextIfd;
  }

  /**
   * The entries by tag, in the order of the directory (unmodifiable). Entries of unknown field
   * types are skipped, as TIFF readers must.
   */
  Map<Integer, Entry> entries() {
    return entries;
  }

  /** Whether the directory has an entry for {@code tag}. */
  public boolean has(int tag) {
    return entries.containsKey(tag);
  }

  /** The integer values of an unsigned integer tag, or an empty array when absent. */
  public long[] longs(int tag) {
    Entry e = entries.get(tag);
    if (e == null) {
      return new long[0];
    }
    ByteBuffer b = ByteBuffer.wrap(e.value).order(order);
    long[] out = new long[(int) e.count];
    for (int i = 0; i < out.length; i++) {
      switch (e.type) {
        case 1, 7 -> out[i] = b.get(i) & 0xFF;
        case 6 -> out[i] = b.get(i);
        case 3 -> out[i] = b.getShort(2 * i) & 0xFFFF;
        case 8 -> out[i] = b.getShort(2 * i);
        case 4, 13 -> out[i] = b.getInt(4 * i) & 0xFFFFFFFFL;
        case 9 -> out[i] = b.getInt(4 * i);
        case 16, 17, 18 -> out[i] = b.getLong(8 * i);
        default -> out[i] = 0;
      }
    }
    return out;
  }

  /** The raw value bytes of a tag (for BYTE and UNDEFINED tags), or null when absent. */
  public byte[] bytes(int tag) {
    Entry e = entries.get(tag);
    return e == null ? null : e.value.clone();
  }

  /** The first value of an integer tag, or {@code missing} when absent. */
  public long first(int tag, long missing) {
    long[] v = longs(tag);
    return v.length == 0 ? missing : v[0];
  }

  /** The text of an ASCII tag without its terminating NULs, or null when absent. */
  public String ascii(int tag) {
    Entry e = entries.get(tag);
    if (e == null) {
      return null;
    }
    int end = 0;
    while (end < e.value.length && e.value[end] != 0) {
      end++;
    }
    return new String(e.value, 0, end, StandardCharsets.ISO_8859_1);
  }

  /**
   * The value of a tag that must hold one unsigned integer, as libtiff requires of ImageWidth,
   * Compression, PlanarConfiguration and the like: one value of an integer type, from 0 to {@code
   * max}; {@code missing} when the tag is absent.
   *
   * @throws GeoTiffException when the tag has another count, a non-integer type or a value out of
   *     range (libtiff, hence GDAL, refuses such files too)
   */
  public long scalar(int tag, long missing, long max) throws GeoTiffException {
    requireKnownType(tag);
    Entry e = entries.get(tag);
    if (e == null) {
      return missing;
    }
    if (e.count != 1 || !isInteger(e.type)) {
      throw invalidTag(tag, e.count + " values of TIFF type " + e.type, "one unsigned integer");
    }
    long v = longs(tag)[0];
    if (v < 0 || v > max) {
      throw invalidTag(tag, "the value " + v, "0 to " + max);
    }
    return v;
  }

  /**
   * The value of a tag with one unsigned integer per sample that must all be equal (BitsPerSample,
   * SampleFormat): at least {@code samples} values of an integer type, the first {@code samples} of
   * them equal; {@code missing} when the tag is absent.
   */
  public long perSample(int tag, long samples, long missing) throws GeoTiffException {
    requireKnownType(tag);
    Entry e = entries.get(tag);
    if (e == null) {
      return missing;
    }
    if (e.count < 1 || !isInteger(e.type)) {
      throw invalidTag(tag, e.count + " values of TIFF type " + e.type, "unsigned integers");
    }
    long[] v = longs(tag);
    if (v.length < samples && v.length != 1) {
      throw invalidTag(tag, v.length + " values", "one per sample (" + samples + ")");
    }
    for (int i = 1; i < Math.min(v.length, samples); i++) {
      if (v[i] != v[0]) {
        throw invalidTag(
            tag,
            "different values per sample (" + v[0] + " and " + v[i] + " among " + v.length + ")",
            "the same value for every band; convert it with gdal_translate -ot Float32"
                + " -co COMPRESS=DEFLATE in.tif out.tif");
      }
    }
    if (v[0] < 0 || v[0] > 65535) {
      throw invalidTag(tag, "the value " + v[0], "0 to 65535");
    }
    return v[0];
  }

  /**
   * Refuses block offsets or byte counts of a type libtiff does not load (GDAL then reads no block
   * of the image). libtiff in GDAL's on-demand mode loads a tag of at most 4 values whole, from any
   * integer type but IFD and IFD8, and a longer one value by value, from SHORT, LONG, LONG8 or
   * SLONG8 only.
   */
  public void requireOffsetType(int tag) throws GeoTiffException {
    Entry e = entries.get(tag);
    if (e == null) {
      return;
    }
    boolean valueByValue = e.count > 4;
    boolean loaded =
        switch (e.type) {
          case 3, 4, 16, 17 -> true;
          case 1, 6, 8, 9 -> !valueByValue;
          default -> false;
        };
    if (!loaded) {
      throw invalidTag(
          tag,
          e.count + " values of TIFF type " + e.type,
          valueByValue
              ? "SHORT, LONG, LONG8 or SLONG8 values"
              : "BYTE, SHORT, LONG, LONG8 values or their signed types");
    }
  }

  /**
   * Checks SMinSampleValue and SMaxSampleValue as libtiff does when it reads the directory (GDAL
   * refuses the file otherwise): when present, exactly one value per sample, of a numeric type (not
   * ASCII, UNDEFINED, IFD or IFD8).
   *
   * @throws GeoTiffException for another count or type
   */
  public void checkSampleValueRange(long samples) throws GeoTiffException {
    for (int tag : new int[] {TAG_S_MIN_SAMPLE_VALUE, TAG_S_MAX_SAMPLE_VALUE}) {
      requireKnownType(tag);
      Entry e = entries.get(tag);
      if (e == null) {
        continue;
      }
      if (e.type == 2 || e.type == 7 || e.type == 13 || e.type == 18) {
        throw invalidTag(tag, "values of TIFF type " + e.type, "one number per sample");
      }
      if (e.count != samples) {
        throw invalidTag(tag, e.count + " values", "one per sample (" + samples + ")");
      }
    }
  }

  /**
   * Refuses a tag stored with a field type TIFF does not define (libtiff refuses the tags it needs
   * in that case, while readers skip unknown tags).
   */
  public void requireKnownType(int tag) throws GeoTiffException {
    if (unknownTypes.contains(tag)) {
      throw invalidTag(tag, "an unknown field type", "a TIFF integer type");
    }
  }

  /** The values of a tag that must hold unsigned integers, or an empty array when absent. */
  public long[] unsignedIntegers(int tag) throws GeoTiffException {
    requireKnownType(tag);
    Entry e = entries.get(tag);
    if (e != null && !isInteger(e.type)) {
      throw invalidTag(tag, "values of TIFF type " + e.type, "unsigned integers");
    }
    return longs(tag);
  }

  private static boolean isInteger(int type) {
    return type == 1 || type == 3 || type == 4 || type == 16;
  }

  private GeoTiffException invalidTag(int tag, String found, String expected) {
    return new GeoTiffException(
        file,
        "broken TIFF: tag " + tag + " has " + found + " where " + expected + " is expected",
        "re-create it from an intact source, e.g. with gdal_translate -co COMPRESS=DEFLATE");
  }

  /**
   * Checks the structure of the GeoKey directory as libgeotiff does before GDAL reads a CRS: a
   * header of 4 values, 4 values per key, keys stored in the directory with one value, keys in
   * GeoDoubleParams and GeoAsciiParams inside those tags, no other storage.
   *
   * @throws GeoTiffException for a broken directory (GDAL refuses such files too)
   */
  public void checkGeoKeys() throws GeoTiffException {
    if (!has(TAG_GEO_KEY_DIRECTORY)) {
      return;
    }
    requireKnownType(TAG_GEO_KEY_DIRECTORY);
    requireKnownType(TAG_GEO_ASCII_PARAMS);
    requireKnownType(TAG_GEO_DOUBLE_PARAMS);
    Entry keyEntry = entries.get(TAG_GEO_KEY_DIRECTORY);
    Entry asciiEntry = entries.get(TAG_GEO_ASCII_PARAMS);
    Entry doubleEntry = entries.get(TAG_GEO_DOUBLE_PARAMS);
    if (keyEntry.type != TYPE_SHORT
        || (asciiEntry != null && asciiEntry.type != TYPE_ASCII)
        || (doubleEntry != null && doubleEntry.type != 12)) {
      throw invalidTag(
          TAG_GEO_KEY_DIRECTORY,
          "GeoTIFF tags of TIFF types "
              + keyEntry.type
              + (asciiEntry == null ? "" : ", " + asciiEntry.type)
              + (doubleEntry == null ? "" : ", " + doubleEntry.type),
          "SHORT (3) keys, ASCII (2) and DOUBLE (12) parameters");
    }
    long[] keys = longs(TAG_GEO_KEY_DIRECTORY);
    // libgeotiff reads GeoAsciiParams as a C string: up to its first NUL
    long asciiLength = asciiEntry == null ? -1 : ascii(TAG_GEO_ASCII_PARAMS).length();
    long doubles = doubleEntry == null ? -1 : doubleEntry.count;
    if (keys.length < 4 || keys.length < 4 + 4 * keys[3]) {
      throw invalidTag(
          TAG_GEO_KEY_DIRECTORY,
          keys.length + " values" + (keys.length >= 4 ? " for " + keys[3] + " keys" : ""),
          "4 + 4 per key");
    }
    for (int i = 4; i < 4 + 4 * keys[3]; i += 4) {
      long key = keys[i];
      long location = keys[i + 1];
      long count = keys[i + 2];
      long offset = keys[i + 3];
      boolean ok;
      if (location == 0) {
        ok = count == 1;
      } else if (location == TAG_GEO_ASCII_PARAMS) {
        ok = asciiLength >= 0 && offset + count <= asciiLength;
      } else if (location == TAG_GEO_DOUBLE_PARAMS) {
        ok = doubles >= 0 && offset + count <= doubles;
      } else {
        ok = false;
      }
      if (!ok) {
        throw invalidTag(
            TAG_GEO_KEY_DIRECTORY,
            "GeoKey "
                + key
                + " stored in tag "
                + location
                + " at "
                + offset
                + " with "
                + count
                + " values",
            "a key in the directory (1 value), in GeoDoubleParams (34736) or in GeoAsciiParams"
                + " (34737) within the tag's values");
      }
    }
  }

  /** Human name of a TIFF compression code, as gdalinfo prints it where it has one. */
  public static String compressionName(long code) {
    return switch ((int) code) {
      case 1 -> "NONE";
      case 2 -> "CCITT RLE";
      case 3 -> "CCITT FAX3";
      case 4 -> "CCITT FAX4";
      case 5 -> "LZW";
      case 6 -> "OJPEG";
      case 7 -> "JPEG";
      case 8, 32946 -> "DEFLATE";
      case 32773 -> "PACKBITS";
      case 34676, 34677 -> "SGILOG";
      case 34712 -> "JPEG2000";
      case 34887 -> "LERC";
      case 34925 -> "LZMA";
      case 50000 -> "ZSTD";
      case 50001 -> "WEBP";
      case 50002 -> "JXL";
      default -> "code " + code;
    };
  }

  /**
   * Byte ranges of the tiles or strips: {offset, length} pairs, as many as the shorter of the
   * offsets and byte counts tags (empty when they are missing).
   */
  public List<long[]> blockRanges() {
    long[] offsets = longs(has(TAG_TILE_OFFSETS) ? TAG_TILE_OFFSETS : TAG_STRIP_OFFSETS);
    long[] counts = longs(has(TAG_TILE_BYTE_COUNTS) ? TAG_TILE_BYTE_COUNTS : TAG_STRIP_BYTE_COUNTS);
    List<long[]> ranges = new ArrayList<>(offsets.length);
    for (int i = 0; i < Math.min(offsets.length, counts.length); i++) {
      ranges.add(new long[] {offsets[i], counts[i]});
    }
    return ranges;
  }
}

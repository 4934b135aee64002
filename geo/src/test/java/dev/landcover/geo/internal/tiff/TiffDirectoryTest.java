package dev.landcover.geo.internal.tiff;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.landcover.geo.GeoTiffException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link TiffDirectory} on headers and directories built byte by byte here, in both byte orders,
 * classic TIFF and BigTIFF.
 */
class TiffDirectoryTest {
  private static final int TYPE_UNKNOWN = 99;

  @TempDir Path dir;

  /** One directory entry to build: field type, value count and the value bytes. */
  private record Field(int tag, int type, long count, byte[] value) {}

  /**
   * A TIFF of one directory holding {@code fields} (in the given order): the header, the directory
   * right after it, then the values that do not fit inline, each at an even offset.
   */
  private static byte[] tiff(ByteOrder order, boolean big, List<Field> fields) {
    int header = big ? 16 : 8;
    int entrySize = big ? 20 : 12;
    int inline = big ? 8 : 4;
    int ifdSize = (big ? 8 : 2) + fields.size() * entrySize + inline;
    ByteBuffer b = ByteBuffer.allocate(1 << 16).order(order);
    b.put((byte) (order == ByteOrder.LITTLE_ENDIAN ? 'I' : 'M'));
    b.put((byte) (order == ByteOrder.LITTLE_ENDIAN ? 'I' : 'M'));
    if (big) {
      b.putShort((short) 43).putShort((short) 8).putShort((short) 0).putLong(header);
      b.putLong(fields.size());
    } else {
      b.putShort((short) 42).putInt(header);
      b.putShort((short) fields.size());
    }
    int values = header + ifdSize;
    for (Field f : fields) {
      b.putShort((short) f.tag()).putShort((short) f.type());
      if (big) {
        b.putLong(f.count());
      } else {
        b.putInt((int) f.count());
      }
      if (f.value().length <= inline) {
        b.put(Arrays.copyOf(f.value(), inline));
      } else {
        if (big) {
          b.putLong(values);
        } else {
          b.putInt(values);
        }
        b.put(values, f.value());
        values += f.value().length + (f.value().length & 1);
      }
    }
    if (big) {
      b.putLong(0);
    } else {
      b.putInt(0);
    }
    return Arrays.copyOf(b.array(), Math.max(values, b.position()));
  }

  private static Field shorts(ByteOrder order, int tag, int... v) {
    ByteBuffer b = ByteBuffer.allocate(2 * v.length).order(order);
    for (int x : v) {
      b.putShort((short) x);
    }
    return new Field(tag, TiffDirectory.TYPE_SHORT, v.length, b.array());
  }

  private static Field longs(ByteOrder order, int tag, long... v) {
    ByteBuffer b = ByteBuffer.allocate(4 * v.length).order(order);
    for (long x : v) {
      b.putInt((int) x);
    }
    return new Field(tag, TiffDirectory.TYPE_LONG, v.length, b.array());
  }

  private static Field long8s(ByteOrder order, int tag, long... v) {
    ByteBuffer b = ByteBuffer.allocate(8 * v.length).order(order);
    for (long x : v) {
      b.putLong(x);
    }
    return new Field(tag, TiffDirectory.TYPE_LONG8, v.length, b.array());
  }

  private static Field ascii(int tag, String text) {
    byte[] v = (text + "\0").getBytes(StandardCharsets.ISO_8859_1);
    return new Field(tag, TiffDirectory.TYPE_ASCII, v.length, v);
  }

  private Path write(String name, byte[] bytes) throws IOException {
    return Files.write(dir.resolve(name), bytes);
  }

  private static ByteOrder order(boolean bigEndian) {
    return bigEndian ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
  }

  @ParameterizedTest(name = "big-endian: {0}")
  @ValueSource(booleans = {false, true})
  void classicTiffGivesEveryEntryWithItsValuesInline(boolean bigEndian) throws IOException {
    ByteOrder o = order(bigEndian);
    List<Field> fields =
        List.of(
            shorts(o, TiffDirectory.TAG_IMAGE_WIDTH, 300),
            longs(o, TiffDirectory.TAG_IMAGE_LENGTH, 70000),
            shorts(o, TiffDirectory.TAG_BITS_PER_SAMPLE, 16, 16, 16),
            shorts(o, TiffDirectory.TAG_COMPRESSION, 8),
            shorts(o, TiffDirectory.TAG_SAMPLES_PER_PIXEL, 3),
            longs(o, TiffDirectory.TAG_TILE_OFFSETS, 4000, 9000),
            longs(o, TiffDirectory.TAG_TILE_BYTE_COUNTS, 5000, 3000),
            ascii(TiffDirectory.TAG_GDAL_NODATA, "-9999"),
            ascii(TiffDirectory.TAG_GEO_ASCII_PARAMS, "WGS"));
    byte[] bytes = tiff(o, false, fields);
    Path file = write("classic.tif", bytes);

    TiffDirectory d = TiffDirectory.read(file);

    assertEquals(file, d.file());
    assertEquals(bytes.length, d.fileSize());
    assertEquals(o, d.order());
    assertFalse(d.isBigTiff());
    assertEquals(8, d.ifdOffset());
    assertEquals(8 + 2 + 12 * fields.size(), d.nextIfdPointer());
    assertEquals(fields.stream().map(Field::tag).toList(), List.copyOf(d.entries().keySet()));
    assertEquals(300, d.first(TiffDirectory.TAG_IMAGE_WIDTH, 0));
    assertEquals(70000, d.first(TiffDirectory.TAG_IMAGE_LENGTH, 0));
    assertArrayEquals(new long[] {16, 16, 16}, d.longs(TiffDirectory.TAG_BITS_PER_SAMPLE));
    assertEquals("-9999", d.ascii(TiffDirectory.TAG_GDAL_NODATA));
    assertEquals("WGS", d.ascii(TiffDirectory.TAG_GEO_ASCII_PARAMS));
    List<long[]> blocks = d.blockRanges();
    assertEquals(2, blocks.size());
    assertArrayEquals(new long[] {4000, 5000}, blocks.get(0));
    assertArrayEquals(new long[] {9000, 3000}, blocks.get(1));

    TiffDirectory.Entry bits = d.entries().get(TiffDirectory.TAG_BITS_PER_SAMPLE);
    assertEquals(TiffDirectory.TYPE_SHORT, bits.type());
    assertEquals(3, bits.count());
    assertEquals(12, bits.raw().length);
    assertArrayEquals(
        fields.get(2).value(),
        Arrays.copyOfRange(bytes, (int) bits.valueOffset(), (int) bits.valueOffset() + 6),
        "an out-of-line value is where the entry points");
    TiffDirectory.Entry width = d.entries().get(TiffDirectory.TAG_IMAGE_WIDTH);
    assertEquals(8 + 2 + 8, width.valueOffset(), "an inline value is inside its entry");
  }

  @ParameterizedTest(name = "big-endian: {0}")
  @ValueSource(booleans = {false, true})
  void bigTiffGivesLong8ValuesAndEightByteInlineFields(boolean bigEndian) throws IOException {
    ByteOrder o = order(bigEndian);
    long beyond4Gb = 5_000_000_000L;
    List<Field> fields =
        List.of(
            longs(o, TiffDirectory.TAG_IMAGE_WIDTH, 100_000),
            longs(o, TiffDirectory.TAG_IMAGE_LENGTH, 90_000),
            shorts(o, TiffDirectory.TAG_BITS_PER_SAMPLE, 8, 8, 8, 8),
            shorts(o, TiffDirectory.TAG_SAMPLE_FORMAT, 1, 1, 1, 1, 1),
            long8s(o, TiffDirectory.TAG_TILE_OFFSETS, beyond4Gb),
            long8s(o, TiffDirectory.TAG_TILE_BYTE_COUNTS, 65536, 1),
            ascii(TiffDirectory.TAG_GDAL_NODATA, "nan"));
    Path file = write("big.tif", tiff(o, true, fields));

    TiffDirectory d = TiffDirectory.read(file);

    assertTrue(d.isBigTiff());
    assertEquals(o, d.order());
    assertEquals(16, d.ifdOffset());
    assertEquals(16 + 8 + 20 * fields.size(), d.nextIfdPointer());
    assertEquals(7, d.entries().size());
    assertEquals(100_000, d.first(TiffDirectory.TAG_IMAGE_WIDTH, 0));
    assertArrayEquals(new long[] {8, 8, 8, 8}, d.longs(TiffDirectory.TAG_BITS_PER_SAMPLE));
    assertArrayEquals(new long[] {1, 1, 1, 1, 1}, d.longs(TiffDirectory.TAG_SAMPLE_FORMAT));
    assertArrayEquals(new long[] {beyond4Gb}, d.longs(TiffDirectory.TAG_TILE_OFFSETS));
    assertEquals("nan", d.ascii(TiffDirectory.TAG_GDAL_NODATA));
    assertEquals(20, d.entries().get(TiffDirectory.TAG_IMAGE_WIDTH).raw().length);
    assertEquals(
        16 + 8 + 20 * 2 + 12,
        d.entries().get(TiffDirectory.TAG_BITS_PER_SAMPLE).valueOffset(),
        "8 bytes of values fit inline in BigTIFF");
    assertEquals(1, d.blockRanges().size(), "pairs: as many as the shorter of the two tags");
  }

  @Test
  void absentTagsGiveEmptyValuesAndEntriesOfUnknownTypesAreSkipped() throws IOException {
    ByteOrder o = ByteOrder.LITTLE_ENDIAN;
    Path file =
        write(
            "unknown.tif",
            tiff(
                o,
                false,
                List.of(
                    shorts(o, TiffDirectory.TAG_IMAGE_WIDTH, 1),
                    new Field(TiffDirectory.TAG_PREDICTOR, TYPE_UNKNOWN, 1, new byte[] {2, 0}))));

    TiffDirectory d = TiffDirectory.read(file);

    assertFalse(d.has(TiffDirectory.TAG_PREDICTOR));
    assertEquals(1, d.first(TiffDirectory.TAG_PREDICTOR, 1));
    assertArrayEquals(new long[0], d.longs(TiffDirectory.TAG_TILE_OFFSETS));
    assertNull(d.ascii(TiffDirectory.TAG_GDAL_NODATA));
    assertTrue(d.blockRanges().isEmpty());
  }

  private GeoTiffException refused(String name, byte[] bytes) throws IOException {
    Path file = write(name, bytes);
    GeoTiffException e = assertThrows(GeoTiffException.class, () -> TiffDirectory.read(file));
    assertEquals(file, e.file());
    assertTrue(e.getMessage().startsWith(file + ": "), e.getMessage());
    return e;
  }

  private static void assertContains(String expected, Exception e) {
    assertTrue(e.getMessage().contains(expected), e.getMessage());
  }

  @Test
  void aFileWithoutByteOrderMarkIsNotATiff() throws IOException {
    assertContains(
        "not a TIFF file: it does not start with the TIFF byte-order mark",
        refused("zip.tif", new byte[] {'P', 'K', 3, 4, 20, 0, 0, 0, 8, 0}));
    assertContains("not a TIFF file", refused("short.tif", new byte[] {'I', 'I', 42, 0}));
    assertContains("not a TIFF file", refused("empty.tif", new byte[0]));
  }

  @Test
  void aWrongVersionNumberIsRefused() throws IOException {
    assertContains(
        "version number 41 where 42 or 43 was expected",
        refused("v41.tif", new byte[] {'I', 'I', 41, 0, 8, 0, 0, 0}));
    assertContains(
        "version number 41 where 42 or 43 was expected",
        refused("v41be.tif", new byte[] {'M', 'M', 0, 41, 0, 0, 0, 8}));
  }

  @Test
  void aBigTiffHeaderWithAnotherOffsetSizeOrReservedValueIsRefusedAsGdalDoes() throws IOException {
    ByteOrder le = ByteOrder.LITTLE_ENDIAN;
    byte[] good = tiff(le, true, List.of(shorts(le, 256, 7)));
    TiffDirectory.read(write("good.tif", good)); // as built, it is read
    byte[] offsetSize = good.clone();
    offsetSize[4] = 4;
    assertContains(
        "its BigTIFF header has offset size 4 and reserved value 0 where 8 and 0 were expected",
        refused("offsets4.tif", offsetSize));
    byte[] reserved = good.clone();
    reserved[7] = 0x40;
    assertContains(
        "BigTIFF header has offset size 8 and reserved value 16384 where",
        refused("reserved.tif", reserved));
  }

  @Test
  void aDirectoryPastTheEndOfTheFileIsRefused() throws IOException {
    byte[] header =
        ByteBuffer.allocate(16)
            .order(ByteOrder.LITTLE_ENDIAN)
            .put(0, (byte) 'I')
            .put(1, (byte) 'I')
            .putShort(2, (short) 42)
            .putInt(4, 4096)
            .array();
    assertContains(
        "truncated or corrupt TIFF: its first image directory is at byte 4096 but the file has"
            + " only 16 bytes",
        refused("far.tif", header));
  }

  @Test
  void aTruncatedDirectoryIsRefused() throws IOException {
    ByteOrder o = ByteOrder.BIG_ENDIAN;
    List<Field> fields = new ArrayList<>();
    for (int tag = 256; tag < 266; tag++) {
      fields.add(shorts(o, tag, 1));
    }
    byte[] whole = tiff(o, false, fields);
    assertContains(
        "truncated or corrupt TIFF: its first image directory declares 10 entries but the file"
            + " has only 40 bytes",
        refused("cut.tif", Arrays.copyOf(whole, 40)));
    byte[] bigWhole = tiff(o, true, fields);
    assertContains(
        "its first image directory declares 10 entries but the file has only 100 bytes",
        refused("cut-big.tif", Arrays.copyOf(bigWhole, 100)));
  }

  @Test
  void valuesPastTheEndOfTheFileAreRefused() throws IOException {
    ByteOrder o = ByteOrder.LITTLE_ENDIAN;
    byte[] bytes =
        tiff(
            o,
            false,
            List.of(
                shorts(o, TiffDirectory.TAG_IMAGE_WIDTH, 1),
                shorts(o, TiffDirectory.TAG_BITS_PER_SAMPLE, 8, 8, 8, 8, 8)));
    // the BitsPerSample entry is the second: point its value offset far past the end
    ByteBuffer.wrap(bytes).order(o).putInt(8 + 2 + 12 + 8, 10_000);
    assertContains(
        "truncated or corrupt TIFF: the values of tag 258 are at bytes 10000+10 but the file has"
            + " only "
            + bytes.length
            + " bytes",
        refused("values.tif", bytes));
  }
}

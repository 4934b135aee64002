package dev.landcover.geo.internal.tiff;

import dev.landcover.geo.GeoTiffException;
import dev.landcover.geo.OverviewResampling;
import dev.landcover.geo.SampleType;
import dev.landcover.pixels.PixelWindow;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.IntStream;

/**
 * Turns a tiled TIFF (as {@link dev.landcover.geo.GeoTiffWriter} writes it) into a Cloud-Optimized
 * GeoTIFF with the layout of GDAL's COG driver: header, GDAL's "ghost" structural metadata ({@code
 * LAYOUT=IFDS_BEFORE_DATA}, {@code BLOCK_ORDER=ROW_MAJOR}, each tile preceded by its size as a
 * 4-byte little-endian integer and followed by a copy of its last 4 bytes), the full-resolution
 * directory then the overview directories (largest first), then the tile data of the smallest
 * overview first and of the full resolution last, each level's tiles row by row.
 *
 * <p>The full-resolution directory keeps every entry of the source (GeoKeys, nodata, metadata,
 * colour table) byte for byte; only the tile offsets change, and its tiles are copied without
 * re-encoding. Overviews halve each level until it fits one tile; each level is computed from the
 * level above ({@link OverviewResampling}), one source row at a time: memory holds one tile row of
 * the full resolution (decoded) and one tile row per overview level, whatever the image size.
 * Encoded overview tiles wait in temporary files beside the target until the directories are
 * written.
 */
public final class CloudOptimizedTiff {
  private static final int TAG_NEW_SUBFILE_TYPE = 254;
  private static final int TAG_COLOR_MAP = 320;
  private static final int TAG_EXTRA_SAMPLES = 338;
  private static final int TAG_ROWS_PER_STRIP = 278;
  private static final int[] OVERVIEW_TAGS = {
    TiffDirectory.TAG_BITS_PER_SAMPLE,
    TiffDirectory.TAG_COMPRESSION,
    TiffDirectory.TAG_PHOTOMETRIC,
    TiffDirectory.TAG_SAMPLES_PER_PIXEL,
    TiffDirectory.TAG_PLANAR_CONFIGURATION,
    TiffDirectory.TAG_PREDICTOR,
    TAG_COLOR_MAP,
    TiffDirectory.TAG_TILE_WIDTH,
    TiffDirectory.TAG_TILE_LENGTH,
    TAG_EXTRA_SAMPLES,
    TiffDirectory.TAG_SAMPLE_FORMAT,
    TiffDirectory.TAG_GDAL_NODATA
  };

  private CloudOptimizedTiff() {}

  /**
   * Writes {@code target}, the Cloud-Optimized form of {@code source}.
   *
   * @param source an uncompressed or Deflate TIFF (horizontal predictor for integers only), tiled,
   *     or in strips (then cut into tiles of {@code tileSize})
   * @param target the file to write (created or replaced); on failure its content is undefined
   * @param type the sample type of {@code source}
   * @param resampling how overview pixels are computed
   * @param noData the nodata value left out of overviews (NaN for NaN), or null for none
   * @param deflateLevel the Deflate level of overview tiles, when the source is compressed
   * @param tileSize tile width and height where the source has strips
   */
  public static void write(
      Path source,
      Path target,
      SampleType type,
      OverviewResampling resampling,
      Double noData,
      int deflateLevel,
      int tileSize)
      throws IOException {
    TiffDirectory dir = TiffDirectory.read(source);
    Geometry g = new Geometry(dir, type, tileSize);
    List<Level> levels = new ArrayList<>();
    Level retiled = null;
    Path folder = target.toAbsolutePath().getParent();
    String name = "." + target.getFileName() + ".level";
    try {
      if (!g.tiled) {
        // Apache SIS writes strips where the image is narrower than a tile: they are cut into
        // tiles here, as a COG reader expects tiles at every level.
        Path spill = Files.createTempFile(folder, name + "0", ".tmp");
        retiled =
            new Level(g, g.width, g.height, g.width, g.height, null, noData, deflateLevel, spill);
      }
      int w = g.width;
      int h = g.height;
      for (int k = 1; w > g.tileWidth || h > g.tileHeight; k++) {
        int ow = (g.width + (1 << k) - 1) >> k;
        int oh = (g.height + (1 << k) - 1) >> k;
        Path spill = Files.createTempFile(folder, name + k, ".tmp");
        levels.add(new Level(g, w, h, ow, oh, resampling, noData, deflateLevel, spill));
        w = ow;
        h = oh;
      }
      List<Level> chain = new ArrayList<>(levels);
      if (retiled != null) {
        chain.add(0, retiled);
      }
      try (FileChannel in = FileChannel.open(source, StandardOpenOption.READ)) {
        if (!chain.isEmpty()) {
          computeLevels(dir, g, in, chain);
        }
        assemble(dir, g, in, retiled, levels, target);
      }
    } finally {
      if (retiled != null) {
        levels.add(retiled);
      }
      for (Level level : levels) {
        level.close();
        Files.deleteIfExists(level.spill);
      }
    }
  }

  /**
   * Feeds the full resolution, one block row at a time, into the first level of the chain. The
   * decoded blocks of each row are dropped from the process's block cache once copied, and the rest
   * when done: the file is temporary, and its blocks would otherwise stay cached (up to the cache's
   * budget) after it is gone, scene after scene of a batch.
   */
  private static void computeLevels(
      TiffDirectory dir, Geometry g, FileChannel in, List<Level> levels) throws IOException {
    for (int i = 0; i + 1 < levels.size(); i++) {
      levels.get(i).next = levels.get(i + 1);
    }
    BlockDecoder decoder = BlockDecoder.open(dir, in);
    try {
      feedLevels(decoder, g, levels.get(0));
    } finally {
      decoder.close();
    }
    for (Level level : levels) {
      level.finish();
    }
  }

  private static void feedLevels(BlockDecoder decoder, Geometry g, Level first) throws IOException {
    int[] bands = new int[g.samples];
    for (int b = 0; b < bands.length; b++) {
      bands[b] = b + 1;
    }
    for (int y0 = 0; y0 < g.height; y0 += g.tileHeight) {
      int rows = Math.min(g.tileHeight, g.height - y0);
      PixelWindow strip = new PixelWindow(0, y0, g.width, rows);
      Object[] banks = new Object[g.samples];
      for (int b = 0; b < banks.length; b++) {
        banks[b] = Samples.storage(g.type, g.width * rows);
      }
      decoder.copy(strip, strip, bands, banks, 0);
      decoder.releaseRowsAbove(y0 + rows);
      for (int r = 0; r < rows; r++) {
        double[] row = new double[g.width * g.samples];
        for (int b = 0; b < g.samples; b++) {
          Samples.toDoubles(g.type, banks[b], r * g.width, row, b, g.samples, g.width);
        }
        first.accept(row);
      }
    }
  }

  /** Writes header, ghost header, directories and tiles in COG order. */
  private static void assemble(
      TiffDirectory dir, Geometry g, FileChannel in, Level retiled, List<Level> levels, Path target)
      throws IOException {
    long[] sourceOffsets =
        retiled != null ? retiled.spillOffsets : dir.longs(TiffDirectory.TAG_TILE_OFFSETS);
    long[] sourceCounts =
        retiled != null ? retiled.counts : dir.longs(TiffDirectory.TAG_TILE_BYTE_COUNTS);
    if (sourceOffsets.length != g.tiles(g.width, g.height)
        || sourceCounts.length != sourceOffsets.length) {
      throw new GeoTiffException(
          dir.file(),
          sourceOffsets.length + " tile offsets where " + g.tiles(g.width, g.height) + " expected",
          null);
    }
    long dataBytes = 0;
    for (long c : sourceCounts) {
      dataBytes += c + 8;
    }
    for (Level level : levels) {
      for (long c : level.counts) {
        dataBytes += c + 8;
      }
    }
    byte[] ghost = ghostHeader();
    boolean big = dir.isBigTiff();
    Layout layout = Layout.of(dir, g, levels, ghost, big);
    if (!big && layout.dataStart + dataBytes > 0xFFFF_FFFFL) {
      big = true;
      layout = Layout.of(dir, g, levels, ghost, true);
    }
    // Tile offsets: smallest overview first, full resolution last.
    long position = layout.dataStart;
    List<long[]> offsets = new ArrayList<>();
    for (int i = levels.size() - 1; i >= 0; i--) {
      long[] counts = levels.get(i).counts;
      long[] o = new long[counts.length];
      for (int t = 0; t < counts.length; t++) {
        o[t] = counts[t] == 0 ? 0 : position + 4;
        position += counts[t] == 0 ? 0 : counts[t] + 8;
      }
      offsets.add(0, o);
    }
    long[] mainOffsets = new long[sourceCounts.length];
    for (int t = 0; t < sourceCounts.length; t++) {
      mainOffsets[t] = sourceCounts[t] == 0 ? 0 : position + 4;
      position += sourceCounts[t] == 0 ? 0 : sourceCounts[t] + 8;
    }
    offsets.add(0, mainOffsets);
    List<long[]> counts = new ArrayList<>();
    counts.add(sourceCounts);
    for (Level level : levels) {
      counts.add(level.counts);
    }
    ByteOrder order = dir.order();
    try (OutputStream out =
        new BufferedOutputStream(
            Files.newOutputStream(
                target,
                StandardOpenOption.CREATE,
                StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.WRITE),
            1 << 16)) {
      byte[] header = Layout.header(order, big, layout.ifdStart.get(0));
      out.write(header);
      out.write(ghost);
      long written = header.length + ghost.length;
      for (int i = 0; i < layout.directories.size(); i++) {
        Map<Integer, Field> fields = layout.directories.get(i);
        fields.put(
            TiffDirectory.TAG_TILE_OFFSETS,
            Field.longs(TiffDirectory.TAG_TILE_OFFSETS, offsets.get(i), big, order));
        fields.put(
            TiffDirectory.TAG_TILE_BYTE_COUNTS,
            Field.longs(TiffDirectory.TAG_TILE_BYTE_COUNTS, counts.get(i), big, order));
        long start = layout.ifdStart.get(i);
        out.write(new byte[(int) (start - written)]);
        long next = i + 1 < layout.directories.size() ? layout.ifdStart.get(i + 1) : 0;
        byte[] ifd = Layout.encode(fields, start, next, big, order);
        out.write(ifd);
        written = start + ifd.length;
      }
      out.write(new byte[(int) (layout.dataStart - written)]);
      for (int i = levels.size() - 1; i >= 0; i--) {
        Level level = levels.get(i);
        level.close();
        try (FileChannel spill = FileChannel.open(level.spill, StandardOpenOption.READ)) {
          for (int t = 0; t < level.counts.length; t++) {
            copyTile(spill, level.spillOffsets[t], level.counts[t], out);
          }
        }
      }
      if (retiled != null) {
        retiled.close();
        try (FileChannel spill = FileChannel.open(retiled.spill, StandardOpenOption.READ)) {
          for (int t = 0; t < sourceCounts.length; t++) {
            copyTile(spill, sourceOffsets[t], sourceCounts[t], out);
          }
        }
      } else {
        for (int t = 0; t < sourceCounts.length; t++) {
          copyTile(in, sourceOffsets[t], sourceCounts[t], out);
        }
      }
    }
  }

  /** One tile: its size (4 bytes, little-endian), its bytes, its last 4 bytes again. */
  private static void copyTile(FileChannel from, long offset, long count, OutputStream out)
      throws IOException {
    if (count == 0) {
      return;
    }
    if (count > Integer.MAX_VALUE - 8) {
      throw new IOException("tile of " + count + " bytes");
    }
    ByteBuffer b = ByteBuffer.allocate((int) count + 8).order(ByteOrder.LITTLE_ENDIAN);
    b.putInt(0, (int) count);
    b.position(4).limit(4 + (int) count);
    while (b.hasRemaining()) {
      if (from.read(b, offset + b.position() - 4) < 0) {
        throw new IOException("unexpected end of file reading a tile at byte " + offset);
      }
    }
    byte[] a = b.array();
    System.arraycopy(a, 4 + (int) count - Math.min(4, (int) count), a, 4 + (int) count, 4);
    out.write(a);
  }

  /**
   * GDAL's structural metadata, read by GDAL and by the COG validator: IFDs come before the data,
   * tiles are in row order, each with a size leader and a trailer.
   */
  private static byte[] ghostHeader() {
    String body =
        "LAYOUT=IFDS_BEFORE_DATA\n"
            + "BLOCK_ORDER=ROW_MAJOR\n"
            + "BLOCK_LEADER=SIZE_AS_UINT4\n"
            + "BLOCK_TRAILER=LAST_4_BYTES_REPEATED\n"
            + "KNOWN_INCOMPATIBLE_EDITION=NO\n ";
    String text = String.format("GDAL_STRUCTURAL_METADATA_SIZE=%06d bytes\n", body.length()) + body;
    byte[] bytes = text.getBytes(StandardCharsets.US_ASCII);
    // The first IFD starts on a word boundary.
    return bytes.length % 2 == 0 ? bytes : java.util.Arrays.copyOf(bytes, bytes.length + 1);
  }

  /** Size, tiling and sample layout of the source. */
  static final class Geometry {
    final SampleType type;
    final boolean tiled;
    final int width;
    final int height;
    final int tileWidth;
    final int tileHeight;
    final int samples;
    final boolean planar;
    final boolean deflate;
    final int compression;
    final boolean predictor;
    final ByteOrder order;

    Geometry(TiffDirectory dir, SampleType type, int tileSize) {
      this.type = type;
      width = (int) dir.first(TiffDirectory.TAG_IMAGE_WIDTH, 0);
      height = (int) dir.first(TiffDirectory.TAG_IMAGE_LENGTH, 0);
      tiled = dir.has(TiffDirectory.TAG_TILE_WIDTH) && dir.has(TiffDirectory.TAG_TILE_LENGTH);
      tileWidth = tiled ? (int) dir.first(TiffDirectory.TAG_TILE_WIDTH, 0) : tileSize;
      tileHeight = tiled ? (int) dir.first(TiffDirectory.TAG_TILE_LENGTH, 0) : tileSize;
      samples = (int) dir.first(TiffDirectory.TAG_SAMPLES_PER_PIXEL, 1);
      planar = dir.first(TiffDirectory.TAG_PLANAR_CONFIGURATION, 1) == 2 && samples > 1;
      compression = (int) dir.first(TiffDirectory.TAG_COMPRESSION, 1);
      deflate = compression != 1;
      predictor = dir.first(TiffDirectory.TAG_PREDICTOR, 1) == 2;
      order = dir.order();
    }

    int tiles(int w, int h) {
      int n = ((w + tileWidth - 1) / tileWidth) * ((h + tileHeight - 1) / tileHeight);
      return planar ? n * samples : n;
    }
  }

  /** One TIFF field, its value bytes in the file's byte order. */
  record Field(int tag, int type, long count, byte[] value) {
    static Field longs(int tag, long[] values, boolean big, ByteOrder order) {
      ByteBuffer b = ByteBuffer.allocate(values.length * (big ? 8 : 4)).order(order);
      for (long v : values) {
        if (big) {
          b.putLong(v);
        } else {
          b.putInt((int) v);
        }
      }
      return new Field(
          tag, big ? TiffDirectory.TYPE_LONG8 : TiffDirectory.TYPE_LONG, values.length, b.array());
    }

    static Field longValue(int tag, long value, ByteOrder order) {
      ByteBuffer b = ByteBuffer.allocate(4).order(order).putInt((int) value);
      return new Field(tag, TiffDirectory.TYPE_LONG, 1, b.array());
    }
  }

  /** Where the directories go, and their fields (offsets filled in once the data is placed). */
  record Layout(List<Map<Integer, Field>> directories, List<Long> ifdStart, long dataStart) {
    static Layout of(TiffDirectory dir, Geometry g, List<Level> levels, byte[] ghost, boolean big) {
      ByteOrder order = g.order;
      List<Map<Integer, Field>> directories = new ArrayList<>();
      Map<Integer, Field> main = new TreeMap<>();
      for (TiffDirectory.Entry e : dir.entries().values()) {
        main.put(e.tag(), new Field(e.tag(), e.type(), e.count(), e.value()));
      }
      if (!g.tiled) {
        main.remove(TiffDirectory.TAG_STRIP_OFFSETS);
        main.remove(TiffDirectory.TAG_STRIP_BYTE_COUNTS);
        main.remove(TAG_ROWS_PER_STRIP);
        main.put(
            TiffDirectory.TAG_TILE_WIDTH,
            Field.longValue(TiffDirectory.TAG_TILE_WIDTH, g.tileWidth, order));
        main.put(
            TiffDirectory.TAG_TILE_LENGTH,
            Field.longValue(TiffDirectory.TAG_TILE_LENGTH, g.tileHeight, order));
      }
      placeholders(main, g.tiles(g.width, g.height), big, order);
      directories.add(main);
      for (Level level : levels) {
        Map<Integer, Field> o = new TreeMap<>();
        o.put(TAG_NEW_SUBFILE_TYPE, Field.longValue(TAG_NEW_SUBFILE_TYPE, 1, order));
        o.put(
            TiffDirectory.TAG_IMAGE_WIDTH,
            Field.longValue(TiffDirectory.TAG_IMAGE_WIDTH, level.width, order));
        o.put(
            TiffDirectory.TAG_IMAGE_LENGTH,
            Field.longValue(TiffDirectory.TAG_IMAGE_LENGTH, level.height, order));
        for (int tag : OVERVIEW_TAGS) {
          Field f = main.get(tag);
          if (f != null) {
            o.put(tag, f);
          }
        }
        placeholders(o, level.counts.length, big, order);
        directories.add(o);
      }
      List<Long> starts = new ArrayList<>();
      long position = (big ? 16 : 8) + ghost.length;
      for (Map<Integer, Field> d : directories) {
        position += position & 1;
        starts.add(position);
        position += encode(d, position, 0, big, order).length;
      }
      return new Layout(directories, starts, position + (position & 1));
    }

    /** Tile offsets and byte counts of the right size, filled in once the data is placed. */
    static void placeholders(Map<Integer, Field> fields, int tiles, boolean big, ByteOrder order) {
      for (int tag :
          new int[] {TiffDirectory.TAG_TILE_OFFSETS, TiffDirectory.TAG_TILE_BYTE_COUNTS}) {
        fields.put(tag, Field.longs(tag, new long[tiles], big, order));
      }
    }

    /** The file header: byte order, TIFF (42) or BigTIFF (43), the first directory's offset. */
    static byte[] header(ByteOrder order, boolean big, long firstIfd) {
      ByteBuffer b = ByteBuffer.allocate(big ? 16 : 8).order(order);
      byte mark = (byte) (order == ByteOrder.LITTLE_ENDIAN ? 'I' : 'M');
      b.put(mark).put(mark);
      if (big) {
        b.putShort((short) 43).putShort((short) 8).putShort((short) 0).putLong(firstIfd);
      } else {
        b.putShort((short) 42).putInt((int) firstIfd);
      }
      return b.array();
    }

    /** The directory's bytes at {@code start}: entries, next pointer, then out-of-line values. */
    static byte[] encode(
        Map<Integer, Field> fields, long start, long next, boolean big, ByteOrder order) {
      int entrySize = big ? 20 : 12;
      int inline = big ? 8 : 4;
      int head = (big ? 8 : 2) + fields.size() * entrySize + inline;
      int extra = 0;
      for (Field f : fields.values()) {
        if (f.value().length > inline) {
          extra += f.value().length + (f.value().length & 1);
        }
      }
      ByteBuffer b = ByteBuffer.allocate(head + extra).order(order);
      if (big) {
        b.putLong(fields.size());
      } else {
        b.putShort((short) fields.size());
      }
      int valueAt = head;
      for (Field f : fields.values()) {
        b.putShort((short) f.tag()).putShort((short) f.type());
        if (big) {
          b.putLong(f.count());
        } else {
          b.putInt((int) f.count());
        }
        byte[] v = f.value();
        if (v.length <= inline) {
          b.put(v);
          b.position(b.position() + inline - v.length);
        } else {
          if (big) {
            b.putLong(start + valueAt);
          } else {
            b.putInt((int) (start + valueAt));
          }
          b.put(valueAt, v);
          valueAt += v.length + (v.length & 1);
        }
      }
      if (big) {
        b.putLong(next);
      } else {
        b.putInt((int) next);
      }
      return b.array();
    }
  }

  /**
   * One overview level: takes the rows of the level above in order, emits its own rows as soon as
   * their source rows are in, and encodes them a tile row at a time into its spill file.
   */
  private static final class Level implements AutoCloseable {
    final Geometry g;
    final int sourceWidth;
    final int sourceHeight;
    final int width;
    final int height;
    final OverviewResampling resampling;
    final Double noData;
    final boolean hasNoData;
    final boolean noDataIsNaN;
    final double noDataValue;
    final Path spill;
    final long[] counts;
    final long[] spillOffsets;
    long spilled;
    final double ratioX;
    final double ratioY;
    final int[] x0;
    final int[] x1;
    final double[] leftWeight;
    final double[] rightWeight;
    final List<double[]> window = new ArrayList<>();
    double[] modeValues = new double[16];
    int[] modeSums = new int[16];
    final int deflateLevel;
    final OutputStream spillOut;
    final ByteBuffer tileRow;
    final int bytesPerSample;
    int windowStart;
    int received;
    int produced;
    int tileRowRows;
    int tileRowIndex;
    Level next;

    Level(
        Geometry g,
        int sourceWidth,
        int sourceHeight,
        int width,
        int height,
        OverviewResampling resampling,
        Double noData,
        int deflateLevel,
        Path spill)
        throws IOException {
      this.g = g;
      this.sourceWidth = sourceWidth;
      this.sourceHeight = sourceHeight;
      this.width = width;
      this.height = height;
      this.resampling = resampling;
      this.noData = noData;
      this.hasNoData = noData != null;
      this.noDataIsNaN = hasNoData && Double.isNaN(noData);
      this.noDataValue = hasNoData ? noData : 0;
      this.spill = spill;
      this.counts = new long[g.tiles(width, height)];
      this.spillOffsets = new long[counts.length];
      this.ratioX = (double) sourceWidth / width;
      this.ratioY = (double) sourceHeight / height;
      x0 = new int[width];
      x1 = new int[width];
      leftWeight = new double[width];
      rightWeight = new double[width];
      for (int i = 0; i < width; i++) {
        double from = i * ratioX;
        double to = (i + 1) * ratioX;
        int a = (int) (from + 1e-8);
        int b = (int) Math.ceil(to - 1e-8);
        if (b == a) {
          b++;
        }
        b = Math.min(b, sourceWidth);
        x0[i] = a;
        x1[i] = b;
        leftWeight[i] = b == a + 1 ? 1.0 : 1 - (from - a);
        rightWeight[i] = 1 - (b - to);
      }
      this.deflateLevel = deflateLevel;
      this.spillOut = new BufferedOutputStream(Files.newOutputStream(spill), 1 << 16);
      this.bytesPerSample = g.type.bits() / 8;
      this.tileRow =
          ByteBuffer.allocate(g.tileHeight * width * g.samples * bytesPerSample).order(g.order);
    }

    /** Takes the next row of the level above (pixel-interleaved samples). */
    void accept(double[] row) throws IOException {
      window.add(row);
      received++;
      while (produced < height) {
        double from = produced * ratioY;
        double to = (produced + 1) * ratioY;
        int a = (int) (from + 1e-8);
        int b = (int) Math.ceil(to - 1e-8);
        if (b == a) {
          b++;
        }
        b = Math.min(b, sourceHeight);
        if (received < b) {
          return;
        }
        double bottomWeight = a + 1 == b ? 1.0 : 1.0 - (from - a);
        double topWeight = 1.0 - (b - to);
        double[] out = new double[width * g.samples];
        if (resampling == null) {
          System.arraycopy(window.get(a - windowStart), 0, out, 0, out.length);
        }
        if (resampling == OverviewResampling.NEAREST) {
          double[] source = window.get(nearest(produced, ratioY, sourceHeight) - windowStart);
          for (int x = 0; x < width; x++) {
            int at = nearest(x, ratioX, sourceWidth) * g.samples;
            System.arraycopy(source, at, out, x * g.samples, g.samples);
          }
        }
        for (int x = 0;
            resampling != null && resampling != OverviewResampling.NEAREST && x < width;
            x++) {
          for (int s = 0; s < g.samples; s++) {
            out[x * g.samples + s] =
                resampling == OverviewResampling.MODE
                    ? mode(a, b, x, s)
                    : average(a, b, x, s, bottomWeight, topWeight);
          }
        }
        produced++;
        emit(out);
        // Drop the source rows that no later output row needs.
        if (produced < height) {
          int nextStart = (int) (produced * ratioY + 1e-8);
          while (windowStart < nextStart && !window.isEmpty()) {
            window.remove(0);
            windowStart++;
          }
        }
      }
    }

    /**
     * GDAL's nearest source pixel of overview pixel {@code i}: {@code (int) (0.5 + i * ratio)} in
     * the level above, clamped to its size (the top left one of each 2 x 2 when sizes are even).
     */
    private static int nearest(int i, double ratio, int sourceSize) {
      return Math.min(sourceSize - 1, (int) (0.5 + i * ratio));
    }

    private boolean isNoData(double v) {
      return hasNoData && (noDataIsNaN ? Double.isNaN(v) : v == noDataValue);
    }

    /** GDAL's mode: the value whose count first passes the highest count so far. */
    private double mode(int a, int b, int x, int s) {
      int size = (b - a) * (x1[x] - x0[x]);
      if (modeValues.length < size) {
        modeValues = new double[size];
        modeSums = new int[size];
      }
      double[] values = modeValues;
      int[] sums = modeSums;
      int distinct = 0;
      int best = -1;
      for (int y = a; y < b; y++) {
        double[] row = window.get(y - windowStart);
        for (int i = x0[x]; i < x1[x]; i++) {
          double v = row[i * g.samples + s];
          if (isNoData(v)) {
            continue;
          }
          int k = 0;
          while (k < distinct && values[k] != v) {
            k++;
          }
          if (k == distinct) {
            values[distinct] = v;
            sums[distinct++] = 1;
            if (best < 0) {
              best = k;
            }
          } else if (++sums[k] > sums[best]) {
            best = k;
          }
        }
      }
      return best < 0 ? noDataOrZero() : values[best];
    }

    /** GDAL's weighted average, summed line by line in the same order. */
    private double average(int a, int b, int x, int s, double bottomWeight, double topWeight) {
      double total = 0;
      double totalWeight = 0;
      int count = 0;
      int left = x0[x];
      int right = x1[x];
      for (int y = a; y < b; y++) {
        double[] row = window.get(y - windowStart);
        double line = 0;
        double lineWeight = 0;
        double v = row[left * g.samples + s];
        if (!isNoData(v)) {
          count++;
          lineWeight = leftWeight[x];
          line = v * leftWeight[x];
        }
        if (left + 1 < right) {
          for (int i = left + 1; i + 1 < right; i++) {
            v = row[i * g.samples + s];
            if (!isNoData(v)) {
              count++;
              lineWeight += 1;
              line += v;
            }
          }
          v = row[(right - 1) * g.samples + s];
          if (!isNoData(v)) {
            count++;
            lineWeight += rightWeight[x];
            line += v * rightWeight[x];
          }
        }
        double weightY = y == a ? bottomWeight : y + 1 == b ? topWeight : 1.0;
        total += line * weightY;
        totalWeight += lineWeight * weightY;
      }
      if (count == 0) {
        return noDataOrZero();
      }
      double mean = total / totalWeight;
      if (g.type.isFloatingPoint()) {
        double value = g.type == SampleType.FLOAT32 ? (float) mean : mean;
        return isNoData(value) ? replacement() : value;
      }
      double value = (long) (mean + 0.5);
      return isNoData(value) ? replacement() : value;
    }

    private double noDataOrZero() {
      return noData == null ? 0 : noData;
    }

    /** GDAL's stand-in when an average lands on the nodata value. */
    private double replacement() {
      double nd = noData;
      if (g.type.isFloatingPoint()) {
        return g.type == SampleType.FLOAT32
            ? Math.nextAfter((float) nd, Double.NEGATIVE_INFINITY)
            : Math.nextAfter(nd, Double.NEGATIVE_INFINITY);
      }
      double max = g.type == SampleType.UINT8 ? 255 : g.type == SampleType.UINT16 ? 65535 : 0;
      return nd == max ? nd - 1 : nd + 1;
    }

    private void emit(double[] row) throws IOException {
      int base = tileRowRows * width * g.samples;
      for (int i = 0; i < row.length; i++) {
        Samples.put(g.type, tileRow, (base + i) * bytesPerSample, row[i]);
      }
      tileRowRows++;
      if (tileRowRows == g.tileHeight || produced == height) {
        encodeTileRow();
      }
      if (next != null) {
        next.accept(row);
      }
    }

    /** Cuts the buffered rows into tiles, encodes them and appends them to the spill file. */
    private void encodeTileRow() throws IOException {
      int across = (width + g.tileWidth - 1) / g.tileWidth;
      int down = (height + g.tileHeight - 1) / g.tileHeight;
      int planes = g.planar ? g.samples : 1;
      int perPixel = g.planar ? 1 : g.samples;
      byte[] rowBytes = tileRow.array();
      // Tiles are cut and Deflated in parallel (Deflate is most of the time), written in order.
      byte[][] encoded =
          IntStream.range(0, planes * across)
              .parallel()
              .mapToObj(
                  i -> {
                    int plane = i / across;
                    int tx = i % across;
                    byte[] tile = new byte[g.tileWidth * g.tileHeight * perPixel * bytesPerSample];
                    int cols = Math.min(g.tileWidth, width - tx * g.tileWidth);
                    for (int r = 0; r < tileRowRows; r++) {
                      for (int c = 0; c < cols; c++) {
                        int x = tx * g.tileWidth + c;
                        for (int s = 0; s < perPixel; s++) {
                          int sample = g.planar ? plane : s;
                          int from = ((r * width + x) * g.samples + sample) * bytesPerSample;
                          int to = ((r * g.tileWidth + c) * perPixel + s) * bytesPerSample;
                          System.arraycopy(rowBytes, from, tile, to, bytesPerSample);
                        }
                      }
                    }
                    if (g.predictor) {
                      Samples.differences(
                          tile, g.tileWidth, g.tileHeight, perPixel, bytesPerSample, g.order);
                    }
                    return g.deflate ? NativeDeflate.deflate(tile, deflateLevel, false) : tile;
                  })
              .toArray(byte[][]::new);
      for (int i = 0; i < encoded.length; i++) {
        spillOut.write(encoded[i]);
        int index = (i / across) * across * down + tileRowIndex * across + i % across;
        counts[index] = encoded[i].length;
        spillOffsets[index] = spilled;
        spilled += encoded[i].length;
      }
      tileRowIndex++;
      tileRowRows = 0;
    }

    void finish() throws IOException {
      if (produced != height) {
        throw new IOException(
            "overview of " + width + "x" + height + " got " + produced + " rows: source ended");
      }
      spillOut.flush();
    }

    @Override
    public void close() throws IOException {
      spillOut.close();
    }
  }

  /** Conversions between sample storage, doubles and file bytes. */
  static final class Samples {
    private Samples() {}

    static Object storage(SampleType type, int n) {
      return switch (type) {
        case UINT8 -> new byte[n];
        case UINT16, INT16 -> new short[n];
        case UINT32, INT32 -> new int[n];
        case FLOAT32 -> new float[n];
        case FLOAT64 -> new double[n];
      };
    }

    /** Copies {@code n} samples from {@code bank[from...]} to {@code row[at + k * stride]}. */
    static void toDoubles(
        SampleType type, Object bank, int from, double[] row, int at, int stride, int n) {
      for (int k = 0; k < n; k++) {
        int i = from + k;
        row[at + k * stride] =
            switch (type) {
              case UINT8 -> ((byte[]) bank)[i] & 0xFF;
              case UINT16 -> ((short[]) bank)[i] & 0xFFFF;
              case INT16 -> ((short[]) bank)[i];
              case UINT32 -> ((int[]) bank)[i] & 0xFFFFFFFFL;
              case INT32 -> ((int[]) bank)[i];
              case FLOAT32 -> ((float[]) bank)[i];
              case FLOAT64 -> ((double[]) bank)[i];
            };
      }
    }

    static void put(SampleType type, ByteBuffer b, int at, double v) {
      switch (type) {
        case UINT8 -> b.put(at, (byte) (long) v);
        case UINT16, INT16 -> b.putShort(at, (short) (long) v);
        case UINT32, INT32 -> b.putInt(at, (int) (long) v);
        case FLOAT32 -> b.putFloat(at, (float) v);
        case FLOAT64 -> b.putDouble(at, v);
      }
    }

    /** TIFF's horizontal predictor: each sample minus the same sample of the previous pixel. */
    static void differences(
        byte[] tile, int width, int height, int stride, int bytes, ByteOrder order) {
      ByteBuffer b = ByteBuffer.wrap(tile).order(order);
      int rowSamples = width * stride;
      for (int r = 0; r < height; r++) {
        int row = r * rowSamples;
        for (int i = rowSamples - 1; i >= stride; i--) {
          int at = (row + i) * bytes;
          int before = (row + i - stride) * bytes;
          switch (bytes) {
            case 1 -> tile[at] = (byte) (tile[at] - tile[before]);
            case 2 -> b.putShort(at, (short) (b.getShort(at) - b.getShort(before)));
            case 4 -> b.putInt(at, b.getInt(at) - b.getInt(before));
            default -> b.putLong(at, b.getLong(at) - b.getLong(before));
          }
        }
      }
    }
  }
}

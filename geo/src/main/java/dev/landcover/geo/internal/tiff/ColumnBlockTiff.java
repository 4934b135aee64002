package dev.landcover.geo.internal.tiff;

import dev.landcover.geo.GeoTiffException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Joins tiled TIFFs that are column blocks of one image, side by side, into one tiled TIFF: the
 * image a writer would have produced had it been given the whole width at once.
 *
 * <p>The blocks are files of the same height, tile size, samples, sample layout and compression;
 * every block but the last is a whole number of tiles wide, so each block's tiles are tiles of the
 * joined image. The joined file takes every entry of the first block's directory (GeoKeys, tie
 * point and pixel size, colour table, tags: the first block begins at the image's origin), with the
 * width of all blocks together and new tile offsets; tiles are copied without re-encoding, row by
 * row of the joined image (each sample's plane in turn for planar files), then the directory
 * follows them. The result is BigTIFF when the first block is, or when the joined file passes 4 GB.
 */
public final class ColumnBlockTiff {
  private ColumnBlockTiff() {}

  /**
   * Writes {@code target}, the blocks joined left to right.
   *
   * @param blocks tiled TIFFs, left to right
   * @param target the file to write (created or replaced); on failure its content is undefined
   * @throws GeoTiffException when the blocks do not fit together
   */
  public static void join(List<Path> blocks, Path target) throws IOException {
    if (blocks.isEmpty()) {
      throw new IllegalArgumentException("No column blocks to join into " + target);
    }
    List<TiffDirectory> dirs = new ArrayList<>();
    for (Path b : blocks) {
      dirs.add(TiffDirectory.read(b));
    }
    TiffDirectory first = dirs.get(0);
    Shape shape = Shape.of(first);
    int width = 0;
    int[] across = new int[dirs.size()];
    long[][] offsets = new long[dirs.size()][];
    long[][] counts = new long[dirs.size()][];
    long dataBytes = 0;
    for (int k = 0; k < dirs.size(); k++) {
      TiffDirectory d = dirs.get(k);
      Shape s = Shape.of(d);
      if (!s.sameLayout(shape)) {
        throw new GeoTiffException(
            d.file(),
            "is not a column block like " + first.file() + ": " + s + " against " + shape,
            null);
      }
      if (k + 1 < dirs.size() && s.width % s.tileWidth != 0) {
        throw new GeoTiffException(
            d.file(),
            "is " + s.width + " px wide, not a whole number of " + s.tileWidth + " px tiles",
            "only the last column block may end inside a tile");
      }
      width += s.width;
      across[k] = (s.width + s.tileWidth - 1) / s.tileWidth;
      offsets[k] = d.longs(TiffDirectory.TAG_TILE_OFFSETS);
      counts[k] = d.longs(TiffDirectory.TAG_TILE_BYTE_COUNTS);
      if (offsets[k].length != s.tiles() || counts[k].length != s.tiles()) {
        throw new GeoTiffException(
            d.file(), offsets[k].length + " tile offsets where " + s.tiles() + " expected", null);
      }
      for (long c : counts[k]) {
        dataBytes += c;
      }
    }
    int down = (shape.height + shape.tileHeight - 1) / shape.tileHeight;
    int planes = shape.planar ? shape.samples : 1;
    int totalAcross = 0;
    for (int a : across) {
      totalAcross += a;
    }
    ByteOrder order = first.order();
    boolean big = first.isBigTiff() || dataBytes + (1L << 20) > 0xFFFF_FFFFL;
    long[] newOffsets = new long[planes * down * totalAcross];
    long[] newCounts = new long[newOffsets.length];
    List<FileChannel> sources = new ArrayList<>();
    try (FileChannel out =
        FileChannel.open(
            target,
            StandardOpenOption.CREATE,
            StandardOpenOption.TRUNCATE_EXISTING,
            StandardOpenOption.WRITE)) {
      for (Path b : blocks) {
        sources.add(FileChannel.open(b, StandardOpenOption.READ));
      }
      long position = big ? 16 : 8;
      int t = 0;
      for (int p = 0; p < planes; p++) {
        for (int ty = 0; ty < down; ty++) {
          for (int k = 0; k < blocks.size(); k++) {
            for (int tx = 0; tx < across[k]; tx++, t++) {
              int i = (p * down + ty) * across[k] + tx;
              long count = counts[k][i];
              if (count == 0) {
                continue; // a sparse tile stays sparse
              }
              copy(sources.get(k), offsets[k][i], count, out, position, dirs.get(k).file());
              newOffsets[t] = position;
              newCounts[t] = count;
              position += count + (count & 1);
            }
          }
        }
      }
      Map<Integer, CloudOptimizedTiff.Field> fields = new TreeMap<>();
      for (TiffDirectory.Entry e : first.entries().values()) {
        fields.put(e.tag(), new CloudOptimizedTiff.Field(e.tag(), e.type(), e.count(), e.value()));
      }
      fields.put(
          TiffDirectory.TAG_IMAGE_WIDTH,
          CloudOptimizedTiff.Field.longValue(TiffDirectory.TAG_IMAGE_WIDTH, width, order));
      fields.put(
          TiffDirectory.TAG_TILE_OFFSETS,
          CloudOptimizedTiff.Field.longs(TiffDirectory.TAG_TILE_OFFSETS, newOffsets, big, order));
      fields.put(
          TiffDirectory.TAG_TILE_BYTE_COUNTS,
          CloudOptimizedTiff.Field.longs(
              TiffDirectory.TAG_TILE_BYTE_COUNTS, newCounts, big, order));
      long ifdStart = position + (position & 1);
      byte[] ifd = CloudOptimizedTiff.Layout.encode(fields, ifdStart, 0, big, order);
      writeFully(out, ByteBuffer.wrap(ifd), ifdStart);
      writeFully(out, ByteBuffer.wrap(CloudOptimizedTiff.Layout.header(order, big, ifdStart)), 0);
    } finally {
      for (FileChannel c : sources) {
        c.close();
      }
    }
  }

  private static void copy(
      FileChannel from, long offset, long count, FileChannel to, long at, Path source)
      throws IOException {
    long done = 0;
    while (done < count) {
      long n = from.transferTo(offset + done, count - done, to.position(at + done));
      if (n <= 0) {
        throw new GeoTiffException(
            source, "ends inside the tile of " + count + " bytes at byte " + offset, null);
      }
      done += n;
    }
  }

  private static void writeFully(FileChannel out, ByteBuffer b, long at) throws IOException {
    while (b.hasRemaining()) {
      at += out.write(b, at);
    }
  }

  /** What must agree between blocks, and each block's width. */
  private record Shape(
      int width,
      int height,
      int tileWidth,
      int tileHeight,
      int samples,
      boolean planar,
      long compression,
      long predictor,
      boolean big,
      ByteOrder order) {
    static Shape of(TiffDirectory d) throws GeoTiffException {
      if (!d.has(TiffDirectory.TAG_TILE_WIDTH) || d.has(TiffDirectory.TAG_STRIP_OFFSETS)) {
        throw new GeoTiffException(d.file(), "is not tiled", "column blocks must be tiled TIFFs");
      }
      int samples = (int) d.first(TiffDirectory.TAG_SAMPLES_PER_PIXEL, 1);
      return new Shape(
          (int) d.first(TiffDirectory.TAG_IMAGE_WIDTH, 0),
          (int) d.first(TiffDirectory.TAG_IMAGE_LENGTH, 0),
          (int) d.first(TiffDirectory.TAG_TILE_WIDTH, 0),
          (int) d.first(TiffDirectory.TAG_TILE_LENGTH, 0),
          samples,
          samples > 1 && d.first(TiffDirectory.TAG_PLANAR_CONFIGURATION, 1) == 2,
          d.first(TiffDirectory.TAG_COMPRESSION, 1),
          d.first(TiffDirectory.TAG_PREDICTOR, 1),
          d.isBigTiff(),
          d.order());
    }

    boolean sameLayout(Shape o) {
      return height == o.height
          && tileWidth == o.tileWidth
          && tileHeight == o.tileHeight
          && samples == o.samples
          && planar == o.planar
          && compression == o.compression
          && predictor == o.predictor
          && big == o.big
          && order == o.order;
    }

    int tiles() {
      int n = ((width + tileWidth - 1) / tileWidth) * ((height + tileHeight - 1) / tileHeight);
      return planar ? n * samples : n;
    }
  }
}

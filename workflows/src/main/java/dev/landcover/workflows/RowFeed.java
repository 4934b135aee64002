package dev.landcover.workflows;

import dev.landcover.geo.TileFiller;
import dev.landcover.pixels.PixelWindow;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * Rows handed from the prediction thread to one output writer, which pulls them tile row by tile
 * row: the writer keeps the rows of the current tile row only. Rows come column block by column
 * block ({@link ColumnBlocks}), each block's rows top to bottom and as wide as the block, and the
 * writer asks for the tiles in that order ({@link dev.landcover.geo.GeoTiffWriter#columnBlocks}).
 */
final class RowFeed {
  private final BlockingQueue<Object> queue = new ArrayBlockingQueue<>(1024);
  private final ColumnBlocks blocks;
  private final int height;
  private final List<Object> buffer = new ArrayList<>();

  /** The position of the first buffered row in the feed: block * height + row. */
  private long bufferTop;

  RowFeed(ColumnBlocks blocks, int height) {
    this.blocks = blocks;
    this.height = height;
  }

  void put(Object row) {
    try {
      queue.put(row);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  /** Ends the feed with the producer's failure: the writer's next read throws it. */
  void fail(Throwable e) {
    queue.offer(e);
  }

  /** The column block of {@code tile}. */
  private int blockOf(PixelWindow tile) {
    int k = blocks.count() - 1;
    while (blocks.start(k) > tile.x()) {
      k--;
    }
    return k;
  }

  /**
   * The rows {@code [tile.y(), tile.endY())} (clipped to the scene) of the tile's column block,
   * read as they come; rows that come before them are dropped.
   */
  private List<Object> rows(PixelWindow tile) throws IOException {
    long first = (long) blockOf(tile) * height + tile.y();
    long end = first + Math.min(height, tile.endY()) - tile.y();
    while (bufferTop + buffer.size() < end) {
      Object next;
      try {
        next = queue.take();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new InterruptedIOException("interrupted while predicting");
      }
      if (next instanceof IOException e) {
        throw e;
      }
      if (next instanceof OutOfMemoryError e) {
        throw new IOException(
            "out of Java heap while predicting: give Java more (LANDCOVER_JAVA_OPTS=-Xmx4g) or"
                + " use a smaller --chip",
            e);
      }
      if (next instanceof Throwable e) {
        throw new IOException(e.getMessage() == null ? e.toString() : e.getMessage(), e);
      }
      buffer.add(next);
    }
    while (bufferTop < first) {
      buffer.remove(0);
      bufferTop++;
    }
    return buffer.subList(0, (int) (end - bufferTop));
  }

  /** A tile filler of int rows (class ids, confidence). */
  TileFiller ints() {
    return (tile, target) -> {
      List<Object> rows = rows(tile);
      int k = blockOf(tile);
      int x = tile.x() - blocks.start(k);
      int n = Math.min(tile.width(), blocks.end(k) - tile.x());
      for (int i = 0; i < rows.size(); i++) {
        int[] row = (int[]) rows.get(i);
        target.setSamples(0, i, n, 1, 0, Arrays.copyOfRange(row, x, x + n));
      }
    };
  }

  /** A tile filler of probability rows ([class][x]), as uint8 0-254 or float32. */
  TileFiller probabilities(int classes, boolean asFloat) {
    return (tile, target) -> {
      List<Object> rows = rows(tile);
      int k = blockOf(tile);
      int from = tile.x() - blocks.start(k);
      int rowWidth = blocks.end(k) - blocks.start(k);
      int n = Math.min(tile.width(), blocks.end(k) - tile.x());
      for (int i = 0; i < rows.size(); i++) {
        float[] row = (float[]) rows.get(i);
        for (int c = 0; c < classes; c++) {
          for (int x = 0; x < n; x++) {
            float v = row[c * rowWidth + from + x];
            double stored = asFloat ? v : Float.isNaN(v) ? 255 : Math.round(v * 254);
            target.setSample(x, i, c, stored);
          }
        }
      }
    };
  }
}

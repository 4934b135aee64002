package dev.landcover.workflows;

import dev.landcover.pixels.PredictionTiling;
import java.util.Arrays;

/**
 * The column blocks a scene is mapped in, left to right, each top to bottom: the memory of a
 * mapping (open rows of logits, strips of the scene, decoded tiles, rows waiting for the writers)
 * then grows with the block's width, not the scene's.
 *
 * <p>Every block but the last is {@code blockWidth} wide, rounded up to a multiple of the outputs'
 * tile size and to at least one chip's output (so that no chip reaches across more than one block's
 * edge); a last block narrower than that joins the one before it. Chip column {@code c} belongs to
 * the block its origin lies in, and is predicted there only; the chips of a block that reach into
 * the next are carried to it (their logits, not their input), and stitched there before the next
 * block's own chips, in the order a whole-width pass adds them.
 *
 * @param starts the first scene column of each block: 0 first, increasing
 * @param width the scene's width
 */
record ColumnBlocks(int[] starts, int width) {
  /** Copies the array. */
  ColumnBlocks {
    starts = starts.clone();
  }

  /**
   * The blocks of a scene {@code width} pixels wide.
   *
   * @param blockWidth the widest block asked for, or 0 for one block
   * @param tileSize block starts are multiples of this (the outputs' tile size)
   * @param coreWidth the chips' output width
   */
  static ColumnBlocks of(int width, int blockWidth, int tileSize, int coreWidth) {
    if (blockWidth == 0) {
      return new ColumnBlocks(new int[] {0}, width);
    }
    int b =
        PredictionTiling.roundUp(Math.max(Math.max(blockWidth, coreWidth), tileSize + 1), tileSize);
    int narrowest = Math.max(coreWidth, tileSize + 1);
    int n = width - narrowest >= b ? 1 + (width - narrowest) / b : 1;
    int[] s = new int[n];
    for (int k = 0; k < n; k++) {
      s[k] = k * b;
    }
    return new ColumnBlocks(s, width);
  }

  @Override
  public int[] starts() {
    return starts.clone();
  }

  int count() {
    return starts.length;
  }

  int start(int k) {
    return starts[k];
  }

  int end(int k) {
    return k + 1 < starts.length ? starts[k + 1] : width;
  }

  /** The first chip column of block {@code k}: the first whose origin is at or after its start. */
  int firstColumn(int[] columnStarts, int k) {
    if (k >= starts.length) {
      return columnStarts.length;
    }
    int c = 0;
    while (c < columnStarts.length && columnStarts[c] < starts[k]) {
      c++;
    }
    return c;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ColumnBlocks other
        && width == other.width
        && Arrays.equals(starts, other.starts);
  }

  @Override
  public int hashCode() {
    return 31 * Arrays.hashCode(starts) + width;
  }

  @Override
  public String toString() {
    return "ColumnBlocks" + Arrays.toString(starts) + " of " + width;
  }
}

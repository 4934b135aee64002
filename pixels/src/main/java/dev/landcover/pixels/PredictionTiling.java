package dev.landcover.pixels;

import java.util.ArrayList;
import java.util.List;

/**
 * Where the chips of a whole-scene prediction go: output chips of {@code coreWidth x coreHeight}
 * pixels at the given column and row origins, each fed to the model as an input chip {@code halo}
 * pixels larger on every side.
 *
 * <p>Unlike {@link ChipPlan} (chips for training, kept inside the raster), this tiling serves
 * stitching: the stride is rounded down to a multiple of {@code alignment} (2^levels for a UNet:
 * max pooling makes the network shift-equivariant only by multiples of it), and the last row and
 * column are shifted back to the aligned position that still covers the scene's edge, so they may
 * reach past it by less than {@code alignment} pixels. A scene axis shorter than one output chip
 * gets one chip of its length rounded up to the alignment. Pixels outside the scene are read
 * mirrored ({@link #reflect}).
 *
 * @param coreWidth output chip width
 * @param coreHeight output chip height
 * @param columnStarts x of each chip column's output origin, increasing
 * @param rowStarts y of each chip row's output origin, increasing
 * @param halo input pixels around the output on each side
 */
public record PredictionTiling(
    int coreWidth, int coreHeight, int[] columnStarts, int[] rowStarts, int halo) {

  /** Copies the arrays. */
  public PredictionTiling {
    columnStarts = columnStarts.clone();
    rowStarts = rowStarts.clone();
  }

  /**
   * The tiling of a {@code width x height} scene.
   *
   * @param chipSize the model's input size
   * @param halo pixels the model loses at each side (0 for same padding)
   * @param overlap output pixels shared by neighbouring chips, at least 0 and below the output size
   * @param alignment chip origins are multiples of this (1 when any origin will do)
   * @throws IllegalArgumentException when the overlap does not fit the output size
   */
  public static PredictionTiling of(
      int width, int height, int chipSize, int halo, int overlap, int alignment) {
    int core = checkOverlap(chipSize, halo, overlap);
    int a = Math.max(1, alignment);
    int[] x = layout(width, core, overlap, a);
    int[] y = layout(height, core, overlap, a);
    return new PredictionTiling(
        x[0], y[0], starts(width, x[0], x[1], a), starts(height, y[0], y[1], a), halo);
  }

  /**
   * Checks that {@code overlap} fits the output of a {@code chipSize} chip losing {@code halo}
   * pixels a side.
   *
   * @return the output size, {@code chipSize - 2 * halo}
   * @throws IllegalArgumentException when the overlap is negative or not below the output size
   */
  public static int checkOverlap(int chipSize, int halo, int overlap) {
    int core = chipSize - 2 * halo;
    if (core <= 0 || overlap < 0 || overlap >= core) {
      throw new IllegalArgumentException(
          "Overlap must be at least 0 and smaller than the chip's output size: overlap="
              + overlap
              + ", output size="
              + core);
    }
    return core;
  }

  @Override
  public int[] columnStarts() {
    return columnStarts.clone();
  }

  @Override
  public int[] rowStarts() {
    return rowStarts.clone();
  }

  /** Chip columns. */
  public int columns() {
    return columnStarts.length;
  }

  /** Chip rows. */
  public int rows() {
    return rowStarts.length;
  }

  /** Output x of chip column {@code c}. */
  public int columnStart(int c) {
    return columnStarts[c];
  }

  /** Output y of chip row {@code r}. */
  public int rowStart(int r) {
    return rowStarts[r];
  }

  /** Input chip width: the output plus the halo on both sides. */
  public int inputWidth() {
    return coreWidth + 2 * halo;
  }

  /** Input chip height: the output plus the halo on both sides. */
  public int inputHeight() {
    return coreHeight + 2 * halo;
  }

  /** The output chip size and stride along an axis of {@code length} pixels. */
  private static int[] layout(int length, int core, int overlap, int alignment) {
    if (length < core) {
      core = roundUp(length, alignment);
    }
    int stride = Math.max(alignment, (core - overlap) / alignment * alignment);
    return new int[] {core, stride};
  }

  /**
   * Chip origins along an axis of {@code length} for output chips of {@code core} pixels: {@code 0,
   * stride, 2 * stride, ...} below the last, which is {@code length - core} rounded up to the
   * alignment.
   */
  public static int[] starts(int length, int core, int stride, int alignment) {
    if (length <= core) {
      return new int[] {0};
    }
    List<Integer> s = new ArrayList<>();
    int last = roundUp(length - core, alignment);
    for (int p = 0; p < last; p += stride) {
      s.add(p);
    }
    s.add(last);
    return s.stream().mapToInt(Integer::intValue).toArray();
  }

  /** {@code n} rounded up to a multiple of {@code a}. */
  public static int roundUp(int n, int a) {
    return (n + a - 1) / a * a;
  }

  /**
   * Mirror of coordinate {@code c} into {@code [0, n)} without repeating the edge pixel
   * (reflect-101, the original U-Net's overlap-tile): -1 -> 1, n -> n - 2.
   */
  public static int reflect(int c, int n) {
    if (n == 1) {
      return 0;
    }
    int period = 2 * (n - 1);
    int m = Math.floorMod(c, period);
    return m < n ? m : period - m;
  }
}

package dev.landcover.pixels;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Square chips laid over a raster in rows and columns, so that every pixel is covered.
 *
 * <p>Chip origins advance by {@code stride} from 0. The last column and the last row are shifted
 * back so that they end exactly on the raster's right and bottom edges: every pixel is covered, no
 * chip but those of a raster smaller than one chip reaches outside, and no one-pixel seam appears
 * when the raster size is not a multiple of the stride. Along an axis shorter than one chip, the
 * plan has a single chip at 0 that reaches past the edge (the reader pads it).
 *
 * <p>Chips are numbered row-major: index {@code row * columns() + column}.
 */
public final class ChipPlan {
  private final int rasterWidth;
  private final int rasterHeight;
  private final int chipSize;
  private final int stride;
  private final int[] columnStarts;
  private final int[] rowStarts;

  private ChipPlan(int rasterWidth, int rasterHeight, int chipSize, int stride) {
    this.rasterWidth = rasterWidth;
    this.rasterHeight = rasterHeight;
    this.chipSize = chipSize;
    this.stride = stride;
    this.columnStarts = starts(rasterWidth, chipSize, stride);
    this.rowStarts = starts(rasterHeight, chipSize, stride);
  }

  /**
   * Plans chips of {@code chipSize} pixels whose origins are {@code stride} pixels apart.
   *
   * @param rasterWidth raster width in pixels, at least 1
   * @param rasterHeight raster height in pixels, at least 1
   * @param chipSize chip width and height in pixels, at least 1
   * @param stride distance between chip origins, from 1 to {@code chipSize}
   * @return the plan
   * @throws IllegalArgumentException naming the offending value
   */
  public static ChipPlan withStride(int rasterWidth, int rasterHeight, int chipSize, int stride) {
    if (rasterWidth <= 0 || rasterHeight <= 0) {
      throw new IllegalArgumentException(
          "Raster size must be positive: width=" + rasterWidth + ", height=" + rasterHeight);
    }
    if (chipSize <= 0) {
      throw new IllegalArgumentException("Chip size must be positive: chipSize=" + chipSize);
    }
    if (stride <= 0 || stride > chipSize) {
      throw new IllegalArgumentException(
          "Stride must be between 1 and the chip size, or pixels are skipped: stride="
              + stride
              + ", chipSize="
              + chipSize);
    }
    return new ChipPlan(rasterWidth, rasterHeight, chipSize, stride);
  }

  /**
   * Plans chips of {@code chipSize} pixels where neighbours share {@code overlap} pixels.
   *
   * @param overlap shared pixels between neighbours, from 0 to {@code chipSize - 1}
   * @return the plan, with stride {@code chipSize - overlap}
   * @throws IllegalArgumentException naming the offending value
   */
  public static ChipPlan withOverlap(int rasterWidth, int rasterHeight, int chipSize, int overlap) {
    if (overlap < 0 || (chipSize > 0 && overlap >= chipSize)) {
      throw new IllegalArgumentException(
          "Overlap must be at least 0 and smaller than the chip size: overlap="
              + overlap
              + ", chipSize="
              + chipSize);
    }
    return withStride(rasterWidth, rasterHeight, chipSize, chipSize - overlap);
  }

  private static int[] starts(int length, int size, int stride) {
    if (length <= size) {
      return new int[] {0};
    }
    List<Integer> starts = new ArrayList<>();
    for (int s = 0; s + size < length; s += stride) {
      starts.add(s);
    }
    starts.add(length - size);
    return starts.stream().mapToInt(Integer::intValue).toArray();
  }

  public int rasterWidth() {
    return rasterWidth;
  }

  public int rasterHeight() {
    return rasterHeight;
  }

  public int chipSize() {
    return chipSize;
  }

  public int stride() {
    return stride;
  }

  /** Number of chip columns. */
  public int columns() {
    return columnStarts.length;
  }

  /** Number of chip rows. */
  public int rows() {
    return rowStarts.length;
  }

  /** Number of chips. */
  public int size() {
    return columnStarts.length * rowStarts.length;
  }

  /** First row of the chips of chip row {@code row}. */
  public int rowStart(int row) {
    return rowStarts[row];
  }

  /** First column of the chips of chip column {@code column}. */
  public int columnStart(int column) {
    return columnStarts[column];
  }

  /**
   * The window of chip {@code index} (row-major).
   *
   * @param index from 0 to {@code size() - 1}
   * @return a {@code chipSize} square window
   */
  public PixelWindow window(int index) {
    if (index < 0 || index >= size()) {
      throw new IndexOutOfBoundsException("Chip index " + index + " outside [0, " + size() + ")");
    }
    return new PixelWindow(
        columnStarts[index % columns()], rowStarts[index / columns()], chipSize, chipSize);
  }

  /** All windows, row-major. */
  public List<PixelWindow> windows() {
    List<PixelWindow> windows = new ArrayList<>(size());
    for (int i = 0; i < size(); i++) {
      windows.add(window(i));
    }
    return Collections.unmodifiableList(windows);
  }

  @Override
  public String toString() {
    return "ChipPlan["
        + columns()
        + "x"
        + rows()
        + " chips of "
        + chipSize
        + " px, stride "
        + stride
        + " over "
        + rasterWidth
        + "x"
        + rasterHeight
        + "]";
  }
}

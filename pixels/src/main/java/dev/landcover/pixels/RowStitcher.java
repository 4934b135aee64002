package dev.landcover.pixels;

/**
 * Accumulates the weighted logits of chips laid in rows over a scene and hands out finished rows:
 * after chip row {@code r} is added, scene rows above the next chip row's origin receive no more
 * chips and are final, and are taken before the next chip row is added. Only the rows still open
 * are held, a ring of {@code classes x chip height x width} floats (the next chip row begins where
 * the untaken rows begin), so memory does not depend on the scene's height.
 *
 * <p>Chip logits are channels first ({@code [class][y][x]}, chip-sized). Chips may reach past the
 * scene's right and bottom edges; the outside is ignored.
 */
public final class RowStitcher {
  private final int width;
  private final int height;
  private final int classes;
  private final int[] rowStarts;
  private final int[] colStarts;
  private final int chipWidth;
  private final int chipHeight;
  private final float[][] colProfiles;
  private final float[][] rowProfiles;
  private final int bufferRows;
  private final float[] sums;
  private final float[] weights;
  private int bufferTop;
  private int finished;

  /**
   * @param rowStarts chip origins along y, increasing
   * @param colStarts chip origins along x, increasing
   */
  public RowStitcher(
      int width,
      int height,
      int classes,
      int[] rowStarts,
      int[] colStarts,
      int chipWidth,
      int chipHeight,
      BlendWindow blend) {
    this.width = width;
    this.height = height;
    this.classes = classes;
    this.rowStarts = rowStarts.clone();
    this.colStarts = colStarts.clone();
    this.chipWidth = chipWidth;
    this.chipHeight = chipHeight;
    this.colProfiles = blend.profiles(colStarts, chipWidth, width);
    this.rowProfiles = blend.profiles(rowStarts, chipHeight, height);
    this.bufferRows = chipHeight;
    this.sums = new float[classes * bufferRows * width];
    this.weights = new float[bufferRows * width];
  }

  /** Rows {@code [0, finishedRows())} are final. */
  public int finishedRows() {
    return finished;
  }

  /** Adds the logits of the chip at (row, column) of the chip grid. */
  public void add(int row, int column, float[] logits) {
    add(row, column, logits, 0);
  }

  /**
   * Adds the logits of the chip at (row, column), read from {@code logits} starting at {@code
   * offset} (a chip of a batch).
   */
  public void add(int row, int column, float[] logits, int offset) {
    int y0 = rowStarts[row];
    int x0 = colStarts[column];
    if (y0 < bufferTop || Math.min(y0 + chipHeight, height) > bufferTop + bufferRows) {
      throw new IllegalStateException(
          "Chip row " + row + " does not fit the open rows: take the final rows first");
    }
    float[] wy = rowProfiles[row];
    float[] wx = colProfiles[column];
    int plane = chipWidth * chipHeight;
    for (int y = 0; y < chipHeight && y0 + y < height; y++) {
      if (wy[y] == 0) {
        continue;
      }
      int b = (y0 + y) % bufferRows;
      for (int x = 0; x < chipWidth && x0 + x < width; x++) {
        float w = wy[y] * wx[x];
        if (w == 0) {
          continue;
        }
        int i = b * width + x0 + x;
        weights[i] += w;
        for (int c = 0; c < classes; c++) {
          sums[c * bufferRows * width + i] += w * logits[offset + c * plane + y * chipWidth + x];
        }
      }
    }
  }

  /**
   * Declares chip row {@code row} complete.
   *
   * @return the number of scene rows now final
   */
  public int endRow(int row) {
    finished = row + 1 < rowStarts.length ? rowStarts[row + 1] : height;
    return finished;
  }

  /**
   * Takes the mean logits of final scene row {@code y}: {@code out[c * width + x]}. Rows are taken
   * in order, each once, and must be taken before the next chip row is added.
   */
  public void takeRow(int y, float[] out) {
    if (y != bufferTop || y >= finished) {
      throw new IllegalStateException(
          "Row "
              + y
              + " cannot be taken: rows are taken in order, once final (next: "
              + bufferTop
              + ", final: "
              + finished
              + ")");
    }
    int b = y % bufferRows;
    for (int x = 0; x < width; x++) {
      int i = b * width + x;
      float w = weights[i];
      for (int c = 0; c < classes; c++) {
        int s = c * bufferRows * width + i;
        out[c * width + x] = w > 0 ? sums[s] / w : 0f;
        sums[s] = 0;
      }
      weights[i] = 0;
    }
    bufferTop++;
  }
}

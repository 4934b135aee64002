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
 *
 * <p>A stitcher may hold a column block of the scene only (the constructor with {@code x0, x1}):
 * chips are weighted as over the whole scene, and their parts outside the block are ignored. Given
 * the same chips in the same order (those reaching into the block, row by row, each row left to
 * right), its rows are those columns of the whole scene's rows, bit for bit.
 */
public final class RowStitcher {
  private final int x0;
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
    this(width, height, classes, rowStarts, colStarts, chipWidth, chipHeight, blend, 0, width);
  }

  /**
   * A stitcher of the scene's columns {@code [x0, x1)} only, its rows {@code x1 - x0} wide: chips
   * are weighted as over the whole scene ({@link BlendWindow#profiles} of all the chip columns
   * across {@code sceneWidth}), and what they hold outside the block is ignored.
   */
  public RowStitcher(
      int sceneWidth,
      int height,
      int classes,
      int[] rowStarts,
      int[] colStarts,
      int chipWidth,
      int chipHeight,
      BlendWindow blend,
      int x0,
      int x1) {
    if (x0 < 0 || x1 <= x0 || x1 > sceneWidth) {
      throw new IllegalArgumentException(
          "Columns [" + x0 + ", " + x1 + ") are not a block of a scene " + sceneWidth + " wide");
    }
    this.x0 = x0;
    this.width = x1 - x0;
    this.height = height;
    this.classes = classes;
    this.rowStarts = rowStarts.clone();
    this.colStarts = colStarts.clone();
    this.chipWidth = chipWidth;
    this.chipHeight = chipHeight;
    this.colProfiles = blend.profiles(colStarts, chipWidth, sceneWidth);
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
    int cx = colStarts[column];
    if (y0 < bufferTop || Math.min(y0 + chipHeight, height) > bufferTop + bufferRows) {
      throw new IllegalStateException(
          "Chip row " + row + " does not fit the open rows: take the final rows first");
    }
    float[] wy = rowProfiles[row];
    float[] wx = colProfiles[column];
    int plane = chipWidth * chipHeight;
    int xa = Math.max(0, x0 - cx);
    int xb = Math.min(chipWidth, x0 + width - cx);
    for (int y = 0; y < chipHeight && y0 + y < height; y++) {
      if (wy[y] == 0) {
        continue;
      }
      int b = (y0 + y) % bufferRows;
      for (int x = xa; x < xb; x++) {
        float w = wy[y] * wx[x];
        if (w == 0) {
          continue;
        }
        int i = b * width + cx + x - x0;
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
   * Takes the mean logits of final scene row {@code y}: {@code out[c * width + x]}, {@code x} from
   * the first column held ({@code width} the columns held). Rows are taken in order, each once, and
   * must be taken before the next chip row is added.
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

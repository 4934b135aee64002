package dev.landcover.vectors.internal;

/**
 * One row of 4- or 8-connected labelling, used by {@link OpenPatches}: a pixel takes the label of
 * its left neighbour when of the same class, else of its upper neighbour when of the same class,
 * else a new label; when both neighbours are of its class with different labels, the two are
 * joined. With 8-connectivity the upper-left and upper-right neighbours count too (taken or joined
 * the same way), so pixels of one class touching at a corner are one patch.
 */
final class RowLabelling {
  /** The labels a row is labelled with. */
  interface Labels {
    /** A new label for the pixel of class {@code cls} at column {@code column} of the row. */
    int allocate(int cls, int column);

    /** Labels {@code a} and {@code b} are one patch. */
    void union(int a, int b);
  }

  private RowLabelling() {}

  /**
   * Labels one row, with 8-connectivity when {@code diagonals}.
   *
   * @param prevClasses classes of the row above (-1 for nodata), or null for the first row
   * @param prevLabels labels of the row above, or null for the first row
   * @param classes classes of this row, -1 where nodata
   * @param out receives the labels of this row (-1 where nodata)
   * @param diagonals whether pixels of one class touching at a corner only are one patch
   */
  static void labelRow(
      int[] prevClasses,
      int[] prevLabels,
      int[] classes,
      int[] out,
      Labels labels,
      boolean diagonals) {
    int width = classes.length;
    for (int x = 0; x < classes.length; x++) {
      int c = classes[x];
      if (c < 0) {
        out[x] = -1;
        continue;
      }
      int label = -1;
      if (x > 0 && classes[x - 1] == c) {
        label = out[x - 1];
      }
      if (prevClasses != null && prevClasses[x] == c) {
        int up = prevLabels[x];
        if (label < 0) {
          label = up;
        } else if (label != up) {
          labels.union(label, up);
        }
      }
      if (diagonals && prevClasses != null) {
        // The upper-left pixel is already joined through the left or upper one when they are of
        // this class, the upper-right one through the upper one.
        if (x > 0 && prevClasses[x - 1] == c && classes[x - 1] != c && prevClasses[x] != c) {
          label = join(label, prevLabels[x - 1], labels);
        }
        if (x + 1 < width && prevClasses[x + 1] == c && prevClasses[x] != c) {
          label = join(label, prevLabels[x + 1], labels);
        }
      }
      if (label < 0) {
        label = labels.allocate(c, x);
      }
      out[x] = label;
    }
  }

  private static int join(int label, int other, Labels labels) {
    if (label < 0) {
      return other;
    }
    if (label != other) {
      labels.union(label, other);
    }
    return label;
  }
}

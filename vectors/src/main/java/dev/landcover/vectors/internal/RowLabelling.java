package dev.landcover.vectors.internal;

/**
 * One row of 4-connected labelling, used by {@link OpenPatches}: a pixel takes the label of its
 * left neighbour when of the same class, else of its upper neighbour when of the same class, else a
 * new label; when both neighbours are of its class with different labels, the two are joined.
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
   * Labels one row.
   *
   * @param prevClasses classes of the row above (-1 for nodata), or null for the first row
   * @param prevLabels labels of the row above, or null for the first row
   * @param classes classes of this row, -1 where nodata
   * @param out receives the labels of this row (-1 where nodata)
   */
  static void labelRow(
      int[] prevClasses, int[] prevLabels, int[] classes, int[] out, Labels labels) {
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
      if (label < 0) {
        label = labels.allocate(c, x);
      }
      out[x] = label;
    }
  }
}

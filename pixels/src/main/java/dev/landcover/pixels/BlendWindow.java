package dev.landcover.pixels;

/**
 * How overlapping chips are merged: each chip pixel gets a weight, and a scene pixel's logits are
 * the weighted mean over the chips that cover it (weights normalized per pixel, so any overlap
 * pattern is exact).
 *
 * <ul>
 *   <li>{@code CROP}: each pixel is taken from one chip only, the one whose share of the overlap it
 *       lies in (boundaries at the middle of each overlap): each chip keeps its centre.
 *   <li>{@code LINEAR}: weight grows linearly with the distance from the chip's inner edges.
 *   <li>{@code HANN}: a raised-cosine (Hann) window along each axis.
 * </ul>
 *
 * Edges of a chip that lie on the scene's edge are not tapered (a pixel there has no other chip),
 * so every scene pixel gets a positive total weight. Weights are separable: the weight of chip
 * pixel (x, y) is the product of the column and row profiles.
 */
public enum BlendWindow {
  CROP,
  LINEAR,
  HANN;

  /**
   * The weight profiles of the chips along one axis.
   *
   * @param starts chip origins along the axis, increasing
   * @param size chip length along the axis
   * @param length the scene's length along the axis
   * @return {@code [chip][offset]} weights
   */
  public float[][] profiles(int[] starts, int size, int length) {
    int n = starts.length;
    float[][] w = new float[n][size];
    for (int c = 0; c < n; c++) {
      boolean leftInterior = c > 0;
      boolean rightInterior = c < n - 1;
      int lo =
          leftInterior ? Math.floorDiv(starts[c - 1] + size + starts[c], 2) : Integer.MIN_VALUE;
      int hi =
          rightInterior ? Math.floorDiv(starts[c] + size + starts[c + 1], 2) : Integer.MAX_VALUE;
      for (int i = 0; i < size; i++) {
        int p = starts[c] + i;
        double left = leftInterior ? i + 0.5 : Double.POSITIVE_INFINITY;
        double right = rightInterior ? size - i - 0.5 : Double.POSITIVE_INFINITY;
        w[c][i] =
            switch (this) {
              case CROP -> p >= lo && p < hi ? 1f : 0f;
              case LINEAR -> (float) Math.min(1.0, Math.min(left, right) / (size / 2.0));
              case HANN -> {
                double d = Math.min(left, right);
                yield d >= size / 2.0 ? 1f : (float) Math.pow(Math.sin(Math.PI * d / size), 2);
              }
            };
      }
    }
    return w;
  }
}

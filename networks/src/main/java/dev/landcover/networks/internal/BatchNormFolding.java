package dev.landcover.networks.internal;

/**
 * Folds an inference-mode batch normalization into the convolution before it: {@code bn(conv(x)) =
 * conv'(x)} with, per output channel {@code c}, {@code s = gamma / sqrt(variance + epsilon)},
 * weight {@code w' = w * s} and bias {@code b' = (b - mean) * s + beta} ({@code b = 0} for a
 * convolution without bias). The scale and shift are computed in double, the products rounded once
 * to float.
 */
public final class BatchNormFolding {
  private BatchNormFolding() {}

  /** A folded convolution: its weight (same layout as given) and bias, one per output channel. */
  public record Folded(float[] weight, float[] bias) {}

  /**
   * Folds one batch normalization into one convolution.
   *
   * @param weight the convolution's weight with each normalized channel's weights contiguous, in
   *     channel order: a convolution's {@code [out, in, kh, kw]}, or the {@code [4 out, in, 1, 1]}
   *     of a transposed up step (see {@link UpStep})
   * @param bias the convolution's bias (one per normalized channel), or null for none
   */
  public static Folded fold(
      float[] weight,
      float[] bias,
      float[] gamma,
      float[] beta,
      float[] mean,
      float[] variance,
      double epsilon) {
    int channels = gamma.length;
    if (beta.length != channels
        || mean.length != channels
        || variance.length != channels
        || (bias != null && bias.length != channels)
        || weight.length % channels != 0) {
      throw new IllegalArgumentException(
          "batch normalization of "
              + channels
              + " channels does not fit a convolution of "
              + weight.length
              + " weights");
    }
    int perChannel = weight.length / channels;
    float[] w = new float[weight.length];
    float[] b = new float[channels];
    for (int c = 0; c < channels; c++) {
      double s = gamma[c] / Math.sqrt(variance[c] + epsilon);
      for (int i = c * perChannel; i < (c + 1) * perChannel; i++) {
        w[i] = (float) (weight[i] * s);
      }
      double b0 = bias == null ? 0 : bias[c];
      b[c] = (float) ((b0 - mean[c]) * s + beta[c]);
    }
    return new Folded(w, b);
  }
}

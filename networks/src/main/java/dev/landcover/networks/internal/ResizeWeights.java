package dev.landcover.networks.internal;

/**
 * One axis of TensorFlow's image resizes as a matrix {@code [out][in]}: output sample {@code o} is
 * {@code sum_i m[o][i] * input[i]}. Resizing an image is this matrix along rows and along columns
 * (the resizes are separable), so it runs as two matrix products. Weights are computed in float32
 * as TensorFlow's kernels compute them.
 */
public final class ResizeWeights {
  private ResizeWeights() {}

  /**
   * {@code tf.image.resize(..., method="bilinear", antialias=True)}: {@code scale_and_translate}
   * with the triangle kernel {@code max(0, 1 - |x|)}, widened by {@code in / out} when shrinking,
   * sampled at pixel centres ({@code (o + 0.5) * in / out}), weights normalized to sum 1.
   */
  public static float[][] triangle(int in, int out) {
    check(in, out);
    float scale = (float) out / (float) in;
    float invScale = 1f / scale;
    float kernelScale = Math.max(invScale, 1f);
    float support = kernelScale; // the triangle's radius is 1
    float oneOverKernelScale = 1f / kernelScale;
    float[][] m = new float[out][in];
    for (int o = 0; o < out; o++) {
      float sample = (o + 0.5f) * invScale;
      int start = (int) Math.ceil(sample - support - 0.5f);
      int end = (int) Math.floor(sample + support - 0.5f);
      start = Math.max(0, Math.min(start, in - 1));
      end = Math.max(0, Math.min(end, in - 1)) + 1;
      float total = 0;
      float[] w = new float[end - start];
      for (int s = start; s < end; s++) {
        float position = s + 0.5f - sample;
        float x = Math.abs(position * oneOverKernelScale);
        w[s - start] = x < 1f ? 1f - x : 0f;
        total += w[s - start];
      }
      if (Math.abs(total) >= 1000f * Float.MIN_NORMAL) {
        float inv = 1f / total;
        for (int s = start; s < end; s++) {
          m[o][s] = w[s - start] * inv;
        }
      }
    }
    return m;
  }

  /**
   * {@code tf.image.resize(..., method="bilinear")} (antialias off): TensorFlow's {@code
   * ResizeBilinear} with half-pixel centres, sample {@code (o + 0.5) * in / out - 0.5} between its
   * two neighbours, clamped at the edges.
   */
  public static float[][] bilinear(int in, int out) {
    check(in, out);
    float scale = (float) in / (float) out;
    float[][] m = new float[out][in];
    for (int o = 0; o < out; o++) {
      float sample = (o + 0.5f) * scale - 0.5f;
      float floor = (float) Math.floor(sample);
      int lower = Math.max((int) floor, 0);
      int upper = Math.min((int) Math.ceil(sample), in - 1);
      float lerp = sample - floor;
      m[o][lower] += 1f - lerp;
      m[o][upper] += lerp;
    }
    return m;
  }

  private static void check(int in, int out) {
    if (in < 1 || out < 1) {
      throw new IllegalArgumentException(
          "cannot resize " + in + " pixels to " + out + " (both must be at least 1)");
    }
  }
}

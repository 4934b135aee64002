package dev.landcover.workflows;

/**
 * Mean and standard deviation of each band over the pixels added, in one streaming pass (Welford's
 * algorithm, double precision). The standard deviation is the sample one ({@code n - 1}), at least
 * {@code 1e-6} so a constant band still normalizes.
 */
final class BandStatistics {
  private final double[] mean;
  private final double[] m2;
  private long n;

  BandStatistics(int bands) {
    mean = new double[bands];
    m2 = new double[bands];
  }

  /** Adds pixel {@code p} of a {@code bands x plane} chip (band-major). */
  void add(float[] chip, int plane, int p) {
    n++;
    for (int b = 0; b < mean.length; b++) {
      double v = chip[b * plane + p];
      double d = v - mean[b];
      mean[b] += d / n;
      m2[b] += d * (v - mean[b]);
    }
  }

  /** Pixels added. */
  long count() {
    return n;
  }

  double[] mean() {
    return mean.clone();
  }

  double[] std() {
    double[] std = new double[mean.length];
    for (int b = 0; b < std.length; b++) {
      std[b] = Math.max(1e-6, Math.sqrt(m2[b] / Math.max(1, n - 1)));
    }
    return std;
  }
}

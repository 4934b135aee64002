package dev.landcover.networks;

import java.util.Arrays;

/**
 * How raw band values become a network's input, band by band: {@code meanstd} ({@code (v - mean) /
 * std}), {@code scale} ({@code v * scale + offset}), {@code minmax} ({@code (v - min) / (max -
 * min)}, e.g. with 2nd and 98th percentiles) or {@code logsigmoid} (Dynamic World's, on Sentinel-2
 * L1C digital numbers: {@code x = (ln(1 + 0.005 v) - logMean) / logStd}, then {@code e = exp(5x -
 * 1)}, {@code e / (e + 1)}; from google/dynamicworld's single_image_runner notebook). The one
 * definition used when training (on the training chips) and when predicting (on scenes), so the two
 * cannot drift apart: a value is computed in double precision and rounded to float once.
 *
 * @param method {@code meanstd}, {@code scale}, {@code minmax} or {@code logsigmoid}
 * @param first per band: the mean, scale, minimum or log mean
 * @param second per band: the standard deviation, offset, maximum or log standard deviation
 */
public record InputNormalization(String method, double[] first, double[] second) {

  /** The methods, in the order error messages list them. */
  public static final java.util.List<String> METHODS =
      java.util.List.of("meanstd", "scale", "minmax", "logsigmoid");

  /** Checks the method and that both arrays have one value per band. */
  public InputNormalization {
    if (!METHODS.contains(method)) {
      throw new IllegalArgumentException(
          "normalization.method is '" + method + "', expected one of " + METHODS);
    }
    if (first.length != second.length) {
      throw new IllegalArgumentException(
          "normalization has " + first.length + " and " + second.length + " values");
    }
    first = first.clone();
    second = second.clone();
    String[] names = names(method);
    for (int b = 0; b < first.length; b++) {
      checkFinite(names[0], b, first[b]);
      checkFinite(names[1], b, second[b]);
      boolean degenerate =
          switch (method) {
            case "meanstd" -> !(second[b] > 0);
            case "scale" -> first[b] == 0;
            default -> !(second[b] > first[b]);
          };
      if (degenerate) {
        throw new IllegalArgumentException(
            switch (method) {
              case "meanstd" ->
                  "normalization.std[" + b + "] is " + second[b] + ": expected a positive number";
              case "scale" ->
                  "normalization.scale[" + b + "] is 0: every pixel of the band would be equal";
              default ->
                  "normalization.max["
                      + b
                      + "] is "
                      + second[b]
                      + ": expected more than normalization.min["
                      + b
                      + "] ("
                      + first[b]
                      + ")";
            });
      }
    }
  }

  /** The names of the two per-band parameters of {@code method}, as in model.json. */
  static String[] names(String method) {
    return switch (method) {
      case "meanstd" -> new String[] {"mean", "std"};
      case "scale" -> new String[] {"scale", "offset"};
      default -> new String[] {"min", "max"};
    };
  }

  private static void checkFinite(String name, int band, double v) {
    if (!Double.isFinite(v)) {
      throw new IllegalArgumentException(
          "normalization." + name + "[" + band + "] is " + v + ": expected a finite number");
    }
  }

  /** {@code (v - mean) / std}. */
  public static InputNormalization meanStd(double[] mean, double[] std) {
    return new InputNormalization("meanstd", mean, std);
  }

  /** Values as they are ({@code v * 1 + 0}, exact), for {@code bands} bands. */
  public static InputNormalization identity(int bands) {
    double[] ones = new double[bands];
    Arrays.fill(ones, 1);
    return new InputNormalization("scale", ones, new double[bands]);
  }

  /** Bands this normalization has values for. */
  public int bands() {
    return first.length;
  }

  /** The normalized value of {@code v} in band {@code b} (0-based). */
  public float apply(int b, float v) {
    return switch (method) {
      case "meanstd" -> (float) ((v - first[b]) / second[b]);
      case "scale" -> (float) (v * first[b] + second[b]);
      case "logsigmoid" -> {
        double x = (Math.log1p(v * 0.005) - first[b]) / second[b];
        yield (float) (1 / (1 + Math.exp(1 - 5 * x))); // e / (e + 1) without overflow
      }
      default -> (float) ((v - first[b]) / (second[b] - first[b]));
    };
  }

  /**
   * Normalizes a chip in place: {@code values} is {@code bands x plane} (band-major), band {@code
   * b} of this normalization applied to the {@code plane} values of band {@code b}.
   */
  public void applyInPlace(float[] values, int plane) {
    for (int b = 0; b < bands(); b++) {
      for (int p = 0; p < plane; p++) {
        values[b * plane + p] = apply(b, values[b * plane + p]);
      }
    }
  }

  @Override
  public double[] first() {
    return first.clone();
  }

  @Override
  public double[] second() {
    return second.clone();
  }
}

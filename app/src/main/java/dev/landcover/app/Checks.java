package dev.landcover.app;

import dev.landcover.networks.UNetConfig;
import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * Checks of option values that no request record makes (options of the model and bench commands):
 * each failure is an {@link IllegalArgumentException} naming the option, the value and what was
 * expected.
 */
final class Checks {
  private Checks() {}

  static void atLeast(String option, int value, int least) {
    if (value < least) {
      throw new IllegalArgumentException(option + " must be at least " + least + ": " + value);
    }
  }

  static void finite(String option, double[] values) {
    for (double v : values) {
      if (!Double.isFinite(v)) {
        throw new IllegalArgumentException(
            option + " " + joined(values) + ": " + v + " is not a finite number");
      }
    }
  }

  static void positive(String option, double[] values) {
    finite(option, values);
    for (double v : values) {
      if (!(v > 0)) {
        throw new IllegalArgumentException(
            option + " " + joined(values) + ": " + v + " is not positive");
      }
    }
  }

  /** The input size passes through the UNet. */
  static void fits(String option, int size, UNetConfig config) {
    if (!config.fits(size)) {
      try {
        config.margin(size);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(option + " " + size + ": " + e.getMessage(), e);
      }
    }
  }

  private static String joined(double[] values) {
    return Arrays.stream(values).mapToObj(Double::toString).collect(Collectors.joining(","));
  }
}

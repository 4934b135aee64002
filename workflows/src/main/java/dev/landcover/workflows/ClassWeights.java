package dev.landcover.workflows;

import dev.landcover.pixels.LandcoverClass;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * How much each class counts in the training loss: from the pixel counts of the training labels
 * ({@link #AUTO}: inverse frequency; {@link #SQRT}: inverse square root of it; both scaled to a
 * mean of 1), all 1 ({@link #NONE}), or given ({@link #of}).
 */
public final class ClassWeights {
  /** Inverse pixel frequency, mean 1 (a class with no pixel counts as having 1). */
  public static final ClassWeights AUTO = new ClassWeights("auto", null);

  /** Inverse square root of the pixel frequency, mean 1. */
  public static final ClassWeights SQRT = new ClassWeights("sqrt", null);

  /** All 1. */
  public static final ClassWeights NONE = new ClassWeights("none", null);

  private final String name;
  private final float[] given;

  private ClassWeights(String name, float[] given) {
    this.name = name;
    this.given = given;
  }

  /**
   * One weight per class, in class order.
   *
   * @throws IllegalArgumentException when a weight is negative, infinite or NaN
   */
  public static ClassWeights of(float... weights) {
    for (float w : weights) {
      check(w, Float.toString(w));
    }
    return new ClassWeights("given", weights.clone());
  }

  private static void check(float weight, String text) {
    if (!(weight >= 0) || Float.isInfinite(weight)) {
      throw new IllegalArgumentException(
          "class weight '" + text + "' is not a non-negative number");
    }
  }

  /**
   * {@code auto}, {@code sqrt}, {@code none} or weights separated by commas.
   *
   * @throws IllegalArgumentException naming the value that is none of these
   */
  public static ClassWeights parse(String text) {
    switch (text.trim().toLowerCase(Locale.ROOT)) {
      case "auto":
        return AUTO;
      case "sqrt":
        return SQRT;
      case "none":
        return NONE;
      default:
        break;
    }
    String[] parts = text.split(",");
    float[] weights = new float[parts.length];
    for (int i = 0; i < parts.length; i++) {
      try {
        weights[i] = Float.parseFloat(parts[i].trim());
      } catch (NumberFormatException e) {
        weights[i] = Float.NaN;
      }
      check(weights[i], parts[i]);
    }
    return new ClassWeights("given", weights);
  }

  /**
   * The weight of each class, in class order.
   *
   * @param pixels labelled pixels per class id in the training data
   * @throws IllegalArgumentException when given weights do not match the number of classes
   */
  public float[] compute(List<LandcoverClass> classes, Map<Integer, Long> pixels) {
    float[] weights = new float[classes.size()];
    Arrays.fill(weights, 1f);
    if (this == AUTO || this == SQRT) {
      double total = 0;
      for (int i = 0; i < classes.size(); i++) {
        double n = Math.max(1, pixels.getOrDefault(classes.get(i).id(), 0L));
        weights[i] = (float) (1.0 / (this == SQRT ? Math.sqrt(n) : n));
        total += weights[i];
      }
      for (int i = 0; i < classes.size(); i++) {
        weights[i] = (float) (weights[i] * classes.size() / total);
      }
    } else if (given != null) {
      if (given.length != classes.size()) {
        throw new IllegalArgumentException(
            "--class-weights has "
                + given.length
                + " values for "
                + classes.size()
                + " classes; give auto, sqrt, none or one weight per class");
      }
      weights = given.clone();
    }
    return weights;
  }

  @Override
  public String toString() {
    if (given == null) {
      return name;
    }
    StringBuilder sb = new StringBuilder();
    for (float w : given) {
      sb.append(sb.length() == 0 ? "" : ",").append(w);
    }
    return sb.toString();
  }
}

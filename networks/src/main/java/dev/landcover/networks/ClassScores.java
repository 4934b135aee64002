package dev.landcover.networks;

/**
 * The one decoding of a network's per-pixel scores into classes and probabilities, used when
 * mapping scenes and when validating during training.
 *
 * <p>Scores of one pixel are read from an array of several classes at {@code offset + c * stride}
 * for class {@code c}: {@code stride} is the size of one class plane (a {@code classes x h x w}
 * chip has stride {@code h * w} and the pixel (x, y) at offset {@code y * w + x}; a {@code classes
 * x width} row of a scene has stride {@code width} and offset {@code x}).
 */
public final class ClassScores {
  private ClassScores() {}

  /**
   * The class with the highest score; on a tie, the lowest class index (as PyTorch's argmax).
   *
   * @return the class index, 0 to {@code classes - 1}
   */
  public static int argmax(float[] scores, int classes, int stride, int offset) {
    int best = 0;
    float top = scores[offset];
    for (int c = 1; c < classes; c++) {
      float v = scores[offset + c * stride];
      if (v > top) {
        top = v;
        best = c;
      }
    }
    return best;
  }

  /**
   * Softmax probabilities of one pixel's logits, computed stably (relative to the highest logit) in
   * double precision.
   *
   * @param probabilities receives {@code classes} probabilities, in class order
   * @return the probability of the winning class ({@link #argmax}), in double precision
   */
  public static double softmax(
      float[] logits, int classes, int stride, int offset, float[] probabilities) {
    int best = argmax(logits, classes, stride, offset);
    float top = logits[offset + best * stride];
    double sum = 0;
    for (int c = 0; c < classes; c++) {
      probabilities[c] = (float) Math.exp(logits[offset + c * stride] - top);
      sum += probabilities[c];
    }
    for (int c = 0; c < classes; c++) {
      probabilities[c] = (float) (probabilities[c] / sum);
    }
    return 1 / sum;
  }

  /**
   * Shannon entropy of one pixel's probabilities in nats, {@code -sum(p ln p)}, summed in double
   * precision; classes of probability 0 add nothing. 0 for a certain pixel, {@code ln(classes)}
   * when all classes are equally likely.
   */
  public static double entropy(float[] probabilities, int classes) {
    double h = 0;
    for (int c = 0; c < classes; c++) {
      double p = probabilities[c];
      if (p > 0) {
        h -= p * Math.log(p);
      }
    }
    return h;
  }

  /**
   * The highest probability minus the second highest (0 to 1; 1 with a single class): small where
   * the two likeliest classes are close.
   */
  public static double margin(float[] probabilities, int classes) {
    double top = Double.NEGATIVE_INFINITY;
    double second = classes == 1 ? 0 : Double.NEGATIVE_INFINITY;
    for (int c = 0; c < classes; c++) {
      double p = probabilities[c];
      if (p > top) {
        second = top;
        top = p;
      } else if (p > second) {
        second = p;
      }
    }
    return top - second;
  }
}

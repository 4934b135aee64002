package dev.landcover.pixels;

import java.util.Arrays;

/**
 * Counts of (reference class, predicted class) pairs over pixels, and the usual accuracy measures
 * of a landcover map derived from them.
 *
 * <p>Rows are reference (ground truth) classes, columns predicted classes, both in the order of
 * {@link #classIds()}. Per class: precision = user's accuracy (correct / predicted as the class),
 * recall = producer's accuracy (correct / reference of the class), F1, IoU (correct / (reference +
 * predicted - correct)). A measure with a zero denominator is NaN, and macro averages and mean IoU
 * are taken over the classes where it is defined (classes present in the reference or the
 * prediction).
 *
 * <p>Pixels whose prediction is none of the classes (e.g. a predicted class without a counterpart
 * in a crosswalk) may be counted as unmatched ({@link #addUnmatched}): always wrong, they count in
 * the total, in their reference row (support, recall, IoU) and in no column, as an extra column
 * that is not a class (it has no IoU of its own and is not in the means).
 */
public final class ConfusionMatrix {
  private final int[] classIds;
  private final int[] indexOf;
  private final long[][] counts;
  private final long[] unmatched;

  /**
   * @param classIds the class values (0 to 65535), in the order of rows and columns
   */
  public ConfusionMatrix(int... classIds) {
    this.classIds = classIds.clone();
    int max = Arrays.stream(classIds).max().orElse(0);
    indexOf = new int[max + 1];
    Arrays.fill(indexOf, -1);
    for (int i = 0; i < classIds.length; i++) {
      if (indexOf[classIds[i]] >= 0) {
        throw new IllegalArgumentException("Class " + classIds[i] + " is listed twice");
      }
      indexOf[classIds[i]] = i;
    }
    counts = new long[classIds.length][classIds.length];
    unmatched = new long[classIds.length];
  }

  public int[] classIds() {
    return classIds.clone();
  }

  /** Whether {@code classId} is one of the matrix's classes. */
  public boolean hasClass(int classId) {
    return classId >= 0 && classId < indexOf.length && indexOf[classId] >= 0;
  }

  /**
   * Counts one pixel.
   *
   * @throws IllegalArgumentException for a class the matrix does not have
   */
  public void add(int reference, int predicted) {
    add(reference, predicted, 1);
  }

  /** Counts {@code n} pixels of the pair. */
  public void add(int reference, int predicted, long n) {
    if (!hasClass(reference) || !hasClass(predicted)) {
      throw new IllegalArgumentException(
          "Class "
              + (hasClass(reference) ? predicted : reference)
              + " is not one of "
              + Arrays.toString(classIds));
    }
    counts[indexOf[reference]][indexOf[predicted]] += n;
  }

  /**
   * Counts {@code n} pixels of reference class {@code reference} predicted as no class of the
   * matrix (always wrong).
   *
   * @throws IllegalArgumentException for a reference class the matrix does not have
   */
  public void addUnmatched(int reference, long n) {
    if (!hasClass(reference)) {
      throw new IllegalArgumentException(
          "Class " + reference + " is not one of " + Arrays.toString(classIds));
    }
    unmatched[indexOf[reference]] += n;
  }

  /** Pixels of reference class index {@code i} predicted as no class of the matrix. */
  public long unmatched(int i) {
    return unmatched[i];
  }

  /** Adds another matrix over the same classes. */
  public void add(ConfusionMatrix other) {
    if (!Arrays.equals(classIds, other.classIds)) {
      throw new IllegalArgumentException("Matrices over different classes");
    }
    for (int i = 0; i < counts.length; i++) {
      for (int j = 0; j < counts.length; j++) {
        counts[i][j] += other.counts[i][j];
      }
      unmatched[i] += other.unmatched[i];
    }
  }

  /** The count of (reference row {@code i}, predicted column {@code j}), by index. */
  public long count(int i, int j) {
    return counts[i][j];
  }

  /** Every pixel counted, the unmatched ones included. */
  public long total() {
    long n = Arrays.stream(unmatched).sum();
    for (long[] row : counts) {
      for (long v : row) {
        n += v;
      }
    }
    return n;
  }

  private long rowSum(int i) {
    return Arrays.stream(counts[i]).sum() + unmatched[i];
  }

  private long columnSum(int j) {
    long n = 0;
    for (long[] row : counts) {
      n += row[j];
    }
    return n;
  }

  /** Reference pixels of class index {@code i}. */
  public long support(int i) {
    return rowSum(i);
  }

  public double overallAccuracy() {
    long correct = 0;
    for (int i = 0; i < counts.length; i++) {
      correct += counts[i][i];
    }
    return (double) correct / total();
  }

  /** Cohen's kappa: agreement beyond what the row and column totals give by chance. */
  public double kappa() {
    double n = total();
    double expected = 0;
    for (int i = 0; i < counts.length; i++) {
      expected += (double) rowSum(i) * columnSum(i);
    }
    expected /= n * n;
    return (overallAccuracy() - expected) / (1 - expected);
  }

  /** User's accuracy of class index {@code i}. */
  public double precision(int i) {
    return (double) counts[i][i] / columnSum(i);
  }

  /** Producer's accuracy of class index {@code i}. */
  public double recall(int i) {
    return (double) counts[i][i] / rowSum(i);
  }

  public double f1(int i) {
    return 2.0 * counts[i][i] / (rowSum(i) + columnSum(i));
  }

  public double iou(int i) {
    return (double) counts[i][i] / (rowSum(i) + columnSum(i) - counts[i][i]);
  }

  private interface PerClass {
    double of(int i);
  }

  private double macro(PerClass measure) {
    double sum = 0;
    int n = 0;
    for (int i = 0; i < counts.length; i++) {
      double v = measure.of(i);
      if (!Double.isNaN(v)) {
        sum += v;
        n++;
      }
    }
    return n == 0 ? Double.NaN : sum / n;
  }

  public double macroPrecision() {
    return macro(this::precision);
  }

  public double macroRecall() {
    return macro(this::recall);
  }

  public double macroF1() {
    return macro(this::f1);
  }

  /** Mean IoU over the classes present in the reference or the prediction. */
  public double meanIou() {
    return macro(this::iou);
  }

  /**
   * Mean IoU over the classes present in the reference only. A class that is predicted but absent
   * from the reference adds no zero to the mean (its false positives still lower the IoU of the
   * reference classes they were taken from), so a map that collapses onto the majority class scores
   * its share of the pixels divided by the number of reference classes, never more than a map that
   * finds the other classes too. Used to pick the best epoch on validation chips, where rare
   * classes are often absent.
   */
  public double meanIouOfReferenceClasses() {
    return macro(i -> rowSum(i) > 0 ? iou(i) : Double.NaN);
  }
}

package dev.landcover.workflows;

import dev.landcover.pixels.PixelWindow;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;
import java.util.function.IntToLongFunction;

/**
 * Splits chips into training and validation, from where they lie alone.
 *
 * <p>{@link Method#BLOCKS}: each source is cut into square blocks (about 25 per source, 1 to 4
 * chips wide), each block goes to validation with probability {@code fraction} (blocks drawn in
 * order of first appearance, from one seeded generator), and training chips overlapping a
 * validation chip of the same source are dropped, so no training pixel is a validation pixel.
 * {@link Method#RANDOM}: each chip on its own (overlapping neighbours land on both sides, and
 * validation figures are optimistic). Either way, when no chip was drawn for validation the last
 * training chip goes there.
 */
final class ValidationSplit {
  /** How chips are drawn for validation. */
  enum Method {
    BLOCKS,
    RANDOM
  }

  /** A chip's source and window, as the split sees it. */
  interface Located {
    int source();

    PixelWindow window();
  }

  private ValidationSplit() {}

  /**
   * Splits {@code all} into {@code train} and {@code val} (both filled, in the order of {@code
   * all}).
   *
   * @param size the chip size
   * @param sourceArea pixels of each source, by source index
   * @throws IllegalArgumentException when no training chip is left
   */
  static <T extends Located> void split(
      List<T> all,
      int size,
      IntToLongFunction sourceArea,
      Method method,
      double fraction,
      long seed,
      List<T> train,
      List<T> val) {
    Random random = new Random(seed);
    if (method == Method.RANDOM) {
      for (T c : all) {
        (random.nextDouble() < fraction ? val : train).add(c);
      }
    } else {
      TreeMap<String, Boolean> blockIsValidation = new TreeMap<>();
      for (T c : all) {
        int block =
            (int)
                Math.max(
                    size,
                    Math.min(
                        4L * size, (long) Math.sqrt(sourceArea.applyAsLong(c.source()) / 25.0)));
        String key = c.source() + ":" + c.window().x() / block + ":" + c.window().y() / block;
        boolean v = blockIsValidation.computeIfAbsent(key, k -> random.nextDouble() < fraction);
        (v ? val : train).add(c);
      }
    }
    if (val.isEmpty()) {
      val.add(train.remove(train.size() - 1));
    }
    if (method == Method.BLOCKS) {
      List<T> kept = new ArrayList<>();
      for (T t : train) {
        boolean overlaps =
            val.stream()
                .anyMatch(
                    v -> v.source() == t.source() && v.window().intersection(t.window()) != null);
        if (!overlaps) {
          kept.add(t);
        }
      }
      train.clear();
      train.addAll(kept);
    }
    if (train.isEmpty()) {
      throw new IllegalArgumentException(
          "No training chip left after the validation split: lower --val-fraction");
    }
  }
}

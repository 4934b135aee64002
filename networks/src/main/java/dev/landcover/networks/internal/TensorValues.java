package dev.landcover.networks.internal;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;

/**
 * Overwrites a tensor's values in place, keeping its handle, data type and gradient attachment.
 *
 * <p>DJL's {@code NDArray.set(Buffer)} does the same, but its PyTorch implementation enters
 * libtorch's deprecated {@code AutoNonVariableTypeMode}, which prints a deprecation warning on the
 * process's standard error that users of {@code landcover} would see. Assigning through an index
 * that selects every element copies the same values without it.
 */
public final class TensorValues {
  private static final NDIndex ALL = new NDIndex("...");

  private TensorValues() {}

  /**
   * Copies {@code values} into {@code target}, in row-major order.
   *
   * @throws IllegalArgumentException when the counts differ
   */
  public static void overwrite(NDArray target, float[] values) {
    if (values.length != target.size()) {
      throw new IllegalArgumentException(
          values.length + " values for a tensor of shape " + target.getShape());
    }
    // Gradient recording is a per-thread mode of libtorch, on in threads the engine did not start
    // in (a Spark executor's): an in-place copy into a tensor that requires a gradient is then
    // refused, so the requirement is lifted for the copy and put back.
    boolean gradient = target.hasGradient();
    if (gradient) {
      target.setRequiresGradient(false);
    }
    try (NDManager scratch = target.getManager().newSubManager()) {
      NDArray source = scratch.create(values, target.getShape());
      target.set(ALL, source.toType(target.getDataType(), false));
    } finally {
      if (gradient) {
        target.setRequiresGradient(true);
      }
    }
  }
}

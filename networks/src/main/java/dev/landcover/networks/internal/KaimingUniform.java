package dev.landcover.networks.internal;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.initializer.Initializer;

/** He (Kaiming) uniform initialization for ReLU layers: U(-b, b) with b = sqrt(6 / fan_in). */
public final class KaimingUniform implements Initializer {
  @Override
  public NDArray initialize(NDManager manager, Shape shape, DataType dataType) {
    long fanIn = shape.dimension() > 1 ? shape.size() / shape.get(0) : shape.size();
    float bound = (float) Math.sqrt(6.0 / Math.max(1, fanIn));
    return manager.randomUniform(-bound, bound, shape, dataType);
  }
}

package dev.landcover.networks.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;

class TensorValuesTest {
  @Test
  void overwritesATrainableTensorOnAThreadTheEngineDidNotStartIn() throws Exception {
    // The engine starts on this thread; libtorch records gradients on threads it did not start in
    // (as in a Spark executor), where a plain in-place copy into a trainable tensor is refused.
    try (NDManager warm = NDManager.newBaseManager()) {
      warm.zeros(new Shape(1)).toFloatArray();
    }
    var pool = Executors.newSingleThreadExecutor();
    try {
      float[][] result =
          CompletableFuture.supplyAsync(
                  () -> {
                    try (NDManager manager = NDManager.newBaseManager()) {
                      NDArray weights = manager.zeros(new Shape(2, 3));
                      weights.setRequiresGradient(true);
                      TensorValues.overwrite(weights, new float[] {1, 2, 3, 4, 5, 6});
                      assertTrue(weights.hasGradient(), "still trainable");
                      try (GradientCollector collector =
                          Engine.getInstance().newGradientCollector()) {
                        collector.backward(weights.mul(weights).sum());
                      }
                      return new float[][] {
                        weights.toFloatArray(), weights.getGradient().toFloatArray()
                      };
                    }
                  },
                  pool)
              .get();
      assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6}, result[0]);
      assertArrayEquals(new float[] {2, 4, 6, 8, 10, 12}, result[1], "d(w²)/dw = 2w");
    } finally {
      pool.shutdown();
    }
  }
}

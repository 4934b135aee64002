package dev.landcover.networks;

import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The UNet trains in Java: gradients flow through every up step (the transposed one included) and
 * plain gradient descent lowers the cross-entropy of a small segmentation task.
 */
class UNetTrainingTest {

  @ParameterizedTest
  @EnumSource(UNetConfig.UpStep.class)
  void gradientDescentLowersTheLoss(UNetConfig.UpStep up) {
    UNetConfig config =
        UNetConfig.builder()
            .bands(2)
            .classes(2)
            .encoder(4, 8)
            .bottleneck(16)
            .decoder(8, 4)
            .upStep(up)
            .build();
    try (NDManager manager = NDManager.newBaseManager()) {
      Engine.getInstance().setRandomSeed(3);
      UNetBlock block = UNetBlock.of(config);
      block.initialize(manager, DataType.FLOAT32, new Shape(4, 2, 16, 16));
      for (var p : block.getParameters()) {
        if (p.getValue().requiresGradient()) {
          p.getValue().getArray().setRequiresGradient(true);
        }
      }
      // Task: class 0 where band 0 exceeds band 1, class 1 elsewhere.
      NDArray x = manager.randomNormal(new Shape(4, 2, 16, 16));
      NDArray labels = x.get(":, 0, :, :").gt(x.get(":, 1, :, :")).toType(DataType.FLOAT32, false);
      NDArray target = labels.expandDims(1).concat(labels.expandDims(1).neg().add(1), 1);
      target = target.get(":, {}, :, :", manager.create(new int[] {1, 0}));
      float first = 0;
      float last = 0;
      ParameterStore store = new ParameterStore(manager, false);
      for (int step = 0; step < 60; step++) {
        NDArray loss;
        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
          NDArray logits = block.forward(store, new NDList(x), true).singletonOrThrow();
          loss = logits.logSoftmax(1).mul(target).sum(new int[] {1}).mean().neg();
          gc.backward(loss);
        }
        if (step == 0) {
          first = loss.getFloat();
        }
        last = loss.getFloat();
        for (var p : block.getParameters()) {
          Parameter param = p.getValue();
          if (param.requiresGradient()) {
            NDArray w = param.getArray();
            w.subi(w.getGradient().mul(0.1f));
            w.getGradient().subi(w.getGradient());
          }
        }
      }
      assertTrue(last < 0.6f * first, up + ": loss " + first + " -> " + last);
    }
  }
}

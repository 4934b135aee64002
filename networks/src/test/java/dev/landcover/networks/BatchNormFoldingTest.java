package dev.landcover.networks;

import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import java.io.IOException;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Folding batch normalization keeps the logits of a freshly initialized UNet. */
class BatchNormFoldingTest {
  @Test
  void initializedUNetFoldsToTheSameLogits() throws IOException {
    UNetConfig config = UNetConfig.preset("geo-course").withBandsAndClasses(4, 10);
    float[] x = new float[2 * 4 * 64 * 64];
    Random r = new Random(3);
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) r.nextGaussian();
    }
    ai.djl.engine.Engine.getInstance().setRandomSeed(5);
    float[] a;
    try (SegmentationModel m =
        SegmentationModel.unet(config, null, Device.cpu(), InferenceOptions.AS_TRAINED)) {
      a = m.predict(x, 2, 4, 64, 64).values();
    }
    ai.djl.engine.Engine.getInstance().setRandomSeed(5);
    float[] b;
    try (SegmentationModel m =
        SegmentationModel.unet(config, null, Device.cpu(), InferenceOptions.DEFAULT)) {
      b = m.predict(x, 2, 4, 64, 64).values();
    }
    double max = 0;
    double scale = 0;
    for (int i = 0; i < a.length; i++) {
      max = Math.max(max, Math.abs(a[i] - b[i]));
      scale = Math.max(scale, Math.abs(a[i]));
    }
    System.out.printf("random geo-course: max |folded - as trained| %.3g of %.3g%n", max, scale);
    assertTrue(max <= 1e-4 * Math.max(1, scale), "max difference " + max);
  }
}

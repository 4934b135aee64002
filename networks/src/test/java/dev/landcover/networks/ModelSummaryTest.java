package dev.landcover.networks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;

class ModelSummaryTest {
  @Test
  void geoCourseMatchesTheSeedsTorchinfoPrintout() {
    ModelSummary s = ModelSummary.of(UNetConfig.preset("geo-course"), 12, 256);
    assertEquals(2_315_322, s.parameters());
    assertEquals("55.18", String.format(java.util.Locale.ROOT, "%.2f", s.multAdds() / 1e9));
    assertTrue(s.format().contains("Total mult-adds (G): 55.18"), s.format());
  }

  @Test
  void parameterCountsAgreeWithTheDjlBlockForOtherConfigurations() {
    UNetConfig c =
        UNetConfig.builder()
            .bands(4)
            .classes(7)
            .encoder(8, 16, 32)
            .bottleneck(64)
            .decoder(32, 16, 8)
            .padding(UNetConfig.Padding.VALID)
            .normalization(UNetConfig.Normalization.GROUP)
            .groups(4)
            .activation(UNetConfig.Activation.ELU)
            .upStep(UNetConfig.UpStep.BILINEAR)
            .upKeepsChannels(true)
            .upNormalization(true)
            .skipFirst(false)
            .bias(false)
            .init(UNetConfig.Init.KAIMING)
            .build();
    ModelSummary s = ModelSummary.of(c, 2, 188);
    UNetBlock block = UNetBlock.of(c);
    try (NDManager m = NDManager.newBaseManager()) {
      block.initialize(m, DataType.FLOAT32, new Shape(2, 4, 188, 188));
      assertEquals(block.trainableParameterCount(), s.parameters());
      assertEquals(c.outputSize(188), s.layers().get(s.layers().size() - 1).outputShape()[2]);
    }
  }
}

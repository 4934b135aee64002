package dev.landcover.networks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class UNetConfigTest {

  @ParameterizedTest
  @CsvSource({
    "geo-course, 256, 2315322",
    "ronneberger, 572, 31036546",
    "classic-same, 256, 31043521"
  })
  void presetsHaveTheReferenceParameterCounts(String preset, int size, long expected) {
    UNetConfig config = UNetConfig.preset(preset);
    UNetBlock block = UNetBlock.of(config);
    try (NDManager manager = NDManager.newBaseManager()) {
      block.initialize(manager, DataType.FLOAT32, new Shape(1, config.bands(), size, size));
      assertEquals(expected, block.trainableParameterCount());
      long canonical =
          block.canonicalTensors().entrySet().stream()
              .filter(e -> !e.getKey().contains("running"))
              .mapToLong(e -> e.getValue().getShape().size())
              .sum();
      assertEquals(expected, canonical);
    }
  }

  @Test
  void validPaddingExposesOutputSizeAndMargin() {
    UNetConfig r = UNetConfig.preset("ronneberger");
    assertEquals(388, r.outputSize(572));
    assertEquals(92, r.margin(572));
    assertEquals(4, r.outputSize(188));
    var e = assertThrows(IllegalArgumentException.class, () -> r.outputSize(570));
    assertTrue(e.getMessage().contains("572"), e.getMessage());
  }

  @Test
  void samePaddingNeedsAMultipleOf16AndNamesTheNearestSizes() {
    UNetConfig g = UNetConfig.preset("geo-course");
    assertEquals(256, g.outputSize(256));
    assertEquals(0, g.margin(256));
    var e = assertThrows(IllegalArgumentException.class, () -> g.outputSize(250));
    assertTrue(e.getMessage().contains("multiple of 16"), e.getMessage());
    assertTrue(e.getMessage().contains("240 and 256"), e.getMessage());
  }

  @Test
  void unknownPresetListsTheKnownOnes() {
    var e = assertThrows(IllegalArgumentException.class, () -> UNetConfig.preset("resnet"));
    assertTrue(e.getMessage().contains("geo-course"), e.getMessage());
  }
}

package dev.landcover.workflows;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.landcover.pixels.LandcoverClass;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ClassWeightsTest {
  private static final List<LandcoverClass> CLASSES =
      List.of(LandcoverClass.unnamed(1), LandcoverClass.unnamed(2), LandcoverClass.unnamed(5));
  private static final Map<Integer, Long> PIXELS = Map.of(1, 100L, 2, 400L, 7, 50L);

  @Test
  void autoIsInverseFrequencyWithMeanOne() {
    // 1/100, 1/400, 1/1 (class 5 has no pixel: counted as 1), scaled to mean 1.
    double[] raw = {1 / 100.0, 1 / 400.0, 1.0};
    double sum = raw[0] + raw[1] + raw[2];
    float[] w = ClassWeights.AUTO.compute(CLASSES, PIXELS);
    for (int i = 0; i < 3; i++) {
      assertEquals(raw[i] * 3 / sum, w[i], 1e-6);
    }
    assertEquals(3, w[0] + w[1] + w[2], 1e-5);
  }

  @Test
  void sqrtIsInverseSquareRootWithMeanOne() {
    float[] w = ClassWeights.SQRT.compute(CLASSES, PIXELS);
    assertEquals(2.0, w[0] / w[1], 1e-5, "sqrt(400 / 100)");
    assertEquals(3, w[0] + w[1] + w[2], 1e-5);
  }

  @Test
  void noneAndGivenWeights() {
    assertArrayEquals(new float[] {1, 1, 1}, ClassWeights.NONE.compute(CLASSES, PIXELS));
    assertArrayEquals(
        new float[] {0.5f, 2, 0}, ClassWeights.parse("0.5, 2,0").compute(CLASSES, PIXELS));
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> ClassWeights.parse("1,2").compute(CLASSES, PIXELS));
    assertEquals(
        "--class-weights has 2 values for 3 classes; give auto, sqrt, none or one weight per class",
        e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> ClassWeights.parse("1,-2"));
    assertThrows(IllegalArgumentException.class, () -> ClassWeights.parse("1,x"));
    assertThrows(IllegalArgumentException.class, () -> ClassWeights.parse("1,Infinity"));
  }
}

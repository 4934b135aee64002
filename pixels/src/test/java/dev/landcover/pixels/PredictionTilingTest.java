package dev.landcover.pixels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PredictionTilingTest {
  @ParameterizedTest
  @CsvSource({
    "150, 97, 96, 0, 64, 4",
    "40, 30, 96, 0, 64, 4",
    "1000, 700, 256, 0, 64, 16",
    "572, 572, 572, 92, 100, 16",
    "17, 1, 64, 0, 16, 8"
  })
  void chipsAreAlignedOverlapAtLeastAsAskedAndCoverTheScene(
      int width, int height, int chip, int halo, int overlap, int alignment) {
    PredictionTiling t = PredictionTiling.of(width, height, chip, halo, overlap, alignment);
    assertEquals(t.coreWidth() + 2 * halo, t.inputWidth());
    check(t.columnStarts(), t.coreWidth(), width, chip - 2 * halo, overlap, alignment);
    check(t.rowStarts(), t.coreHeight(), height, chip - 2 * halo, overlap, alignment);
  }

  private static void check(int[] starts, int core, int length, int full, int overlap, int a) {
    assertEquals(0, starts[0]);
    int covered = 0;
    for (int i = 0; i < starts.length; i++) {
      assertEquals(0, starts[i] % a, "origin " + starts[i] + " is not a multiple of " + a);
      assertTrue(starts[i] <= covered, "gap before origin " + starts[i]);
      if (i > 0) {
        assertTrue(starts[i] > starts[i - 1], "origins increase");
        if (length > full) {
          assertTrue(starts[i - 1] + core - starts[i] >= overlap, "overlap below the asked one");
        }
      }
      covered = starts[i] + core;
    }
    assertTrue(covered >= length, "the scene's end is not covered");
    assertTrue(covered - length < Math.max(a, 1) || starts.length == 1, "reaches too far past");
  }

  @Test
  void aSceneSmallerThanAChipGetsOneChipOfItsSizeRoundedUpToTheAlignment() {
    PredictionTiling t = PredictionTiling.of(40, 30, 96, 0, 64, 16);
    assertEquals(48, t.coreWidth());
    assertEquals(32, t.coreHeight());
    assertArrayEquals(new int[] {0}, t.columnStarts());
    assertArrayEquals(new int[] {0}, t.rowStarts());
  }

  @Test
  void mirroringReflectsWithoutRepeatingTheEdgePixel() {
    int[] expected = {2, 1, 0, 1, 2, 3, 4, 3, 2};
    for (int c = -2; c <= 6; c++) {
      assertEquals(expected[c + 2], PredictionTiling.reflect(c, 5), "c=" + c);
    }
    assertEquals(0, PredictionTiling.reflect(-3, 1));
  }

  @Test
  void anOverlapAsLargeAsTheOutputIsRefused() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class, () -> PredictionTiling.of(100, 100, 64, 8, 48, 4));
    assertTrue(e.getMessage().contains("overlap=48"), e.getMessage());
  }
}

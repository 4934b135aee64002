package dev.landcover.workflows;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.landcover.pixels.PixelWindow;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ValidationSplitTest {
  record Chip(int source, PixelWindow window) implements ValidationSplit.Located {}

  /** Chips of 32 px every 16 px over a 512 x 512 source, for two sources. */
  private static List<Chip> grid() {
    List<Chip> chips = new ArrayList<>();
    for (int s = 0; s < 2; s++) {
      for (int y = 0; y + 32 <= 512; y += 16) {
        for (int x = 0; x + 32 <= 512; x += 16) {
          chips.add(new Chip(s, new PixelWindow(x, y, 32, 32)));
        }
      }
    }
    return chips;
  }

  private static void split(
      ValidationSplit.Method m, double f, long seed, List<Chip> train, List<Chip> val) {
    ValidationSplit.split(grid(), 32, s -> 512L * 512, m, f, seed, train, val);
  }

  @Test
  void blocksLeaveNoTrainingPixelInsideAValidationChip() {
    List<Chip> train = new ArrayList<>();
    List<Chip> val = new ArrayList<>();
    split(ValidationSplit.Method.BLOCKS, 0.2, 7, train, val);
    assertFalse(val.isEmpty());
    for (Chip t : train) {
      for (Chip v : val) {
        assertTrue(
            t.source() != v.source() || t.window().intersection(v.window()) == null,
            t + " overlaps " + v);
      }
    }
    int total = grid().size();
    assertTrue(train.size() + val.size() < total, "overlapping training chips were dropped");
    assertTrue(val.size() > total / 10 && val.size() < total / 3, "validation " + val.size());
  }

  @Test
  void randomSplitKeepsEveryChipOnExactlyOneSide() {
    List<Chip> train = new ArrayList<>();
    List<Chip> val = new ArrayList<>();
    split(ValidationSplit.Method.RANDOM, 0.25, 3, train, val);
    assertEquals(grid().size(), train.size() + val.size());
    Set<Chip> both = new HashSet<>(train);
    both.retainAll(val);
    assertTrue(both.isEmpty());
    assertEquals(0.25, (double) val.size() / grid().size(), 0.05);
  }

  @Test
  void theSplitDependsOnTheSeedAlone() {
    List<Chip> a = new ArrayList<>();
    List<Chip> b = new ArrayList<>();
    List<Chip> c = new ArrayList<>();
    split(ValidationSplit.Method.BLOCKS, 0.2, 11, new ArrayList<>(), a);
    split(ValidationSplit.Method.BLOCKS, 0.2, 11, new ArrayList<>(), b);
    split(ValidationSplit.Method.BLOCKS, 0.2, 12, new ArrayList<>(), c);
    assertEquals(a, b);
    assertFalse(a.equals(c), "another seed, another split");
  }

  @Test
  void withoutAnyDrawAChipStillGoesToValidationAndNoneLeftIsRefused() {
    List<Chip> two =
        List.of(
            new Chip(0, new PixelWindow(0, 0, 8, 8)), new Chip(0, new PixelWindow(100, 0, 8, 8)));
    List<Chip> train = new ArrayList<>();
    List<Chip> val = new ArrayList<>();
    ValidationSplit.split(two, 8, s -> 10_000L, ValidationSplit.Method.RANDOM, 1e-9, 1, train, val);
    assertEquals(List.of(two.get(1)), val);
    assertEquals(List.of(two.get(0)), train);
    List<Chip> overlapping =
        List.of(new Chip(0, new PixelWindow(0, 0, 8, 8)), new Chip(0, new PixelWindow(4, 0, 8, 8)));
    assertThrows(
        IllegalArgumentException.class,
        () ->
            ValidationSplit.split(
                overlapping,
                8,
                s -> 64L,
                ValidationSplit.Method.BLOCKS,
                1e-9,
                1,
                new ArrayList<>(),
                new ArrayList<>()));
  }
}

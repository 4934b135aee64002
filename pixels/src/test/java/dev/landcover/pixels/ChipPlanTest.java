package dev.landcover.pixels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ChipPlanTest {

  @ParameterizedTest
  @CsvSource({
    "1000, 700, 256, 128",
    "257, 257, 256, 128",
    "256, 256, 256, 256",
    "513, 300, 256, 200",
    "934, 723, 256, 256",
    "100, 101, 256, 128",
    "1000, 50, 64, 1",
    "7, 1000, 3, 2"
  })
  void everyPixelIsCoveredAndChipsStayInsideUnlessTheRasterIsSmaller(
      int width, int height, int size, int stride) {
    ChipPlan plan = ChipPlan.withStride(width, height, size, stride);
    int[][] cover = new int[height][width];
    PixelWindow raster = new PixelWindow(0, 0, width, height);
    for (PixelWindow w : plan.windows()) {
      assertEquals(size, w.width());
      assertEquals(size, w.height());
      if (width >= size && height >= size) {
        assertTrue(raster.contains(w), () -> w + " reaches outside " + raster);
      } else {
        assertTrue(w.x() >= 0 && w.y() >= 0);
      }
      PixelWindow inside = w.intersection(raster);
      for (int r = inside.y(); r < inside.endY(); r++) {
        for (int c = inside.x(); c < inside.endX(); c++) {
          cover[r][c]++;
        }
      }
    }
    for (int r = 0; r < height; r++) {
      for (int c = 0; c < width; c++) {
        assertTrue(cover[r][c] > 0, "pixel " + c + "," + r + " not covered");
      }
    }
  }

  @Test
  void originsAdvanceByStrideAndTheLastOneEndsOnTheEdge() {
    ChipPlan plan = ChipPlan.withOverlap(1000, 600, 256, 128);
    assertEquals(128, plan.stride());
    assertEquals(7, plan.columns()); // 0,128,...,640 then 744
    assertEquals(0, plan.columnStart(0));
    assertEquals(640, plan.columnStart(5));
    assertEquals(1000 - 256, plan.columnStart(6));
    assertEquals(600 - 256, plan.rowStart(plan.rows() - 1));
    assertEquals(plan.columns() * plan.rows(), plan.size());
    assertEquals(new PixelWindow(128, 0, 256, 256), plan.window(1));
    assertEquals(new PixelWindow(0, 128, 256, 256), plan.window(plan.columns()));
  }

  @Test
  void aRasterSmallerThanOneChipGivesOnePaddedChip() {
    ChipPlan plan = ChipPlan.withStride(100, 101, 256, 128);
    assertEquals(1, plan.size());
    assertEquals(new PixelWindow(0, 0, 256, 256), plan.window(0));
  }

  @Test
  void aRasterOnePixelWiderThanAChipGetsTwoColumns() {
    ChipPlan plan = ChipPlan.withStride(257, 256, 256, 256);
    assertEquals(2, plan.columns());
    assertEquals(1, plan.columnStart(1));
    assertEquals(1, plan.rows());
  }

  @Test
  void badArgumentsNameTheValue() {
    var e = assertThrows(IllegalArgumentException.class, () -> ChipPlan.withStride(10, 10, 0, 1));
    assertTrue(e.getMessage().contains("chipSize=0"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> ChipPlan.withStride(10, 10, 8, 9));
    assertTrue(e.getMessage().contains("stride=9"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> ChipPlan.withOverlap(10, 10, 8, 8));
    assertTrue(e.getMessage().contains("overlap=8"), e.getMessage());
  }

  @Test
  void windowIntersectionIsHalfOpen() {
    PixelWindow a = new PixelWindow(0, 0, 10, 10);
    assertEquals(null, a.intersection(new PixelWindow(10, 0, 5, 5)));
    assertEquals(new PixelWindow(9, 9, 1, 1), a.intersection(new PixelWindow(9, 9, 5, 5)));
    assertTrue(a.contains(9, 9));
    assertTrue(!a.contains(10, 9));
  }
}

package dev.landcover.pixels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Hand-made cases with known answers. */
class ConfusionMatrixTest {
  @Test
  void aWorkedExample() {
    // reference rows, predicted columns: classes 1, 2, 3
    //        1   2   3
    // 1     50   5   0
    // 2     10  30   5
    // 3      0   0   0   (class 3 never in the reference, predicted 5 times)
    ConfusionMatrix m = new ConfusionMatrix(1, 2, 3);
    m.add(1, 1, 50);
    m.add(1, 2, 5);
    m.add(2, 1, 10);
    m.add(2, 2, 30);
    m.add(2, 3, 5);
    assertEquals(100, m.total());
    assertEquals(0.80, m.overallAccuracy(), 1e-12);
    double pe = (55.0 * 60 + 45.0 * 35 + 0.0 * 5) / (100.0 * 100);
    assertEquals((0.80 - pe) / (1 - pe), m.kappa(), 1e-12);
    assertEquals(50.0 / 60, m.precision(0), 1e-12);
    assertEquals(50.0 / 55, m.recall(0), 1e-12);
    assertEquals(30.0 / 35, m.precision(1), 1e-12);
    assertEquals(30.0 / 45, m.recall(1), 1e-12);
    assertEquals(50.0 / (55 + 60 - 50), m.iou(0), 1e-12);
    assertEquals(2 * 30.0 / (45 + 35), m.f1(1), 1e-12);
    assertEquals(0.0, m.iou(2), 0);
    assertTrue(Double.isNaN(m.recall(2)), "no reference pixel of class 3");
    assertEquals((50.0 / 65 + 30.0 / 50 + 0) / 3, m.meanIou(), 1e-12);
    assertEquals((50.0 / 65 + 30.0 / 50) / 2, m.meanIouOfReferenceClasses(), 1e-12);
    assertEquals((50.0 / 55 + 30.0 / 45) / 2, m.macroRecall(), 1e-12);
  }

  @Test
  void aPerfectMapHasEveryMeasureAtOne() {
    ConfusionMatrix m = new ConfusionMatrix(0, 7);
    m.add(0, 0, 3);
    m.add(7, 7, 9);
    assertEquals(1.0, m.overallAccuracy());
    assertEquals(1.0, m.kappa());
    assertEquals(1.0, m.meanIou());
  }

  @Test
  void unknownClassesAreRefused() {
    ConfusionMatrix m = new ConfusionMatrix(1, 2);
    var e = assertThrows(IllegalArgumentException.class, () -> m.add(1, 5));
    assertTrue(e.getMessage().contains("5"), e.getMessage());
  }
}

package dev.landcover.pixels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class RowStitcherTest {
  private static final int W = 45;
  private static final int H = 37;
  private static final int CLASSES = 2;
  private static final int CHIP = 16;

  /** Logits of a chip cut from one scene-wide field: class c at (x, y) is f(c, x, y). */
  private static float field(int c, int x, int y) {
    return (float) Math.sin(0.3 * x + c) + 0.01f * y * (c + 1);
  }

  private static float[] chipOf(int x0, int y0) {
    float[] chip = new float[CLASSES * CHIP * CHIP];
    for (int c = 0; c < CLASSES; c++) {
      for (int y = 0; y < CHIP; y++) {
        for (int x = 0; x < CHIP; x++) {
          chip[(c * CHIP + y) * CHIP + x] = field(c, x0 + x, y0 + y);
        }
      }
    }
    return chip;
  }

  @ParameterizedTest
  @EnumSource(BlendWindow.class)
  void chipsCutFromOneFieldStitchBackToThatField(BlendWindow blend) {
    int[] starts = {0, 10, 20, 29};
    int[] rows = {0, 10, 21};
    RowStitcher stitcher = new RowStitcher(W, H, CLASSES, rows, starts, CHIP, CHIP, blend);
    float[] row = new float[CLASSES * W];
    int taken = 0;
    for (int r = 0; r < rows.length; r++) {
      for (int c = 0; c < starts.length; c++) {
        stitcher.add(r, c, chipOf(starts[c], rows[r]));
      }
      int finished = stitcher.endRow(r);
      for (; taken < finished; taken++) {
        stitcher.takeRow(taken, row);
        for (int k = 0; k < CLASSES; k++) {
          for (int x = 0; x < W; x++) {
            assertEquals(field(k, x, taken), row[k * W + x], 1e-5, "class " + k + " at " + x);
          }
        }
      }
    }
    assertEquals(H, taken, "every row handed out once");
  }

  @ParameterizedTest
  @EnumSource(BlendWindow.class)
  void everyRowIsAWeightedMeanOfTheChipsThatCoverIt(BlendWindow blend) {
    // Chips of constant logits k (chip number): each output lies between the smallest and the
    // largest chip value covering the pixel, and equals it where one chip covers it.
    int[] cols = {0, 10, 20, 29};
    int[] rows = {0, 10, 21};
    RowStitcher stitcher = new RowStitcher(W, H, 1, rows, cols, CHIP, CHIP, blend);
    float[] out = new float[W];
    int taken = 0;
    for (int r = 0; r < rows.length; r++) {
      for (int c = 0; c < cols.length; c++) {
        float[] chip = new float[CHIP * CHIP];
        java.util.Arrays.fill(chip, r * 4 + c);
        stitcher.add(r, c, chip);
      }
      for (int finished = stitcher.endRow(r); taken < finished; taken++) {
        stitcher.takeRow(taken, out);
        for (int x = 0; x < W; x++) {
          float lo = Float.MAX_VALUE;
          float hi = -Float.MAX_VALUE;
          for (int rr = 0; rr < rows.length; rr++) {
            for (int cc = 0; cc < cols.length; cc++) {
              if (taken >= rows[rr]
                  && taken < rows[rr] + CHIP
                  && x >= cols[cc]
                  && x < cols[cc] + CHIP) {
                lo = Math.min(lo, rr * 4 + cc);
                hi = Math.max(hi, rr * 4 + cc);
              }
            }
          }
          assertEquals(
              true,
              out[x] >= lo - 1e-5 && out[x] <= hi + 1e-5,
              "row " + taken + ", x " + x + ": " + out[x]);
        }
      }
    }
  }

  @ParameterizedTest
  @EnumSource(BlendWindow.class)
  void rowsMustBeTakenInOrderAndOnlyWhenFinal(BlendWindow blend) {
    int[] starts = {0, 10, 21};
    RowStitcher stitcher = new RowStitcher(W, H, 1, starts, starts, CHIP, CHIP, blend);
    float[] out = new float[W];
    for (int c = 0; c < starts.length; c++) {
      stitcher.add(0, c, new float[CHIP * CHIP]);
    }
    assertThrows(IllegalStateException.class, () -> stitcher.takeRow(0, out), "not final yet");
    assertEquals(10, stitcher.endRow(0));
    assertThrows(IllegalStateException.class, () -> stitcher.takeRow(1, out), "out of order");
    stitcher.takeRow(0, out);
    assertThrows(
        IllegalStateException.class,
        () -> stitcher.add(2, 0, new float[CHIP * CHIP]),
        "chip row 2 does not fit the open rows before rows 1-9 are taken");
  }

  @ParameterizedTest
  @EnumSource(BlendWindow.class)
  void columnBlocksGiveTheWholeScenesColumnsBitForBit(BlendWindow blend) {
    // Chips of unrelated values, so that every sum depends on the order it is made in.
    int[] cols = {0, 10, 20, 29};
    int[] rows = {0, 10, 21};
    java.util.Random random = new java.util.Random(42);
    float[][][] chips = new float[rows.length][cols.length][CLASSES * CHIP * CHIP];
    for (float[][] row : chips) {
      for (float[] chip : row) {
        for (int i = 0; i < chip.length; i++) {
          chip[i] = (float) random.nextGaussian() * 5;
        }
      }
    }
    float[][] whole = stitch(blend, rows, cols, chips, 0, W);
    int[] blockStarts = {0, 13, 30};
    for (int k = 0; k < blockStarts.length; k++) {
      int x0 = blockStarts[k];
      int x1 = k + 1 < blockStarts.length ? blockStarts[k + 1] : W;
      float[][] block = stitch(blend, rows, cols, chips, x0, x1);
      for (int y = 0; y < H; y++) {
        for (int c = 0; c < CLASSES; c++) {
          for (int x = x0; x < x1; x++) {
            assertEquals(
                Float.floatToIntBits(whole[y][c * W + x]),
                Float.floatToIntBits(block[y][c * (x1 - x0) + x - x0]),
                "row " + y + ", class " + c + ", column " + x + " in block " + k);
          }
        }
      }
    }
  }

  /** The rows of columns {@code [x0, x1)}, from the chips that reach into them, row by row. */
  private static float[][] stitch(
      BlendWindow blend, int[] rows, int[] cols, float[][][] chips, int x0, int x1) {
    RowStitcher s = new RowStitcher(W, H, CLASSES, rows, cols, CHIP, CHIP, blend, x0, x1);
    float[][] out = new float[H][CLASSES * (x1 - x0)];
    int taken = 0;
    for (int r = 0; r < rows.length; r++) {
      for (int c = 0; c < cols.length; c++) {
        if (cols[c] < x1 && cols[c] + CHIP > x0) {
          s.add(r, c, chips[r][c]);
        }
      }
      for (int finished = s.endRow(r); taken < finished; taken++) {
        s.takeRow(taken, out[taken]);
      }
    }
    return out;
  }
}

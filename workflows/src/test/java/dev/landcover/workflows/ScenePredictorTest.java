package dev.landcover.workflows;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.landcover.geo.GeoTiffRaster;
import dev.landcover.geo.GeoTiffWriter;
import dev.landcover.geo.GeoTransform;
import dev.landcover.geo.RasterGrid;
import dev.landcover.geo.RasterWindow;
import dev.landcover.geo.SampleType;
import dev.landcover.networks.InputNormalization;
import dev.landcover.networks.SegmentationModel;
import dev.landcover.networks.UNetConfig;
import dev.landcover.pixels.BlendWindow;
import dev.landcover.pixels.PredictionTiling;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Stitching is exact: with a same-padding UNet in inference mode and a crop overlap of at least
 * twice its receptive radius, the stitched logits equal one forward pass over the whole scene
 * (mirrored to the network's alignment the same way), and the class maps are identical.
 */
class ScenePredictorTest {
  private static final UNetConfig CONFIG =
      UNetConfig.builder().bands(3).classes(4).encoder(4, 8).bottleneck(16).decoder(8, 4).build();
  private static final int ALIGN = 4;
  private static SegmentationModel model;

  @TempDir static Path dir;

  @BeforeAll
  static void load() throws IOException {
    ai.djl.engine.Engine.getInstance().setRandomSeed(42);
    model = SegmentationModel.unet(CONFIG, null);
  }

  @AfterAll
  static void close() {
    model.close();
  }

  private static Path scene(int w, int h) throws IOException {
    Path file = dir.resolve("scene-" + w + "x" + h + ".tif");
    Random random = new Random(w * 1000L + h);
    RasterGrid grid =
        RasterGrid.ofEpsg(w, h, new GeoTransform(500000, 10, 0, 4000000, 0, -10), 32633);
    RasterWindow window = RasterWindow.create(SampleType.FLOAT32, w, h, 3);
    var raster = window.writableRaster();
    for (int b = 0; b < 3; b++) {
      for (int y = 0; y < h; y++) {
        for (int x = 0; x < w; x++) {
          raster.setSample(
              x,
              y,
              b,
              (float) (Math.sin(x * 0.2 + b) + Math.cos(y * 0.15) + 0.3 * random.nextGaussian()));
        }
      }
    }
    GeoTiffWriter.forGrid(grid, SampleType.FLOAT32, 3).overwrite(true).write(file, window);
    return file;
  }

  /**
   * A predictor of the test's model over bands 1-3 as they are: chips of 96 px, overlap 64 (twice
   * the receptive radius and more, so crop stitching is exact).
   */
  private static ScenePredictor chips96(BlendWindow blend, int batch) {
    return new ScenePredictor(
        model,
        new int[] {1, 2, 3},
        InputNormalization.identity(3),
        4,
        96,
        0,
        64,
        ALIGN,
        blend,
        batch);
  }

  /** One forward pass over the whole scene, mirrored to a multiple of the alignment. */
  private static float[] wholeScene(GeoTiffRaster r) throws IOException {
    return wholeScene(r, MappingRequest.TestTimeAugmentation.NONE);
  }

  /**
   * As above, averaged over the transforms of {@code tta}: the scene (mirrored to the alignment)
   * and its three flips, or its 8 symmetries (quarter turns of the scene and of its left-right
   * flip), each pass turned and flipped back with the test's own {@link #mirror} and {@link
   * #rot90}.
   */
  private static float[] wholeScene(GeoTiffRaster r, MappingRequest.TestTimeAugmentation tta)
      throws IOException {
    return wholeScene(r, tta, InputNormalization.identity(3));
  }

  /** As above, the scene's values normalized by {@code norm} before the pass. */
  private static float[] wholeScene(
      GeoTiffRaster r, MappingRequest.TestTimeAugmentation tta, InputNormalization norm)
      throws IOException {
    int w = r.width();
    int h = r.height();
    int pw = PredictionTiling.roundUp(w, ALIGN);
    int ph = PredictionTiling.roundUp(h, ALIGN);
    float[] raw = r.read(new dev.landcover.pixels.PixelWindow(0, 0, w, h), 1, 2, 3).toFloatChw();
    float[] input = new float[3 * ph * pw];
    for (int b = 0; b < 3; b++) {
      for (int y = 0; y < ph; y++) {
        for (int x = 0; x < pw; x++) {
          input[(b * ph + y) * pw + x] =
              norm.apply(
                  b,
                  raw[
                      (b * h + PredictionTiling.reflect(y, h)) * w
                          + PredictionTiling.reflect(x, w)]);
        }
      }
    }
    int transforms =
        switch (tta) {
          case NONE -> 1;
          case FLIPS -> 4;
          case D4 -> 8;
        };
    float[] sum = new float[4 * ph * pw];
    for (int t = 0; t < transforms; t++) {
      boolean d4 = tta == MappingRequest.TestTimeAugmentation.D4;
      boolean fx = d4 ? t >= 4 : (t & 1) != 0;
      boolean fy = !d4 && (t & 2) != 0;
      int turns = d4 ? t % 4 : 0;
      float[] in = mirror(input, 3, ph, pw, fx, fy);
      int th = ph;
      int tw = pw;
      for (int k = 0; k < turns; k++) {
        in = rot90(in, 3, th, tw);
        int swap = th;
        th = tw;
        tw = swap;
      }
      float[] out = model.predict(in, 1, 3, th, tw).values();
      for (int k = turns; k % 4 != 0; k++) {
        out = rot90(out, 4, th, tw);
        int swap = th;
        th = tw;
        tw = swap;
      }
      out = mirror(out, 4, ph, pw, fx, fy);
      for (int i = 0; i < sum.length; i++) {
        sum[i] += out[i];
      }
    }
    float[] cropped = new float[4 * h * w];
    for (int c = 0; c < 4; c++) {
      for (int y = 0; y < h; y++) {
        for (int x = 0; x < w; x++) {
          cropped[(c * h + y) * w + x] = sum[(c * ph + y) * pw + x] / transforms;
        }
      }
    }
    return cropped;
  }

  /** Planes of h x w values mirrored left-right and/or top-bottom (the test's own). */
  private static float[] mirror(float[] v, int planes, int h, int w, boolean fx, boolean fy) {
    float[] out = new float[v.length];
    for (int p = 0; p < planes; p++) {
      for (int y = 0; y < h; y++) {
        for (int x = 0; x < w; x++) {
          out[(p * h + y) * w + x] = v[(p * h + (fy ? h - 1 - y : y)) * w + (fx ? w - 1 - x : x)];
        }
      }
    }
    return out;
  }

  /**
   * Planes of h x w values turned a quarter turn counter-clockwise, as numpy's {@code rot90}: the
   * result has w rows of h values, {@code out[i][j] = in[j][w - 1 - i]}.
   */
  private static float[] rot90(float[] v, int planes, int h, int w) {
    float[] out = new float[v.length];
    for (int p = 0; p < planes; p++) {
      for (int i = 0; i < w; i++) {
        for (int j = 0; j < h; j++) {
          out[p * h * w + i * h + j] = v[p * h * w + j * w + (w - 1 - i)];
        }
      }
    }
    return out;
  }

  @ParameterizedTest
  @CsvSource({"150, 97", "40, 30", "97, 96"})
  void stitchedLogitsEqualOneWholeScenePass(int w, int h) throws IOException {
    try (GeoTiffRaster r = GeoTiffRaster.open(scene(w, h))) {
      float[] expected = wholeScene(r);
      ScenePredictor p = chips96(BlendWindow.CROP, 3);
      float[] max = {0};
      int[] rows = {0};
      int[] classDiffs = {0};
      p.predict(
          r,
          new ColumnBlocks(new int[] {0}, r.width()),
          null,
          (x0, y, logits, valid) -> {
            assertEquals(rows[0]++, y);
            for (int x = 0; x < w; x++) {
              int best = 0;
              int bestExpected = 0;
              for (int c = 0; c < 4; c++) {
                float e = expected[(c * h + y) * w + x];
                max[0] = Math.max(max[0], Math.abs(e - logits[c * w + x]));
                if (logits[c * w + x] > logits[best * w + x]) {
                  best = c;
                }
                if (e > expected[(bestExpected * h + y) * w + x]) {
                  bestExpected = c;
                }
              }
              if (best != bestExpected) {
                classDiffs[0]++;
              }
            }
          },
          null);
      assertEquals(h, rows[0]);
      assertTrue(max[0] < 1e-4, w + "x" + h + ": max |stitched - whole| = " + max[0]);
      assertEquals(0, classDiffs[0], "class map differs");
    }
  }

  /**
   * Chips are normalized as they are taken out of the strips read in the scene's own sample type:
   * the stitched logits equal one pass over the whole scene normalized first, mirrored edges
   * included (150 is not a multiple of the stride, so the last chip column reaches past the edge).
   */
  @Test
  void chipsNormalizedOneByOneEqualTheWholeSceneNormalized() throws IOException {
    int w = 150;
    int h = 97;
    InputNormalization norm =
        InputNormalization.meanStd(new double[] {1, -0.5, 0.2}, new double[] {2, 0.5, 3});
    try (GeoTiffRaster r = GeoTiffRaster.open(scene(w, h))) {
      float[] expected = wholeScene(r, MappingRequest.TestTimeAugmentation.NONE, norm);
      ScenePredictor p =
          new ScenePredictor(
              model, new int[] {1, 2, 3}, norm, 4, 96, 0, 64, ALIGN, BlendWindow.CROP, 3);
      float[] max = {0};
      int[] rows = {0};
      p.predict(
          r,
          new ColumnBlocks(new int[] {0}, r.width()),
          null,
          (x0, y, logits, valid) -> {
            assertEquals(rows[0]++, y);
            for (int c = 0; c < 4; c++) {
              for (int x = 0; x < w; x++) {
                float e = expected[(c * h + y) * w + x];
                max[0] = Math.max(max[0], Math.abs(e - logits[c * w + x]));
              }
            }
          },
          null);
      assertEquals(h, rows[0]);
      assertTrue(max[0] < 1e-4, "max |stitched - whole| = " + max[0]);
    }
  }

  @ParameterizedTest
  @CsvSource({"FLIPS", "D4"})
  void augmentedStitchingEqualsTheAugmentedWholeScene(MappingRequest.TestTimeAugmentation tta)
      throws IOException {
    int w = 150;
    int h = 97;
    try (GeoTiffRaster r = GeoTiffRaster.open(scene(w, h))) {
      float[] expected = wholeScene(r, tta);
      ScenePredictor p = chips96(BlendWindow.CROP, 2).withAugmentation(tta);
      float[] max = {0};
      p.predict(
          r,
          new ColumnBlocks(new int[] {0}, r.width()),
          null,
          (x0, y, logits, valid) -> {
            for (int c = 0; c < 4; c++) {
              for (int x = 0; x < w; x++) {
                max[0] =
                    Math.max(max[0], Math.abs(expected[(c * h + y) * w + x] - logits[c * w + x]));
              }
            }
          },
          null);
      assertTrue(max[0] < 1e-4, "max |stitched - whole| with " + tta + " = " + max[0]);
      float[] plain = wholeScene(r);
      float[] flips = wholeScene(r, MappingRequest.TestTimeAugmentation.FLIPS);
      double changed = 0;
      double fromFlips = 0;
      for (int i = 0; i < plain.length; i++) {
        changed = Math.max(changed, Math.abs(expected[i] - plain[i]));
        fromFlips = Math.max(fromFlips, Math.abs(expected[i] - flips[i]));
      }
      assertTrue(changed > 1e-2, tta + " does not change the logits: " + changed);
      if (tta == MappingRequest.TestTimeAugmentation.D4) {
        assertTrue(fromFlips > 1e-2, "D4 equals flips: " + fromFlips);
      }
    }
  }

  /**
   * A valid-padding UNet tiles exactly (the original overlap-tile strategy): each chip reads its
   * halo, mirrored at the scene's edges, and the stitched logits equal one pass over the scene
   * mirrored by the halo.
   */
  @org.junit.jupiter.api.Test
  void validPaddingChipsWithMirroredHalosEqualTheWholeScene() throws IOException {
    UNetConfig valid =
        UNetConfig.builder()
            .bands(3)
            .classes(4)
            .encoder(4, 8)
            .bottleneck(16)
            .decoder(8, 4)
            .padding(UNetConfig.Padding.VALID)
            .build();
    int size = 60;
    while (!valid.fits(size)) {
      size++;
    }
    int halo = valid.margin(size);
    int core = valid.outputSize(size);
    int w = 150;
    int h = 97;
    try (SegmentationModel m = SegmentationModel.unet(valid, null);
        GeoTiffRaster r = GeoTiffRaster.open(scene(w, h))) {
      int[] xs = PredictionTiling.starts(w, core, core - 8, ALIGN);
      int[] ys = PredictionTiling.starts(h, core, core - 8, ALIGN);
      int outW = xs[xs.length - 1] + core;
      int outH = ys[ys.length - 1] + core;
      int inW = outW + 2 * halo;
      int inH = outH + 2 * halo;
      float[] raw = r.read(new dev.landcover.pixels.PixelWindow(0, 0, w, h), 1, 2, 3).toFloatChw();
      float[] input = new float[3 * inH * inW];
      for (int b = 0; b < 3; b++) {
        for (int y = 0; y < inH; y++) {
          for (int x = 0; x < inW; x++) {
            input[(b * inH + y) * inW + x] =
                raw[
                    (b * h + PredictionTiling.reflect(y - halo, h)) * w
                        + PredictionTiling.reflect(x - halo, w)];
          }
        }
      }
      SegmentationModel.Logits whole = m.predict(input, 1, 3, inH, inW);
      assertEquals(outW, whole.width());
      ScenePredictor p =
          new ScenePredictor(
              m,
              new int[] {1, 2, 3},
              InputNormalization.identity(3),
              4,
              size,
              halo,
              8,
              ALIGN,
              BlendWindow.HANN,
              2);
      float[] max = {0};
      p.predict(
          r,
          new ColumnBlocks(new int[] {0}, r.width()),
          null,
          (x0, y, logits, ok) -> {
            for (int c = 0; c < 4; c++) {
              for (int x = 0; x < w; x++) {
                float e = whole.values()[(c * outH + y) * outW + x];
                max[0] = Math.max(max[0], Math.abs(e - logits[c * w + x]));
              }
            }
          },
          null);
      assertTrue(
          max[0] < 1e-4,
          "halo " + halo + ", chip " + size + ": max |stitched - whole| = " + max[0]);
    }
  }

  /**
   * Hann and linear blending differ from the whole-scene pass only near chip edges and leave no
   * seam: no row or column where chips meet disagrees with the whole-scene class map much more
   * often than the scene as a whole.
   */
  @ParameterizedTest
  @CsvSource({"HANN", "LINEAR"})
  void smoothBlendsLeaveNoSeam(BlendWindow blend) throws IOException {
    int w = 220;
    int h = 180;
    try (GeoTiffRaster r = GeoTiffRaster.open(scene(w, h))) {
      float[] expected = wholeScene(r);
      ScenePredictor p =
          new ScenePredictor(
              model,
              new int[] {1, 2, 3},
              InputNormalization.identity(3),
              4,
              64,
              0,
              32,
              ALIGN,
              blend,
              4);
      int[][] disagree = new int[h][w];
      float[] max = {0};
      p.predict(
          r,
          new ColumnBlocks(new int[] {0}, r.width()),
          null,
          (x0, y, logits, valid) -> {
            for (int x = 0; x < w; x++) {
              int best = 0;
              int bestExpected = 0;
              for (int c = 1; c < 4; c++) {
                if (logits[c * w + x] > logits[best * w + x]) {
                  best = c;
                }
                if (expected[(c * h + y) * w + x] > expected[(bestExpected * h + y) * w + x]) {
                  bestExpected = c;
                }
              }
              // Near-ties of the whole-scene pass flip on rounding alone: they are not seams.
              float second = Float.NEGATIVE_INFINITY;
              for (int c = 0; c < 4; c++) {
                if (c != bestExpected) {
                  second = Math.max(second, expected[(c * h + y) * w + x]);
                }
              }
              boolean clear = expected[(bestExpected * h + y) * w + x] - second > 1e-3f;
              disagree[y][x] = best != bestExpected && clear ? 1 : 0;
            }
          },
          null);
      long total = 0;
      for (int[] row : disagree) {
        for (int v : row) {
          total += v;
        }
      }
      double overall = (double) total / (w * h);
      int[] cols = PredictionTiling.starts(w, 64, 32, ALIGN);
      for (int c = 1; c < cols.length; c++) {
        for (int x : new int[] {cols[c], cols[c - 1] + 63}) {
          int n = 0;
          for (int y = 0; y < h; y++) {
            n += disagree[y][x];
          }
          double rate = (double) n / h;
          assertTrue(
              rate <= Math.max(0.05, 4 * overall),
              blend
                  + ": column "
                  + x
                  + " disagrees at "
                  + rate
                  + " against "
                  + overall
                  + " overall");
        }
      }
    }
  }

  /** The logits of every pixel, {@code [class][y][x]}, from rows handed out block by block. */
  private static float[] stitched(ScenePredictor p, GeoTiffRaster r, ColumnBlocks blocks)
      throws IOException {
    int w = r.width();
    int h = r.height();
    float[] all = new float[4 * h * w];
    java.util.Arrays.fill(all, Float.NaN);
    int[] block = {0};
    int[] nextRow = {0};
    p.predict(
        r,
        blocks,
        dir,
        (x0, y, logits, valid) -> {
          if (x0 != blocks.start(block[0])) {
            assertEquals(h, nextRow[0], "every row of a block before the next block's");
            block[0]++;
            nextRow[0] = 0;
          }
          assertEquals(blocks.start(block[0]), x0);
          assertEquals(nextRow[0]++, y, "rows of a block top to bottom");
          int n = valid.length;
          assertEquals(blocks.end(block[0]) - x0, n);
          for (int c = 0; c < 4; c++) {
            System.arraycopy(logits, c * n, all, (c * h + y) * w + x0, n);
          }
        },
        null);
    assertEquals(blocks.count() - 1, block[0], "every block handed out");
    assertEquals(h, nextRow[0]);
    return all;
  }

  /**
   * In column blocks, each chip is predicted once and the chips reaching across a block's edge are
   * carried to the next block: with one chip a batch (a batch's composition may change the last bit
   * of a forward pass), the logits equal the whole width's bit for bit, for every blend; and with
   * the crop blend they equal one pass over the whole scene. The carry files are gone afterwards.
   */
  @ParameterizedTest
  @CsvSource({"CROP", "LINEAR", "HANN"})
  void columnBlocksGiveTheLogitsOfTheWholeWidth(BlendWindow blend) throws IOException {
    int w = 400;
    int h = 97;
    try (GeoTiffRaster r = GeoTiffRaster.open(scene(w, h))) {
      ScenePredictor p = chips96(blend, 1);
      ColumnBlocks blocks = ColumnBlocks.of(w, 128, 64, 96);
      assertEquals(3, blocks.count(), blocks.toString());
      float[] whole = stitched(p, r, new ColumnBlocks(new int[] {0}, w));
      float[] inBlocks = stitched(p, r, blocks);
      for (int i = 0; i < whole.length; i++) {
        assertEquals(
            Float.floatToIntBits(whole[i]),
            Float.floatToIntBits(inBlocks[i]),
            "logit "
                + i
                + " (class, y, x) = ("
                + i / (h * w)
                + ", "
                + i / w % h
                + ", "
                + i % w
                + ")");
      }
      if (blend == BlendWindow.CROP) {
        float[] expected = wholeScene(r);
        float max = 0;
        for (int i = 0; i < expected.length; i++) {
          max = Math.max(max, Math.abs(expected[i] - inBlocks[i]));
        }
        assertTrue(max < 1e-4, "max |blocks - whole scene| = " + max);
      }
    }
    try (var left = java.nio.file.Files.list(dir)) {
      assertEquals(
          java.util.List.of(),
          left.filter(f -> f.getFileName().toString().startsWith(".landcover-seam")).toList());
    }
  }

  /**
   * Blocks are whole tiles, at least a chip's output wide; a narrow last block joins the one
   * before.
   */
  @Test
  void columnBlocksFitTilesAndChips() {
    assertEquals("ColumnBlocks[0, 2048] of 4096", ColumnBlocks.of(4096, 2048, 256, 256).toString());
    assertEquals("ColumnBlocks[0] of 2300", ColumnBlocks.of(2300, 2048, 256, 256).toString());
    assertEquals("ColumnBlocks[0, 2048] of 2400", ColumnBlocks.of(2400, 2048, 256, 256).toString());
    assertEquals("ColumnBlocks[0] of 10980", ColumnBlocks.of(10980, 0, 256, 256).toString());
    assertEquals(
        "ColumnBlocks[0, 2048, 4096, 6144, 8192, 10240] of 10980",
        ColumnBlocks.of(10980, 2048, 256, 256).toString());
    // a block is at least a chip's output wide, rounded up to whole tiles
    assertEquals(
        "ColumnBlocks[0, 1280, 2560] of 4096", ColumnBlocks.of(4096, 1000, 256, 1100).toString());
    assertEquals(
        "ColumnBlocks[0, 512, 1024] of 1600", ColumnBlocks.of(1600, 300, 256, 200).toString());
  }
}

package dev.landcover.networks;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import dev.landcover.pixels.ConfusionMatrix;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class UNetTrainerTest {
  private static final UNetConfig CONFIG =
      UNetConfig.builder().bands(2).classes(3).encoder(4, 8).bottleneck(16).decoder(8, 4).build();

  /** Chips of blobs: class 0, 1 or 2 by a smooth field, band values noisy around class means. */
  static List<UNetTrainer.Sample> chips(int n, long seed) {
    Random r = new Random(seed);
    List<UNetTrainer.Sample> out = new ArrayList<>();
    for (int k = 0; k < n; k++) {
      float[] image = new float[2 * 32 * 32];
      int[] labels = new int[32 * 32];
      double cx = r.nextDouble() * 32;
      double cy = r.nextDouble() * 32;
      for (int y = 0; y < 32; y++) {
        for (int x = 0; x < 32; x++) {
          double d = Math.hypot(x - cx, y - cy);
          int cls = d < 8 ? 1 : d < 14 ? 2 : 0;
          labels[y * 32 + x] = (x + y) % 17 == 0 ? -1 : cls;
          image[y * 32 + x] = (float) (cls == 1 ? 1 : -0.5 + 0.8 * r.nextGaussian());
          image[1024 + y * 32 + x] = (float) (cls == 2 ? 1 : -0.5 + 0.8 * r.nextGaussian());
        }
      }
      out.add(new UNetTrainer.Sample(image, labels));
    }
    return out;
  }

  private static float[] weights(Path npz) throws Exception {
    try (NDManager m = NDManager.newBaseManager()) {
      NDList l = NDList.decode(m, Files.readAllBytes(npz));
      List<Float> all = new ArrayList<>();
      l.forEach(
          a -> {
            for (float f : a.toFloatArray()) {
              all.add(f);
            }
          });
      float[] out = new float[all.size()];
      for (int i = 0; i < out.length; i++) {
        out[i] = all.get(i);
      }
      return out;
    }
  }

  @Test
  void trainingLearnsAndIsDeterministicWithASeed(@TempDir Path dir) throws Exception {
    List<UNetTrainer.Sample> train = chips(32, 1);
    List<UNetTrainer.Sample> val = chips(8, 2);
    Path a = dir.resolve("a.npz");
    Path b = dir.resolve("b.npz");
    var history =
        new UNetTrainer(CONFIG, 32)
            .epochs(4)
            .batch(8)
            .learningRate(1e-2f)
            .seed(5)
            .train(train, val, a, null);
    new UNetTrainer(CONFIG, 32)
        .epochs(4)
        .batch(8)
        .learningRate(1e-2f)
        .seed(5)
        .train(train, val, b, null);
    assertArrayEquals(weights(a), weights(b), 0f, "two runs with the same seed differ");
    double first = history.get(0).trainLoss();
    double last = history.get(history.size() - 1).trainLoss();
    assertTrue(last < first, "loss " + first + " -> " + last);
    double bestIou =
        history.stream().mapToDouble(UNetTrainer.Epoch::validationMeanIou).max().orElse(0);
    assertTrue(bestIou > 0.5, "validation mean IoU " + history);
  }

  @org.junit.jupiter.params.ParameterizedTest
  @org.junit.jupiter.params.provider.EnumSource(names = {"DICE", "CE_DICE"})
  void diceLossesLearnToo(UNetTrainer.Loss loss, @TempDir Path dir) throws Exception {
    var history =
        new UNetTrainer(CONFIG, 32)
            .epochs(4)
            .learningRate(1e-2f)
            .loss(loss)
            .train(chips(32, 1), chips(8, 2), dir.resolve("w.npz"), null);
    double best =
        history.stream().mapToDouble(UNetTrainer.Epoch::validationMeanIou).max().orElse(0);
    assertTrue(best > 0.4, loss + ": " + history);
  }

  /**
   * Validation chips of imbalanced land where the rare classes 2 and 3 happen to be absent: 900
   * pixels of class 0, 100 of class 1. A collapsed epoch maps everything as class 0; a useful one
   * finds class 1 but maps 30 pixels of class 0 as classes 2 and 3 (found elsewhere in the training
   * data). Loss and overall accuracy favour the collapsed epoch, and so does the mean IoU over the
   * classes in the reference or the prediction (each spurious class adds a zero); the selection
   * score must not.
   */
  @Test
  void theEpochChosenIsNotOneThatCollapsesOntoTheMajorityClass() {
    ConfusionMatrix collapsed = new ConfusionMatrix(0, 1, 2, 3);
    collapsed.add(0, 0, 900);
    collapsed.add(1, 0, 100);
    ConfusionMatrix mapping = new ConfusionMatrix(0, 1, 2, 3);
    mapping.add(0, 0, 790);
    mapping.add(0, 1, 80);
    mapping.add(0, 2, 15);
    mapping.add(0, 3, 15);
    mapping.add(1, 1, 85);
    mapping.add(1, 0, 15);
    assertTrue(collapsed.overallAccuracy() > mapping.overallAccuracy());
    assertTrue(collapsed.meanIou() > mapping.meanIou(), "the criterion that would collapse");
    assertEquals((0.9 + 0) / 2, UNetTrainer.validationScore(collapsed), 1e-12);
    assertEquals(
        (790.0 / (900 + 805 - 790) + 85.0 / (100 + 165 - 85)) / 2,
        UNetTrainer.validationScore(mapping),
        1e-12);
    assertTrue(UNetTrainer.validationScore(mapping) > UNetTrainer.validationScore(collapsed));
  }

  @Test
  void patienceStopsWhenValidationStopsImproving(@TempDir Path dir) throws Exception {
    var history =
        new UNetTrainer(CONFIG, 32)
            .epochs(30)
            .learningRate(0f)
            .patience(2)
            .train(chips(8, 1), chips(4, 2), dir.resolve("w.npz"), null);
    assertTrue(history.size() <= 3, "ran " + history.size() + " epochs without learning");
  }

  @Test
  void aResumedRunEndsWithTheWeightsOfAnUninterruptedOne(@TempDir Path dir) throws Exception {
    List<UNetTrainer.Sample> train = chips(24, 1);
    List<UNetTrainer.Sample> val = chips(6, 2);
    var settings = new com.fasterxml.jackson.databind.ObjectMapper().createObjectNode().put("k", 1);
    Path whole = dir.resolve("whole.npz");
    var all =
        new UNetTrainer(CONFIG, 32)
            .epochs(4)
            .learningRate(1e-2f)
            .seed(3)
            .train(train, val, whole, null);
    Path checkpoint = dir.resolve("run.ckpt");
    List<Integer> told = new ArrayList<>();
    new UNetTrainer(CONFIG, 32)
        .epochs(2)
        .learningRate(1e-2f)
        .seed(3)
        .checkpoint(checkpoint, settings)
        .train(train, val, dir.resolve("first.npz"), e -> told.add(e.epoch()));
    assertEquals(List.of(1, 2), told);
    TrainingCheckpoint.Contents saved = TrainingCheckpoint.read(checkpoint);
    assertEquals(2, saved.epoch());
    assertEquals(settings, saved.settings());
    Path resumed = dir.resolve("resumed.npz");
    var history =
        new UNetTrainer(CONFIG, 32)
            .epochs(4)
            .learningRate(1e-2f)
            .seed(3)
            .resume(checkpoint)
            .checkpoint(checkpoint, settings)
            .train(train, val, resumed, null);
    assertEquals(4, history.size());
    assertEquals(4, TrainingCheckpoint.read(checkpoint).epoch());
    for (int i = 0; i < 4; i++) {
      assertEquals(all.get(i).trainLoss(), history.get(i).trainLoss(), 0.0, "epoch " + (i + 1));
      assertEquals(all.get(i).validationMeanIou(), history.get(i).validationMeanIou(), 0.0);
    }
    assertArrayEquals(weights(whole), weights(resumed), 0f, "resumed run differs");
  }

  @Test
  void aFileThatIsNotACheckpointIsNamed(@TempDir Path dir) throws Exception {
    Path bogus = Files.writeString(dir.resolve("bogus.ckpt"), "not a zip");
    var e =
        org.junit.jupiter.api.Assertions.assertThrows(
            java.io.IOException.class, () -> TrainingCheckpoint.read(bogus));
    assertTrue(e.getMessage().contains("bogus.ckpt"), e.getMessage());
  }
}

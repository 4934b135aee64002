package dev.landcover.core.train;

import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.Trainer;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import dev.landcover.core.metrics.ConfusionMatrix;
import dev.landcover.core.model.UNetBlock;
import dev.landcover.core.model.UNetConfig;
import dev.landcover.core.model.UNetWeights;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Consumer;

/**
 * Trains a UNet on square chips with Adam and a cross-entropy that ignores nodata pixels; after
 * each epoch it measures the validation chips (overall accuracy, mean IoU) and keeps the best
 * epoch's weights. Chips are shuffled, and flipped and rotated by multiples of 90 degrees (image
 * and labels together) from a seeded random generator: with the same seed, two runs on the CPU give
 * the same weights.
 */
public final class UNetTrainer {
  /**
   * One training example: normalized image {@code bands x size x size}, labels (class index or -1).
   */
  public record Sample(float[] image, int[] labels) {}

  /** What one epoch gave. */
  public record Epoch(
      int epoch, double trainLoss, double validationAccuracy, double validationMeanIou) {}

  private final UNetConfig config;
  private final int size;
  private int epochs = 10;
  private int batch = 8;
  private float learningRate = 1e-3f;
  private long seed = 7;
  private boolean augment = true;
  private float[] classWeights;
  private String loss = "ce";
  private int patience;

  /**
   * @param config the network (its bands and classes)
   * @param size the chip size, which the network must accept
   */
  public UNetTrainer(UNetConfig config, int size) {
    config.outputSize(size);
    if (config.padding() != UNetConfig.Padding.SAME) {
      throw new IllegalArgumentException(
          "Training needs a same-padding UNet (labels cover the whole chip)");
    }
    this.config = config;
    this.size = size;
  }

  public UNetTrainer epochs(int epochs) {
    this.epochs = epochs;
    return this;
  }

  public UNetTrainer batch(int batch) {
    this.batch = batch;
    return this;
  }

  public UNetTrainer learningRate(float learningRate) {
    this.learningRate = learningRate;
    return this;
  }

  public UNetTrainer seed(long seed) {
    this.seed = seed;
    return this;
  }

  public UNetTrainer augment(boolean augment) {
    this.augment = augment;
    return this;
  }

  /** {@code ce} (default), {@code dice} or {@code ce+dice}. */
  public UNetTrainer loss(String loss) {
    if (!loss.equals("ce") && !loss.equals("dice") && !loss.equals("ce+dice")) {
      throw new IllegalArgumentException("Loss must be ce, dice or ce+dice: " + loss);
    }
    this.loss = loss;
    return this;
  }

  /** Stop after this many epochs without a better validation mean IoU (0: never). */
  public UNetTrainer patience(int epochs) {
    this.patience = epochs;
    return this;
  }

  /** Per-class loss weights (default: all 1). */
  public UNetTrainer classWeights(float[] weights) {
    this.classWeights = weights.clone();
    return this;
  }

  /**
   * Trains and writes the best epoch's weights to {@code weights} (a canonical .npz).
   *
   * @param onEpoch told after each epoch
   * @return every epoch's figures
   */
  public List<Epoch> train(
      List<Sample> training, List<Sample> validation, Path weights, Consumer<Epoch> onEpoch)
      throws IOException {
    float[] w = classWeights != null ? classWeights : ones(config.classes());
    Engine.getInstance().setRandomSeed((int) seed);
    Random random = new Random(seed);
    List<Epoch> history = new ArrayList<>();
    Path best = Files.createTempFile("landcover-best", ".npz");
    double bestIou = -1;
    int bestEpoch = 0;
    try (Model model = Model.newInstance("unet", ai.djl.Device.cpu(), "PyTorch")) {
      UNetBlock block = UNetBlock.of(config);
      model.setBlock(block);
      DefaultTrainingConfig tc =
          new DefaultTrainingConfig(
                  new MaskedCrossEntropy(w, loss.contains("ce"), loss.contains("dice")))
              .optOptimizer(
                  Optimizer.adam().optLearningRateTracker(Tracker.fixed(learningRate)).build())
              .optDevices(new ai.djl.Device[] {ai.djl.Device.cpu()});
      try (Trainer trainer = model.newTrainer(tc)) {
        trainer.initialize(new Shape(batch, config.bands(), size, size));
        List<Sample> order = new ArrayList<>(training);
        for (int e = 1; e <= epochs; e++) {
          java.util.Collections.shuffle(order, random);
          double lossSum = 0;
          int batches = 0;
          for (int start = 0; start < order.size(); start += batch) {
            List<Sample> part = order.subList(start, Math.min(order.size(), start + batch));
            try (NDManager m = trainer.getManager().newSubManager()) {
              NDList[] xy = toArrays(m, part, random);
              try (GradientCollector gc = trainer.newGradientCollector()) {
                NDList out = trainer.forward(xy[0], xy[1]);
                NDArray loss = trainer.getLoss().evaluate(xy[1], out);
                gc.backward(loss);
                lossSum += loss.getFloat();
              }
              trainer.step();
            }
            batches++;
          }
          ConfusionMatrix cm = evaluate(trainer, validation);
          Epoch epoch =
              new Epoch(e, lossSum / Math.max(1, batches), cm.overallAccuracy(), cm.meanIou());
          history.add(epoch);
          if (onEpoch != null) {
            onEpoch.accept(epoch);
          }
          if (!(epoch.validationMeanIou() <= bestIou)) {
            bestIou = epoch.validationMeanIou();
            bestEpoch = e;
            UNetWeights.save(block, best);
          } else if (patience > 0 && e - bestEpoch >= patience) {
            break;
          }
        }
      }
      Files.move(best, weights, StandardCopyOption.REPLACE_EXISTING);
    } finally {
      Files.deleteIfExists(best);
    }
    return history;
  }

  private static float[] ones(int n) {
    float[] w = new float[n];
    java.util.Arrays.fill(w, 1f);
    return w;
  }

  /** Confusion matrix of the validation chips (labelled pixels only), in inference mode. */
  private ConfusionMatrix evaluate(Trainer trainer, List<Sample> validation) {
    int classes = config.classes();
    int[] ids = new int[classes];
    for (int i = 0; i < classes; i++) {
      ids[i] = i;
    }
    ConfusionMatrix cm = new ConfusionMatrix(ids);
    ai.djl.training.ParameterStore store =
        new ai.djl.training.ParameterStore(trainer.getManager(), false);
    for (int start = 0; start < validation.size(); start += batch) {
      List<Sample> part = validation.subList(start, Math.min(validation.size(), start + batch));
      try (NDManager m = trainer.getManager().newSubManager()) {
        NDList[] xy = toArrays(m, part, null);
        float[] logits =
            trainer
                .getModel()
                .getBlock()
                .forward(store, xy[0], false)
                .singletonOrThrow()
                .toFloatArray();
        int plane = size * size;
        for (int i = 0; i < part.size(); i++) {
          int[] labels = part.get(i).labels();
          for (int p = 0; p < plane; p++) {
            if (labels[p] < 0) {
              continue;
            }
            int best = 0;
            for (int c = 1; c < classes; c++) {
              if (logits[(i * classes + c) * plane + p]
                  > logits[(i * classes + best) * plane + p]) {
                best = c;
              }
            }
            cm.add(labels[p], best);
          }
        }
      }
    }
    return cm;
  }

  /** Batch arrays (image, labels), each sample augmented when {@code random} is given. */
  private NDList[] toArrays(NDManager m, List<Sample> part, Random random) {
    int bands = config.bands();
    int plane = size * size;
    float[] x = new float[part.size() * bands * plane];
    float[] y = new float[part.size() * plane];
    for (int i = 0; i < part.size(); i++) {
      Sample s = part.get(i);
      int turns = augment && random != null ? random.nextInt(4) : 0;
      boolean flip = augment && random != null && random.nextBoolean();
      for (int r = 0; r < size; r++) {
        for (int c = 0; c < size; c++) {
          int[] src = transform(r, c, turns, flip);
          int from = src[0] * size + src[1];
          int to = r * size + c;
          for (int b = 0; b < bands; b++) {
            x[(i * bands + b) * plane + to] = s.image()[b * plane + from];
          }
          y[i * plane + to] = s.labels()[from];
        }
      }
    }
    NDArray image = m.create(x, new Shape(part.size(), bands, size, size));
    NDArray labels = m.create(y, new Shape(part.size(), size, size));
    return new NDList[] {new NDList(image), new NDList(labels)};
  }

  /** The source pixel of output (row, column) under a left-right flip and quarter turns. */
  private int[] transform(int r, int c, int turns, boolean flip) {
    if (flip) {
      c = size - 1 - c;
    }
    for (int t = 0; t < turns; t++) {
      int nr = c;
      int nc = size - 1 - r;
      r = nr;
      c = nc;
    }
    return new int[] {r, c};
  }
}

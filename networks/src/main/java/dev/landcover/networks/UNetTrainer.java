package dev.landcover.networks;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.training.Trainer;
import com.fasterxml.jackson.databind.JsonNode;
import dev.landcover.networks.internal.ResumableAdam;
import dev.landcover.networks.internal.SegmentationLoss;
import dev.landcover.pixels.ConfusionMatrix;
import dev.landcover.pixels.InvalidInputException;
import dev.landcover.pixels.support.Threads;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;

/**
 * Trains a same-padding UNet on square chips with Adam and a cross-entropy (or Dice) that ignores
 * nodata pixels; after each epoch it measures the validation chips (loss, overall accuracy, mean
 * IoU) and keeps the best epoch's weights (by validation mean IoU, {@link #validationScore}: not by
 * loss or overall accuracy, which favour a model that maps everything as the majority class).
 *
 * <p>Chips are shuffled, and flipped and/or rotated by multiples of 90 degrees (image and labels
 * together), from one seeded random generator: with the same seed, two runs on the CPU give the
 * same weights. Samples are taken from the lists one batch ahead on a background thread, so lists
 * that read their chips from disk on {@code get} keep memory independent of the data set size.
 *
 * <p>The network is a UNet or an imported {@link LayerGraph} (fine-tuning): {@link #initialWeights}
 * starts from a model's weights, with its classifier head or a new one, and {@link #freezeEpochs}
 * trains only the head for the first epochs.
 *
 * <p>With {@link #checkpoint}, the state after every epoch (weights, best weights, optimizer
 * moments, the random generator, the history) is written to one file, atomically; a run given that
 * file with {@link #resume} continues exactly as the interrupted run would have.
 */
public final class UNetTrainer {
  /**
   * One training example: normalized image {@code bands x size x size} (band-major), labels {@code
   * size x size} (class index, or -1 where the pixel is not labelled).
   */
  public record Sample(float[] image, int[] labels) {}

  /**
   * What one epoch gave; validation figures are over labelled validation pixels, the mean IoU over
   * the classes present in the validation labels ({@link #validationScore}).
   */
  public record Epoch(
      int epoch,
      double trainLoss,
      double validationLoss,
      double validationAccuracy,
      double validationMeanIou,
      double seconds) {}

  /** Told about progress; both methods are called on the training thread. */
  public interface Listener {
    /** After each training batch: the mean loss of the epoch so far. */
    default void batchDone(int epoch, int batch, int batches, double runningLoss) {}

    /** After each epoch (and its checkpoint). */
    void epochDone(Epoch epoch);
  }

  /** The training loss. */
  public enum Loss {
    /** Cross-entropy with class weights. */
    CE("ce"),
    /** Dice over the classes. */
    DICE("dice"),
    /** The sum of both. */
    CE_DICE("ce+dice");

    private final String label;

    Loss(String label) {
      this.label = label;
    }

    /** {@code ce}, {@code dice} or {@code ce+dice}, as the command line and checkpoints name it. */
    public String label() {
      return label;
    }

    /**
     * The loss named {@code label}.
     *
     * @throws IllegalArgumentException for another name, listing the known ones
     */
    public static Loss of(String label) {
      for (Loss l : values()) {
        if (l.label.equals(label)) {
          return l;
        }
      }
      throw new IllegalArgumentException("Loss must be ce, dice or ce+dice: " + label);
    }

    @Override
    public String toString() {
      return label;
    }
  }

  private final UNetConfig config;
  private final LayerGraph graph;
  private final int bands;
  private final int classes;
  private final int size;
  private Path initialWeights;
  private boolean keepHead;
  private int[] headRows;
  private int freezeEpochs;
  private int epochs = 10;
  private int batch = 8;
  private float learningRate = 1e-3f;
  private long seed = 7;
  private boolean flips = true;
  private boolean rotations = true;
  private float[] classWeights;
  private Loss loss = Loss.CE;
  private int patience;
  private Device device = Device.cpu();
  private Path checkpoint;
  private JsonNode settings;
  private Path resumeFrom;

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
    this.graph = null;
    this.bands = config.bands();
    this.classes = config.classes();
    this.size = size;
  }

  /**
   * Trains an imported graph (e.g. a Keras model, see {@link KerasImport}), usually from its
   * weights ({@link #initialWeights}).
   *
   * @param graph the network; its output must be as large as its input
   * @param size the chip size
   */
  public UNetTrainer(LayerGraph graph, int size) {
    if (size < 2) {
      throw new IllegalArgumentException("chip size is " + size + ": a graph needs at least 2");
    }
    this.config = null;
    this.graph = graph;
    this.bands = graph.bands();
    this.classes = graph.classes();
    this.size = size;
  }

  /**
   * Starts from the weights of {@code npz} (a bundle's {@code weights.npz}) instead of random ones.
   *
   * @param keepHead true to load the classifier head too (the file's model has the same classes);
   *     false to load all but the head, which keeps its random initialization from the seed (a new
   *     head for other classes: the UNet's {@code head}, a graph's {@link LayerGraph#head()})
   */
  public UNetTrainer initialWeights(Path npz, boolean keepHead) {
    this.initialWeights = npz;
    this.keepHead = keepHead;
    this.headRows = null;
    return this;
  }

  /**
   * Starts from the weights of {@code npz} (a bundle's {@code weights.npz}) with a new classifier
   * head whose rows come from the file's head: output {@code i} of the new head (its row of the 1 x
   * 1 convolution's weights and its bias) is a copy of output {@code sourceRows[i]} of the file's,
   * or keeps its random initialization from the seed where {@code sourceRows[i]} is -1. With every
   * row copied, the new head's logits are those of the file's classes it copies, so its map is the
   * file model's map restricted to those classes.
   *
   * @param sourceRows one entry per class of this network: an output index of the file's head, or
   *     -1
   * @throws IllegalArgumentException when {@code sourceRows} has not one entry per class
   */
  public UNetTrainer initialWeights(Path npz, int[] sourceRows) {
    if (sourceRows.length != classes) {
      throw new IllegalArgumentException(
          sourceRows.length + " head rows for a network of " + classes + " classes");
    }
    this.initialWeights = npz;
    this.keepHead = false;
    this.headRows = sourceRows.clone();
    return this;
  }

  /**
   * Trains only the classifier head for the first {@code epochs} epochs (the rest frozen, its batch
   * normalization in inference mode so that it stays bit for bit as it was), then everything
   * (default 0).
   */
  public UNetTrainer freezeEpochs(int epochs) {
    if (epochs < 0) {
      throw new IllegalArgumentException("freeze epochs is " + epochs + ", expected 0 or more");
    }
    this.freezeEpochs = epochs;
    return this;
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

  /** Random flips and quarter turns (both: the 8 symmetries of the square), or neither. */
  public UNetTrainer augment(boolean augment) {
    return augment(augment, augment);
  }

  /**
   * @param flips random left-right and up-down flips
   * @param rotations random rotations by 0, 90, 180 or 270 degrees
   */
  public UNetTrainer augment(boolean flips, boolean rotations) {
    this.flips = flips;
    this.rotations = rotations;
    return this;
  }

  /** The loss (default: cross-entropy). */
  public UNetTrainer loss(Loss loss) {
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
    if (weights.length != classes) {
      throw new IllegalArgumentException(
          weights.length + " class weights for " + classes + " classes");
    }
    this.classWeights = weights.clone();
    return this;
  }

  /** The device to train on (default: the CPU). */
  public UNetTrainer device(Device device) {
    this.device = device;
    return this;
  }

  /**
   * Writes a checkpoint to {@code file} after every epoch (replacing the previous one atomically).
   *
   * @param settings what the caller needs to check a resumed run against (stored as is)
   */
  public UNetTrainer checkpoint(Path file, JsonNode settings) {
    this.checkpoint = file;
    this.settings = settings;
    return this;
  }

  /** Continues from a checkpoint written by {@link #checkpoint} (same data and settings). */
  public UNetTrainer resume(Path file) {
    this.resumeFrom = file;
    return this;
  }

  /**
   * Trains and writes the best epoch's weights to {@code weights} (a canonical .npz). With 0 epochs
   * (allowed only with {@link #initialWeights}), the initial weights are measured on the validation
   * chips (one {@link Epoch} numbered 0 with a NaN training loss) and written as they are.
   *
   * @param training training samples; read once per epoch, one batch ahead
   * @param validation validation samples (not augmented)
   * @param listener told after each batch and epoch, or null
   * @return every epoch's figures (with those before a resumed checkpoint)
   */
  public List<Epoch> train(
      List<Sample> training, List<Sample> validation, Path weights, Listener listener)
      throws IOException {
    float[] w = classWeights != null ? classWeights : ones(classes);
    if (epochs < (initialWeights != null ? 0 : 1)) {
      throw new IllegalArgumentException("epochs is " + epochs + ", expected at least 1");
    }
    Engine.getInstance().setRandomSeed((int) seed);
    Random random = new Random(seed);
    List<Epoch> history = new ArrayList<>();
    Path best = Files.createTempFile("landcover-best", ".npz");
    double bestIou = -1;
    int bestEpoch = 0;
    int firstEpoch = 1;
    int[] resumedOrder = null;
    ExecutorService loader = Threads.singleDaemon("landcover-batches");
    try (Model model = Model.newInstance("unet", device, "PyTorch")) {
      TrainableNet block = config != null ? TrainableNet.unet(config) : TrainableNet.graph(graph);
      model.setBlock(block.block());
      SegmentationLoss lossFunction = new SegmentationLoss(w, loss != Loss.DICE, loss != Loss.CE);
      // Parameters get their ids when the block is built; the optimizer keys its state by name.
      Map<String, String> names = new HashMap<>();
      for (Map.Entry<String, Parameter> e : block.tensors().entrySet()) {
        names.put(e.getValue().getId(), e.getKey());
      }
      ResumableAdam adam = new ResumableAdam(learningRate, names);
      DefaultTrainingConfig tc =
          new DefaultTrainingConfig(lossFunction)
              .optDevices(new Device[] {device})
              .optOptimizer(adam);
      try (Trainer trainer = model.newTrainer(tc)) {
        trainer.initialize(new Shape(batch, bands, size, size));
        if (initialWeights != null && resumeFrom == null) {
          if (keepHead) {
            block.load(initialWeights);
          } else {
            block.loadAllButHead(initialWeights, headRows);
          }
        }
        if (epochs == 0) {
          double[] val = evaluate(trainer, lossFunction, validation);
          history.add(new Epoch(0, Double.NaN, val[0], val[1], val[2], 0));
          bestEpoch = 0;
          block.save(best);
        }
        if (resumeFrom != null) {
          TrainingCheckpoint.State state =
              TrainingCheckpoint.restore(resumeFrom, block, best, adam, trainer.getManager());
          random = state.random();
          history.addAll(state.history());
          bestEpoch = state.bestEpoch();
          bestIou = state.bestMeanIou();
          firstEpoch = state.epoch() + 1;
          resumedOrder = state.order();
        }
        int[] order = new int[training.size()];
        for (int i = 0; i < order.length; i++) {
          order[i] = i;
        }
        if (resumedOrder != null) {
          if (resumedOrder.length != order.length) {
            throw new InvalidInputException(
                resumeFrom
                    + ": written for "
                    + resumedOrder.length
                    + " training chips, this run has "
                    + order.length);
          }
          order = resumedOrder;
        }
        boolean stopped = patience > 0 && firstEpoch - 1 - bestEpoch >= patience;
        for (int e = firstEpoch; e <= epochs && !stopped; e++) {
          long start = System.nanoTime();
          if (freezeEpochs > 0) {
            block.freezeBody(e <= freezeEpochs);
          }
          shuffle(order, random);
          int batches = (order.length + batch - 1) / batch;
          double lossSum = 0;
          Future<float[][]> next = loader.submit(batchTask(training, order, 0, random));
          for (int k = 0; k < batches; k++) {
            float[][] xy = get(next);
            if (k + 1 < batches) {
              next = loader.submit(batchTask(training, order, k + 1, random));
            }
            try (NDManager m = trainer.getManager().newSubManager()) {
              NDList[] arrays = toArrays(m, xy);
              try (GradientCollector gc = trainer.newGradientCollector()) {
                NDList out = trainer.forward(arrays[0], arrays[1]);
                NDArray value = trainer.getLoss().evaluate(arrays[1], out);
                gc.backward(value);
                lossSum += value.getFloat();
              }
              trainer.step();
            }
            if (listener != null) {
              listener.batchDone(e, k + 1, batches, lossSum / (k + 1));
            }
          }
          double[] val = evaluate(trainer, lossFunction, validation);
          Epoch epoch =
              new Epoch(
                  e,
                  lossSum / Math.max(1, batches),
                  val[0],
                  val[1],
                  val[2],
                  (System.nanoTime() - start) / 1e9);
          history.add(epoch);
          if (!(epoch.validationMeanIou() <= bestIou)) {
            bestIou = epoch.validationMeanIou();
            bestEpoch = e;
            block.save(best);
          } else if (patience > 0 && e - bestEpoch >= patience) {
            stopped = true;
          }
          if (checkpoint != null) {
            TrainingCheckpoint.write(
                checkpoint,
                settings,
                block,
                adam,
                trainer.getManager(),
                best,
                random,
                order,
                history,
                bestEpoch,
                bestIou);
          }
          if (listener != null) {
            listener.epochDone(epoch);
          }
        }
      }
      if (bestEpoch == 0 && epochs > 0) {
        throw new IOException("No epoch was trained: epochs is " + epochs);
      }
      Files.copy(best, weights, StandardCopyOption.REPLACE_EXISTING);
    } finally {
      loader.shutdownNow();
      Files.deleteIfExists(best);
    }
    return history;
  }

  /** Fisher-Yates in the order of {@link java.util.Collections#shuffle(List, Random)}. */
  private static void shuffle(int[] order, Random random) {
    for (int i = order.length; i > 1; i--) {
      int j = random.nextInt(i);
      int t = order[i - 1];
      order[i - 1] = order[j];
      order[j] = t;
    }
  }

  private static float[] ones(int n) {
    float[] w = new float[n];
    Arrays.fill(w, 1f);
    return w;
  }

  private static float[][] get(Future<float[][]> f) throws IOException {
    return Threads.await(f, "reading training chips");
  }

  /**
   * Batch {@code k} of {@code order}: its augmentation is drawn now, on the calling thread, so that
   * the random sequence does not depend on the loader's timing.
   */
  private java.util.concurrent.Callable<float[][]> batchTask(
      List<Sample> samples, int[] order, int k, Random random) {
    int from = k * batch;
    int to = Math.min(order.length, from + batch);
    int[] picks = Arrays.copyOfRange(order, from, to);
    int[] turns = new int[picks.length];
    boolean[] flip = new boolean[picks.length];
    for (int i = 0; i < picks.length; i++) {
      if (rotations && flips) {
        turns[i] = random.nextInt(4);
        flip[i] = random.nextBoolean();
      } else if (flips) {
        flip[i] = random.nextBoolean();
        turns[i] = random.nextBoolean() ? 2 : 0;
      } else if (rotations) {
        turns[i] = random.nextInt(4);
      }
    }
    return () -> {
      List<Sample> part = new ArrayList<>(picks.length);
      for (int p : picks) {
        part.add(samples.get(p));
      }
      return assemble(part, turns, flip);
    };
  }

  /** Batch arrays {image N x B x S x S, labels N x S x S}, each sample transformed. */
  private float[][] assemble(List<Sample> part, int[] turns, boolean[] flip) {
    int plane = size * size;
    float[] x = new float[part.size() * bands * plane];
    float[] y = new float[part.size() * plane];
    for (int i = 0; i < part.size(); i++) {
      Sample s = part.get(i);
      if (s.image().length != bands * plane || s.labels().length != plane) {
        throw new IllegalArgumentException(
            "Sample of "
                + s.image().length
                + " values and "
                + s.labels().length
                + " labels where "
                + bands
                + " x "
                + size
                + " x "
                + size
                + " were expected");
      }
      for (int r = 0; r < size; r++) {
        for (int c = 0; c < size; c++) {
          int from = source(r, c, turns[i], flip[i]);
          int to = r * size + c;
          for (int b = 0; b < bands; b++) {
            x[(i * bands + b) * plane + to] = s.image()[b * plane + from];
          }
          y[i * plane + to] = s.labels()[from];
        }
      }
    }
    return new float[][] {x, y};
  }

  private NDList[] toArrays(NDManager m, float[][] xy) {
    int n = xy[1].length / (size * size);
    NDArray image = m.create(xy[0], new Shape(n, bands, size, size));
    NDArray labels = m.create(xy[1], new Shape(n, size, size));
    return new NDList[] {new NDList(image), new NDList(labels)};
  }

  /**
   * Validation loss, overall accuracy and mean IoU (labelled pixels only), in inference mode. The
   * loss is the mean of the per-batch losses weighted by batch size.
   */
  private double[] evaluate(
      Trainer trainer, SegmentationLoss lossFunction, List<Sample> validation) {
    int[] ids = new int[classes];
    for (int i = 0; i < classes; i++) {
      ids[i] = i;
    }
    ConfusionMatrix cm = new ConfusionMatrix(ids);
    ParameterStore store = new ParameterStore(trainer.getManager(), false);
    double lossSum = 0;
    int plane = size * size;
    for (int start = 0; start < validation.size(); start += batch) {
      List<Sample> part = validation.subList(start, Math.min(validation.size(), start + batch));
      try (NDManager m = trainer.getManager().newSubManager()) {
        float[][] xy = assemble(part, new int[part.size()], new boolean[part.size()]);
        NDList[] arrays = toArrays(m, xy);
        NDList out = trainer.getModel().getBlock().forward(store, arrays[0], false);
        lossSum += lossFunction.evaluate(arrays[1], out).getFloat() * part.size();
        float[] logits = out.singletonOrThrow().toFloatArray();
        for (int i = 0; i < part.size(); i++) {
          int[] labels = part.get(i).labels();
          for (int p = 0; p < plane; p++) {
            if (labels[p] < 0) {
              continue;
            }
            cm.add(labels[p], ClassScores.argmax(logits, classes, plane, i * classes * plane + p));
          }
        }
      }
    }
    return new double[] {
      lossSum / Math.max(1, validation.size()), cm.overallAccuracy(), validationScore(cm)
    };
  }

  /**
   * The figure the best epoch is chosen by: the mean IoU over the classes present in the validation
   * labels ({@link ConfusionMatrix#meanIouOfReferenceClasses}). Loss and overall accuracy reward a
   * model that collapses onto the majority class on imbalanced data; the mean IoU over the classes
   * found in the reference or the prediction does too when rare classes are missing from the
   * validation chips (every class a good model predicts there adds a zero to its mean).
   */
  public static double validationScore(ConfusionMatrix validation) {
    return validation.meanIouOfReferenceClasses();
  }

  /** The source pixel of output (row, column) under a left-right flip and quarter turns. */
  private int source(int r, int c, int turns, boolean flip) {
    if (flip) {
      c = size - 1 - c;
    }
    for (int t = 0; t < turns; t++) {
      int nr = c;
      int nc = size - 1 - r;
      r = nr;
      c = nc;
    }
    return r * size + c;
  }
}

package dev.landcover.app;

import ai.djl.Device;
import ai.djl.engine.Engine;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.landcover.core.model.LandcoverClass;
import dev.landcover.core.model.ModelBundle;
import dev.landcover.core.model.UNetConfig;
import dev.landcover.core.train.UNetTrainer;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.AbstractList;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code landcover train}: a UNet trained on labelled chips, written as a model bundle. */
@Command(
    name = "train",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Train a UNet on chips cut from images and their label rasters (--image/--labels, repeatable)"
          + " or on folders written by 'landcover chips --labels' (--chips, repeatable), and write"
          + " a model bundle that predict takes as is: the weights of the epoch with the best"
          + " validation mean IoU, per-band normalization computed from the training chips, the"
          + " classes, bands and chip size; with BUNDLE/epochs.csv and BUNDLE/training.png (loss,"
          + " validation accuracy and mean IoU per epoch).",
      "Validation: whole spatial blocks of chips by default (training chips overlapping a"
          + " validation chip are left out), or chips drawn at random (--val-split random: with"
          + " overlapping chips, neighbours land on both sides and validation figures are"
          + " optimistic).",
      "A checkpoint is written after every epoch (default OUT.ckpt); --resume continues an"
          + " interrupted run exactly (same data and options; --epochs may grow).",
      "Pixels that are nodata in the labels or the image, or equal to --ignore, are not learned"
          + " from."
    })
final class TrainCommand implements Callable<Integer> {
  @Option(
      names = "--image",
      paramLabel = "IMG",
      description = "An image to cut training chips from (with --labels, in the same order).")
  List<Path> images = new ArrayList<>();

  @Option(names = "--labels", paramLabel = "LBL", description = "The label raster of each image.")
  List<Path> labels = new ArrayList<>();

  @Option(
      names = "--chips",
      paramLabel = "DIR",
      description = "A folder written by landcover chips --labels (chips.csv, images/, labels/).")
  List<Path> chipFolders = new ArrayList<>();

  @Option(
      names = "--image-bands",
      split = ",",
      description = "Image bands fed to the model, 1-based (default: all).")
  int[] bands;

  @Option(
      names = "--chip",
      defaultValue = "64",
      description = "Chip size for --image (default: ${DEFAULT-VALUE}).")
  int chip;

  @Option(names = "--stride", description = "Chip stride for --image (default: half the chip).")
  Integer stride;

  @Mixin ModelCommand.Architecture architecture;

  @Option(
      names = "--classes",
      paramLabel = "FILE",
      description =
          "JSON list of {\"id\", \"name\", \"color\": \"#rrggbb\"} (or a model.json): the classes"
              + " in output order (default: the label values found).")
  Path classesFile;

  @Option(
      names = "--class-list",
      split = ",",
      description = "id:name:#rrggbb of each class, instead of --classes.")
  String[] classList;

  @Option(
      names = "--ignore",
      paramLabel = "VALUE",
      description =
          "A label value that means 'not labelled' (besides the label raster's nodata); it is"
              + " also the bundle's nodata class.")
  Integer ignore;

  @Option(names = "--epochs", defaultValue = "10")
  int epochs;

  @Option(names = "--batch", defaultValue = "8")
  int batch;

  @Option(names = "--lr", defaultValue = "1e-3", description = "Adam learning rate.")
  float lr;

  @Option(
      names = "--loss",
      defaultValue = "ce",
      description = "ce, dice or ce+dice (default: ${DEFAULT-VALUE}).")
  String lossName;

  @Option(
      names = "--class-weights",
      defaultValue = "auto",
      description =
          "auto (inverse pixel frequency, mean 1), sqrt (inverse square root of it, mean 1),"
              + " none, or one weight per class in class order.")
  String classWeights;

  @Option(
      names = "--augment",
      defaultValue = "flips,rot90",
      description = "flips, rot90, both (default: ${DEFAULT-VALUE}) or none.")
  String augment;

  @Option(names = "--val-fraction", defaultValue = "0.2")
  double valFraction;

  @Option(
      names = "--val-split",
      defaultValue = "blocks",
      description = "blocks (default) or random.")
  String valSplit;

  @Option(names = "--seed", defaultValue = "7")
  long seed;

  @Option(
      names = "--device",
      defaultValue = "auto",
      description = "auto (GPU when there is one), cpu, gpu or gpu:N.")
  String device;

  @Option(
      names = "--patience",
      defaultValue = "0",
      description =
          "Stop after this many epochs without a better validation mean IoU (0: run every epoch).")
  int patience;

  @Option(
      names = "--checkpoint",
      paramLabel = "FILE",
      description = "Where the per-epoch checkpoint goes (default: OUT.ckpt).")
  Path checkpointFile;

  @Option(
      names = "--resume",
      paramLabel = "CHECKPOINT",
      description = "Continue the run that wrote this checkpoint.")
  Path resume;

  @Option(names = "--out", required = true, description = "The bundle folder (or .zip).")
  Path out;

  @Option(names = "--overwrite", description = "Replace an existing bundle and checkpoint.")
  boolean overwrite;

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    PrintWriter stdout = spec.commandLine().getOut();
    PrintWriter stderr = spec.commandLine().getErr();
    Path checkpoint = checkpointFile != null ? checkpointFile : Path.of(out + ".ckpt");
    checkOptions(checkpoint);
    try (TrainingChips chips =
        TrainingChips.open(images, labels, chipFolders, chip, chipStride(), bands, ignore)) {
      List<TrainingChips.Ref> all = chips.refs();
      if (all.size() < 2) {
        throw new ExitCodes.UsageException(
            "Only " + all.size() + " chips: use a smaller --chip or --stride");
      }
      int size = chips.size();
      List<TrainingChips.Ref> val = new ArrayList<>();
      List<TrainingChips.Ref> train = new ArrayList<>();
      split(chips, all, size, train, val);
      // One streaming pass: label values of every chip, normalization from the training chips.
      int nb = chips.bandCount();
      double[] mean = new double[nb];
      double[] m2 = new double[nb];
      long n = 0;
      TreeMap<Integer, Long> found = new TreeMap<>();
      Set<TrainingChips.Ref> isTrain = new HashSet<>(train);
      Progress reading = new Progress(stderr, "reading chips", all.size());
      int plane = size * size;
      for (TrainingChips.Ref ref : all) {
        TrainingChips.Pixels px = chips.read(ref);
        boolean t = isTrain.contains(ref);
        for (int p = 0; p < plane; p++) {
          int label = px.labels()[p];
          if (label < 0) {
            continue;
          }
          found.merge(label, 1L, Long::sum);
          if (!t) {
            continue;
          }
          n++;
          for (int b = 0; b < nb; b++) {
            double v = px.image()[b * plane + p];
            double d = v - mean[b];
            mean[b] += d / n;
            m2[b] += d * (v - mean[b]);
          }
        }
        reading.advance(1);
      }
      reading.finish();
      if (n == 0) {
        throw new ExitCodes.UsageException(
            "The training chips have no labelled pixel (check --labels, --ignore and nodata)");
      }
      double[] std = new double[nb];
      for (int b = 0; b < nb; b++) {
        std[b] = Math.max(1e-6, Math.sqrt(m2[b] / Math.max(1, n - 1)));
      }
      List<LandcoverClass> classes = classes(found);
      int[] index = new int[65536];
      Arrays.fill(index, -1);
      for (int i = 0; i < classes.size(); i++) {
        index[classes.get(i).id()] = i;
      }
      reportUnknownLabels(stdout, found, index);
      float[] weights = classWeights(classes, found);
      UNetConfig config = architecture.config().withBandsAndClasses(nb, classes.size());
      Device dev = trainingDevice();
      ObjectNode settings =
          settings(chips, size, config, classes, weights, mean, std, train.size(), val.size());
      if (resume != null) {
        checkResume(settings);
      }
      stdout.printf(
          Locale.ROOT,
          "Training %s on %s: %d chips (%d for validation, %s split) of %d px, %d classes%n",
          config,
          dev,
          train.size(),
          val.size(),
          valSplit,
          size,
          classes.size());
      stdout.flush();
      List<UNetTrainer.Sample> trainSamples = new Samples(chips, train, index, mean, std, size);
      List<UNetTrainer.Sample> valSamples = new Samples(chips, val, index, mean, std, size);
      Path weightsFile = Files.createTempFile("landcover-train", ".npz");
      List<UNetTrainer.Epoch> history;
      try {
        UNetTrainer trainer =
            new UNetTrainer(config, size)
                .epochs(epochs)
                .batch(batch)
                .learningRate(lr)
                .seed(seed)
                .augment(augment.contains("flips"), augment.contains("rot90"))
                .loss(lossName)
                .patience(patience)
                .classWeights(weights)
                .device(dev)
                .checkpoint(checkpoint, settings);
        if (resume != null) {
          trainer.resume(resume);
        }
        history = trainer.train(trainSamples, valSamples, weightsFile, listener(stdout, stderr));
        writeBundle(chips, config, classes, mean, std, size, weightsFile, history);
      } finally {
        Files.deleteIfExists(weightsFile);
      }
      UNetTrainer.Epoch best =
          history.stream()
              .max(java.util.Comparator.comparingDouble(UNetTrainer.Epoch::validationMeanIou))
              .orElseThrow();
      stdout.printf(
          Locale.ROOT,
          "Best epoch %d (validation OA %.4f, mean IoU %.4f); checkpoint %s%n",
          best.epoch(),
          best.validationAccuracy(),
          best.validationMeanIou(),
          checkpoint);
      stdout.println("Wrote bundle " + out);
      return ExitCodes.OK;
    }
  }

  /** {@code --stride}, or half the chip. */
  private int chipStride() {
    return stride == null ? Math.max(1, chip / 2) : stride;
  }

  private void checkOptions(Path checkpoint) {
    if (images.isEmpty() && chipFolders.isEmpty()) {
      throw new ExitCodes.UsageException(
          "No training data: give --image with --labels, or --chips");
    }
    if (images.size() != labels.size()) {
      throw new ExitCodes.UsageException(
          images.size()
              + " --image but "
              + labels.size()
              + " --labels: give one label raster per image, in the same order");
    }
    if (Files.exists(out) && !overwrite) {
      throw new ExitCodes.UsageException(out + " already exists: pass --overwrite to replace it");
    }
    if (resume == null && Files.exists(checkpoint) && !overwrite) {
      throw new ExitCodes.UsageException(
          checkpoint
              + " exists from an earlier run: pass --resume "
              + checkpoint
              + " to continue it, or --overwrite to start again");
    }
    if (resume != null && !Files.isRegularFile(resume)) {
      throw new ExitCodes.UsageException("--resume " + resume + ": no such checkpoint file");
    }
    if (!Set.of("blocks", "random").contains(valSplit)) {
      throw new ExitCodes.UsageException("--val-split must be blocks or random: " + valSplit);
    }
    if (!(valFraction > 0 && valFraction < 1)) {
      throw new ExitCodes.UsageException(
          "--val-fraction must be between 0 and 1 (exclusive): " + valFraction);
    }
    for (String a : augment.split(",")) {
      if (!Set.of("flips", "rot90", "both", "none").contains(a.trim())) {
        throw new ExitCodes.UsageException(
            "--augment takes flips, rot90, both or none: '" + a + "'");
      }
    }
    if (augment.contains("both")) {
      augment = "flips,rot90";
    }
    if (epochs < 1 || batch < 1) {
      throw new ExitCodes.UsageException(
          "--epochs and --batch must be at least 1: " + epochs + ", " + batch);
    }
  }

  /**
   * Splits the chips into training and validation. Blocks: the scene is cut into square blocks
   * (about 25 per source, 1 to 4 chips wide), each block goes to validation with probability {@code
   * --val-fraction}, and training chips overlapping a validation chip are dropped. Random: each
   * chip on its own.
   */
  private void split(
      TrainingChips chips,
      List<TrainingChips.Ref> all,
      int size,
      List<TrainingChips.Ref> train,
      List<TrainingChips.Ref> val) {
    Random random = new Random(seed);
    if (valSplit.equals("random")) {
      for (TrainingChips.Ref c : all) {
        (random.nextDouble() < valFraction ? val : train).add(c);
      }
    } else {
      TreeMap<String, Boolean> blockIsValidation = new TreeMap<>();
      for (TrainingChips.Ref c : all) {
        int block =
            (int)
                Math.max(
                    size,
                    Math.min(4L * size, (long) Math.sqrt(chips.sourceArea(c.source()) / 25.0)));
        String key = c.source() + ":" + c.window().x() / block + ":" + c.window().y() / block;
        boolean v = blockIsValidation.computeIfAbsent(key, k -> random.nextDouble() < valFraction);
        (v ? val : train).add(c);
      }
    }
    if (val.isEmpty()) {
      val.add(train.remove(train.size() - 1));
    }
    if (valSplit.equals("blocks")) {
      train.removeIf(
          t ->
              val.stream()
                  .anyMatch(
                      v ->
                          v.source() == t.source() && v.window().intersection(t.window()) != null));
    }
    if (train.isEmpty()) {
      throw new ExitCodes.UsageException(
          "No training chip left after the validation split: lower --val-fraction");
    }
  }

  private List<LandcoverClass> classes(TreeMap<Integer, Long> found) throws IOException {
    if (classesFile != null && classList != null) {
      throw new ExitCodes.UsageException("Give --classes or --class-list, not both");
    }
    if (classesFile != null) {
      return ModelCommand.readClassesFile(classesFile);
    }
    if (classList != null) {
      return ModelCommand.parseClassList(classList);
    }
    List<LandcoverClass> classes = new ArrayList<>();
    for (int id : found.keySet()) {
      classes.add(ModelCommand.defaultClass(id));
    }
    return classes;
  }

  private static void reportUnknownLabels(
      PrintWriter stdout, TreeMap<Integer, Long> found, int[] index) {
    TreeMap<Integer, Long> unknown = new TreeMap<>();
    found.forEach(
        (id, count) -> {
          if (id < 0 || id >= index.length || index[id] < 0) {
            unknown.put(id, count);
          }
        });
    if (!unknown.isEmpty()) {
      stdout.println(
          "Label values not among the classes are not learned from (value=pixels): " + unknown);
    }
  }

  private float[] classWeights(List<LandcoverClass> classes, TreeMap<Integer, Long> found) {
    float[] weights = new float[classes.size()];
    Arrays.fill(weights, 1f);
    if (classWeights.equals("auto") || classWeights.equals("sqrt")) {
      double total = 0;
      for (int i = 0; i < classes.size(); i++) {
        double pixels = Math.max(1, found.getOrDefault(classes.get(i).id(), 0L));
        weights[i] = (float) (1.0 / (classWeights.equals("sqrt") ? Math.sqrt(pixels) : pixels));
        total += weights[i];
      }
      for (int i = 0; i < classes.size(); i++) {
        weights[i] = (float) (weights[i] * classes.size() / total);
      }
    } else if (!classWeights.equals("none")) {
      String[] parts = classWeights.split(",");
      if (parts.length != classes.size()) {
        throw new ExitCodes.UsageException(
            "--class-weights has "
                + parts.length
                + " values for "
                + classes.size()
                + " classes; give auto, sqrt, none or one weight per class");
      }
      for (int i = 0; i < parts.length; i++) {
        try {
          weights[i] = Float.parseFloat(parts[i].trim());
        } catch (NumberFormatException e) {
          weights[i] = Float.NaN;
        }
        if (!(weights[i] >= 0) || Float.isInfinite(weights[i])) {
          throw new ExitCodes.UsageException(
              "--class-weights value '" + parts[i] + "' is not a non-negative number");
        }
      }
    }
    return weights;
  }

  private Device trainingDevice() {
    Device d = PredictCommand.parseDevice(device);
    return d != null ? d : Engine.getInstance().defaultDevice();
  }

  /** Everything that decides the weights except the epoch count and patience. */
  private ObjectNode settings(
      TrainingChips chips,
      int size,
      UNetConfig config,
      List<LandcoverClass> classes,
      float[] weights,
      double[] mean,
      double[] std,
      int trainChips,
      int valChips) {
    ObjectMapper json = new ObjectMapper();
    ObjectNode s = json.createObjectNode();
    s.set("sources", json.valueToTree(chips.sourceNames()));
    s.put("chip", size);
    s.put("stride", chipStride());
    s.set("bands", json.valueToTree(chips.bandIndices()));
    s.set("config", config.toJson());
    s.set("classes", json.valueToTree(classes.stream().map(c -> c.id()).toList()));
    s.put("ignore", ignore);
    s.put("batch", batch);
    s.put("learningRate", lr);
    s.put("loss", lossName);
    s.set("classWeights", json.valueToTree(weights));
    s.put("augment", augment);
    s.put("valSplit", valSplit);
    s.put("valFraction", valFraction);
    s.put("seed", seed);
    s.put("trainingChips", trainChips);
    s.put("validationChips", valChips);
    s.set("mean", json.valueToTree(mean));
    s.set("std", json.valueToTree(std));
    return s;
  }

  private void checkResume(ObjectNode settings) throws IOException {
    JsonNode saved = UNetTrainer.readCheckpoint(resume).settings();
    ObjectMapper json = new ObjectMapper();
    settings = (ObjectNode) json.readTree(json.writeValueAsString(settings));
    List<String> differ = new ArrayList<>();
    Iterator<String> names = settings.fieldNames();
    while (names.hasNext()) {
      String k = names.next();
      if (saved == null || !settings.get(k).equals(saved.get(k))) {
        differ.add(
            k
                + " (now "
                + settings.get(k)
                + ", checkpoint "
                + (saved == null ? null : saved.get(k))
                + ")");
      }
    }
    if (!differ.isEmpty()) {
      throw new ExitCodes.UsageException(
          "--resume " + resume + ": the run differs from the one that wrote it: " + differ);
    }
  }

  private UNetTrainer.Listener listener(PrintWriter stdout, PrintWriter stderr) {
    return new UNetTrainer.Listener() {
      private Progress progress;

      @Override
      public void batchDone(int epoch, int batchDone, int batches, double runningLoss) {
        if (progress == null) {
          progress = new Progress(stderr, "epoch " + epoch + "/" + epochs, batches);
        }
        progress.detail(String.format(Locale.ROOT, "loss %.4f", runningLoss));
        progress.set(batchDone, batches);
      }

      @Override
      public void epochDone(UNetTrainer.Epoch e) {
        if (progress != null) {
          progress.finish();
          progress = null;
        }
        stdout.printf(
            Locale.ROOT,
            "epoch %3d  loss %.4f  val loss %.4f  val OA %.4f  val mIoU %.4f  %.1f s%n",
            e.epoch(),
            e.trainLoss(),
            e.validationLoss(),
            e.validationAccuracy(),
            e.validationMeanIou(),
            e.seconds());
        stdout.flush();
      }
    };
  }

  private void writeBundle(
      TrainingChips chips,
      UNetConfig config,
      List<LandcoverClass> classes,
      double[] mean,
      double[] std,
      int size,
      Path weightsFile,
      List<UNetTrainer.Epoch> history)
      throws IOException {
    List<ModelBundle.Band> bundleBands = new ArrayList<>();
    for (int b : chips.bandIndices()) {
      bundleBands.add(new ModelBundle.Band(b, "band " + b));
    }
    ObjectMapper json = new ObjectMapper();
    ObjectNode provenance = json.createObjectNode();
    provenance.set("trainedOn", json.valueToTree(chips.sourceNames()));
    provenance.set("labels", json.valueToTree(labels.stream().map(Path::toString).toList()));
    provenance
        .put("trainedAt", Instant.now().toString())
        .put("epochs", history.size())
        .put("seed", seed)
        .put("tool", "landcover train");
    StringBuilder csv =
        new StringBuilder("epoch,train_loss,val_loss,val_overall_accuracy,val_mean_iou,seconds\n");
    for (UNetTrainer.Epoch e : history) {
      csv.append(
          String.format(
              Locale.ROOT,
              "%d,%f,%f,%f,%f,%.2f%n",
              e.epoch(),
              e.trainLoss(),
              e.validationLoss(),
              e.validationAccuracy(),
              e.validationMeanIou(),
              e.seconds()));
    }
    Path csvFile = Files.createTempFile("landcover-epochs", ".csv");
    Path pngFile = Files.createTempFile("landcover-training", ".png");
    try {
      Files.writeString(csvFile, csv, StandardCharsets.UTF_8);
      TrainingCurves.write(history, pngFile);
      ModelBundle.unet(
              architecture.preset,
              config,
              bundleBands,
              new ModelBundle.Normalization("meanstd", mean, std),
              classes,
              size,
              nodataClass(chips.labelNoData(), classes),
              provenance)
          .save(out, weightsFile, Map.of("epochs.csv", csvFile, "training.png", pngFile));
    } finally {
      Files.deleteIfExists(csvFile);
      Files.deleteIfExists(pngFile);
    }
  }

  /** --ignore, else the label raster's nodata value, else 0, or 255 when 0 is a class. */
  private int nodataClass(Integer labelNoData, List<LandcoverClass> classes) {
    if (ignore != null) {
      return ignore;
    }
    if (labelNoData != null) {
      return labelNoData;
    }
    return classes.stream().anyMatch(c -> c.id() == 0) ? 255 : 0;
  }

  /**
   * Chips read on demand: normalized image and class indices (-1 where not learned from). Nothing
   * is kept between calls.
   */
  private static final class Samples extends AbstractList<UNetTrainer.Sample> {
    private final TrainingChips chips;
    private final List<TrainingChips.Ref> refs;
    private final int[] index;
    private final double[] mean;
    private final double[] std;
    private final int plane;

    Samples(
        TrainingChips chips,
        List<TrainingChips.Ref> refs,
        int[] index,
        double[] mean,
        double[] std,
        int size) {
      this.chips = chips;
      this.refs = List.copyOf(refs);
      this.index = index;
      this.mean = mean;
      this.std = std;
      this.plane = size * size;
    }

    @Override
    public UNetTrainer.Sample get(int i) {
      TrainingChips.Pixels px;
      try {
        px = chips.read(refs.get(i));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      float[] x = px.image();
      for (int b = 0; b < mean.length; b++) {
        for (int p = 0; p < plane; p++) {
          x[b * plane + p] = (float) ((x[b * plane + p] - mean[b]) / std[b]);
        }
      }
      int[] y = px.labels();
      for (int p = 0; p < plane; p++) {
        int v = y[p];
        y[p] = v < 0 || v >= index.length ? -1 : index[v];
      }
      return new UNetTrainer.Sample(x, y);
    }

    @Override
    public int size() {
      return refs.size();
    }
  }
}

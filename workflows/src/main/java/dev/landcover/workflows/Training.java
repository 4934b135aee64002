package dev.landcover.workflows;

import ai.djl.Device;
import ai.djl.engine.Engine;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.landcover.geo.BandStack;
import dev.landcover.geo.SceneRaster;
import dev.landcover.networks.InputNormalization;
import dev.landcover.networks.LayerGraph;
import dev.landcover.networks.ModelBundle;
import dev.landcover.networks.TrainingCheckpoint;
import dev.landcover.networks.UNetConfig;
import dev.landcover.networks.UNetTrainer;
import dev.landcover.pixels.InvalidInputException;
import dev.landcover.pixels.LandcoverClass;
import dev.landcover.pixels.support.AtomicFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.AbstractList;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Trains a UNet on labelled chips and writes a model bundle that {@link SceneMapper} takes as is:
 * the weights of the epoch with the best validation mean IoU, the per-band normalization of the
 * training chips' labelled pixels, the classes, bands and chip size, with {@code epochs.csv} and
 * {@code training.png} (loss, validation accuracy and mean IoU per epoch) in the bundle.
 *
 * <ol>
 *   <li>The chips of every source are listed (windows of a chip plan over each image and its
 *       labels, chips with more than half nodata left out; or the rows of each chip folder's
 *       index). Only the windows stay in memory.
 *   <li>The validation split is made from the windows alone ({@link ValidationSplit}).
 *   <li>One streaming pass reads every chip: the label values found (the classes, when not given,
 *       and the class weights) and the mean and variance of each band over the training chips'
 *       labelled pixels (Welford; the bundle's {@link InputNormalization}, the same the scene
 *       mapper applies).
 *   <li>{@link UNetTrainer} reads and normalizes the chips again each epoch; a checkpoint is
 *       written after every epoch, and a run given {@link TrainingRequest#resume()} continues
 *       exactly, refusing a run whose data or settings differ.
 * </ol>
 *
 * <p>Pixels that are nodata in the labels or the image, or equal to the ignored value, are not
 * learned from.
 *
 * <p>Fine-tuning ({@link TrainingRequest#init()}): the network starts from a UNet or graph bundle's
 * weights, with the bundle's architecture, input bands (chosen by name from each image as {@link
 * SceneMapper} does) and normalization; the classes default to the bundle's, and when they differ
 * (ids in output order) the classifier head is replaced by a new one initialized from the seed. The
 * written bundle keeps the initial bundle's band names, attribution and alignment.
 */
public final class Training {
  /**
   * What a run did.
   *
   * @param history every epoch's figures (with those before a resumed checkpoint)
   * @param best the epoch whose weights the bundle holds
   * @param classes the classes, in output order
   * @param bundle the bundle written
   * @param checkpoint the last checkpoint
   */
  public record Result(
      List<UNetTrainer.Epoch> history,
      UNetTrainer.Epoch best,
      List<LandcoverClass> classes,
      Path bundle,
      Path checkpoint) {}

  private final TrainingRequest request;
  private final ProgressListener listener;

  private Training(TrainingRequest request, ProgressListener listener) {
    this.request = request;
    this.listener = listener;
  }

  /**
   * Trains as {@code request} says.
   *
   * @throws IllegalArgumentException when the request does not fit the data (too few chips, class
   *     weights not one per class, a resumed run that differs from the checkpoint's)
   * @throws InvalidInputException when a source cannot be used (unreadable, chips of different
   *     sizes or bands, no labelled pixel)
   */
  public static Result run(TrainingRequest request, ProgressListener listener) throws IOException {
    return new Training(request, listener).run();
  }

  private Result run() throws IOException {
    checkOutputs();
    if (request.init() == null) {
      return run(null);
    }
    Path scratch = Files.createTempDirectory("landcover-init");
    try {
      ModelBundle.Loaded init;
      try {
        init = ModelBundle.load(request.init(), scratch);
      } catch (java.nio.file.NoSuchFileException e) {
        throw new InvalidInputException(
            "--init " + request.init() + ": no such model bundle (nor a built-in name)", e);
      }
      if (init.bundle().isOpaque()) {
        throw new InvalidInputException(
            "--init "
                + request.init()
                + ": a "
                + init.bundle().architectureType()
                + " bundle cannot be trained; expected a UNet or an imported graph bundle");
      }
      return run(init);
    } finally {
      AtomicFiles.deleteTree(scratch);
    }
  }

  /** The image bands fed to {@code init}'s network, the same for every image. */
  private int[] initBands(ModelBundle bundle) throws IOException {
    int[] chosen = null;
    Path first = null;
    for (Path image : request.images()) {
      int[] bands;
      BandStack stack = request.stacks().get(image);
      try (SceneRaster raster = stack != null ? stack.open() : SceneRaster.open(image)) {
        bands =
            BandSelection.choose(
                bundle, request.imageBands(), image, raster.bandCount(), raster.bandDescriptions());
      }
      if (chosen != null && !Arrays.equals(chosen, bands)) {
        throw new InvalidInputException(
            image
                + ": the model's bands are bands "
                + Arrays.toString(bands)
                + " here but "
                + Arrays.toString(chosen)
                + " in "
                + first
                + "; give the images' bands with --image-bands");
      }
      chosen = bands;
      first = image;
    }
    return chosen != null ? chosen : request.imageBands();
  }

  private Result run(ModelBundle.Loaded init) throws IOException {
    ModelBundle initBundle = init == null ? null : init.bundle();
    try (AlignedLabels aligned =
            AlignedLabels.onImageGrids(
                request.images(), request.stacks(), request.labels(), "labels", listener);
        TrainingChips chips =
            TrainingChips.open(
                request.images(),
                aligned.labels(),
                request.chipFolders(),
                request.chip(),
                request.stride(),
                init == null ? request.imageBands() : initBands(initBundle),
                request.ignore(),
                request.stacks())) {
      if (init != null && chips.bandCount() != initBundle.bands().size()) {
        throw new InvalidInputException(
            "--init "
                + request.init()
                + ": the model takes "
                + initBundle.bands().size()
                + " bands but the training chips have "
                + chips.bandCount());
      }
      List<TrainingChips.Ref> all = chips.refs();
      if (all.size() < 2) {
        throw new IllegalArgumentException(
            "Only " + all.size() + " chips: use a smaller --chip or --stride");
      }
      int size = chips.chipSize();
      List<TrainingChips.Ref> val = new ArrayList<>();
      List<TrainingChips.Ref> train = new ArrayList<>();
      ValidationSplit.split(
          all,
          size,
          chips::sourceArea,
          request.validationSplit() == TrainingRequest.Split.RANDOM
              ? ValidationSplit.Method.RANDOM
              : ValidationSplit.Method.BLOCKS,
          request.validationFraction(),
          request.seed(),
          train,
          val);
      BandStatistics statistics = new BandStatistics(chips.bandCount());
      TreeMap<Integer, Long> found = new TreeMap<>();
      Set<TrainingChips.Ref> isTrain = new HashSet<>(train);
      String reading = "reading chips";
      int plane = size * size;
      int done = 0;
      for (TrainingChips.Ref ref : all) {
        TrainingChips.Pixels px = chips.read(ref);
        boolean t = isTrain.contains(ref);
        for (int p = 0; p < plane; p++) {
          int label = px.labels()[p];
          if (label < 0) {
            continue;
          }
          found.merge(label, 1L, Long::sum);
          if (t) {
            statistics.add(px.image(), plane, p);
          }
        }
        listener.progress(reading, ++done, all.size(), "");
      }
      listener.finished(reading);
      if (statistics.count() == 0) {
        throw new InvalidInputException(
            "The training chips have no labelled pixel (check --labels, --ignore and nodata)");
      }
      InputNormalization normalization =
          init != null
              ? initBundle.normalization()
              : InputNormalization.meanStd(statistics.mean(), statistics.std());
      List<LandcoverClass> classes =
          init != null && request.classes() == null ? initBundle.classes() : classes(found);
      boolean keepHead =
          init != null
              && classes.stream()
                  .map(LandcoverClass::id)
                  .toList()
                  .equals(initBundle.classes().stream().map(LandcoverClass::id).toList());
      int[] headRows = headRows(initBundle, keepHead, classes);
      int[] index = new int[65536];
      Arrays.fill(index, -1);
      for (int i = 0; i < classes.size(); i++) {
        index[classes.get(i).id()] = i;
      }
      reportUnknownLabels(found, index);
      float[] weights = request.classWeights().compute(classes, found);
      UNetConfig config =
          init == null
              ? request.architecture().withBandsAndClasses(chips.bandCount(), classes.size())
              : initBundle.config() == null
                  ? null
                  : initBundle.config().withBandsAndClasses(chips.bandCount(), classes.size());
      LayerGraph graph =
          init == null || initBundle.graph() == null
              ? null
              : keepHead ? initBundle.graph() : initBundle.graph().withClasses(classes.size());
      Device device =
          request.device() != null ? request.device() : Engine.getInstance().defaultDevice();
      ObjectNode settings =
          settings(chips, size, config, classes, weights, normalization, train.size(), val.size());
      if (init != null) {
        settings.put("init", request.init().toString());
        settings.put("keepHead", keepHead);
        settings.put("freezeEpochs", request.freezeEpochs());
        if (request.headCrosswalk() != null) {
          settings.put("headCrosswalk", request.headCrosswalk().toString());
        }
        if (graph != null) {
          settings.put("config", graph.toString());
        }
      }
      if (request.resume() != null) {
        checkResume(settings);
      }
      if (init != null) {
        listener.message(
            "Fine-tuning "
                + request.init()
                + (keepHead
                    ? " (its classifier head kept)"
                    : headRows != null
                        ? " with a new classifier head from its own through the crosswalk "
                            + request.headCrosswalk()
                        : " with a new classifier head")
                + (request.freezeEpochs() > 0
                    ? ", only the head trained for the first " + request.freezeEpochs() + " epochs"
                    : ""));
      }
      listener.message(
          String.format(
              Locale.ROOT,
              "Training %s on %s: %d chips (%d for validation, %s split) of %d px, %d classes",
              config != null ? config : graph,
              device,
              train.size(),
              val.size(),
              request.validationSplit().name().toLowerCase(Locale.ROOT),
              size,
              classes.size()));
      List<UNetTrainer.Sample> trainSamples = new Samples(chips, train, index, normalization, size);
      List<UNetTrainer.Sample> valSamples = new Samples(chips, val, index, normalization, size);
      Path weightsFile = Files.createTempFile("landcover-train", ".npz");
      List<UNetTrainer.Epoch> history;
      try {
        UNetTrainer trainer =
            (config != null ? new UNetTrainer(config, size) : new UNetTrainer(graph, size))
                .epochs(request.epochs())
                .batch(request.batch())
                .learningRate(request.learningRate())
                .seed(request.seed())
                .augment(request.flips(), request.rotations())
                .loss(request.loss())
                .patience(request.patience())
                .classWeights(weights)
                .device(device)
                .checkpoint(request.checkpoint(), settings);
        if (request.resume() != null) {
          trainer.resume(request.resume());
        }
        if (init != null) {
          if (headRows != null) {
            trainer.initialWeights(init.weightsFile(), headRows);
          } else {
            trainer.initialWeights(init.weightsFile(), keepHead);
          }
          trainer.freezeEpochs(request.freezeEpochs());
        }
        history = trainer.train(trainSamples, valSamples, weightsFile, epochListener());
        writeBundle(chips, init, config, graph, classes, normalization, size, weightsFile, history);
      } finally {
        Files.deleteIfExists(weightsFile);
      }
      UNetTrainer.Epoch best =
          history.stream()
              .max(Comparator.comparingDouble(UNetTrainer.Epoch::validationMeanIou))
              .orElseThrow();
      return new Result(history, best, classes, request.out(), request.checkpoint());
    }
  }

  /**
   * The bundle head's output index each new class's head output starts from (-1: from the seed), by
   * {@link TrainingRequest#headCrosswalk()}; null without one.
   *
   * @throws IllegalArgumentException when the crosswalk names a class the bundle or the new classes
   *     lack, or the head is kept (the classes are the bundle's)
   */
  private int[] headRows(ModelBundle bundle, boolean keepHead, List<LandcoverClass> classes) {
    ClassCrosswalk crosswalk = request.headCrosswalk();
    if (crosswalk == null) {
      return null;
    }
    if (keepHead) {
      throw new IllegalArgumentException(
          "--head-crosswalk "
              + crosswalk
              + ": the classes are "
              + request.init()
              + "'s, whose head is kept; give other classes (--classes or --class-list)");
    }
    List<Integer> from = bundle.classes().stream().map(LandcoverClass::id).toList();
    List<Integer> to = classes.stream().map(LandcoverClass::id).toList();
    crosswalk
        .pairs()
        .forEach(
            (a, b) -> {
              if (!from.contains(a) || !to.contains(b)) {
                throw new IllegalArgumentException(
                    "--head-crosswalk "
                        + crosswalk
                        + ": "
                        + a
                        + "="
                        + b
                        + " maps "
                        + (from.contains(a)
                            ? "onto class " + b + ", not one of the new classes " + to
                            : "class " + a + ", not one of " + request.init() + "'s " + from));
              }
            });
    int[] rows = new int[classes.size()];
    for (int i = 0; i < rows.length; i++) {
      rows[i] = from.indexOf(crosswalk.firstSource(to.get(i)));
    }
    return rows;
  }

  private void checkOutputs() {
    Path checkpoint = request.checkpoint();
    if (Files.exists(request.out()) && !request.overwrite()) {
      throw new IllegalArgumentException(
          request.out() + " already exists: pass --overwrite to replace it");
    }
    if (request.resume() == null && Files.exists(checkpoint) && !request.overwrite()) {
      throw new IllegalArgumentException(
          checkpoint
              + " exists from an earlier run: pass --resume "
              + checkpoint
              + " to continue it, or --overwrite to start again");
    }
    if (request.resume() != null && !Files.isRegularFile(request.resume())) {
      throw new IllegalArgumentException(
          "--resume " + request.resume() + ": no such checkpoint file");
    }
  }

  private List<LandcoverClass> classes(TreeMap<Integer, Long> found) {
    if (request.classes() != null) {
      return request.classes();
    }
    List<LandcoverClass> classes = new ArrayList<>();
    for (int id : found.keySet()) {
      classes.add(LandcoverClass.unnamed(id));
    }
    return classes;
  }

  private void reportUnknownLabels(TreeMap<Integer, Long> found, int[] index) {
    TreeMap<Integer, Long> unknown = new TreeMap<>();
    found.forEach(
        (id, count) -> {
          if (id < 0 || id >= index.length || index[id] < 0) {
            unknown.put(id, count);
          }
        });
    if (!unknown.isEmpty()) {
      listener.message(
          "Label values not among the classes are not learned from (value=pixels): " + unknown);
    }
  }

  /** Everything that decides the weights except the epoch count and patience. */
  private ObjectNode settings(
      TrainingChips chips,
      int size,
      UNetConfig config,
      List<LandcoverClass> classes,
      float[] weights,
      InputNormalization normalization,
      int trainChips,
      int valChips) {
    ObjectMapper json = new ObjectMapper();
    ObjectNode s = json.createObjectNode();
    s.set("sources", json.valueToTree(chips.sourceNames()));
    s.put("chip", size);
    s.put("stride", request.stride());
    s.set("bands", json.valueToTree(chips.bandIndices()));
    if (config != null) {
      s.set("config", config.toJson());
    }
    s.set("classes", json.valueToTree(classes.stream().map(LandcoverClass::id).toList()));
    s.put("ignore", request.ignore());
    s.put("batch", request.batch());
    s.put("learningRate", request.learningRate());
    s.put("loss", request.loss().label());
    s.set("classWeights", json.valueToTree(weights));
    s.put("augment", request.augmentLabel());
    s.put("valSplit", request.validationSplit().name().toLowerCase(Locale.ROOT));
    s.put("valFraction", request.validationFraction());
    s.put("seed", request.seed());
    s.put("trainingChips", trainChips);
    s.put("validationChips", valChips);
    s.set("mean", json.valueToTree(normalization.first()));
    s.set("std", json.valueToTree(normalization.second()));
    return s;
  }

  private void checkResume(ObjectNode settings) throws IOException {
    JsonNode saved = TrainingCheckpoint.read(request.resume()).settings();
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
      throw new IllegalArgumentException(
          "--resume "
              + request.resume()
              + ": the run differs from the one that wrote it: "
              + differ);
    }
  }

  private UNetTrainer.Listener epochListener() {
    return new UNetTrainer.Listener() {
      @Override
      public void batchDone(int epoch, int batchDone, int batches, double runningLoss) {
        listener.progress(
            task(epoch), batchDone, batches, String.format(Locale.ROOT, "loss %.4f", runningLoss));
      }

      @Override
      public void epochDone(UNetTrainer.Epoch e) {
        listener.finished(task(e.epoch()));
        listener.message(
            String.format(
                Locale.ROOT,
                "epoch %3d  loss %.4f  val loss %.4f  val OA %.4f  val mIoU %.4f  %.1f s",
                e.epoch(),
                e.trainLoss(),
                e.validationLoss(),
                e.validationAccuracy(),
                e.validationMeanIou(),
                e.seconds()));
      }

      private String task(int epoch) {
        return "epoch " + epoch + "/" + request.epochs();
      }
    };
  }

  private void writeBundle(
      TrainingChips chips,
      ModelBundle.Loaded loaded,
      UNetConfig config,
      LayerGraph graph,
      List<LandcoverClass> classes,
      InputNormalization normalization,
      int size,
      Path weightsFile,
      List<UNetTrainer.Epoch> history)
      throws IOException {
    ModelBundle init = loaded == null ? null : loaded.bundle();
    List<ModelBundle.Band> bundleBands = new ArrayList<>();
    int[] indices = chips.bandIndices();
    for (int i = 0; i < indices.length; i++) {
      String name = init != null ? init.bands().get(i).name() : "band " + indices[i];
      bundleBands.add(new ModelBundle.Band(indices[i], name));
    }
    ObjectMapper json = new ObjectMapper();
    ObjectNode provenance = json.createObjectNode();
    provenance.set("trainedOn", json.valueToTree(chips.sourceNames()));
    provenance.set(
        "labels", json.valueToTree(request.labels().stream().map(Path::toString).toList()));
    provenance
        .put("trainedAt", Instant.now().toString())
        .put("epochs", history.size())
        .put("seed", request.seed())
        .put("tool", "landcover train");
    if (init != null) {
      provenance.put("initFrom", request.init().toString());
      provenance.put("freezeEpochs", request.freezeEpochs());
      if (request.headCrosswalk() != null) {
        provenance.put("headCrosswalk", request.headCrosswalk().toString());
      }
      provenance.set("initProvenance", init.provenance());
    }
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
    int nodata = nodataClass(chips.labelNoData(), classes);
    if (init != null && request.ignore() == null && isClass(nodata, classes)) {
      // e.g. labels whose nodata is 0 and a model whose class 0 is water: the model's own value
      nodata = isClass(init.nodataClass(), classes) ? 255 : init.nodataClass();
    }
    ModelBundle bundle =
        graph != null
            ? ModelBundle.graph(
                graph,
                bundleBands,
                normalization,
                classes,
                init.chipSize(),
                nodata,
                provenance,
                init.declaredAlignment(),
                init.attribution())
            : ModelBundle.unet(
                init != null ? init.preset() : request.preset(),
                config,
                bundleBands,
                normalization,
                classes,
                size,
                nodata,
                provenance);
    Path csvFile = Files.createTempFile("landcover-epochs", ".csv");
    Path pngFile = Files.createTempFile("landcover-training", ".png");
    try {
      Files.writeString(csvFile, csv, StandardCharsets.UTF_8);
      TrainingCurves.write(history, pngFile);
      Map<String, Path> extras = new java.util.HashMap<>();
      extras.put("epochs.csv", csvFile);
      extras.put("training.png", pngFile);
      if (init != null && init.attribution() != null) {
        // the licence files beside the model.json of the initial bundle travel with its weights
        for (String legal : List.of("NOTICE", "LICENSE")) {
          Path f = loaded.dir().resolve(legal);
          if (Files.isRegularFile(f)) {
            extras.put(legal, f);
          }
        }
      }
      bundle.save(request.out(), weightsFile, extras);
    } finally {
      Files.deleteIfExists(csvFile);
      Files.deleteIfExists(pngFile);
    }
  }

  private static boolean isClass(int value, List<LandcoverClass> classes) {
    return classes.stream().anyMatch(c -> c.id() == value);
  }

  /** The ignored value, else the label raster's nodata value, else 0, or 255 when 0 is a class. */
  private int nodataClass(Integer labelNoData, List<LandcoverClass> classes) {
    if (request.ignore() != null) {
      return request.ignore();
    }
    if (labelNoData != null) {
      return labelNoData;
    }
    return classes.stream().anyMatch(c -> c.id() == 0) ? 255 : 0;
  }

  /**
   * Chips read on demand, normalized by the bundle's normalization, with class indices (-1 where
   * not learned from). Nothing is kept between calls.
   */
  private static final class Samples extends AbstractList<UNetTrainer.Sample> {
    private final TrainingChips chips;
    private final List<TrainingChips.Ref> refs;
    private final int[] index;
    private final InputNormalization normalization;
    private final int plane;

    Samples(
        TrainingChips chips,
        List<TrainingChips.Ref> refs,
        int[] index,
        InputNormalization normalization,
        int size) {
      this.chips = chips;
      this.refs = List.copyOf(refs);
      this.index = index;
      this.normalization = normalization;
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
      normalization.applyInPlace(x, plane);
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

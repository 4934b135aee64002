package dev.landcover.workflows;

import ai.djl.Device;
import dev.landcover.geo.BandStack;
import dev.landcover.networks.UNetConfig;
import dev.landcover.networks.UNetTrainer;
import dev.landcover.pixels.LandcoverClass;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What {@link Training#run} does: the training data, the network, how it learns and where the
 * bundle goes. Made with {@link #builder(Path)}; see the builder's methods for the defaults.
 *
 * @param images images to cut training chips from (with {@link #labels}, same order)
 * @param labels the label raster of each image; one on another grid is resampled onto the image's
 *     with nearest, as gdalwarp -r near, with a warning
 * @param chipFolders folders written by {@link ChipExport} with labels
 * @param imageBands image bands fed to the network, 1-based, or null for all
 * @param chip chip size for images
 * @param stride chip stride for images
 * @param architecture the UNet; its bands and classes are set from the data
 * @param preset the preset's name when the architecture is one, for the bundle; else null
 * @param classes the classes in output order, or null for the label values found
 * @param ignore a label value meaning "not labelled" (also the bundle's nodata class), or null
 * @param epochs epochs to run (a resumed run may raise it)
 * @param batch chips per step
 * @param learningRate Adam's learning rate
 * @param loss the loss
 * @param classWeights the class weights of the loss
 * @param flips random flips of training chips
 * @param rotations random quarter turns of training chips
 * @param validationSplit how validation chips are drawn
 * @param validationFraction the share of chips (or blocks) for validation, between 0 and 1
 * @param seed the seed of the split, the shuffles, the augmentation and the initial weights
 * @param device where the network trains, or null for the engine's default
 * @param patience epochs without a better validation mean IoU before stopping, 0 for never
 * @param checkpoint the checkpoint written after every epoch
 * @param resume a checkpoint to continue from, or null
 * @param out the bundle folder (or {@code .zip})
 * @param overwrite whether an existing bundle and checkpoint may be replaced
 * @param stacks the images given as band stacks (or null for none), keyed by the path that stands
 *     for each in {@code images}, its {@link BandStack#name()}
 * @param init a UNet or graph bundle (folder, .zip or built-in name) to start from, or null: its
 *     architecture, bands (chosen by name as predict does; {@code imageBands} overrides them),
 *     normalization and weights are used, with a new classifier head when {@code classes} differ
 *     from the bundle's (default: the bundle's classes)
 * @param freezeEpochs with {@code init}: epochs at the start during which only the classifier head
 *     trains (0 for none)
 * @param headCrosswalk with {@code init} and a new head: the bundle's class ids mapped onto {@code
 *     classes}' ids; each new class's head output (weights and bias) starts as a copy of the output
 *     of the first bundle class (in the crosswalk's order) mapped onto it, a new class with none
 *     from the seed; null for a head all from the seed
 */
public record TrainingRequest(
    List<Path> images,
    List<Path> labels,
    List<Path> chipFolders,
    int[] imageBands,
    int chip,
    int stride,
    UNetConfig architecture,
    String preset,
    List<LandcoverClass> classes,
    Integer ignore,
    int epochs,
    int batch,
    float learningRate,
    UNetTrainer.Loss loss,
    ClassWeights classWeights,
    boolean flips,
    boolean rotations,
    Split validationSplit,
    double validationFraction,
    long seed,
    Device device,
    int patience,
    Path checkpoint,
    Path resume,
    Path out,
    boolean overwrite,
    Map<Path, BandStack> stacks,
    Path init,
    int freezeEpochs,
    ClassCrosswalk headCrosswalk) {

  /** How validation chips are drawn (see {@link ValidationSplit}). */
  public enum Split {
    /** Whole spatial blocks; training chips overlapping a validation chip are left out. */
    BLOCKS,
    /** Chip by chip: with overlapping chips, validation figures are optimistic. */
    RANDOM
  }

  /** Checks what does not depend on the data. */
  public TrainingRequest {
    images = List.copyOf(images);
    labels = List.copyOf(labels);
    stacks = stacks == null ? Map.of() : Map.copyOf(stacks);
    chipFolders = List.copyOf(chipFolders);
    if (images.isEmpty() && chipFolders.isEmpty()) {
      throw new IllegalArgumentException(
          "No training data: give --image with --labels, or --chips");
    }
    if (images.size() != labels.size()) {
      throw new IllegalArgumentException(
          images.size()
              + " --image but "
              + labels.size()
              + " --labels: give one label raster per image, in the same order");
    }
    if (!(validationFraction > 0 && validationFraction < 1)) {
      throw new IllegalArgumentException(
          "--val-fraction must be between 0 and 1 (exclusive): " + validationFraction);
    }
    if (epochs < (init != null ? 0 : 1) || batch < 1) {
      throw new IllegalArgumentException(
          "--epochs and --batch must be at least 1: " + epochs + ", " + batch);
    }
    if (chip < 1 || stride < 1) {
      throw new IllegalArgumentException(
          "--chip and --stride must be positive: " + chip + ", " + stride);
    }
    if (!(learningRate > 0) || !Float.isFinite(learningRate)) {
      throw new IllegalArgumentException("--lr must be a positive number: " + learningRate);
    }
    if (patience < 0) {
      throw new IllegalArgumentException("--patience must be 0 (never stop) or more: " + patience);
    }
    if (imageBands != null) {
      for (int b : imageBands) {
        if (b < 1) {
          throw new IllegalArgumentException(
              "--image-bands: band " + b + " is not a band, numbers start at 1");
        }
      }
    }
    if (freezeEpochs < 0 || (freezeEpochs > 0 && init == null)) {
      throw new IllegalArgumentException(
          "--freeze-epochs is "
              + freezeEpochs
              + ": expected 0 or more, and more than 0 only with --init (a model to fine-tune)");
    }
    if (headCrosswalk != null && init == null) {
      throw new IllegalArgumentException(
          "--head-crosswalk "
              + headCrosswalk
              + " needs --init: it maps a bundle's classes onto the new head's");
    }
    if (out == null || out.toString().isEmpty()) {
      throw new IllegalArgumentException("--out is empty: expected a bundle folder or .zip");
    }
  }

  /** The augmentation as the command line and checkpoints name it: flips,rot90 / flips / ... */
  String augmentLabel() {
    return flips && rotations ? "flips,rot90" : flips ? "flips" : rotations ? "rot90" : "none";
  }

  /**
   * The UNet trained when none is given: 5 levels of 8, 16, 32, 64 and 128 channels (batch
   * normalization, ReLU, transposed-convolution up steps; about 0.49 M weights), small enough that
   * a default run on a scene of a million pixels takes minutes on two CPU cores. Chosen on the
   * validation blocks of the Zion north half (docs/benchmarks.md).
   */
  public static final UNetConfig DEFAULT_ARCHITECTURE = UNetConfig.ofDepth(5, 8, 3, 1);

  /** A builder with the defaults, writing the bundle to {@code out}. */
  public static Builder builder(Path out) {
    return new Builder(out);
  }

  /** Builds a {@link TrainingRequest}. */
  public static final class Builder {
    private final Path out;
    private final List<Path> images = new ArrayList<>();
    private final List<Path> labels = new ArrayList<>();
    private final List<Path> chipFolders = new ArrayList<>();
    private int[] imageBands;
    private int chip = 64;
    private Integer stride;
    private UNetConfig architecture = DEFAULT_ARCHITECTURE;
    private String preset;
    private List<LandcoverClass> classes;
    private Integer ignore;
    private int epochs = 20;
    private int batch = 8;
    private float learningRate = 2e-3f;
    private UNetTrainer.Loss loss = UNetTrainer.Loss.CE;
    private ClassWeights classWeights = ClassWeights.SQRT;
    private boolean flips = true;
    private boolean rotations = true;
    private Split split = Split.BLOCKS;
    private double validationFraction = 0.2;
    private long seed = 7;
    private Device device;
    private int patience;
    private Path checkpoint;
    private Path resume;
    private boolean overwrite;
    private final Map<Path, BandStack> stacks = new LinkedHashMap<>();
    private boolean architectureGiven;
    private Path init;
    private int freezeEpochs;
    private ClassCrosswalk headCrosswalk;

    private Builder(Path out) {
      this.out = out;
    }

    /** Adds an image and its label raster. */
    public Builder image(Path image, Path labels) {
      this.images.add(image);
      this.labels.add(labels);
      return this;
    }

    /**
     * Adds an image given as a band stack ({@code --image B02.tif,B03.tif,...}) and its label
     * raster; the image stands in {@link TrainingRequest#images()} as {@link BandStack#name()}.
     */
    public Builder image(BandStack image, Path labels) {
      this.stacks.put(image.name(), image);
      return image(image.name(), labels);
    }

    /** Adds images and their label rasters (same order; the counts are checked by build). */
    public Builder images(List<Path> images, List<Path> labels) {
      this.images.addAll(images);
      this.labels.addAll(labels);
      return this;
    }

    /** Adds a chip folder written with labels. */
    public Builder chipFolder(Path folder) {
      this.chipFolders.add(folder);
      return this;
    }

    /** Image bands fed to the network, 1-based (default: all). */
    public Builder imageBands(int... bands) {
      this.imageBands = bands == null ? null : bands.clone();
      return this;
    }

    /** Chip size for images (default 64). */
    public Builder chip(int size) {
      this.chip = size;
      return this;
    }

    /**
     * Chip stride for images (default: the chip size, chips side by side; random flips and turns
     * vary them from epoch to epoch, and overlapping chips cost time in proportion).
     */
    public Builder stride(Integer stride) {
      this.stride = stride;
      return this;
    }

    /** The UNet (default {@link #DEFAULT_ARCHITECTURE}); {@code preset} names it, or null. */
    public Builder architecture(UNetConfig config, String preset) {
      this.architecture = config;
      this.preset = preset;
      this.architectureGiven = true;
      return this;
    }

    /**
     * Fine-tune: start from the weights of this UNet or graph bundle (a folder, a .zip or a
     * built-in name such as {@code dynamic-world}), with its architecture, bands and normalization
     * (so {@link #architecture} must not be given).
     */
    public Builder init(Path bundle) {
      this.init = bundle;
      return this;
    }

    /** With {@link #init}: train only the classifier head for the first epochs (default 0). */
    public Builder freezeEpochs(int epochs) {
      this.freezeEpochs = epochs;
      return this;
    }

    /**
     * With {@link #init} and classes other than the bundle's: start each new class's head output
     * from the bundle's head output of the first class (in the crosswalk's order) that {@code
     * crosswalk} maps onto it (bundle class id to new class id); new classes it maps nothing onto
     * start from the seed (default null: all from the seed). The head is a 1 x 1 convolution, so
     * with every class mapped and no epoch, the fine-tuned map is the bundle's map translated by
     * the crosswalk wherever the bundle picks a mapped class. Several bundle classes onto one new
     * class: only the first is copied, as the maximum of their logits is not a convolution.
     */
    public Builder headCrosswalk(ClassCrosswalk crosswalk) {
      this.headCrosswalk = crosswalk;
      return this;
    }

    /** The classes in output order (default: the label values found). */
    public Builder classes(List<LandcoverClass> classes) {
      this.classes = classes == null ? null : List.copyOf(classes);
      return this;
    }

    public Builder ignore(Integer value) {
      this.ignore = value;
      return this;
    }

    /** Epochs (default 20). */
    public Builder epochs(int epochs) {
      this.epochs = epochs;
      return this;
    }

    /** Chips per step (default 8). */
    public Builder batch(int batch) {
      this.batch = batch;
      return this;
    }

    /** Adam's learning rate (default 2e-3). */
    public Builder learningRate(float rate) {
      this.learningRate = rate;
      return this;
    }

    /** The loss (default cross-entropy). */
    public Builder loss(UNetTrainer.Loss loss) {
      this.loss = loss;
      return this;
    }

    /**
     * The class weights (default {@link ClassWeights#SQRT}: inverse frequency would give a class of
     * 0.04% of the pixels 1,800 times the weight of one of 72%, and the model would trade the
     * common classes away for it).
     */
    public Builder classWeights(ClassWeights weights) {
      this.classWeights = weights;
      return this;
    }

    /** Random flips and quarter turns of training chips (default both). */
    public Builder augment(boolean flips, boolean rotations) {
      this.flips = flips;
      this.rotations = rotations;
      return this;
    }

    /** How validation chips are drawn and their share (default blocks, 0.2). */
    public Builder validation(Split split, double fraction) {
      this.split = split;
      this.validationFraction = fraction;
      return this;
    }

    /** The seed (default 7). */
    public Builder seed(long seed) {
      this.seed = seed;
      return this;
    }

    /** The device (default: the engine's, a GPU when there is one). */
    public Builder device(Device device) {
      this.device = device;
      return this;
    }

    /** Early stopping (default 0: run every epoch). */
    public Builder patience(int epochs) {
      this.patience = epochs;
      return this;
    }

    /** The checkpoint file (default: the bundle's path with {@code .ckpt} added). */
    public Builder checkpoint(Path file) {
      this.checkpoint = file;
      return this;
    }

    /** Continue the run that wrote this checkpoint. */
    public Builder resume(Path checkpoint) {
      this.resume = checkpoint;
      return this;
    }

    /** Replace an existing bundle and checkpoint (default: refuse). */
    public Builder overwrite(boolean overwrite) {
      this.overwrite = overwrite;
      return this;
    }

    /**
     * @throws IllegalArgumentException for values out of range, and for an architecture given with
     *     {@link #init} (the bundle's is used)
     */
    public TrainingRequest build() {
      if (init != null && architectureGiven) {
        throw new IllegalArgumentException(
            "--init "
                + init
                + " takes the architecture from the bundle: drop the architecture options");
      }
      return new TrainingRequest(
          images,
          labels,
          chipFolders,
          imageBands,
          chip,
          stride != null ? stride : chip,
          architecture,
          preset,
          classes,
          ignore,
          epochs,
          batch,
          learningRate,
          loss,
          classWeights,
          flips,
          rotations,
          split,
          validationFraction,
          seed,
          device,
          patience,
          checkpoint != null ? checkpoint : Path.of(out + ".ckpt"),
          resume,
          out,
          overwrite,
          stacks,
          init,
          freezeEpochs,
          headCrosswalk);
    }
  }
}

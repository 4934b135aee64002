package dev.landcover.app;

import ai.djl.Device;
import dev.landcover.geo.BandStack;
import dev.landcover.networks.UNetTrainer;
import dev.landcover.pixels.LandcoverClass;
import dev.landcover.workflows.ClassCrosswalk;
import dev.landcover.workflows.ClassListFile;
import dev.landcover.workflows.ClassWeights;
import dev.landcover.workflows.Training;
import dev.landcover.workflows.TrainingRequest;
import dev.landcover.workflows.VectorLabels;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
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
          + " from.",
      "Defaults (chosen on a real Landsat 8 scene, see docs/benchmarks.md): a UNet of 5 levels"
          + " of 8 to 128 channels, chips of 64 side by side, 20 epochs, Adam at 2e-3, class"
          + " weights sqrt, validation on 20%% of the spatial blocks.",
      "Fine-tuning: --init BUNDLE starts from a UNet or graph bundle (a folder, a .zip or"
          + " dynamic-world) with its architecture, bands (by name, as predict) and normalization;"
          + " when --classes differ from the bundle's, a new classifier head is trained."
    })
final class TrainCommand implements Callable<Integer> {
  @Option(
      names = "--image",
      paramLabel = "IMG",
      description =
          "An image to cut training chips from (with --labels, in the same order): a GeoTIFF, a"
              + " GDAL VRT or a band stack FILE,FILE,... (see --band-resampling, --grid-band).")
  List<Path> images = new ArrayList<>();

  @Mixin StackOptions stackOptions;

  @Option(
      names = "--labels",
      paramLabel = "LBL",
      description =
          "The label raster of each image; one on another grid is resampled onto the image's"
              + " with nearest (as gdalwarp -r near), with a note on stderr.")
  List<Path> labels = new ArrayList<>();

  @Option(
      names = "--vector-labels",
      paramLabel = "FILE",
      description =
          "Instead of --labels: polygons (.gpkg or .geojson) of each image, burnt onto its grid"
              + " (as landcover labels rasterize).")
  List<Path> vectorLabels = new ArrayList<>();

  @Mixin VectorLabelOptions vectorLabelOptions;

  @Option(
      names = "--chips",
      paramLabel = "DIR",
      description =
          "A folder written by landcover chips --labels (chips.csv, images/, labels/), a folder of"
              + " such folders (one per scene), or a Parquet chip table (spark chips --format"
              + " parquet).")
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

  @Option(
      names = "--stride",
      description = "Chip stride for --image (default: the chip size, chips side by side).")
  Integer stride;

  @Mixin ArchitectureOptions architecture;

  @Option(
      names = "--init",
      paramLabel = "BUNDLE",
      description =
          "Fine-tune: start from this UNet or graph bundle's weights (folder, .zip or a built-in"
              + " name such as dynamic-world), with its architecture, bands and normalization; the"
              + " classes default to the bundle's, other classes get a new classifier head."
              + " --epochs 0 writes the starting weights as they are.")
  Path init;

  @Option(
      names = "--freeze-epochs",
      paramLabel = "N",
      defaultValue = "0",
      description =
          "With --init: train only the classifier head (the last 1x1 convolution) for the first N"
              + " epochs, the rest frozen with its batch normalization in inference mode; then"
              + " everything (default: ${DEFAULT-VALUE}).")
  int freezeEpochs;

  @Option(
      names = "--head-crosswalk",
      paramLabel = "SPEC",
      description =
          "With --init and other classes: start the new head from the bundle's through a"
              + " crosswalk, bundle class id onto new class id, FROM=TO[,FROM=TO...] (e.g."
              + " 1=2,4=1,2=3,5=4,6=8 from Dynamic World onto the Slovenian labels) or a .json file"
              + " {\"FROM\": TO}. Each new class's head output (1x1 convolution weights and bias)"
              + " is a copy of the first bundle class mapped onto it; new classes with none start"
              + " from the seed. With --epochs 0 the map is the bundle's through the crosswalk.")
  String headCrosswalk;

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

  @Option(names = "--epochs", defaultValue = "20", description = "Default: ${DEFAULT-VALUE}.")
  int epochs;

  @Option(names = "--batch", defaultValue = "8")
  int batch;

  @Option(
      names = "--lr",
      defaultValue = "2e-3",
      description = "Adam learning rate (default: ${DEFAULT-VALUE}).")
  float lr;

  @Option(
      names = "--loss",
      defaultValue = "ce",
      converter = Converters.LossConverter.class,
      description = "ce, dice or ce+dice (default: ${DEFAULT-VALUE}).")
  UNetTrainer.Loss loss;

  @Option(
      names = "--class-weights",
      defaultValue = "sqrt",
      converter = Converters.ClassWeightsConverter.class,
      description =
          "sqrt (inverse square root of the pixel frequency, mean 1; the default), auto (inverse"
              + " pixel frequency, mean 1), none, or one weight per class in class order.")
  ClassWeights classWeights;

  @Option(
      names = "--augment",
      defaultValue = "flips,rot90",
      converter = Converters.AugmentationConverter.class,
      description = "flips, rot90, both (default: ${DEFAULT-VALUE}) or none.")
  Converters.Augmentation augment;

  @Option(names = "--val-fraction", defaultValue = "0.2")
  double valFraction;

  @Option(
      names = "--val-split",
      defaultValue = "blocks",
      description = "blocks (default) or random.")
  TrainingRequest.Split valSplit;

  @Option(names = "--seed", defaultValue = "7")
  long seed;

  @Option(
      names = "--device",
      defaultValue = "auto",
      converter = Converters.DeviceConverter.class,
      description = "auto (GPU when there is one), cpu, gpu or gpu:N.")
  Device device;

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
    if (vectorLabels.isEmpty()) {
      vectorLabelOptions.refuseWithoutVectorLabels();
      return train(labels);
    }
    for (Path image : images) {
      if (stackOptions.stackOf(image.toString()) != null) {
        throw new IllegalArgumentException(
            "--vector-labels needs single image files; for a band stack, burn them first with"
                + " landcover labels rasterize --like FIRST_BAND.tif and give --labels");
      }
    }
    try (VectorLabels burnt =
        vectorLabelOptions.rasterize(images, vectorLabels, !labels.isEmpty())) {
      return train(burnt.labels());
    }
  }

  /** Adds the images (band stacks among them) and their labels to {@code request}. */
  private TrainingRequest.Builder withImages(TrainingRequest.Builder request, List<Path> labels) {
    if (images.size() != labels.size()) {
      return request.images(images, labels); // build() names the mismatch
    }
    for (int i = 0; i < images.size(); i++) {
      BandStack stack = stackOptions.stackOf(images.get(i).toString());
      if (stack == null) {
        request.image(images.get(i), labels.get(i));
      } else {
        request.image(stack, labels.get(i));
      }
    }
    return request;
  }

  private int train(List<Path> labels) throws Exception {
    PrintWriter stdout = spec.commandLine().getOut();
    if (classesFile != null && classList != null) {
      throw new IllegalArgumentException("Give --classes or --class-list, not both");
    }
    List<LandcoverClass> classes = null;
    if (classesFile != null) {
      classes = ClassListFile.read(classesFile);
    } else if (classList != null) {
      classes = new ArrayList<>();
      for (String entry : classList) {
        classes.add(LandcoverClass.parse(entry));
      }
    }
    TrainingRequest.Builder request =
        withImages(TrainingRequest.builder(out), labels)
            .imageBands(bands)
            .chip(chip)
            .stride(stride)
            .classes(classes)
            .ignore(ignore)
            .epochs(epochs)
            .batch(batch)
            .learningRate(lr)
            .loss(loss)
            .classWeights(classWeights)
            .augment(augment.flips, augment.rotations)
            .validation(valSplit, valFraction)
            .seed(seed)
            .device(DoctorCommand.checkDevice(device, true, spec.commandLine().getOut()))
            .patience(patience)
            .checkpoint(checkpointFile)
            .resume(resume)
            .overwrite(overwrite);
    chipFolders.forEach(request::chipFolder);
    if (init == null) {
      request.architecture(
          architecture.config(TrainingRequest.DEFAULT_ARCHITECTURE), architecture.presetName(null));
    } else {
      refuseArchitectureOptions();
      request.init(init).freezeEpochs(freezeEpochs);
      if (headCrosswalk != null) {
        request.headCrosswalk(ClassCrosswalk.parse(headCrosswalk));
      }
    }
    if (init == null && freezeEpochs != 0) {
      request.freezeEpochs(freezeEpochs);
    }
    if (init == null && headCrosswalk != null) {
      request.headCrosswalk(ClassCrosswalk.parse(headCrosswalk));
    }
    Training.Result result =
        Training.run(request.build(), new ConsoleProgress(stdout, spec.commandLine().getErr()));
    UNetTrainer.Epoch best = result.best();
    stdout.printf(
        Locale.ROOT,
        "Best epoch %d (validation OA %.4f, mean IoU %.4f); checkpoint %s%n",
        best.epoch(),
        best.validationAccuracy(),
        best.validationMeanIou(),
        result.checkpoint());
    stdout.println("Wrote bundle " + result.bundle());
    return ExitCodes.OK;
  }

  /** With --init the bundle's architecture is used: an option describing another is refused. */
  private void refuseArchitectureOptions() {
    for (picocli.CommandLine.Model.OptionSpec o : spec.mixins().get("architecture").options()) {
      if (spec.commandLine().getParseResult().hasMatchedOption(o)) {
        throw new IllegalArgumentException(
            "--init " + init + " takes the architecture from the bundle: drop " + o.longestName());
      }
    }
  }
}

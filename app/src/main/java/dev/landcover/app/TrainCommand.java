package dev.landcover.app;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.landcover.core.chip.PixelWindow;
import dev.landcover.core.model.LandcoverClass;
import dev.landcover.core.model.ModelBundle;
import dev.landcover.core.model.UNetConfig;
import dev.landcover.core.train.UNetTrainer;
import dev.landcover.geo.Chip;
import dev.landcover.geo.ChipGenerator;
import dev.landcover.geo.GeoTiffRaster;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code landcover train}: a UNet trained on an image and its labels, written as a bundle. */
@Command(
    name = "train",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Train a UNet on chips cut from an image and its label raster and write a model bundle"
          + " that predict takes as is, with per-band normalization computed from the training"
          + " chips, and BUNDLE/epochs.csv (loss, validation accuracy and mean IoU per epoch)"
          + " with BUNDLE/training.png (the curves).",
      "Validation chips are whole spatial blocks (about 25 over the scene); training chips that"
          + " overlap a validation chip are left out."
    })
final class TrainCommand implements Callable<Integer> {
  @Option(names = "--image", required = true)
  Path image;

  @Option(names = "--labels", required = true)
  Path labels;

  @Option(
      names = "--image-bands",
      split = ",",
      description = "Image bands fed to the model, 1-based (default: all).")
  int[] bands;

  @Option(
      names = "--chip",
      defaultValue = "64",
      description = "Chip size (default: ${DEFAULT-VALUE}).")
  int chip;

  @Option(names = "--stride", description = "Chip stride (default: half the chip).")
  Integer stride;

  @Mixin ModelCommand.Architecture architecture;

  @Option(
      names = "--class-list",
      split = ",",
      description = "id:name:#rrggbb of each class (default: the label values found).")
  String[] classList;

  @Option(names = "--epochs", defaultValue = "10")
  int epochs;

  @Option(names = "--batch", defaultValue = "8")
  int batch;

  @Option(names = "--lr", defaultValue = "1e-3")
  float lr;

  @Option(names = "--seed", defaultValue = "7")
  long seed;

  @Option(names = "--val-fraction", defaultValue = "0.2")
  double valFraction;

  @Option(
      names = "--class-weights",
      defaultValue = "auto",
      description = "auto (inverse pixel frequency, mean 1) or none.")
  String classWeights;

  @Option(
      names = "--loss",
      defaultValue = "ce",
      description = "ce, dice or ce+dice (default: ${DEFAULT-VALUE}).")
  String lossName;

  @Option(
      names = "--patience",
      defaultValue = "0",
      description =
          "Stop after this many epochs without a better validation mean IoU (0: run every epoch).")
  int patience;

  @Option(names = "--no-augment", description = "No flips or 90-degree rotations.")
  boolean noAugment;

  @Option(names = "--out", required = true, description = "The bundle folder (or .zip).")
  Path out;

  @Option(names = "--overwrite")
  boolean overwrite;

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  private record Cut(PixelWindow window, float[] image, int[] labels) {}

  @Override
  public Integer call() throws Exception {
    PrintWriter stdout = spec.commandLine().getOut();
    if (Files.exists(out) && !overwrite) {
      throw new ExitCodes.UsageException(out + " already exists: pass --overwrite to replace it");
    }
    List<Cut> cuts = new ArrayList<>();
    TreeMap<Integer, Long> found = new TreeMap<>();
    int[] bandList;
    Integer labelNoData = null;
    long area;
    try (GeoTiffRaster img = GeoTiffRaster.open(image);
        GeoTiffRaster lbl = GeoTiffRaster.open(labels)) {
      bandList = bands == null ? img.allBands() : bands;
      area = (long) img.width() * img.height();
      if (lbl.noData(1).isPresent()) {
        labelNoData = (int) lbl.noData(1).getAsDouble();
      }
      ChipGenerator gen =
          ChipGenerator.builder(img)
              .labels(lbl)
              .chipSize(chip)
              .stride(stride == null ? Math.max(1, chip / 2) : stride)
              .bands(bandList)
              .maxNoDataFraction(0.5)
              .build();
      for (Chip c : gen.stream().toList()) {
        int[] l = c.labelArray();
        boolean[] valid = c.labels().validMask();
        for (int i = 0; i < l.length; i++) {
          if (!valid[i]) {
            l[i] = -1;
          } else {
            found.merge(l[i], 1L, Long::sum);
          }
        }
        cuts.add(new Cut(c.window(), c.imageChw(), l));
      }
    }
    if (cuts.size() < 2) {
      throw new ExitCodes.UsageException(
          "Only " + cuts.size() + " chips: use a smaller --chip or --stride");
    }
    List<LandcoverClass> classes = new ArrayList<>();
    if (classList != null) {
      classes.addAll(ModelCommand.parseClassList(classList));
    } else {
      for (int id : found.keySet()) {
        int g = (id * 67) % 256;
        classes.add(new LandcoverClass(id, "class " + id, g, (g * 3) % 256, 255 - g));
      }
    }
    int[] index = new int[65536];
    java.util.Arrays.fill(index, -1);
    for (int i = 0; i < classes.size(); i++) {
      index[classes.get(i).id()] = i;
    }
    // Validation: whole spatial blocks (about 25 over the scene, 1 to 4 chips wide); training
    // chips overlapping a validation chip are dropped.
    Random random = new Random(seed);
    int block = (int) Math.max(chip, Math.min(4L * chip, (long) Math.sqrt(area / 25.0)));
    TreeMap<Long, Boolean> blockIsValidation = new TreeMap<>();
    List<Cut> val = new ArrayList<>();
    List<Cut> train = new ArrayList<>();
    for (Cut c : cuts) {
      long key = ((long) (c.window().x() / block) << 32) | (c.window().y() / block);
      boolean v = blockIsValidation.computeIfAbsent(key, k -> random.nextDouble() < valFraction);
      (v ? val : train).add(c);
    }
    if (val.isEmpty()) {
      val.add(train.remove(train.size() - 1));
    }
    train.removeIf(t -> val.stream().anyMatch(v -> v.window().intersection(t.window()) != null));
    if (train.isEmpty()) {
      throw new ExitCodes.UsageException(
          "No training chip left after the validation split: lower --val-fraction");
    }
    // Normalization from the training chips' labelled pixels, band by band.
    int nb = bandList.length;
    double[] mean = new double[nb];
    double[] m2 = new double[nb];
    long n = 0;
    int plane = chip * chip;
    for (Cut c : train) {
      for (int p = 0; p < plane; p++) {
        if (c.labels()[p] < 0) {
          continue;
        }
        n++;
        for (int b = 0; b < nb; b++) {
          double v = c.image()[b * plane + p];
          double d = v - mean[b];
          mean[b] += d / n;
          m2[b] += d * (v - mean[b]);
        }
      }
    }
    double[] std = new double[nb];
    for (int b = 0; b < nb; b++) {
      std[b] = Math.max(1e-6, Math.sqrt(m2[b] / Math.max(1, n - 1)));
    }
    List<UNetTrainer.Sample> trainSamples = samples(train, index, mean, std, nb, plane);
    List<UNetTrainer.Sample> valSamples = samples(val, index, mean, std, nb, plane);
    float[] weights = new float[classes.size()];
    java.util.Arrays.fill(weights, 1f);
    if (classWeights.equals("auto")) {
      double total = 0;
      for (int i = 0; i < classes.size(); i++) {
        weights[i] = (float) (1.0 / Math.max(1, found.getOrDefault(classes.get(i).id(), 0L)));
        total += weights[i];
      }
      for (int i = 0; i < classes.size(); i++) {
        weights[i] = (float) (weights[i] * classes.size() / total);
      }
    } else if (!classWeights.equals("none")) {
      throw new ExitCodes.UsageException("--class-weights must be auto or none: " + classWeights);
    }
    UNetConfig config = architecture.config().withBandsAndClasses(nb, classes.size());
    stdout.printf(
        Locale.ROOT,
        "Training %s on %d chips (%d for validation) of %d px, %d classes%n",
        config,
        trainSamples.size(),
        valSamples.size(),
        chip,
        classes.size());
    Path weightsFile = Files.createTempFile("landcover-train", ".npz");
    StringBuilder csv = new StringBuilder("epoch,train_loss,val_overall_accuracy,val_mean_iou\n");
    List<UNetTrainer.Epoch> history;
    try {
      history =
          new UNetTrainer(config, chip)
              .epochs(epochs)
              .batch(batch)
              .learningRate(lr)
              .seed(seed)
              .augment(!noAugment)
              .loss(lossName)
              .patience(patience)
              .classWeights(weights)
              .train(
                  trainSamples,
                  valSamples,
                  weightsFile,
                  e -> {
                    stdout.printf(
                        Locale.ROOT,
                        "epoch %3d  loss %.4f  val OA %.4f  val mIoU %.4f%n",
                        e.epoch(),
                        e.trainLoss(),
                        e.validationAccuracy(),
                        e.validationMeanIou());
                    stdout.flush();
                    csv.append(
                        String.format(
                            Locale.ROOT,
                            "%d,%f,%f,%f%n",
                            e.epoch(),
                            e.trainLoss(),
                            e.validationAccuracy(),
                            e.validationMeanIou()));
                  });
      List<ModelBundle.Band> bundleBands = new ArrayList<>();
      for (int b : bandList) {
        bundleBands.add(new ModelBundle.Band(b, "band " + b));
      }
      var provenance =
          new ObjectMapper()
              .createObjectNode()
              .put("trainedOn", image.toString())
              .put("labels", labels.toString())
              .put("trainedAt", Instant.now().toString())
              .put("epochs", epochs)
              .put("seed", seed);
      ModelBundle.unet(
              architecture.preset,
              config,
              bundleBands,
              new ModelBundle.Normalization("meanstd", mean, std),
              classes,
              chip,
              nodataClass(labelNoData, classes),
              provenance)
          .save(out, weightsFile);
      if (Files.isDirectory(out)) {
        Files.writeString(out.resolve("epochs.csv"), csv, StandardCharsets.UTF_8);
        TrainingCurves.write(history, out.resolve("training.png"));
      }
    } finally {
      Files.deleteIfExists(weightsFile);
    }
    stdout.println("Wrote bundle " + out);
    return ExitCodes.OK;
  }

  /** The label raster's nodata value, or 0, or 255 when 0 is a class. */
  private static int nodataClass(Integer labelNoData, List<LandcoverClass> classes) {
    if (labelNoData != null) {
      return labelNoData;
    }
    return classes.stream().anyMatch(c -> c.id() == 0) ? 255 : 0;
  }

  private static List<UNetTrainer.Sample> samples(
      List<Cut> cuts, int[] index, double[] mean, double[] std, int nb, int plane) {
    List<UNetTrainer.Sample> out = new ArrayList<>();
    for (Cut c : cuts) {
      float[] x = new float[nb * plane];
      for (int b = 0; b < nb; b++) {
        for (int p = 0; p < plane; p++) {
          x[b * plane + p] = (float) ((c.image()[b * plane + p] - mean[b]) / std[b]);
        }
      }
      int[] y = new int[plane];
      for (int p = 0; p < plane; p++) {
        int v = c.labels()[p];
        y[p] = v < 0 || v >= index.length ? -1 : index[v];
      }
      out.add(new UNetTrainer.Sample(x, y));
    }
    return out;
  }
}

package dev.landcover.app;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.landcover.networks.DynamicWorld;
import dev.landcover.networks.InputNormalization;
import dev.landcover.networks.KerasImport;
import dev.landcover.networks.ModelBundle;
import dev.landcover.networks.ModelSummary;
import dev.landcover.networks.SegmentationModel;
import dev.landcover.networks.UNetConfig;
import dev.landcover.pixels.InvalidInputException;
import dev.landcover.pixels.LandcoverClass;
import dev.landcover.pixels.support.AtomicFiles;
import dev.landcover.workflows.ClassListFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code landcover model ...}: the UNet family, summaries and imports. */
@Command(
    name = "model",
    mixinStandardHelpOptions = true,
    description =
        "Models: UNet layer summaries, import of PyTorch weights and of Keras SavedModels into"
            + " bundles.",
    subcommands = {
      ModelCommand.Summary.class,
      ModelCommand.Import.class,
      ModelCommand.ImportKeras.class
    })
final class ModelCommand implements Runnable {
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /** {@code landcover model summary}. */
  @Command(
      name = "summary",
      mixinStandardHelpOptions = true,
      sortOptions = false,
      description = {
        "Layer table (layer, output shape, parameters) and totals: parameters, mult-adds and"
            + " estimated memory, in torchinfo's conventions.",
        "Example: landcover model summary --preset geo-course --bands 3 --classes 10 --input 256"
            + " --batch 12"
      })
  static final class Summary implements Callable<Integer> {
    @Mixin ArchitectureOptions architecture;

    @Option(names = "--bands", description = "Input bands.")
    Integer bands;

    @Option(names = "--classes", description = "Output classes.")
    Integer classes;

    @Option(names = "--bundle", description = "Summarize the UNet of a model bundle.")
    Path bundle;

    @Option(
        names = "--input",
        defaultValue = "256",
        description = "Input height and width (default: ${DEFAULT-VALUE}).")
    int input;

    @Option(
        names = "--batch",
        defaultValue = "1",
        description = "Batch size (default: ${DEFAULT-VALUE}).")
    int batch;

    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
      Checks.atLeast("--input", input, 1);
      Checks.atLeast("--batch", batch, 1);
      if (bands != null) {
        Checks.atLeast("--bands", bands, 1);
      }
      if (classes != null) {
        Checks.atLeast("--classes", classes, 1);
      }
      UNetConfig config;
      if (bundle != null) {
        Path scratch = Files.createTempDirectory("landcover-bundle");
        try {
          ModelBundle b = ModelBundle.load(bundle, scratch).bundle();
          if (b.config() == null) {
            throw new IllegalArgumentException(
                bundle + ": a TorchScript bundle has no UNet configuration to summarize");
          }
          config = b.config();
        } finally {
          AtomicFiles.deleteTree(scratch);
        }
      } else {
        config = architecture.config();
        if (bands != null || classes != null) {
          config =
              config.withBandsAndClasses(
                  bands != null ? bands : config.bands(),
                  classes != null ? classes : config.classes());
        }
      }
      Checks.fits("--input", input, config);
      ModelSummary s = ModelSummary.of(config, batch, input);
      var out = spec.commandLine().getOut();
      out.println(config);
      out.printf(
          Locale.ROOT,
          "Input %d x %d x %d x %d -> output %d x %d x %d x %d (margin %d)%n",
          batch,
          config.bands(),
          input,
          input,
          batch,
          config.classes(),
          config.outputSize(input),
          config.outputSize(input),
          config.margin(input));
      out.print(s.format());
      return ExitCodes.OK;
    }
  }

  /** {@code landcover model import}. */
  @Command(
      name = "import",
      mixinStandardHelpOptions = true,
      sortOptions = false,
      description = {
        "Make a model bundle from PyTorch weights: a .npz in Landcover's layout (made by"
            + " tools/unet_pytorch.py export from a state_dict) for a UNet of the given"
            + " configuration, a TorchScript file or an ONNX file.",
        "Example: landcover model import --weights unet.npz --preset geo-course --bands 1,2,3,4"
            + " --classes 1:fields:#f0d25a,2:forest:#1e6e28 --chip 256 --out my-model"
      })
  static final class Import implements Callable<Integer> {
    @ArgGroup(exclusive = true, multiplicity = "1")
    Source source;

    static final class Source {
      @Option(names = "--weights", description = "Canonical .npz of a UNet.")
      Path weights;

      @Option(names = "--torchscript", description = "A TorchScript .pt file.")
      Path torchscript;

      @Option(names = "--onnx", description = "An ONNX file (e.g. from torch.onnx.export).")
      Path onnx;
    }

    @Mixin ArchitectureOptions architecture;

    @Option(
        names = "--scene-bands",
        split = ",",
        required = true,
        description = "Scene bands fed to the model, 1-based, in order.")
    int[] sceneBands;

    @Option(names = "--band-names", split = ",", description = "Names of those bands.")
    String[] bandNames;

    @Option(
        names = "--class-list",
        split = ",",
        required = true,
        description = "Classes in output-channel order: id:name:#rrggbb,...")
    String[] classList;

    @Option(
        names = "--chip",
        defaultValue = "256",
        description = "Chip size (default: ${DEFAULT-VALUE}).")
    int chip;

    @Option(names = "--mean", split = ",", description = "Per-band means (with --std).")
    double[] mean;

    @Option(names = "--std", split = ",", description = "Per-band standard deviations.")
    double[] std;

    @Option(names = "--scale", split = ",", description = "Per-band scale (with --offset).")
    double[] scale;

    @Option(names = "--offset", split = ",", description = "Per-band offset.")
    double[] offset;

    @Option(
        names = "--nodata-class",
        defaultValue = "0",
        description = "Class written where the input is nodata (default: ${DEFAULT-VALUE}).")
    int nodataClass;

    @Option(names = "--out", required = true, description = "Bundle folder, or a .zip.")
    Path out;

    @Option(names = "--overwrite", description = "Replace an existing bundle.")
    boolean overwrite;

    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
      if (Files.exists(out) && !overwrite) {
        throw new IllegalArgumentException(out + " already exists: pass --overwrite to replace it");
      }
      for (int b : sceneBands) {
        Checks.atLeast("--scene-bands", b, 1);
      }
      Checks.atLeast("--chip", chip, 1);
      List<ModelBundle.Band> bands = new ArrayList<>();
      for (int i = 0; i < sceneBands.length; i++) {
        String name =
            bandNames != null && i < bandNames.length ? bandNames[i] : "band " + sceneBands[i];
        bands.add(new ModelBundle.Band(sceneBands[i], name));
      }
      List<LandcoverClass> classes = new ArrayList<>();
      for (String entry : classList) {
        classes.add(LandcoverClass.parse(entry));
      }
      for (LandcoverClass c : classes) {
        if (c.id() == nodataClass) {
          throw new IllegalArgumentException(
              "--nodata-class "
                  + nodataClass
                  + " is the id of class '"
                  + c.name()
                  + "' in --class-list: expected a value no class uses");
        }
      }
      InputNormalization norm = normalization(bands.size());
      var provenance =
          new ObjectMapper()
              .createObjectNode()
              .put(
                  "importedFrom",
                  (source.weights != null
                          ? source.weights
                          : source.torchscript != null ? source.torchscript : source.onnx)
                      .toString())
              .put("importedAt", Instant.now().toString())
              .put("tool", "landcover model import");
      ModelBundle bundle;
      Path weightsFile;
      if (source.weights != null) {
        UNetConfig config = architecture.config();
        config = config.withBandsAndClasses(bands.size(), classes.size());
        Checks.fits("--chip", chip, config);
        try (SegmentationModel check = SegmentationModel.unet(config, source.weights)) {
          spec.commandLine().getOut().println("Weights fit " + check);
        }
        bundle =
            ModelBundle.unet(
                architecture.preset, config, bands, norm, classes, chip, nodataClass, provenance);
        weightsFile = source.weights;
      } else {
        Path file = source.torchscript != null ? source.torchscript : source.onnx;
        try (SegmentationModel check =
            source.torchscript != null
                ? SegmentationModel.torchScript(file)
                : SegmentationModel.onnx(file)) {
          int alignment = check.probeAlignment(bands.size(), 256, 32);
          float[] probe = new float[bands.size() * chip * chip];
          int got = check.predict(probe, 1, bands.size(), chip, chip).classes();
          if (got != classes.size()) {
            throw new InvalidInputException(
                file
                    + ": the model gives "
                    + got
                    + " classes but --class-list has "
                    + classes.size());
          }
          bundle =
              ModelBundle.torchScript(
                      source.torchscript != null ? "model.pt" : "model.onnx",
                      bands,
                      norm,
                      classes,
                      chip,
                      nodataClass,
                      provenance)
                  .withAlignment(alignment);
          spec.commandLine().getOut().println("Alignment (probed): " + alignment + " px");
        }
        weightsFile = file;
      }
      bundle.save(out, weightsFile);
      spec.commandLine().getOut().println("Wrote bundle " + out);
      return ExitCodes.OK;
    }

    private InputNormalization normalization(int n) {
      if (mean != null || std != null) {
        check("--mean", mean, n);
        check("--std", std, n);
        Checks.finite("--mean", mean);
        Checks.positive("--std", std);
        return InputNormalization.meanStd(mean, std);
      }
      if (scale != null || offset != null) {
        check("--scale", scale, n);
        check("--offset", offset, n);
        Checks.finite("--scale", scale);
        Checks.finite("--offset", offset);
        return new InputNormalization("scale", scale, offset);
      }
      return InputNormalization.identity(n);
    }

    private static void check(String name, double[] values, int n) {
      if (values == null || values.length != n) {
        throw new IllegalArgumentException(
            name
                + " needs "
                + n
                + " values (one per band), got "
                + (values == null ? 0 : values.length));
      }
    }
  }

  /** {@code landcover model import-keras}. */
  @Command(
      name = "import-keras",
      mixinStandardHelpOptions = true,
      sortOptions = false,
      description = {
        "Make a model bundle from a Keras functional model saved as a TensorFlow SavedModel: the"
            + " layer graph and weights are read from saved_model.pb and variables/ (no"
            + " TensorFlow needed) and run by DJL's PyTorch engine. Unsupported layers are"
            + " refused by name. The folder's NOTICE and LICENSE, when present, go into the"
            + " bundle (the NOTICE as its attribution).",
        "The model's metadata: --dynamic-world (Google's Dynamic World), or --bands,"
            + " --class-list (or --classes) and --normalization with its parameters.",
        "Example: landcover model import-keras --saved-model dynamicworld/model/forward"
            + " --dynamic-world --out dynamic-world",
        "Example: landcover model import-keras --saved-model my_model --bands B4,B3,B2,B8"
            + " --class-list 1:water:#0000ff,2:land:#00ff00 --normalization meanstd"
            + " --first 1200,1100,1000,2500 --second 400,380,360,900 --out my-model"
      })
  static final class ImportKeras implements Callable<Integer> {
    @Option(names = "--saved-model", required = true, description = "The SavedModel folder.")
    Path savedModel;

    @Option(
        names = "--dynamic-world",
        description =
            "The model is Google's Dynamic World: its Sentinel-2 bands, normalization, classes,"
                + " colours and NOTICE go into the bundle (excludes the options below).")
    boolean dynamicWorld;

    @Option(
        names = "--bands",
        split = ",",
        paramLabel = "NAME",
        description =
            "Names of the bands the model takes, in input order (Sentinel-2 names such as B2 or"
                + " B8A are matched by name to scenes' band descriptions, as predict does).")
    String[] bandNames;

    @Option(
        names = "--scene-bands",
        split = ",",
        description =
            "Their 1-based positions in a scene without band descriptions (default: 1, 2, ...).")
    int[] sceneBands;

    @Option(
        names = "--class-list",
        split = ",",
        description = "Classes in output-channel order: id:name:#rrggbb,...")
    String[] classList;

    @Option(
        names = "--classes",
        paramLabel = "FILE",
        description = "Instead of --class-list: a JSON class list (or a model.json).")
    Path classesFile;

    @Option(
        names = "--normalization",
        paramLabel = "KIND",
        description =
            "meanstd ((v - first) / second), scale (v * first + second), minmax ((v - first) /"
                + " (second - first)) or logsigmoid (Dynamic World's, first and second the log"
                + " mean and std); none for raw values.")
    String normalization;

    @Option(names = "--first", split = ",", description = "Per-band first parameter.")
    double[] first;

    @Option(names = "--second", split = ",", description = "Per-band second parameter.")
    double[] second;

    @Option(names = "--name", description = "A name for the model, kept in its provenance.")
    String name;

    @Option(
        names = "--chip",
        defaultValue = "256",
        description = "Chip size predict uses by default (default: ${DEFAULT-VALUE}).")
    int chip;

    @Option(
        names = "--nodata-class",
        defaultValue = "255",
        description = "Class written where the input is nodata (default: ${DEFAULT-VALUE}).")
    int nodataClass;

    @Option(
        names = "--alignment",
        defaultValue = "0",
        description =
            "Chip origins must be multiples of this for stitched chips to equal a whole-scene"
                + " pass (default: 32, safe for up to 5 halvings).")
    int alignment;

    @Option(names = "--out", required = true, description = "Bundle folder, or a .zip.")
    Path out;

    @Option(names = "--overwrite", description = "Replace an existing bundle.")
    boolean overwrite;

    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
      if (Files.exists(out) && !overwrite) {
        throw new IllegalArgumentException(out + " already exists: pass --overwrite to replace it");
      }
      ModelBundle bundle;
      if (dynamicWorld) {
        if (bandNames != null
            || classList != null
            || classesFile != null
            || normalization != null
            || name != null
            || sceneBands != null) {
          throw new IllegalArgumentException(
              "--dynamic-world sets the bands, classes and normalization: drop the other metadata"
                  + " options");
        }
        bundle = DynamicWorld.importBundle(savedModel, out);
      } else {
        bundle = generic();
      }
      spec.commandLine().getOut().println("Imported " + bundle.graph());
      spec.commandLine().getOut().println("Wrote bundle " + out);
      return ExitCodes.OK;
    }

    private ModelBundle generic() throws Exception {
      if (bandNames == null || (classList == null) == (classesFile == null)) {
        throw new IllegalArgumentException(
            "Give --dynamic-world, or --bands with --class-list or --classes");
      }
      Checks.atLeast("--chip", chip, 2);
      Checks.atLeast("--alignment", alignment, 0);
      if (sceneBands != null && sceneBands.length != bandNames.length) {
        throw new IllegalArgumentException(
            "--scene-bands lists "
                + sceneBands.length
                + " bands but --bands names "
                + bandNames.length);
      }
      List<ModelBundle.Band> bands = new ArrayList<>();
      for (int i = 0; i < bandNames.length; i++) {
        int index = sceneBands != null ? sceneBands[i] : i + 1;
        Checks.atLeast("--scene-bands", index, 1);
        bands.add(new ModelBundle.Band(index, bandNames[i]));
      }
      List<LandcoverClass> classes = new ArrayList<>();
      if (classesFile != null) {
        classes.addAll(ClassListFile.read(classesFile));
      } else {
        for (String entry : classList) {
          classes.add(LandcoverClass.parse(entry));
        }
      }
      InputNormalization norm;
      if (normalization == null || normalization.equals("none")) {
        if (first != null || second != null) {
          throw new IllegalArgumentException("--first and --second need --normalization KIND");
        }
        norm = InputNormalization.identity(bands.size());
      } else {
        if (!InputNormalization.METHODS.contains(normalization)) {
          throw new IllegalArgumentException(
              "--normalization "
                  + normalization
                  + ": expected one of "
                  + InputNormalization.METHODS
                  + " or none");
        }
        checkCount("--first", first, bands.size());
        checkCount("--second", second, bands.size());
        norm = new InputNormalization(normalization, first, second);
      }
      var provenance =
          new ObjectMapper()
              .createObjectNode()
              .put("importedFrom", savedModel.toString())
              .put("importedAt", Instant.now().toString())
              .put("tool", "landcover model import-keras");
      if (name != null) {
        provenance.put("name", name);
      }
      return KerasImport.importBundle(
          savedModel, out, bands, norm, classes, chip, nodataClass, alignment, provenance);
    }

    private static void checkCount(String option, double[] values, int n) {
      if (values == null || values.length != n) {
        throw new IllegalArgumentException(
            option
                + " needs "
                + n
                + " values (one per band), got "
                + (values == null ? 0 : values.length));
      }
    }
  }
}

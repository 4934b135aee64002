package dev.landcover.app;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.landcover.core.inference.SegmentationModel;
import dev.landcover.core.model.LandcoverClass;
import dev.landcover.core.model.ModelBundle;
import dev.landcover.core.model.ModelSummary;
import dev.landcover.core.model.UNetConfig;
import java.io.IOException;
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
    description = "UNet models: layer summaries, import of PyTorch weights into bundles.",
    subcommands = {ModelCommand.Summary.class, ModelCommand.Import.class})
final class ModelCommand implements Runnable {
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /** Options that describe a UNet: a preset or depth, then overrides. */
  static final class Architecture {
    @Option(names = "--preset", description = "geo-course, ronneberger or classic-same.")
    String preset;

    @Option(names = "--depth", description = "Levels including the bottleneck (with --filters).")
    Integer depth;

    @Option(
        names = "--filters",
        defaultValue = "64",
        description =
            "Channels of the first level, doubling per level (default: ${DEFAULT-VALUE}).")
    int filters;

    @Option(names = "--encoder", split = ",", description = "Encoder channels, top to bottom.")
    int[] encoder;

    @Option(names = "--bottleneck", description = "Bottleneck channels.")
    Integer bottleneck;

    @Option(names = "--decoder", split = ",", description = "Decoder channels, bottom to top.")
    int[] decoder;

    @Option(
        names = "--config",
        paramLabel = "UNET.json",
        description =
            "A JSON file of the UNet configuration (as in a bundle's model.json); options given"
                + " with it override its fields.")
    Path configFile;

    @Option(names = "--padding", description = "same or valid.")
    String padding;

    @Option(names = "--norm", description = "batch, instance, group:N or none.")
    String norm;

    @Option(names = "--activation", description = "relu, leaky or elu.")
    String activation;

    @Option(names = "--up", description = "transposed, nearest or bilinear.")
    String up;

    @Option(
        names = "--up-keeps-channels",
        negatable = true,
        description = "Up step keeps the channel count.")
    Boolean upKeepsChannels;

    @Option(
        names = "--up-norm",
        negatable = true,
        description = "Normalization and activation after the up step.")
    Boolean upNorm;

    @Option(
        names = "--skip-first",
        negatable = true,
        description = "Skip tensor before the up-sampled one.")
    Boolean skipFirst;

    @Option(names = "--bias", negatable = true, description = "Convolution biases.")
    Boolean bias;

    @Option(names = "--init", description = "xavier or kaiming.")
    String init;

    /** A configuration JSON file (a bundle's model.json, or its architecture part, also do). */
    private static UNetConfig readConfig(Path file) throws IOException {
      JsonNode n;
      try {
        n = new ObjectMapper().readTree(file.toFile());
      } catch (IOException e) {
        throw new ExitCodes.UsageException(file + ": not readable JSON (" + e.getMessage() + ")");
      }
      if (n != null && n.has("architecture")) {
        n = n.get("architecture");
      }
      if (n != null && n.has("config")) {
        n = n.get("config");
      }
      try {
        return UNetConfig.fromJson(n);
      } catch (IllegalArgumentException | NullPointerException e) {
        throw new ExitCodes.UsageException(file + ": not a UNet configuration: " + e.getMessage());
      }
    }

    /** The configuration: preset, depth or file (default geo-course), with the options applied. */
    UNetConfig config() throws IOException {
      int given = (preset != null ? 1 : 0) + (depth != null ? 1 : 0) + (configFile != null ? 1 : 0);
      if (given > 1) {
        throw new ExitCodes.UsageException("Give one of --preset, --depth and --config");
      }
      UNetConfig c;
      if (configFile != null) {
        c = readConfig(configFile);
      } else {
        c =
            depth != null
                ? UNetConfig.ofDepth(depth, filters, 3, 1)
                : UNetConfig.preset(preset == null ? "geo-course" : preset);
      }
      var n = c.toJson();
      if (encoder != null) {
        n.set("encoder", new ObjectMapper().valueToTree(encoder));
      }
      if (decoder != null) {
        n.set("decoder", new ObjectMapper().valueToTree(decoder));
      }
      if (bottleneck != null) {
        n.put("bottleneck", bottleneck);
      }
      if (padding != null) {
        n.put("padding", padding);
      }
      if (norm != null) {
        String[] parts = norm.split(":");
        n.put("normalization", parts[0]);
        if (parts.length > 1) {
          n.put("groups", Integer.parseInt(parts[1]));
        }
      }
      if (activation != null) {
        n.put("activation", activation);
      }
      if (up != null) {
        n.put("upStep", up);
      }
      if (upKeepsChannels != null) {
        n.put("upKeepsChannels", upKeepsChannels);
      }
      if (upNorm != null) {
        n.put("upNormalization", upNorm);
      }
      if (skipFirst != null) {
        n.put("skipFirst", skipFirst);
      }
      if (bias != null) {
        n.put("bias", bias);
      }
      if (init != null) {
        n.put("init", init);
      }
      return UNetConfig.fromJson(n);
    }
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
    @Mixin Architecture architecture;

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
      UNetConfig config;
      if (bundle != null) {
        Path scratch = Files.createTempDirectory("landcover-bundle");
        try {
          ModelBundle b = ModelBundle.load(bundle, scratch).bundle();
          if (b.config() == null) {
            throw new IOException(
                bundle + ": a TorchScript bundle has no UNet configuration to summarize");
          }
          config = b.config();
        } finally {
          deleteTree(scratch);
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
            + " configuration, or a TorchScript file.",
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
    }

    @Mixin Architecture architecture;

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
        throw new ExitCodes.UsageException(out + " already exists: pass --overwrite to replace it");
      }
      List<ModelBundle.Band> bands = new ArrayList<>();
      for (int i = 0; i < sceneBands.length; i++) {
        String name =
            bandNames != null && i < bandNames.length ? bandNames[i] : "band " + sceneBands[i];
        bands.add(new ModelBundle.Band(sceneBands[i], name));
      }
      List<LandcoverClass> classes = new ArrayList<>();
      classes.addAll(parseClassList(classList));
      ModelBundle.Normalization norm = normalization(bands.size());
      var provenance =
          new ObjectMapper()
              .createObjectNode()
              .put(
                  "importedFrom",
                  (source.weights != null ? source.weights : source.torchscript).toString())
              .put("importedAt", Instant.now().toString())
              .put("tool", "landcover model import");
      ModelBundle bundle;
      Path weightsFile;
      if (source.weights != null) {
        UNetConfig config = architecture.config();
        config = config.withBandsAndClasses(bands.size(), classes.size());
        try (SegmentationModel check = SegmentationModel.unet(config, source.weights)) {
          spec.commandLine().getOut().println("Weights fit " + check);
        }
        bundle =
            ModelBundle.unet(
                architecture.preset, config, bands, norm, classes, chip, nodataClass, provenance);
        weightsFile = source.weights;
      } else {
        try (SegmentationModel check = SegmentationModel.torchScript(source.torchscript)) {
          float[] probe = new float[bands.size() * chip * chip];
          int got = check.predict(probe, 1, bands.size(), chip, chip).classes();
          if (got != classes.size()) {
            throw new IOException(
                source.torchscript
                    + ": the model gives "
                    + got
                    + " classes but --class-list has "
                    + classes.size());
          }
        }
        bundle =
            new ModelBundle(
                "torchscript",
                null,
                null,
                "model.pt",
                bands,
                norm,
                classes,
                chip,
                0,
                nodataClass,
                provenance);
        weightsFile = source.torchscript;
      }
      bundle.save(out, weightsFile);
      spec.commandLine().getOut().println("Wrote bundle " + out);
      return ExitCodes.OK;
    }

    private ModelBundle.Normalization normalization(int n) {
      if (mean != null || std != null) {
        check("--mean", mean, n);
        check("--std", std, n);
        return new ModelBundle.Normalization("meanstd", mean, std);
      }
      if (scale != null || offset != null) {
        check("--scale", scale, n);
        check("--offset", offset, n);
        return new ModelBundle.Normalization("scale", scale, offset);
      }
      double[] ones = new double[n];
      java.util.Arrays.fill(ones, 1);
      return new ModelBundle.Normalization("scale", ones, new double[n]);
    }

    private static void check(String name, double[] values, int n) {
      if (values == null || values.length != n) {
        throw new ExitCodes.UsageException(
            name
                + " needs "
                + n
                + " values (one per band), got "
                + (values == null ? 0 : values.length));
      }
    }
  }

  /** Classes from {@code --class-list} entries {@code id:name:#rrggbb}, in order. */
  static List<LandcoverClass> parseClassList(String[] entries) {
    List<LandcoverClass> classes = new ArrayList<>();
    for (String c : entries) {
      String[] f = c.split(":");
      if (f.length != 3) {
        throw new ExitCodes.UsageException(
            "--class-list entry '" + c + "': expected id:name:#rrggbb");
      }
      classes.add(LandcoverClass.withHexColor(Integer.parseInt(f[0]), f[1], f[2]));
    }
    return classes;
  }

  /**
   * Classes from a JSON file: a list of {@code {"id", "name", "color": "#rrggbb"}} (name and color
   * optional), or an object with such a {@code "classes"} list (a bundle's model.json).
   */
  static List<LandcoverClass> readClassesFile(Path file) throws IOException {
    JsonNode root;
    try {
      root = new ObjectMapper().readTree(file.toFile());
    } catch (IOException e) {
      throw new ExitCodes.UsageException(file + ": not readable JSON (" + e.getMessage() + ")");
    }
    JsonNode list = root != null && root.isObject() ? root.get("classes") : root;
    if (list == null || !list.isArray() || list.isEmpty()) {
      throw new ExitCodes.UsageException(
          file + ": expected a non-empty JSON list of {\"id\", \"name\", \"color\"}");
    }
    List<LandcoverClass> classes = new ArrayList<>();
    for (JsonNode c : list) {
      JsonNode id = c.get("id");
      if (id == null || !id.canConvertToInt() || id.asInt() < 0 || id.asInt() > 65535) {
        throw new ExitCodes.UsageException(
            file + ": class " + c + " has no integer \"id\" from 0 to 65535");
      }
      LandcoverClass fallback = defaultClass(id.asInt());
      String name = c.path("name").asText(fallback.name());
      try {
        classes.add(
            c.hasNonNull("color")
                ? LandcoverClass.withHexColor(id.asInt(), name, c.get("color").asText())
                : new LandcoverClass(
                    id.asInt(), name, fallback.red(), fallback.green(), fallback.blue()));
      } catch (IllegalArgumentException e) {
        throw new ExitCodes.UsageException(file + ": class " + c + ": " + e.getMessage());
      }
    }
    return classes;
  }

  /** A class named after its id, with a colour spread over the hues by id. */
  static LandcoverClass defaultClass(int id) {
    int g = (id * 67) % 256;
    return new LandcoverClass(id, "class " + id, g, (g * 3) % 256, 255 - g);
  }

  static void deleteTree(Path dir) throws IOException {
    try (var files = Files.walk(dir)) {
      for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}

package dev.landcover.app;

import ai.djl.Device;
import dev.landcover.geo.BandStack;
import dev.landcover.geo.OverviewResampling;
import dev.landcover.workflows.MappingRequest;
import dev.landcover.workflows.SceneInputs;
import dev.landcover.workflows.SceneMapper;
import dev.landcover.workflows.Shard;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code landcover predict}: landcover maps of scenes, stitched without seams. */
@Command(
    name = "predict",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Classify every pixel of each INPUT scene with a model bundle (or a TorchScript file) and"
          + " write DIR/<scene>_landcover.tif (class map on the scene's grid, colour table, class"
          + " names, nodata) and DIR/<scene>_landcover.json (pixels, area and share per class).",
      "Existing outputs are skipped (an interrupted batch resumes) unless --overwrite; a scene"
          + " that fails is reported and the batch goes on; the exit code is 1 if any failed."
    })
final class PredictCommand implements Callable<Integer> {
  @Option(
      names = "--model",
      required = true,
      description =
          "A model bundle (folder or .zip), a built-in model (dynamic-world), a TorchScript .pt"
              + " file or an ONNX .onnx file.")
  Path modelPath;

  @Option(
      names = "--bands",
      split = ",",
      description =
          "Scene bands fed to the model, 1-based, in its order: required with a TorchScript file;"
              + " for a bundle, instead of its own choice (Sentinel-2 bands by band description,"
              + " else the bundle's band positions).")
  int[] bands;

  @Option(names = "--classes", description = "With a TorchScript or ONNX file: number of classes.")
  Integer classCount;

  @Option(
      names = "--mean",
      split = ",",
      description = "With a TorchScript or ONNX file: per-band means (with --std).")
  double[] mean;

  @Option(names = "--std", split = ",", description = "Per-band standard deviations.")
  double[] std;

  @Mixin PredictionOptions predictionOptions;

  @Option(
      names = "--batch",
      description =
          "Chips per forward pass (default: for a UNet bundle without --chip as many as fit"
              + " --memory, at most one row of chips; else 8).")
  Integer batch;

  @Option(
      names = "--memory",
      paramLabel = "SIZE",
      converter = Converters.ByteSizeConverter.class,
      description =
          "Memory budget of a batch's forward pass when the chip and batch are chosen, in bytes"
              + " or with k, m, g (1024-based), e.g. 2g (default: a quarter of the machine's"
              + " memory, at most 2g).")
  Long memory;

  @Option(
      names = "--block-width",
      paramLabel = "PX",
      description =
          "Map scenes wider than this in column blocks of at most this many pixels, one after"
              + " the other, so that memory does not grow with the scene's width; the maps are"
              + " the same. 0 maps the whole width at once (default: "
              + MappingRequest.DEFAULT_BLOCK_WIDTH
              + ").")
  int blockWidth = MappingRequest.DEFAULT_BLOCK_WIDTH;

  @Option(
      names = "--device",
      defaultValue = "auto",
      converter = Converters.DeviceConverter.class,
      description = "auto, cpu, gpu or gpu:N (default: ${DEFAULT-VALUE}).")
  Device device;

  @Option(
      names = "--uncertainty",
      description =
          "Also write <scene>_uncertainty.tif (float32, nodata NaN): 'entropy' of the class probabilities in nats (0 to ln(classes)) or 'margin' (top probability minus the second, 0 to 1).")
  MappingRequest.Uncertainty uncertainty;

  @Option(
      names = "--format",
      defaultValue = "cog",
      description =
          "cog: Cloud-Optimized GeoTIFFs with internal overviews (default); gtiff: plain tiled GeoTIFFs without overviews.")
  MappingRequest.OutputFormat format;

  @Option(
      names = "--overviews",
      defaultValue = "mode",
      description =
          "Overviews of the class map COG: 'mode' (default: the most frequent class of each window, small classes stay visible) or 'nearest' (one source pixel per overview pixel, as gdaladdo -r nearest).")
  OverviewResampling overviews;

  @Option(names = "--out", description = "Output folder (default: beside each scene).")
  Path out;

  @Option(
      names = "--output",
      description = "The class map's path, for a single INPUT (instead of --out).")
  Path output;

  @Option(
      names = "--polygons",
      description =
          "Also write <scene>_landcover.gpkg: the map's polygons, one per 4-connected patch of a"
              + " class, with class id and name (as landcover vectorize).")
  boolean polygons;

  @Option(
      names = "--shard",
      paramLabel = "i/N",
      description =
          "Map only shard i (0 to N-1) of N: the scenes whose file name hashes to i (SHA-256 mod N)."
              + " N processes with the same INPUTs and output folder cover the batch once.")
  String shard;

  @Parameters(
      paramLabel = "INPUT",
      arity = "1..*",
      description =
          "Scene files (GeoTIFF or GDAL VRT), folders (their .tif files), glob patterns, or band"
              + " stacks FILE,FILE,... (one scene of the files' bands, named after their common"
              + " prefix; see --band-resampling, --grid-band).")
  List<String> inputs;

  @Mixin StackOptions stackOptions;

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    PrintWriter stdout = spec.commandLine().getOut();
    List<Path> scenes = new ArrayList<>();
    List<BandStack> stacks = new ArrayList<>();
    for (Path scene : SceneInputs.expand(inputs)) {
      BandStack stack = stackOptions.stackOf(scene.toString());
      scenes.add(stack == null ? scene : stack.name());
      if (stack != null) {
        stacks.add(stack);
      }
    }
    if (scenes.isEmpty()) {
      throw new IllegalArgumentException("No scene found in " + inputs);
    }
    MappingRequest.TorchScriptInputs torchScript = null;
    if (SceneMapper.isTorchScript(modelPath)) {
      if (bands == null || classCount == null) {
        throw new IllegalArgumentException(
            "A TorchScript model needs --bands and --classes: " + modelPath);
      }
      torchScript = new MappingRequest.TorchScriptInputs(bands, classCount, mean, std);
    } else if (bands != null || classCount != null || mean != null || std != null) {
      throw new IllegalArgumentException(
          "--bands, --classes, --mean and --std are for a TorchScript .pt model; the bundle "
              + modelPath
              + " names its own bands, classes and normalization");
    }
    Device checkedDevice =
        DoctorCommand.checkDevice(
            device, predictionOptions.chip != null, spec.commandLine().getOut());
    MappingRequest.Builder withStacks = MappingRequest.builder(modelPath, scenes);
    stacks.forEach(withStacks::stack);
    MappingRequest request =
        predictionOptions
            .applyTo(withStacks)
            .torchScript(torchScript)
            .bands(SceneMapper.isTorchScript(modelPath) ? null : bands)
            .outDir(out)
            .output(output)
            .batch(batch)
            .memory(memory)
            .blockWidth(blockWidth)
            .device(checkedDevice)
            .uncertainty(uncertainty == null ? MappingRequest.Uncertainty.NONE : uncertainty)
            .format(format)
            .mapOverviews(overviews)
            .polygons(polygons)
            .shard(shard == null ? null : Shard.parse(shard))
            .build();
    List<SceneMapper.SceneOutcome> outcomes =
        SceneMapper.map(request, new ConsoleProgress(stdout, spec.commandLine().getErr()));
    stdout.println("Scene results:");
    for (SceneMapper.SceneOutcome o : outcomes) {
      String status =
          o.status() == SceneMapper.Status.FAILED
              ? "FAILED"
              : o.status().name().toLowerCase(Locale.ROOT);
      stdout.printf("  %-8s %s  %s%n", status, o.scene(), o.detail());
    }
    return outcomes.stream().anyMatch(o -> o.status() == SceneMapper.Status.FAILED)
        ? ExitCodes.DATA_ERROR
        : ExitCodes.OK;
  }
}

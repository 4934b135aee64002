package dev.landcover.app;

import dev.landcover.pixels.BlendWindow;
import dev.landcover.spark.SceneSummary;
import dev.landcover.spark.SparkJobs;
import dev.landcover.spark.SparkPredictRequest;
import dev.landcover.workflows.MappingRequest;
import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code landcover spark predict}: {@code landcover predict} as a Spark job, a task per scene. */
@Command(
    name = "predict",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Map each INPUT scene in a Spark task (the model is loaded once per executor) and write what"
          + " 'landcover predict --out DIR' writes, through Hadoop's FileSystem API (local paths,"
          + " file:, hdfs:, s3a: ...), and a Parquet table of per-scene summaries"
          + " (DIR/landcover_scenes.parquet).",
      "Existing outputs are skipped unless --overwrite; a scene that fails is a FAILED row and the"
          + " job goes on; the exit code is 1 if any failed."
    })
final class SparkPredictCommand implements Callable<Integer> {
  static final String NO_SPARK =
      "landcover spark needs Apache Spark on the classpath: run it through ./landcover spark"
          + " (Spark from spark/target/spark-lib) or spark-submit --class dev.landcover.app.Main";

  @Option(
      names = "--master",
      description = "Spark master, e.g. local[2] (default: the one spark-submit sets).")
  String master;

  @Option(
      names = "--model",
      required = true,
      description = "A model bundle (folder or .zip) that every executor can read.")
  String model;

  @Option(names = "--out", required = true, paramLabel = "DIR", description = "Output folder.")
  String out;

  @Option(
      names = "--table",
      description = "The Parquet summary table (default: DIR/landcover_scenes.parquet).")
  String table;

  @Option(names = "--chip", description = "Model input size (default: the bundle's).")
  Integer chip;

  @Option(
      names = "--overlap",
      description =
          "Output pixels shared by neighbouring chips (default: from the model's receptive field"
              + " where the bundle knows it, else a quarter of the chip's output; see predict).")
  Integer overlap;

  @Option(
      names = "--blend",
      defaultValue = "hann",
      description = "hann, linear or crop (default: ${DEFAULT-VALUE}).")
  BlendWindow blend;

  @Option(
      names = "--batch",
      defaultValue = "8",
      description = "Chips per forward pass (default: ${DEFAULT-VALUE}).")
  int batch;

  @Option(
      names = "--device",
      description =
          "cpu, gpu or gpu:N on every executor (default: the engine's choice); gpu when no GPU is"
              + " usable is a usage error with the reasons 'landcover doctor' gives.")
  String device;

  @Option(names = "--confidence", description = "Also write <scene>_confidence.tif.")
  boolean confidence;

  @Option(
      names = "--probabilities",
      description = "Also write <scene>_probabilities.tif (uint8, or float32 with --float).")
  boolean probabilities;

  @Option(names = "--float", description = "Probabilities as float32.")
  boolean floatProbabilities;

  @Option(
      names = "--tta",
      description = "'flips' or 'd4': average over the chip's flips (4) or flips and turns (8).")
  MappingRequest.TestTimeAugmentation tta;

  @Option(
      names = "--nodata-rule",
      defaultValue = "any",
      description = "A pixel is nodata when 'any' band is nodata (default) or only when 'all' are.")
  MappingRequest.NoDataRule nodataRule;

  @Option(names = "--overwrite", description = "Replace existing outputs.")
  boolean overwrite;

  @Parameters(
      paramLabel = "INPUT",
      arity = "1..*",
      description = "Scene files, folders (their .tif files) or glob patterns (Hadoop paths).")
  List<String> inputs;

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    PrintWriter stdout = spec.commandLine().getOut();
    // As plain predict: a GPU that is not usable stops here, with the doctor's reasons, before
    // Spark starts (checked in the driver's process, where local-mode executors run).
    if (device != null && !device.matches("cpu|gpu|gpu:\\d+")) {
      throw new IllegalArgumentException("--device must be cpu, gpu or gpu:N: got " + device);
    }
    DoctorCommand.checkDevice(
        device == null ? null : new Converters.DeviceConverter().convert(device),
        chip != null,
        stdout);
    if (!SparkJobs.sparkAvailable()) {
      throw new IllegalArgumentException(NO_SPARK);
    }
    SparkPredictRequest request =
        SparkPredictRequest.builder(model, inputs, out)
            .table(table)
            .chip(chip)
            .overlap(overlap)
            .blend(blend)
            .batch(batch)
            .device(device)
            .confidence(confidence)
            .probabilities(
                !probabilities
                    ? MappingRequest.Probabilities.NONE
                    : floatProbabilities
                        ? MappingRequest.Probabilities.FLOAT32
                        : MappingRequest.Probabilities.UINT8)
            .tta(tta == null ? MappingRequest.TestTimeAugmentation.NONE : tta)
            .noDataRule(nodataRule)
            .overwrite(overwrite)
            .build();
    List<SceneSummary> rows =
        SparkJobs.predict(
            request, master, new ConsoleProgress(stdout, spec.commandLine().getErr()));
    stdout.println("Scene results:");
    for (SceneSummary s : rows) {
      String status = s.status().equals("FAILED") ? "FAILED" : s.status().toLowerCase(Locale.ROOT);
      String detail =
          s.error() != null
              ? s.error()
              : String.format(Locale.ROOT, "%s (%.1f s)", s.map(), s.seconds());
      stdout.printf("  %-8s %s  %s%n", status, s.scene(), detail);
    }
    return rows.stream().anyMatch(s -> s.status().equals("FAILED"))
        ? ExitCodes.DATA_ERROR
        : ExitCodes.OK;
  }
}

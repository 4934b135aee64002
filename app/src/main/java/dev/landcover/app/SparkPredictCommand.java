package dev.landcover.app;

import dev.landcover.spark.SceneSummary;
import dev.landcover.spark.SparkJobs;
import dev.landcover.spark.SparkPredictRequest;
import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
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

  @Mixin PredictionOptions predictionOptions;

  @Option(
      names = "--table",
      description = "The Parquet summary table (default: DIR/landcover_scenes.parquet).")
  String table;

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

  @Parameters(
      paramLabel = "INPUT",
      arity = "1..*",
      description =
          "Scene files (GeoTIFF or GDAL VRT), folders (their .tif files), glob patterns, or band"
              + " stacks FILE,FILE,... (one scene of the files' bands, named after their common"
              + " prefix; see --band-resampling, --grid-band); Hadoop paths.")
  List<String> inputs;

  @Mixin StackOptions stackOptions;

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
        predictionOptions.chip != null,
        stdout);
    if (!SparkJobs.sparkAvailable()) {
      throw new IllegalArgumentException(NO_SPARK);
    }
    SparkPredictRequest request =
        predictionOptions
            .applyTo(SparkPredictRequest.builder(model, inputs, out))
            .table(table)
            .batch(batch)
            .device(device)
            .bandStacks(stackOptions.resampling(), stackOptions.gridBand)
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

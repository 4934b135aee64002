package dev.landcover.app;

import dev.landcover.spark.ChipSummary;
import dev.landcover.spark.SparkChipsRequest;
import dev.landcover.spark.SparkJobs;
import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code landcover spark chips}: {@code landcover chips} for many scenes, a Spark task each. */
@Command(
    name = "chips",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Cut each INPUT (IMAGE or IMAGE,LABELS) into a chip folder DIR/<image name>/ in a Spark task,"
          + " as 'landcover chips' does (images/, labels/, chips.csv: ready for 'landcover train"
          + " --chips'), through Hadoop's FileSystem API, or with --format parquet into one"
          + " Parquet chip table DIR/chips.parquet (ready for 'landcover train --chips"
          + " DIR/chips.parquet'), and write a Parquet table of per-scene results"
          + " (DIR/landcover_chips.parquet).",
      "Folders with their index are skipped unless --overwrite; a scene that fails is a FAILED"
          + " row and the job goes on; the exit code is 1 if any failed."
    })
final class SparkChipsCommand implements Callable<Integer> {
  @Option(
      names = "--master",
      description = "Spark master, e.g. local[2] (default: the one spark-submit sets).")
  String master;

  @Mixin ChipOptions chipOptions;

  @Option(names = "--out", required = true, paramLabel = "DIR", description = "Output folder.")
  String out;

  @Option(
      names = "--format",
      defaultValue = "folders",
      paramLabel = "F",
      description =
          "FOLDERS: a chip folder per scene; PARQUET: one Parquet chip table DIR/chips.parquet, a"
              + " row per chip with its pixels, label and georeferencing (default:"
              + " ${DEFAULT-VALUE}).")
  SparkChipsRequest.Format format;

  @Option(
      names = "--table",
      description = "The Parquet result table (default: DIR/landcover_chips.parquet).")
  String table;

  @Option(names = "--overwrite", description = "Cut scenes again whose folder is complete.")
  boolean overwrite;

  @Parameters(
      paramLabel = "INPUT",
      arity = "1..*",
      description = "IMAGE or IMAGE,LABELS (Hadoop paths).")
  List<String> inputs;

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    if (!SparkJobs.sparkAvailable()) {
      throw new IllegalArgumentException(SparkPredictCommand.NO_SPARK);
    }
    PrintWriter stdout = spec.commandLine().getOut();
    SparkChipsRequest request =
        chipOptions
            .applyTo(SparkChipsRequest.builder(inputs, chipOptions.size, out))
            .table(table)
            .overwrite(overwrite)
            .format(format)
            .build();
    List<ChipSummary> rows =
        SparkJobs.chips(request, master, new ConsoleProgress(stdout, spec.commandLine().getErr()));
    stdout.println("Scene results:");
    for (ChipSummary c : rows) {
      String status = c.status().equals("FAILED") ? "FAILED" : c.status().toLowerCase(Locale.ROOT);
      String detail =
          c.error() != null
              ? c.error()
              : String.format(Locale.ROOT, "%s (%d chips)", c.folder(), c.chips());
      stdout.printf("  %-8s %s  %s%n", status, c.image(), detail);
    }
    return rows.stream().anyMatch(c -> c.status().equals("FAILED"))
        ? ExitCodes.DATA_ERROR
        : ExitCodes.OK;
  }
}

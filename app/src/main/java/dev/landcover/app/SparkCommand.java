package dev.landcover.app;

import picocli.CommandLine.Command;
import picocli.CommandLine.Spec;

/** {@code landcover spark}: the batch commands run as Apache Spark jobs. */
@Command(
    name = "spark",
    mixinStandardHelpOptions = true,
    description = {
      "Run a batch as an Apache Spark job: locally (./landcover spark ... --master local[N]) or on"
          + " a cluster (spark-submit --class dev.landcover.app.Main JAR spark ...). See"
          + " docs/scale.md."
    },
    subcommands = {SparkPredictCommand.class, SparkChipsCommand.class})
final class SparkCommand implements Runnable {
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }
}

package dev.landcover.spark;

import dev.landcover.workflows.ChipTable;
import dev.landcover.workflows.ProgressListener;
import java.io.IOException;
import java.util.List;
import org.apache.spark.sql.SparkSession;

/**
 * {@link SparkMapping}'s jobs without Spark in their signatures, for the command line ({@code
 * landcover spark predict|chips}, locally or through {@code spark-submit --class
 * dev.landcover.app.Main}): each starts a Spark session with {@link LandcoverSparkPlugin}, runs the
 * job, stops the session.
 */
public final class SparkJobs {
  private SparkJobs() {}

  /** Whether Apache Spark is on the classpath. */
  public static boolean sparkAvailable() {
    try {
      Class.forName("org.apache.spark.sql.SparkSession", false, SparkJobs.class.getClassLoader());
      return true;
    } catch (ClassNotFoundException e) {
      return false;
    }
  }

  /**
   * Maps the scenes of {@code request} with Spark.
   *
   * @param master the Spark master ({@code local[2]}, {@code spark://host:7077}, {@code yarn}), or
   *     null for the one {@code spark-submit} sets
   * @return one summary per scene, in the order listed (also in the Parquet table)
   */
  public static List<SceneSummary> predict(
      SparkPredictRequest request, String master, ProgressListener listener) throws IOException {
    SparkSession spark = session("landcover predict", master);
    try {
      spark.sparkContext().setLogLevel("WARN");
      listener.message(
          "Spark "
              + spark.version()
              + " on "
              + spark.sparkContext().master()
              + ": "
              + request.out());
      List<SceneSummary> summaries = SparkMapping.mapScenes(spark, request);
      SparkMapping.table(spark, request, summaries);
      listener.message("Summary table: " + request.tablePath());
      return summaries;
    } finally {
      spark.stop();
    }
  }

  /**
   * Cuts the scenes of {@code request} into chip folders with Spark.
   *
   * @param master the Spark master, or null for the one {@code spark-submit} sets
   * @return one result per input, in order (also in the Parquet table)
   */
  public static List<ChipSummary> chips(
      SparkChipsRequest request, String master, ProgressListener listener) throws IOException {
    SparkSession spark = session("landcover chips", master);
    try {
      listener.message(
          "Spark "
              + spark.version()
              + " on "
              + spark.sparkContext().master()
              + ": "
              + request.out());
      List<ChipSummary> results = SparkMapping.chipSummaries(SparkMapping.chips(spark, request));
      if (request.format() == SparkChipsRequest.Format.PARQUET) {
        listener.message("Chip table: " + request.chipTablePath());
      }
      listener.message("Result table: " + request.tablePath());
      return results;
    } finally {
      spark.stop();
    }
  }

  /**
   * Reads a Parquet chip table ({@link ParquetChipTable}) for training, with the running Spark
   * session or, when there is none, a local one started for the reading and stopped after it.
   */
  static ChipTable readChipTable(String path) throws IOException {
    scala.Option<SparkSession> running = SparkSession.getActiveSession();
    if (running.isEmpty()) {
      running = SparkSession.getDefaultSession();
    }
    if (running.isDefined()) {
      return ParquetChipTable.read(running.get(), path);
    }
    SparkSession spark = session("landcover train", "local[1]");
    try {
      spark.sparkContext().setLogLevel("WARN");
      return ParquetChipTable.read(spark, path);
    } finally {
      spark.stop();
    }
  }

  private static SparkSession session(String name, String master) {
    SparkSession.Builder builder =
        SparkSession.builder()
            .appName(name)
            .config("spark.plugins", LandcoverSparkPlugin.class.getName())
            .config("spark.ui.enabled", "false");
    if (master != null) {
      builder.master(master);
    }
    return builder.getOrCreate();
  }
}

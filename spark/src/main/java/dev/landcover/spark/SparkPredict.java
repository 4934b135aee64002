package dev.landcover.spark;

import dev.landcover.workflows.ProgressListener;
import java.io.IOException;
import java.util.List;
import org.apache.spark.sql.SparkSession;

/**
 * {@link SparkMapping#predict} without Spark in its signature, for the command line ({@code
 * landcover spark predict}, locally or through {@code spark-submit --class
 * dev.landcover.app.Main}): starts a Spark session with {@link LandcoverSparkPlugin}, runs the job,
 * stops the session.
 */
public final class SparkPredict {
  private SparkPredict() {}

  /** Whether Apache Spark is on the classpath. */
  public static boolean sparkAvailable() {
    try {
      Class.forName(
          "org.apache.spark.sql.SparkSession", false, SparkPredict.class.getClassLoader());
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
  public static List<SceneSummary> run(
      SparkPredictRequest request, String master, ProgressListener listener) throws IOException {
    SparkSession.Builder builder =
        SparkSession.builder()
            .appName("landcover predict")
            .config("spark.plugins", LandcoverSparkPlugin.class.getName())
            .config("spark.ui.enabled", "false");
    if (master != null) {
      builder.master(master);
    }
    SparkSession spark = builder.getOrCreate();
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
}

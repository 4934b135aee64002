package dev.landcover.spark;

import java.io.IOException;
import java.io.UncheckedIOException;
import org.apache.spark.api.plugin.DriverPlugin;
import org.apache.spark.api.plugin.ExecutorPlugin;
import org.apache.spark.api.plugin.SparkPlugin;

/**
 * Closes the models an executor opened (their libtorch native memory) when the executor stops.
 * Registered with {@code spark.plugins=dev.landcover.spark.LandcoverSparkPlugin}; {@link SparkJobs}
 * sets it. Without it, the models live until the executor's JVM exits.
 */
public final class LandcoverSparkPlugin implements SparkPlugin {
  @Override
  public DriverPlugin driverPlugin() {
    return null;
  }

  @Override
  public ExecutorPlugin executorPlugin() {
    return new ExecutorPlugin() {
      @Override
      public void shutdown() {
        try {
          ExecutorModels.closeAll();
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }
    };
  }
}

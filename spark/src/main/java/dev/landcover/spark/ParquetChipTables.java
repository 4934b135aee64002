package dev.landcover.spark;

import dev.landcover.workflows.ChipTable;
import java.io.IOException;
import java.nio.file.Path;

/**
 * Opens Parquet chip tables ({@link ParquetChipTable}) for training ({@code landcover train --chips
 * TABLE.parquet}): the {@link ChipTable.Reader} service of this module. Reading needs Spark on the
 * classpath: it uses the running Spark session, or starts a local one for the reading and stops it.
 */
public final class ParquetChipTables implements ChipTable.Reader {
  /** For {@link java.util.ServiceLoader}. */
  public ParquetChipTables() {}

  @Override
  public ChipTable open(Path path) throws IOException {
    if (!SparkJobs.sparkAvailable()) {
      throw new IllegalArgumentException(
          path
              + " is a Parquet chip table: reading it needs Spark on the classpath (./landcover"
              + " adds spark/target/spark-lib when a --chips path ends in .parquet)");
    }
    return SparkJobs.readChipTable(path.toAbsolutePath().toString());
  }
}

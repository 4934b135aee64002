package dev.landcover.workflows;

import dev.landcover.geo.ChipFolder;
import dev.landcover.geo.RasterWindow;
import dev.landcover.pixels.PixelWindow;
import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.ServiceLoader;
import java.util.stream.Stream;

/**
 * Labelled chips kept in a table rather than in chip folders (the Parquet chip table of {@code
 * landcover spark chips --format parquet}), as training reads them: the chips in a fixed order and
 * their pixels on demand. {@link Training} opens a {@code --chips} path that is such a table with
 * the first {@link Reader} found by {@link ServiceLoader}; the {@code landcover-spark} module
 * provides one when Spark is on the classpath.
 */
public interface ChipTable extends Closeable {
  /**
   * One chip of the table.
   *
   * @param scene the scene it was cut from
   * @param index its number in the scene's row-major plan of windows
   * @param window its window in the scene's pixel grid (half-open, upper-left origin)
   */
  record Chip(String scene, int index, PixelWindow window) {}

  /** The table, for messages and provenance. */
  String name();

  /** The chips, ordered by scene, then chip number. */
  List<Chip> chips();

  /** The number of image bands of the chips. */
  int bandCount();

  /**
   * Image bands of chip {@code i} (0-based in {@link #chips()}), in the scene's sample type, with
   * the validity a GeoTIFF chip of the same samples and nodata read with those bands would have.
   *
   * @param bands the chip's bands to read, 1-based, or null for all
   */
  RasterWindow image(int i, int[] bands) throws IOException;

  /**
   * The label band of chip {@code i}, as {@link #image}.
   *
   * @throws dev.landcover.pixels.InvalidInputException when the chip was cut without labels
   */
  RasterWindow labels(int i) throws IOException;

  /**
   * Opens chip tables; a service ({@code
   * META-INF/services/dev.landcover.workflows.ChipTable$Reader}).
   */
  interface Reader {
    /**
     * Opens the table at {@code path}.
     *
     * @throws IllegalArgumentException when this reader cannot run here (say, Spark is missing)
     * @throws IOException when the table cannot be read
     */
    ChipTable open(Path path) throws IOException;
  }

  /**
   * Whether {@code path} is a Parquet table rather than a chip folder: a {@code .parquet} file, or
   * a folder without {@code chips.csv} holding {@code .parquet} files (as Spark writes a table).
   */
  static boolean isTable(Path path) throws IOException {
    if (Files.isRegularFile(path)) {
      return path.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".parquet");
    }
    if (!Files.isDirectory(path) || Files.exists(path.resolve(ChipFolder.INDEX))) {
      return false;
    }
    try (Stream<Path> s = Files.list(path)) {
      return s.anyMatch(
          p -> p.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".parquet"));
    }
  }

  /**
   * Opens the table at {@code path} with the first {@link Reader} on the classpath.
   *
   * @throws IllegalArgumentException when there is none (the spark module and Spark are needed)
   */
  static ChipTable open(Path path) throws IOException {
    for (Reader reader : ServiceLoader.load(Reader.class, ChipTable.class.getClassLoader())) {
      return reader.open(path);
    }
    throw new IllegalArgumentException(
        path
            + " is a Parquet chip table: reading it needs the landcover-spark module and Spark on"
            + " the classpath (run ./landcover, which adds spark/target/spark-lib)");
  }
}

package dev.landcover.app;

import dev.landcover.spark.SparkChipsRequest;
import dev.landcover.workflows.ChipExportRequest;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Option;

/**
 * How a scene is cut into chips and which chips are kept, shared by {@code chips} and {@code spark
 * chips}: the chip size and spacing, the bands kept, the nodata and class filters and the
 * compression. Defaults are those of {@link ChipExportRequest#builder}.
 */
final class ChipOptions {
  @Option(names = "--size", required = true, description = "Chip width and height in pixels.")
  int size;

  @ArgGroup(exclusive = true)
  Spacing spacing;

  /** The distance between chip origins, given one way or the other. */
  static final class Spacing {
    @Option(names = "--stride", description = "Distance between chip origins (default: --size).")
    Integer stride;

    @Option(names = "--overlap", description = "Pixels shared by neighbouring chips.")
    Integer overlap;
  }

  @Option(
      names = "--bands",
      split = ",",
      paramLabel = "B",
      description = "Image bands to keep, 1-based, in order (default: all).")
  int[] bands;

  @Option(
      names = "--max-nodata",
      paramLabel = "F",
      description =
          "Drop chips with a larger nodata fraction, 0 to 1 (default: drop only empty chips).")
  Double maxNoData;

  @Option(
      names = "--classes",
      split = ",",
      paramLabel = "C",
      description = "Keep chips holding one of these label classes.")
  int[] classes;

  @Option(
      names = "--min-class-pixels",
      defaultValue = "1",
      paramLabel = "N",
      description =
          "Pixels of a class a chip needs to count as holding it (default: ${DEFAULT-VALUE}).")
  int minClassPixels;

  @Option(
      names = "--background-keep",
      defaultValue = "0",
      paramLabel = "F",
      description =
          "Fraction of chips without the classes to keep anyway (default: ${DEFAULT-VALUE}).")
  double backgroundKeep;

  @Option(names = "--seed", defaultValue = "0", description = "Seed of the background sampling.")
  long seed;

  @Option(
      names = "--compress",
      defaultValue = "auto",
      paramLabel = "C",
      description = {
        "auto: Deflate with Huffman coding only for image chips (as small as Deflate on imagery,"
            + " several times faster) and Deflate for label chips; deflate: Deflate at"
            + " --deflate-level for both; none (default: ${DEFAULT-VALUE})."
      })
  ChipExportRequest.Compression compress;

  @Option(
      names = "--deflate-level",
      defaultValue = "6",
      paramLabel = "L",
      description = "Deflate level, 1 (fastest) to 9 (smallest) (default: ${DEFAULT-VALUE}).")
  int deflateLevel;

  private Integer stride() {
    return spacing == null ? null : spacing.stride;
  }

  private Integer overlap() {
    return spacing == null ? null : spacing.overlap;
  }

  /** These options applied to a {@code chips} request. */
  ChipExportRequest.Builder applyTo(ChipExportRequest.Builder b) {
    return b.stride(stride())
        .overlap(overlap())
        .bands(bands)
        .maxNoData(maxNoData)
        .requiredClasses(classes, minClassPixels)
        .backgroundKeep(backgroundKeep, seed)
        .compression(compress, deflateLevel);
  }

  /** These options applied to a {@code spark chips} request. */
  SparkChipsRequest.Builder applyTo(SparkChipsRequest.Builder b) {
    return b.stride(stride())
        .overlap(overlap())
        .bands(bands)
        .maxNoData(maxNoData)
        .requiredClasses(classes, minClassPixels)
        .backgroundKeep(backgroundKeep, seed)
        .compression(compress, deflateLevel);
  }
}

package dev.landcover.app;

import dev.landcover.geo.ChipGenerator;
import dev.landcover.workflows.ChipExport;
import dev.landcover.workflows.ChipExportRequest;
import dev.landcover.workflows.VectorLabels;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code landcover chips}: cuts a scene (and its labels) into georeferenced GeoTIFF chips. */
@Command(
    name = "chips",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Cut an image (and a label raster) into square georeferenced GeoTIFF chips:",
      "DIR/images/chip_NNNNN.tif, DIR/labels/chip_NNNNN.tif and the index DIR/chips.csv.",
      "Chips cover the whole image; the last row and column are shifted back inside.",
      "NNNNN is the chip's number in the row-major plan of windows."
    })
final class ChipsCommand implements Callable<Integer> {
  @Option(
      names = "--image",
      required = true,
      paramLabel = "IMG",
      description = "The image GeoTIFF.")
  Path image;

  @Option(
      names = "--labels",
      paramLabel = "LBL",
      description =
          "A label GeoTIFF; on another grid, it is resampled onto the image's with nearest (as"
              + " gdalwarp -r near), with a note on stderr.")
  Path labels;

  @Option(
      names = "--vector-labels",
      paramLabel = "FILE",
      description =
          "Polygons (.gpkg or .geojson) burnt onto the image's grid as the labels (as landcover"
              + " labels rasterize), instead of --labels.")
  Path vectorLabels;

  @Option(
      names = "--field",
      paramLabel = "F",
      description = "With --vector-labels: the integer attribute holding the class.")
  String field;

  @Option(
      names = "--layer",
      paramLabel = "L",
      description = "With --vector-labels: the layer (default: the only one).")
  String layer;

  @Option(
      names = "--all-touched",
      description =
          "With --vector-labels: also burn every pixel a polygon's outline passes through"
              + " (gdal_rasterize -at), not only pixels whose centre is inside.")
  boolean allTouched;

  @Option(names = "--size", required = true, description = "Chip width and height in pixels.")
  int size;

  @ArgGroup(exclusive = true)
  Spacing spacing;

  static final class Spacing {
    @Option(names = "--stride", description = "Distance between chip origins (default: --size).")
    Integer stride;

    @Option(names = "--overlap", description = "Pixels shared by neighbouring chips.")
    Integer overlap;
  }

  @Option(names = "--out", required = true, paramLabel = "DIR", description = "Output folder.")
  Path out;

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

  @Option(
      names = "--overwrite",
      description = "Write into a non-empty DIR, replacing earlier chips.")
  boolean overwrite;

  @Option(
      names = "--threads",
      paramLabel = "N",
      description = "Threads writing chips (default: the number of processors).")
  Integer threads;

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    if (vectorLabels == null) {
      if (allTouched) {
        throw new IllegalArgumentException("--all-touched needs --vector-labels");
      }
      return export(labels);
    }
    if (labels != null || field == null) {
      throw new IllegalArgumentException("--vector-labels needs --field and excludes --labels");
    }
    try (VectorLabels burnt =
        VectorLabels.rasterize(List.of(image), List.of(vectorLabels), layer, field, allTouched)) {
      return export(burnt.labels().get(0));
    }
  }

  private int export(Path labels) throws Exception {
    PrintWriter stdout = spec.commandLine().getOut();
    ChipExportRequest.Builder request =
        ChipExportRequest.builder(image, size, out)
            .labels(labels)
            .stride(spacing == null ? null : spacing.stride)
            .overlap(spacing == null ? null : spacing.overlap)
            .bands(bands)
            .maxNoData(maxNoData)
            .requiredClasses(classes, minClassPixels)
            .backgroundKeep(backgroundKeep, seed)
            .compression(compress, deflateLevel)
            .overwrite(overwrite);
    if (threads != null) {
      request.threads(threads);
    }
    ChipExport.Result r =
        ChipExport.run(request.build(), new ConsoleProgress(stdout, spec.commandLine().getErr()));
    Map<ChipGenerator.DropReason, Long> dropped = r.dropped();
    long droppedTotal = dropped.values().stream().mapToLong(Long::longValue).sum();
    stdout.printf(
        Locale.ROOT,
        "Wrote %d chips to %s in %.1f s (%.1f chips/s); examined %d, dropped %d (%d nodata, %d"
            + " background)%n",
        r.written(),
        out,
        r.seconds(),
        r.written() / Math.max(r.seconds(), 1e-9),
        r.examined(),
        droppedTotal,
        dropped.get(ChipGenerator.DropReason.NODATA),
        dropped.get(ChipGenerator.DropReason.BACKGROUND));
    if (!r.labelPixels().isEmpty()) {
      long sum = r.labelPixels().values().stream().mapToLong(Long::longValue).sum();
      stdout.println("Label pixels per class in the written chips:");
      r.labelPixels()
          .forEach(
              (c, n) ->
                  stdout.printf(
                      Locale.ROOT, "  class %3d: %,14d  %5.1f%%%n", c, n, 100.0 * n / sum));
    }
    return ExitCodes.OK;
  }
}

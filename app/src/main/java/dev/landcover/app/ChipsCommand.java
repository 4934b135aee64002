package dev.landcover.app;

import dev.landcover.geo.BandStack;
import dev.landcover.geo.ChipGenerator;
import dev.landcover.workflows.ChipExport;
import dev.landcover.workflows.ChipExportRequest;
import dev.landcover.workflows.Shard;
import dev.landcover.workflows.VectorLabels;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
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
      paramLabel = "IMG",
      description =
          "The image: a GeoTIFF, a GDAL VRT (gdalbuildvrt -separate), or a band stack of files"
              + " FILE,FILE,... (see --band-resampling, --grid-band).")
  Path image;

  @Mixin StackOptions stackOptions;

  @Parameters(
      paramLabel = "INPUT",
      arity = "0..*",
      description =
          "Instead of --image: a batch of IMAGE or IMAGE,LABELS, each cut into its own chip folder"
              + " DIR/<image name>/ (scenes whose folder has its chips.csv are skipped).")
  List<String> inputs = new ArrayList<>();

  @Option(
      names = "--shard",
      paramLabel = "i/N",
      description =
          "With INPUTs: cut only shard i (0 to N-1) of N, the scenes whose file name hashes to i"
              + " (SHA-256 mod N); N processes share DIR.")
  String shard;

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

  @Mixin VectorLabelOptions vectorLabelOptions;

  @Mixin ChipOptions chipOptions;

  @Option(names = "--out", required = true, paramLabel = "DIR", description = "Output folder.")
  Path out;

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
    if (!inputs.isEmpty()) {
      return batch();
    }
    if (image == null || shard != null) {
      throw new IllegalArgumentException(
          "Give --image, or a batch of INPUTs (IMAGE or IMAGE,LABELS; --shard splits a batch)");
    }
    if (vectorLabels == null) {
      vectorLabelOptions.refuseWithoutVectorLabels();
      return export(labels);
    }
    if (stackOptions.stackOf(image.toString()) != null) {
      throw new IllegalArgumentException(
          "--vector-labels needs a single image file; for a band stack, burn them first with"
              + " landcover labels rasterize --like FIRST_BAND.tif and give --labels");
    }
    try (VectorLabels burnt =
        vectorLabelOptions.rasterize(List.of(image), List.of(vectorLabels), labels != null)) {
      return export(burnt.labels().get(0));
    }
  }

  private int export(Path labels) throws Exception {
    PrintWriter stdout = spec.commandLine().getOut();
    BandStack stack = stackOptions.stackOf(image.toString());
    ChipExportRequest.Builder request =
        options(
            stack == null
                ? ChipExportRequest.builder(image, chipOptions.size, out)
                : ChipExportRequest.builder(stack, chipOptions.size, out),
            labels);
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

  /** Every option but the image, labels and output folder, applied to {@code b}. */
  private ChipExportRequest.Builder options(ChipExportRequest.Builder b, Path labels) {
    chipOptions.applyTo(b).labels(labels).overwrite(overwrite);
    if (threads != null) {
      b.threads(threads);
    }
    return b;
  }

  /** A batch of INPUTs, a chip folder each in DIR; exit 1 when a scene failed. */
  private int batch() {
    if (image != null || labels != null || vectorLabels != null) {
      throw new IllegalArgumentException(
          "A batch of INPUTs takes its labels as IMAGE,LABELS: not with --image, --labels or"
              + " --vector-labels");
    }
    List<ChipExportRequest> requests = new ArrayList<>();
    for (String in : inputs) {
      String[] parts = in.split(",", -1);
      if (parts.length > 2 || parts[0].isEmpty() || (parts.length == 2 && parts[1].isEmpty())) {
        throw new IllegalArgumentException("An INPUT is IMAGE or IMAGE,LABELS: got '" + in + "'");
      }
      Path img = Path.of(parts[0]);
      requests.add(
          options(
                  ChipExportRequest.builder(
                      img, chipOptions.size, ChipExport.sceneFolder(out, img)),
                  parts.length == 2 ? Path.of(parts[1]) : null)
              .build());
    }
    PrintWriter stdout = spec.commandLine().getOut();
    List<ChipExport.SceneOutcome> outcomes =
        ChipExport.runBatch(
            requests,
            shard == null ? null : Shard.parse(shard),
            new ConsoleProgress(stdout, spec.commandLine().getErr()));
    stdout.println("Scenes:");
    for (ChipExport.SceneOutcome o : outcomes) {
      String detail =
          switch (o.status()) {
            case DONE -> o.folder() + " (" + o.result().written() + " chips)";
            case SKIPPED -> o.folder() + " (has its chips.csv)";
            case FAILED -> o.error();
          };
      String status =
          o.status() == ChipExport.Status.FAILED
              ? "FAILED"
              : o.status().name().toLowerCase(Locale.ROOT);
      stdout.printf("  %-8s %s  %s%n", status, o.image(), detail);
    }
    return outcomes.stream().anyMatch(o -> o.status() == ChipExport.Status.FAILED)
        ? ExitCodes.DATA_ERROR
        : ExitCodes.OK;
  }
}

package dev.landcover.app;

import dev.landcover.geo.Chip;
import dev.landcover.geo.ChipGenerator;
import dev.landcover.geo.GeoTiffRaster;
import dev.landcover.geo.GeoTiffWriter;
import dev.landcover.geo.GeoTransform;
import dev.landcover.geo.RasterWindow;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
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
      "Cut an image (and a label raster on the same grid) into square georeferenced GeoTIFF chips:",
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
      description = "A label GeoTIFF on the image's grid.")
  Path labels;

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
  String compress;

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

  private record Row(int id, String line, SortedMap<Integer, Integer> counts) {}

  @Override
  public Integer call() throws Exception {
    PrintWriter err = spec.commandLine().getErr();
    PrintWriter stdout = spec.commandLine().getOut();
    if (size <= 0) {
      throw new ExitCodes.UsageException("--size must be positive: " + size);
    }
    if (!List.of("auto", "deflate", "none").contains(compress)) {
      throw new ExitCodes.UsageException("--compress must be auto, deflate or none: " + compress);
    }
    if (deflateLevel < 1 || deflateLevel > 9) {
      throw new ExitCodes.UsageException("--deflate-level must be 1 to 9: " + deflateLevel);
    }
    if (classes == null && (minClassPixels != 1 || backgroundKeep != 0)) {
      throw new ExitCodes.UsageException("--min-class-pixels and --background-keep need --classes");
    }
    if (classes != null && labels == null) {
      throw new ExitCodes.UsageException("--classes needs --labels");
    }
    checkOutputFolder();
    try (GeoTiffRaster img = GeoTiffRaster.open(image);
        GeoTiffRaster lbl = labels == null ? null : GeoTiffRaster.open(labels)) {
      ChipGenerator.Builder builder = ChipGenerator.builder(img).chipSize(size);
      if (spacing != null && spacing.stride != null) {
        builder.stride(spacing.stride);
      }
      if (spacing != null && spacing.overlap != null) {
        builder.overlap(spacing.overlap);
      }
      if (lbl != null) {
        builder.labels(lbl);
      }
      if (bands != null) {
        builder.bands(bands);
      }
      if (maxNoData != null) {
        builder.maxNoDataFraction(maxNoData);
      }
      if (classes != null) {
        builder.requiredClasses(classes, minClassPixels).backgroundKeep(backgroundKeep, seed);
      }
      ChipGenerator generator = builder.build();
      Path imageDir = out.resolve("images");
      Path labelDir = out.resolve("labels");
      prepareOutput(imageDir, labelDir);
      int total = generator.plan().size();
      stdout.printf(
          "Cutting %s (%d x %d, %d bands) into %d windows of %d px, stride %d%n",
          image,
          img.width(),
          img.height(),
          generator.bands().length,
          total,
          size,
          generator.plan().stride());
      stdout.flush();
      Progress progress = new Progress(err, "chips", total);
      List<Row> rows = writeChips(generator, img, lbl, imageDir, labelDir, progress);
      progress.finish();
      writeIndex(rows, lbl != null);
      printSummary(stdout, generator, rows, total, progress.elapsedSeconds());
    }
    return ExitCodes.OK;
  }

  private void checkOutputFolder() throws IOException {
    if (Files.exists(out) && !Files.isDirectory(out)) {
      throw new ExitCodes.UsageException("--out " + out + " is a file: expected a folder");
    }
    if (Files.isDirectory(out) && !overwrite) {
      try (Stream<Path> s = Files.list(out)) {
        if (s.findAny().isPresent()) {
          throw new ExitCodes.UsageException(
              "--out " + out + " is not empty: pass --overwrite to write into it");
        }
      }
    }
    Path existing = out.toAbsolutePath();
    while (existing != null && !Files.exists(existing)) {
      existing = existing.getParent();
    }
    if (existing != null && !Files.isDirectory(existing)) {
      throw new AccessDeniedException(
          existing.toString(), null, "is a file, so the output folder " + out + " cannot be made");
    }
    if (existing == null || !Files.isWritable(existing)) {
      throw new AccessDeniedException(
          String.valueOf(existing), null, "cannot write the output folder " + out + " there");
    }
  }

  /** Creates the folders, and with --overwrite removes the chips of an earlier run. */
  private void prepareOutput(Path imageDir, Path labelDir) throws IOException {
    Files.createDirectories(imageDir);
    if (labels != null) {
      Files.createDirectories(labelDir);
    }
    if (overwrite) {
      for (Path dir : List.of(imageDir, labelDir)) {
        if (Files.isDirectory(dir)) {
          try (Stream<Path> s = Files.list(dir)) {
            for (Path p :
                s.filter(p -> p.getFileName().toString().matches("chip_\\d+\\.tif(\\.aux\\.xml)?"))
                    .toList()) {
              Files.delete(p);
            }
          }
        }
      }
      Files.deleteIfExists(out.resolve("chips.csv"));
    }
  }

  private List<Row> writeChips(
      ChipGenerator generator,
      GeoTiffRaster img,
      GeoTiffRaster lbl,
      Path imageDir,
      Path labelDir,
      Progress progress)
      throws Exception {
    int n = threads == null ? Runtime.getRuntime().availableProcessors() : threads;
    if (n < 1) {
      throw new ExitCodes.UsageException("--threads must be at least 1: " + n);
    }
    ExecutorService pool = Executors.newFixedThreadPool(n);
    Semaphore slots = new Semaphore(2 * n);
    AtomicReference<Exception> failure = new AtomicReference<>();
    ConcurrentLinkedQueue<Row> rows = new ConcurrentLinkedQueue<>();
    OptionalDouble imageNoData = img.noData(1);
    OptionalDouble labelNoData = lbl == null ? OptionalDouble.empty() : lbl.noData(1);
    int examined = 0;
    try (Stream<Chip> chips = generator.stream()) {
      Iterator<Chip> it = chips.iterator();
      while (failure.get() == null && it.hasNext()) {
        Chip chip = it.next();
        progress.advance(chip.index() + 1 - examined);
        examined = chip.index() + 1;
        slots.acquire();
        pool.submit(
            () -> {
              try {
                String name = String.format(Locale.ROOT, "chip_%05d.tif", chip.index());
                write(chip.image(), chip, imageNoData, imageDir.resolve(name), true);
                if (chip.labels() != null) {
                  write(chip.labels(), chip, labelNoData, labelDir.resolve(name), false);
                }
                rows.add(new Row(chip.index(), csvLine(chip), chip.classCounts()));
              } catch (Exception e) {
                failure.compareAndSet(null, e);
              } finally {
                slots.release();
              }
            });
      }
    } catch (UncheckedIOException e) {
      failure.compareAndSet(null, e.getCause());
    } finally {
      pool.shutdown();
      pool.awaitTermination(1, TimeUnit.DAYS);
    }
    if (failure.get() != null) {
      throw failure.get();
    }
    progress.advance(generator.plan().size() - examined);
    List<Row> sorted = new ArrayList<>(rows);
    sorted.sort(Comparator.comparingInt(Row::id));
    return sorted;
  }

  private void write(
      RasterWindow data, Chip chip, OptionalDouble noData, Path target, boolean imagery)
      throws IOException {
    GeoTiffWriter writer =
        GeoTiffWriter.forGrid(chip.grid(), data.sampleType(), data.bandCount())
            .deflateLevel(compress.equals("none") ? 0 : deflateLevel)
            .huffmanOnly(imagery && compress.equals("auto"))
            .overwrite(overwrite);
    if (noData.isPresent()) {
      writer.noData(noData.getAsDouble());
    }
    writer.write(target, data);
  }

  private static String csvLine(Chip chip) {
    GeoTransform t = chip.grid().transform();
    int w = chip.window().width();
    int h = chip.window().height();
    double[] xs = {t.worldX(0, 0), t.worldX(w, 0), t.worldX(0, h), t.worldX(w, h)};
    double[] ys = {t.worldY(0, 0), t.worldY(w, 0), t.worldY(0, h), t.worldY(w, h)};
    return String.format(
        Locale.ROOT,
        "%d,images/chip_%05d.tif,%d,%d,%d,%d,%s,%s,%s,%s,%.6f",
        chip.index(),
        chip.index(),
        chip.window().x(),
        chip.window().y(),
        w,
        h,
        num(min(xs)),
        num(min(ys)),
        num(max(xs)),
        num(max(ys)),
        chip.noDataFraction());
  }

  private static String num(double v) {
    return Double.toString(v);
  }

  private static double min(double[] v) {
    double m = v[0];
    for (double x : v) {
      m = Math.min(m, x);
    }
    return m;
  }

  private static double max(double[] v) {
    double m = v[0];
    for (double x : v) {
      m = Math.max(m, x);
    }
    return m;
  }

  /** Writes chips.csv: one row per chip, a pixel-count column per label class seen. */
  private void writeIndex(List<Row> rows, boolean withLabels) throws IOException {
    TreeSet<Integer> classIds = new TreeSet<>();
    rows.forEach(r -> classIds.addAll(r.counts().keySet()));
    StringBuilder sb =
        new StringBuilder("id,file,x,y,width,height,min_x,min_y,max_x,max_y,nodata_fraction");
    if (withLabels) {
      classIds.forEach(c -> sb.append(",class_").append(c));
    }
    sb.append('\n');
    for (Row r : rows) {
      sb.append(r.line());
      if (withLabels) {
        classIds.forEach(c -> sb.append(',').append(r.counts().getOrDefault(c, 0)));
      }
      sb.append('\n');
    }
    Path csv = out.resolve("chips.csv");
    Path tmp = out.resolve(".chips.csv.tmp");
    Files.writeString(tmp, sb, StandardCharsets.UTF_8);
    Files.move(tmp, csv, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }

  private void printSummary(
      PrintWriter stdout, ChipGenerator generator, List<Row> rows, int total, double seconds) {
    Map<ChipGenerator.DropReason, Long> dropped = generator.droppedCounts();
    long droppedTotal = dropped.values().stream().mapToLong(Long::longValue).sum();
    stdout.printf(
        Locale.ROOT,
        "Wrote %d chips to %s in %.1f s (%.1f chips/s); examined %d, dropped %d (%d nodata, %d"
            + " background)%n",
        rows.size(),
        out,
        seconds,
        rows.size() / Math.max(seconds, 1e-9),
        total,
        droppedTotal,
        dropped.get(ChipGenerator.DropReason.NODATA),
        dropped.get(ChipGenerator.DropReason.BACKGROUND));
    SortedMap<Integer, Long> histogram = new TreeMap<>();
    rows.forEach(r -> r.counts().forEach((c, n) -> histogram.merge(c, (long) n, Long::sum)));
    if (!histogram.isEmpty()) {
      long sum = histogram.values().stream().mapToLong(Long::longValue).sum();
      stdout.println("Label pixels per class in the written chips:");
      histogram.forEach(
          (c, n) ->
              stdout.printf(Locale.ROOT, "  class %3d: %,14d  %5.1f%%%n", c, n, 100.0 * n / sum));
    }
  }
}

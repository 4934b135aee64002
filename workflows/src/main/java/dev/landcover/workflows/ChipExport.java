package dev.landcover.workflows;

import dev.landcover.geo.Chip;
import dev.landcover.geo.ChipFolder;
import dev.landcover.geo.ChipGenerator;
import dev.landcover.geo.GeoTiffException;
import dev.landcover.geo.GeoTiffRaster;
import dev.landcover.geo.GeoTiffWriter;
import dev.landcover.geo.RasterWindow;
import dev.landcover.geo.SceneRaster;
import dev.landcover.pixels.PixelWindow;
import dev.landcover.pixels.support.StagingFolder;
import dev.landcover.pixels.support.Threads;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;

/**
 * Cuts an image (and a label raster, resampled onto the image's grid with nearest when it is on
 * another, with a warning: see {@link AlignedLabels}) into georeferenced GeoTIFF chips, written as
 * a chip folder ({@link ChipFolder}): chips follow the {@link ChipGenerator}'s plan and filters,
 * are written on a thread pool while the next strip is read, each chip in the source's data type
 * and nodata, and the index comes last.
 */
public final class ChipExport {
  /**
   * What a run wrote.
   *
   * @param written chips written
   * @param examined windows of the plan
   * @param dropped windows not written, by reason
   * @param labelPixels label pixels per class in the written chips
   * @param seconds time taken
   */
  public record Result(
      int written,
      int examined,
      Map<ChipGenerator.DropReason, Long> dropped,
      SortedMap<Integer, Long> labelPixels,
      double seconds) {}

  private static final String TASK = "chips";

  private ChipExport() {}

  /**
   * Cuts and writes the chips.
   *
   * @throws IllegalArgumentException when the output folder is a file or holds files and the
   *     request does not overwrite
   * @throws IOException when a raster cannot be read or a chip cannot be written
   */
  public static Result run(ChipExportRequest request, ProgressListener listener)
      throws IOException {
    return run(request, listener, false);
  }

  /** What a batch run ({@link #runBatch}) did with one scene. */
  public enum Status {
    /** Cut. */
    DONE,
    /** Its chip folder had its index (written by an earlier run or by another process). */
    SKIPPED,
    /** It could not be cut: see the outcome's error. */
    FAILED
  }

  /**
   * What a batch run did with one scene.
   *
   * @param image the scene
   * @param folder its chip folder
   * @param status what happened
   * @param result what was written (DONE only, else null)
   * @param error why it failed (FAILED only, else null)
   */
  public record SceneOutcome(Path image, Path folder, Status status, Result result, String error) {}

  /**
   * The chip folder of {@code image} in a batch's output folder: {@code out/<image name>/}, the
   * image's file name without {@code .tif}/{@code .tiff}.
   */
  public static Path sceneFolder(Path out, Path image) {
    return out.resolve(image.getFileName().toString().replaceAll("(?i)\\.tiff?$", ""));
  }

  /**
   * Cuts a batch of scenes, each into its own chip folder ({@link #sceneFolder}: the requests'
   * output folders must be those), so that several processes can share one output folder: with
   * {@code shard}, only the scenes of that shard ({@link Shard}, by the image's file name). A scene
   * whose folder has its index is skipped unless its request overwrites; each folder is written as
   * {@link #run} writes one (staged, then moved into place, the index last); processes cutting the
   * same scene at once take turns, and the later one skips it (or, when overwriting, replaces it
   * with the same chips). A scene that fails is a FAILED outcome and the batch goes on.
   *
   * @param scenes one request per scene
   * @param shard the share of the scenes to cut, or null for all
   * @throws IllegalArgumentException when two scenes would write the same folder
   */
  public static List<SceneOutcome> runBatch(
      List<ChipExportRequest> scenes, Shard shard, ProgressListener listener) {
    Map<Path, Path> byFolder = new java.util.HashMap<>();
    for (ChipExportRequest r : scenes) {
      Path other = byFolder.put(r.out().toAbsolutePath().normalize(), r.image());
      if (other != null) {
        throw new IllegalArgumentException(
            "Two images would write the same chip folder "
                + r.out()
                + ": "
                + other
                + " and "
                + r.image()
                + " (folders are named after the image's file name)");
      }
    }
    List<SceneOutcome> outcomes = new ArrayList<>();
    for (ChipExportRequest r : scenes) {
      if (shard != null && !shard.contains(r.image())) {
        continue;
      }
      Path index = r.out().resolve(ChipFolder.INDEX);
      if (!r.overwrite() && Files.exists(index)) {
        outcomes.add(new SceneOutcome(r.image(), r.out(), Status.SKIPPED, null, null));
        continue;
      }
      try {
        Result result = run(r, listener, true);
        outcomes.add(
            result == null
                ? new SceneOutcome(r.image(), r.out(), Status.SKIPPED, null, null)
                : new SceneOutcome(r.image(), r.out(), Status.DONE, result, null));
      } catch (IOException | RuntimeException e) {
        outcomes.add(
            new SceneOutcome(
                r.image(),
                r.out(),
                Status.FAILED,
                null,
                e.getMessage() == null ? e.toString() : e.getMessage()));
      }
    }
    return outcomes;
  }

  /**
   * Cuts one scene; in a batch, waits for another process writing the same folder and returns null
   * when that process left it complete (and the request does not overwrite).
   */
  private static Result run(ChipExportRequest request, ProgressListener listener, boolean batch)
      throws IOException {
    if (!batch) {
      checkOutputFolder(request);
    }
    if (request.labels() == null) {
      return cut(request, null, listener, batch);
    }
    try (AlignedLabels aligned =
        AlignedLabels.onImageGrids(
            List.of(request.image()),
            request.imageStack() == null ? Map.of() : Map.of(request.image(), request.imageStack()),
            List.of(request.labels()),
            "labels",
            listener)) {
      return cut(request, aligned.labels().get(0), listener, batch);
    }
  }

  /**
   * Cuts the chips, with {@code labels} (on the image's grid, or null) as the labels; in a batch,
   * waits for another process writing the same folder and returns null when that process left it
   * complete (and the request does not overwrite).
   */
  private static Result cut(
      ChipExportRequest request, Path labels, ProgressListener listener, boolean batch)
      throws IOException {
    long start = System.nanoTime();
    try (SceneRaster img = request.openImage();
        GeoTiffRaster lbl = labels == null ? null : GeoTiffRaster.open(labels)) {
      ChipGenerator generator = generator(request, img, lbl);
      int total = generator.plan().size();
      listener.message(
          String.format(
              "Cutting %s (%d x %d, %d bands) into %d windows of %d px, stride %d",
              request.image(),
              img.width(),
              img.height(),
              generator.bands().length,
              total,
              request.size(),
              generator.plan().stride()));
      List<ChipFolder.Entry> rows;
      try (StagingFolder staging =
          batch
              ? StagingFolder.createWhenFree(request.out())
              : StagingFolder.create(request.out())) {
        if (batch
            && !request.overwrite()
            && Files.exists(request.out().resolve(ChipFolder.INDEX))) {
          return null;
        }
        Path work = staging.dir();
        ChipFolder.prepare(work, lbl != null, false);
        rows = writeChips(request, work, generator, img, lbl, listener);
        listener.finished(TASK);
        ChipFolder.writeIndex(work, rows, lbl != null);
        if (!batch && !request.overwrite()) {
          refuseWrittenMeanwhile(request.out());
        }
        commit(staging, lbl != null);
      }
      SortedMap<Integer, Long> histogram = new TreeMap<>();
      rows.forEach(r -> r.classCounts().forEach((c, n) -> histogram.merge(c, (long) n, Long::sum)));
      return new Result(
          rows.size(),
          total,
          generator.droppedCounts(),
          histogram,
          (System.nanoTime() - start) / 1e9);
    }
  }

  /**
   * The chip generator of {@code request} over {@code image} and {@code labels} (null without): its
   * plan and filters decide which chips a run writes, in any output format.
   *
   * @throws GeoTiffException when the rasters do not fit the request or each other
   */
  public static ChipGenerator generator(
      ChipExportRequest request, SceneRaster image, SceneRaster labels) throws GeoTiffException {
    ChipGenerator.Builder builder = ChipGenerator.builder(image).chipSize(request.size());
    if (request.stride() != null) {
      builder.stride(request.stride());
    }
    if (request.overlap() != null) {
      builder.overlap(request.overlap());
    }
    if (labels != null) {
      builder.labels(labels);
    }
    if (request.bands() != null) {
      builder.bands(request.bands());
    }
    if (request.maxNoData() != null) {
      builder.maxNoDataFraction(request.maxNoData());
    }
    if (request.requiredClasses() != null) {
      builder
          .requiredClasses(request.requiredClasses(), request.minClassPixels())
          .backgroundKeep(request.backgroundKeep(), request.seed());
    }
    return builder.build();
  }

  private static void checkOutputFolder(ChipExportRequest request) throws IOException {
    Path out = request.out();
    if (Files.exists(out) && !Files.isDirectory(out)) {
      throw new IllegalArgumentException("--out " + out + " is a file: expected a folder");
    }
    if (!request.overwrite() && hasEntries(out)) {
      throw new IllegalArgumentException(
          "--out " + out + " is not empty: pass --overwrite to write into it");
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

  /**
   * Refuses to commit into {@code out} when it has entries: it was checked empty (or absent) before
   * cutting, so another run wrote it meanwhile, and without overwrite this run must not replace
   * that run's chips.
   */
  private static void refuseWrittenMeanwhile(Path out) throws IOException {
    if (hasEntries(out)) {
      throw new FileAlreadyExistsException(
          out.toString(),
          null,
          "was written by another run while this one was cutting: pass --overwrite to replace it");
    }
  }

  /** Whether {@code path} is a folder with at least one entry. */
  private static boolean hasEntries(Path path) throws IOException {
    if (!Files.isDirectory(path)) {
      return false;
    }
    try (Stream<Path> s = Files.list(path)) {
      return s.findAny().isPresent();
    }
  }

  /**
   * Moves the staged chip folder into place: the whole folder in one rename when the output folder
   * does not exist; else (an empty folder, or with overwrite) {@code images/}, {@code labels/} and
   * the index last, each in one rename, files of the old folders that are not chips carried over.
   */
  private static void commit(StagingFolder staging, boolean labels) throws IOException {
    Path out = staging.target();
    if (!Files.exists(out)) {
      staging.commitAsFolder();
      return;
    }
    List<String> names = new ArrayList<>(List.of("images"));
    if (labels) {
      names.add("labels");
    }
    for (String folder : names) {
      carryOverOtherFiles(out.resolve(folder), staging.dir().resolve(folder));
    }
    names.add(ChipFolder.INDEX);
    staging.commitInto(out, names, List.of());
    if (!labels && Files.isDirectory(out.resolve("labels"))) {
      // Label chips of an earlier run that this run (without labels) replaces.
      try (Stream<Path> s = Files.list(out.resolve("labels"))) {
        for (Path p : s.filter(ChipExport::isChipFile).toList()) {
          Files.delete(p);
        }
      }
    }
  }

  private static boolean isChipFile(Path p) {
    return p.getFileName().toString().matches("chip_\\d+\\.tif(\\.aux\\.xml)?");
  }

  private static void carryOverOtherFiles(Path old, Path staged) throws IOException {
    if (!Files.isDirectory(old)) {
      return;
    }
    try (Stream<Path> s = Files.list(old)) {
      for (Path p : s.filter(p -> !isChipFile(p)).toList()) {
        Files.move(p, staged.resolve(p.getFileName()));
      }
    }
  }

  private static List<ChipFolder.Entry> writeChips(
      ChipExportRequest request,
      Path folder,
      ChipGenerator generator,
      SceneRaster img,
      GeoTiffRaster lbl,
      ProgressListener listener)
      throws IOException {
    int n = request.threads();
    ExecutorService pool = Executors.newFixedThreadPool(n, Threads.daemon("landcover-chips"));
    // Chips waiting for a writer: a row of chips and more, so that the generator reads and decodes
    // the next strip while the writers still have the last row's chips to write (the chips are
    // views of their strip: a row of them costs little more than the strip itself).
    Semaphore slots = new Semaphore(generator.plan().columns() + 2 * n);
    AtomicReference<Exception> failure = new AtomicReference<>();
    ConcurrentLinkedQueue<ChipFolder.Entry> rows = new ConcurrentLinkedQueue<>();
    OptionalDouble imageNoData = img.noData(1);
    OptionalDouble labelNoData = lbl == null ? OptionalDouble.empty() : lbl.noData(1);
    PixelWindow extent = new PixelWindow(0, 0, img.width(), img.height());
    int total = generator.plan().size();
    int examined = 0;
    try (Stream<Chip> chips = generator.recyclingStream()) {
      Iterator<Chip> it = chips.iterator();
      while (failure.get() == null && it.hasNext()) {
        Chip chip = it.next();
        examined = chip.index() + 1;
        listener.progress(TASK, examined, total, "");
        slots.acquire();
        pool.submit(
            () -> {
              try {
                write(
                    request,
                    chip.image(),
                    chip,
                    imageNoData,
                    extent,
                    ChipFolder.imageFile(folder, chip.index()),
                    true);
                if (chip.labels() != null) {
                  write(
                      request,
                      chip.labels(),
                      chip,
                      labelNoData,
                      extent,
                      ChipFolder.labelFile(folder, chip.index()),
                      false);
                }
                rows.add(ChipFolder.Entry.of(chip));
              } catch (Exception e) {
                failure.compareAndSet(null, e);
              } finally {
                generator.release(chip);
                slots.release();
              }
            });
      }
    } catch (UncheckedIOException e) {
      failure.compareAndSet(null, e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      failure.compareAndSet(null, new InterruptedIOException("interrupted while writing chips"));
    } finally {
      pool.shutdown();
      try {
        pool.awaitTermination(1, TimeUnit.DAYS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    if (failure.get() != null) {
      throw Threads.rethrow(failure.get());
    }
    listener.progress(TASK, total, total, "");
    List<ChipFolder.Entry> sorted = new ArrayList<>(rows);
    sorted.sort(Comparator.comparingInt(ChipFolder.Entry::id));
    return sorted;
  }

  /**
   * Writes one chip file. A chip that reaches past the scene (a scene smaller than one chip) has
   * its padding written with a nodata value that GDAL matches ({@link RasterWindow#paddingNoData}):
   * the scene's own when it can, else a value no pixel of the chip holds, so that GDAL never reads
   * the padding as data.
   */
  private static void write(
      ChipExportRequest request,
      RasterWindow data,
      Chip chip,
      OptionalDouble noData,
      PixelWindow extent,
      Path target,
      boolean imagery)
      throws IOException {
    PixelWindow inside = chip.window().intersection(extent);
    if (inside != null && !inside.equals(chip.window())) {
      OptionalDouble padding = data.paddingNoData(inside, noData);
      if (padding.isEmpty()) {
        throw new GeoTiffException(
            request.image(),
            "chip "
                + chip.index()
                + " reaches past the "
                + extent.width()
                + " x "
                + extent.height()
                + " scene and its pixels hold every "
                + data.sampleType().gdalName()
                + " value, so no nodata value can mark the padding",
            "give the scene a nodata value with gdal_edit.py -a_nodata V, or use a --size of at"
                + " most "
                + Math.min(extent.width(), extent.height()));
      }
      if (!padding.equals(noData)) {
        data = data.withOutside(inside, padding.getAsDouble());
        noData = padding;
      }
    }
    ChipExportRequest.Compression c = request.compression();
    GeoTiffWriter writer =
        GeoTiffWriter.forGrid(chip.grid(), data.sampleType(), data.bandCount())
            .deflateLevel(c == ChipExportRequest.Compression.NONE ? 0 : request.deflateLevel())
            .huffmanOnly(imagery && c == ChipExportRequest.Compression.AUTO)
            .overwrite(request.overwrite())
            .inPlace(true); // the chip folder is staged, and moved into place whole
    if (noData.isPresent()) {
      writer.noData(noData.getAsDouble());
    }
    writer.write(target, data);
  }
}

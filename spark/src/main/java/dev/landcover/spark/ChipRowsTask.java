package dev.landcover.spark;

import dev.landcover.geo.Chip;
import dev.landcover.geo.ChipGenerator;
import dev.landcover.geo.GeoTiffRaster;
import dev.landcover.pixels.support.AtomicFiles;
import dev.landcover.workflows.ChipExport;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.Iterator;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.OptionalDouble;
import java.util.function.BiPredicate;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.sql.Row;
import org.apache.spark.util.CollectionAccumulator;
import org.apache.spark.util.TaskCompletionListener;

/**
 * The task of {@link SparkMapping#chips} for a Parquet chip table: the rows ({@link
 * ParquetChipTable#row}) of its scenes' chips, streamed to Spark's Parquet writer as the chip
 * generator makes them; what each scene gave goes to an accumulator. Spark's commit protocol keeps
 * only the rows of a task attempt that succeeded. A scene that cannot be opened is a FAILED result
 * without rows; an error after a scene's first row fails the task (its rows cannot be taken back),
 * which Spark retries.
 */
final class ChipRowsTask implements FlatMapFunction<Iterator<String>, Row> {
  private static final long serialVersionUID = 1L;

  /** For tests: fails the task after this row (scene, chip number) was given to the writer. */
  static volatile BiPredicate<String, Integer> failAfterRow = (scene, chip) -> false;

  private final SparkChipsRequest request;
  private final Map<String, String> hadoopConf;
  private final CollectionAccumulator<ChipSummary> results;

  ChipRowsTask(
      SparkChipsRequest request,
      Map<String, String> hadoopConf,
      CollectionAccumulator<ChipSummary> results) {
    this.request = request;
    this.hadoopConf = hadoopConf;
    this.results = results;
  }

  @Override
  public Iterator<Row> call(Iterator<String> inputs) {
    Configuration conf = new Configuration(false);
    hadoopConf.forEach(conf::set);
    Rows rows = new Rows(inputs, conf);
    TaskContext context = TaskContext.get();
    if (context != null) {
      context.addTaskCompletionListener((TaskCompletionListener) c -> rows.closeScene());
    }
    return rows;
  }

  /** The rows of the scenes, one scene open at a time. */
  private final class Rows implements Iterator<Row> {
    private final Iterator<String> inputs;
    private final Configuration conf;
    private String image;
    private String labels;
    private java.nio.file.Path scratch;
    private GeoTiffRaster img;
    private GeoTiffRaster lbl;
    private Stream<Chip> stream;
    private Iterator<Chip> chips;
    private int examined;
    private int written;
    private long start;

    Rows(Iterator<String> inputs, Configuration conf) {
      this.inputs = inputs;
      this.conf = conf;
    }

    @Override
    public boolean hasNext() {
      while (chips == null || !chips.hasNext()) {
        if (chips != null) {
          closeScene();
          results.add(
              new ChipSummary(
                  image,
                  labels,
                  request.chipTablePath(),
                  "DONE",
                  written,
                  examined,
                  (System.nanoTime() - start) / 1e9,
                  null));
          chips = null;
        }
        if (!inputs.hasNext()) {
          return false;
        }
        openScene(inputs.next());
      }
      return true;
    }

    @Override
    public Row next() {
      if (!hasNext()) {
        throw new NoSuchElementException();
      }
      Chip chip = chips.next();
      written++;
      Row row = ParquetChipTable.row(image, labels, chip, img.noData(1), noData(lbl));
      if (failAfterRow.test(image, chip.index())) {
        throw new IllegalStateException(
            "Failing the task of " + image + " on purpose after chip " + chip.index() + " (test)");
      }
      return row;
    }

    private OptionalDouble noData(GeoTiffRaster raster) {
      return raster == null ? OptionalDouble.empty() : raster.noData(1);
    }

    private void openScene(String input) {
      String[] parts = input.split(",", -1);
      image = parts[0];
      labels = parts.length > 1 ? parts[1] : null;
      start = System.nanoTime();
      written = 0;
      try {
        scratch = Files.createTempDirectory("landcover-chips");
        java.nio.file.Path localImage = SceneTask.localFile(new Path(image), conf, scratch);
        java.nio.file.Path localLabels =
            labels == null ? null : SceneTask.localFile(new Path(labels), conf, scratch);
        img = GeoTiffRaster.open(localImage);
        lbl = localLabels == null ? null : GeoTiffRaster.open(localLabels);
        ChipGenerator generator =
            ChipExport.generator(
                request.exportRequest(localImage, localLabels, scratch.resolve("unused")),
                img,
                lbl);
        examined = generator.plan().size();
        stream = generator.stream();
        chips = stream.iterator();
      } catch (IOException | RuntimeException e) {
        closeScene();
        results.add(
            new ChipSummary(
                image,
                labels,
                null,
                "FAILED",
                0,
                -1,
                0,
                e.getMessage() == null ? e.toString() : e.getMessage()));
      }
    }

    void closeScene() {
      try {
        if (stream != null) {
          stream.close();
        }
        if (img != null) {
          img.close();
        }
        if (lbl != null) {
          lbl.close();
        }
        if (scratch != null) {
          AtomicFiles.deleteTree(scratch);
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      } finally {
        stream = null;
        img = null;
        lbl = null;
        scratch = null;
      }
    }
  }
}

package dev.landcover.geo;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.landcover.pixels.PixelWindow;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.Random;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Seeded mutations of small valid GeoTIFFs (written by GDAL, one per encoding family: see
 * fuzz_seeds.py): truncation at many offsets, byte flips in the header, the image directory and the
 * tag values, counts, offsets, sizes and block tables set out of range, byte flips in the
 * compressed data. For every mutant, {@link GeoTiffRaster#open} and a read of the whole raster must
 * within 5 s either refuse with a one-line {@link GeoTiffException} naming the file, or read values
 * that equal GDAL's reading of the same mutant (every sample, type, size and nodata). Anything else
 * (another exception, an error such as OutOfMemoryError, a hang, a difference from GDAL, a read of
 * a file GDAL cannot read) is a failure.
 *
 * <p>Runs for {@code -Dlandcover.fuzz.seconds} seconds of mutation (default 20; GDAL then reads
 * every mutant Landcover read, which takes about as long again) with seed {@code
 * -Dlandcover.fuzz.seed} (default 15), and prints the figures: mutants tried, read equal to GDAL,
 * refused, failures.
 */
class GeoTiffFuzzTest {
  private static final long PER_MUTANT_MILLIS = 5000;

  /** Mutants read and compared with GDAL at once; their pixels are dropped after the comparison. */
  private static final int COMPARED_AT_ONCE = 500;

  /**
   * Compares the pixels of {@code readable} with GDAL's reading of the same files, adds what
   * differs to {@code jpegGarbage} or {@code failures} (which name the files), deletes the files,
   * empties {@code readable} and returns how many were equal.
   */
  private static int compareWithGdal(
      List<Mutant> readable, List<String> jpegGarbage, List<String> failures) throws IOException {
    List<Gdal.Request> requests = new ArrayList<>();
    for (Mutant m : readable) {
      requests.add(new Gdal.Request(m.file()));
    }
    Map<Path, Gdal.Reference> refs = requests.isEmpty() ? Map.of() : Gdal.describe(requests);
    int equal = 0;
    for (Mutant m : readable) {
      String problem = compareWithGdal(m.reading(), refs.get(m.file()));
      if (problem == null) {
        equal++;
      } else if (m.how().startsWith("jpeg")
          && m.how().contains("data byte flips")
          && problem.startsWith("pixel")) {
        // Corrupt entropy-coded data that neither libjpeg reports: the JDK's libjpeg 6b and
        // GDAL's libjpeg-turbo decode it to different garbage. Counted and shown, not hidden.
        jpegGarbage.add(m.file().getFileName() + " (" + m.how() + "): " + problem);
      } else {
        failures.add(m.file().getFileName() + " (" + m.how() + "): " + problem);
      }
      Files.delete(m.file());
    }
    readable.clear();
    return equal;
  }

  private record Mutant(Path file, String how, Reading reading) {}

  /** What Landcover read: sizes, type, nodata and every sample (band, row, column). */
  private record Reading(
      int width, int height, int bands, String type, OptionalDouble noData, double[] samples) {}

  /** A mutant's outcome: a reading, or a refusal, or a problem. */
  private record Outcome(Reading reading, boolean refused, String problem) {}

  @Test
  void everyMutantIsRefusedInOneLineOrReadsLikeGdal(@TempDir Path dir) throws Exception {
    Path seeds = Files.createDirectories(dir.resolve("seeds"));
    List<Path> seedFiles = TiffMutator.writeSeeds(seeds);
    assertTrue(seedFiles.size() >= 7, "fuzz_seeds.py wrote " + seedFiles);
    for (Path seed : seedFiles) {
      GeoTiffRaster.open(seed).close(); // every seed is valid (and SIS's EPSG database is loaded)
    }
    long seconds = Long.getLong("landcover.fuzz.seconds", 20);
    Random random = new Random(Long.getLong("landcover.fuzz.seed", 15));
    Path mutants = Files.createDirectories(dir.resolve("mutants"));
    List<Mutant> readable = new ArrayList<>();
    List<String> failures = new ArrayList<>();
    List<String> jpegGarbage = new ArrayList<>();
    int equal = 0;
    int tried = 0;
    int refused = 0;
    ExecutorService executor =
        Executors.newSingleThreadExecutor(
            r -> {
              Thread t = new Thread(r, "fuzz-reader");
              t.setDaemon(true);
              return t;
            });
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    try {
      while (System.nanoTime() < end || tried < 2 * seedFiles.size()) {
        Path seed = seedFiles.get(tried % seedFiles.size());
        byte[] original = Files.readAllBytes(seed);
        StringBuilder how = new StringBuilder(seed.getFileName().toString());
        byte[] bytes = TiffMutator.mutate(original, random, how);
        Path file = mutants.resolve(String.format("m%05d.tif", tried));
        Files.write(file, bytes);
        tried++;
        Future<Outcome> future = executor.submit(() -> readAll(file));
        Outcome outcome;
        try {
          outcome = future.get(PER_MUTANT_MILLIS, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
          future.cancel(true);
          outcome = new Outcome(null, false, "no answer within " + PER_MUTANT_MILLIS + " ms");
          executor.shutdownNow();
          executor = Executors.newSingleThreadExecutor();
        } catch (ExecutionException e) {
          outcome = new Outcome(null, false, "raw " + e.getCause());
        }
        String problem = outcome.problem();
        if (outcome.reading() != null) {
          readable.add(new Mutant(file, how.toString(), outcome.reading()));
          if (readable.size() == COMPARED_AT_ONCE) {
            equal += compareWithGdal(readable, jpegGarbage, failures);
          }
        } else if (outcome.refused()) {
          refused++;
          Files.delete(file);
        } else {
          failures.add(file.getFileName() + " (" + how + "): " + problem);
        }
      }
    } finally {
      executor.shutdownNow();
    }
    equal += compareWithGdal(readable, jpegGarbage, failures);
    System.out.println(
        "Fuzzing: "
            + tried
            + " mutants of "
            + seedFiles.size()
            + " seeds in "
            + seconds
            + " s, read equal to GDAL: "
            + equal
            + ", refused: "
            + refused
            + ", corrupt JPEG data decoded without error by both and differently: "
            + jpegGarbage.size()
            + ", failures: "
            + failures.size());
    failures.forEach(f -> System.out.println("  " + f));
    jpegGarbage.forEach(f -> System.out.println("  corrupt JPEG: " + f));
    assertTrue(failures.isEmpty(), () -> failures.size() + " failures, first: " + failures.get(0));
    assertTrue(
        jpegGarbage.size() * 100 <= Math.max(100, tried),
        "corrupt JPEG data decoded differently in more than 1% of the mutants: " + jpegGarbage);
  }

  /** Opens and reads the whole file. */
  private static Outcome readAll(Path file) {
    try (GeoTiffRaster r = GeoTiffRaster.open(file)) {
      RasterWindow data = r.read(new PixelWindow(0, 0, r.width(), r.height()), r.allBands());
      double[] samples = new double[r.bandCount() * r.width() * r.height()];
      int i = 0;
      for (int b = 0; b < r.bandCount(); b++) {
        for (int y = 0; y < r.height(); y++) {
          for (int x = 0; x < r.width(); x++) {
            samples[i++] = data.sample(b, x, y);
          }
        }
      }
      Reading reading =
          new Reading(
              r.width(),
              r.height(),
              r.bandCount(),
              r.sampleType().gdalName(),
              r.noData(1),
              samples);
      return new Outcome(reading, false, null);
    } catch (GeoTiffException e) {
      String m = e.getMessage();
      boolean clean = m.startsWith(file.toString()) && !m.contains("\n") && m.length() < 1000;
      return new Outcome(
          null, clean, clean ? null : "refusal is not one line naming the file: " + m);
    } catch (RuntimeException | Error e) {
      return new Outcome(null, false, "raw " + e);
    }
  }

  private static String compareWithGdal(Reading r, Gdal.Reference ref) throws IOException {
    if (!ref.ok()) {
      return "read by Landcover but GDAL cannot read it (" + ref.error() + ")";
    }
    if (r.width() != ref.width() || r.height() != ref.height() || r.bands() != ref.bands()) {
      return "size "
          + r.width()
          + "x"
          + r.height()
          + "x"
          + r.bands()
          + " vs GDAL "
          + ref.width()
          + "x"
          + ref.height()
          + "x"
          + ref.bands();
    }
    String type = GeoTiffEncodingMatrixTest.WIDENED.getOrDefault(ref.dtype(), ref.dtype());
    if (!r.type().equals(type)) {
      return "type " + r.type() + " vs GDAL " + ref.dtype();
    }
    Double nd = ref.nodata(1);
    if ((nd == null) != r.noData().isEmpty()
        || (nd != null && Double.compare(nd, r.noData().getAsDouble()) != 0)) {
      return "nodata " + r.noData() + " vs GDAL " + nd;
    }
    double[] expected = ref.data(0);
    for (int i = 0; i < expected.length; i++) {
      double v = r.samples()[i];
      if (Double.compare(v, expected[i]) != 0 && v != expected[i]) {
        int plane = r.width() * r.height();
        return "pixel ("
            + (i % plane) % r.width()
            + ", "
            + (i % plane) / r.width()
            + ") band "
            + (i / plane + 1)
            + ": "
            + v
            + " vs GDAL "
            + expected[i];
      }
    }
    return null;
  }
}

package dev.landcover.geo;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.landcover.pixels.PixelWindow;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
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
import java.util.stream.Stream;
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

  private record Mutant(Path file, String how, Reading reading) {}

  /** What Landcover read: sizes, type, nodata and every sample (band, row, column). */
  private record Reading(
      int width, int height, int bands, String type, OptionalDouble noData, double[] samples) {}

  /** A mutant's outcome: a reading, or a refusal, or a problem. */
  private record Outcome(Reading reading, boolean refused, String problem) {}

  @Test
  void everyMutantIsRefusedInOneLineOrReadsLikeGdal(@TempDir Path dir) throws Exception {
    Path seeds = Files.createDirectories(dir.resolve("seeds"));
    Gdal.runScript(GeoTiffFuzzTest.class, "fuzz_seeds.py", seeds, seeds.toString());
    List<Path> seedFiles;
    try (Stream<Path> s = Files.list(seeds)) {
      seedFiles = s.filter(f -> f.toString().endsWith(".tif")).sorted().toList();
    }
    assertTrue(seedFiles.size() >= 7, "fuzz_seeds.py wrote " + seedFiles);
    for (Path seed : seedFiles) {
      GeoTiffRaster.open(seed).close(); // every seed is valid (and SIS's EPSG database is loaded)
    }
    long seconds = Long.getLong("landcover.fuzz.seconds", 20);
    Random random = new Random(Long.getLong("landcover.fuzz.seed", 15));
    Path mutants = Files.createDirectories(dir.resolve("mutants"));
    List<Mutant> readable = new ArrayList<>();
    List<String> failures = new ArrayList<>();
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
        byte[] bytes = mutate(original, random, how);
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
    int equal = 0;
    List<String> jpegGarbage = new ArrayList<>();
    List<Gdal.Request> requests = new ArrayList<>();
    for (Mutant m : readable) {
      requests.add(new Gdal.Request(m.file()));
    }
    Map<Path, Gdal.Reference> refs = Gdal.describe(requests);
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
    }
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

  /** One seeded mutation of {@code original}; {@code how} gets its description. */
  static byte[] mutate(byte[] original, Random random, StringBuilder how) {
    byte[] b = original.clone();
    Ifd ifd = Ifd.parse(b);
    int kind = random.nextInt(8);
    switch (kind) {
      case 0 -> {
        int at = random.nextInt(b.length);
        how.append(" truncated at ").append(at);
        return java.util.Arrays.copyOf(b, at);
      }
      case 1 -> {
        int n = 1 + random.nextInt(3);
        int limit = Math.max(16, Math.min(b.length, ifd.end));
        how.append(" header/IFD byte flips at");
        for (int i = 0; i < n; i++) {
          int at = random.nextInt(limit);
          b[at] ^= (byte) (1 << random.nextInt(8));
          how.append(' ').append(at);
        }
      }
      case 2, 3, 4 -> {
        // an entry's count (2), value or offset (3), or a value of an array tag (4) out of range
        int e = random.nextInt(ifd.entries);
        int entry = ifd.first + e * ifd.entrySize;
        int tag = ifd.u16(entry);
        long value = extreme(random, b.length);
        if (kind == 2) {
          how.append(" count of tag ").append(tag).append(" = ").append(value);
          ifd.putCount(entry, value);
        } else if (kind == 3 || ifd.valueAt(entry) < 0) {
          how.append(" value/offset of tag ").append(tag).append(" = ").append(value);
          ifd.putValue(entry, value);
        } else {
          long at = ifd.valueAt(entry);
          int unit = ifd.unit(entry);
          long count = Math.max(1, ifd.count(entry));
          long pos = at + unit * (long) random.nextInt((int) Math.min(count, 1 << 20));
          if (pos + unit <= b.length && unit > 0) {
            how.append(" value ").append(pos).append(" of tag ").append(tag);
            how.append(" = ").append(value);
            ifd.put(pos, unit, value);
          }
        }
      }
      case 5 -> {
        // image, tile or strip size
        int[] sizeTags = {256, 257, 322, 323, 278, 258, 277, 284};
        int tag = sizeTags[random.nextInt(sizeTags.length)];
        int entry = ifd.find(tag);
        if (entry >= 0) {
          long value = random.nextBoolean() ? extreme(random, 1 << 20) : random.nextInt(70000);
          how.append(" tag ").append(tag).append(" = ").append(value);
          if (ifd.unit(entry) == 2) {
            ifd.put(entry + (ifd.big ? 12 : 8), 2, value);
          } else {
            ifd.putValue(entry, value);
          }
        }
      }
      default -> {
        int n = 1 + random.nextInt(8);
        how.append(" data byte flips at");
        for (int i = 0; i < n; i++) {
          int at = random.nextInt(b.length);
          b[at] = (byte) random.nextInt(256);
          how.append(' ').append(at);
        }
      }
    }
    return b;
  }

  /** Values that break assumptions: 0, 1, near the file size, past it, the largest ones. */
  private static long extreme(Random random, long size) {
    long[] v = {
      0,
      1,
      2,
      size - 1,
      size,
      size + 1,
      0x7FFF,
      0xFFFF,
      0x7FFFFFFFL,
      0xFFFFFFFFL,
      0x10000,
      1L << 30,
      size / 2,
      random.nextInt(1 << 24)
    };
    return v[random.nextInt(v.length)];
  }

  /** The first image directory's layout, for targeted mutations (classic TIFF and BigTIFF). */
  private static final class Ifd {
    final ByteBuffer buf;
    final boolean big;
    final int first;
    final int entries;
    final int entrySize;
    final int end;

    private Ifd(ByteBuffer buf, boolean big, int first, int entries) {
      this.buf = buf;
      this.big = big;
      this.first = first;
      this.entries = entries;
      this.entrySize = big ? 20 : 12;
      this.end = first + entries * entrySize + (big ? 8 : 4);
    }

    static Ifd parse(byte[] b) {
      ByteBuffer buf =
          ByteBuffer.wrap(b).order(b[0] == 'I' ? ByteOrder.LITTLE_ENDIAN : ByteOrder.BIG_ENDIAN);
      boolean big = buf.getShort(2) == 43;
      int ifd = big ? (int) buf.getLong(8) : buf.getInt(4);
      int n = big ? (int) buf.getLong(ifd) : buf.getShort(ifd) & 0xFFFF;
      return new Ifd(buf, big, ifd + (big ? 8 : 2), n);
    }

    int u16(int at) {
      return buf.getShort(at) & 0xFFFF;
    }

    int find(int tag) {
      for (int i = 0; i < entries; i++) {
        if (u16(first + i * entrySize) == tag) {
          return first + i * entrySize;
        }
      }
      return -1;
    }

    int unit(int entry) {
      return switch (u16(entry + 2)) {
        case 1, 2, 6, 7 -> 1;
        case 3, 8 -> 2;
        case 4, 9, 11, 13 -> 4;
        case 5, 10, 12, 16, 17, 18 -> 8;
        default -> 0;
      };
    }

    long count(int entry) {
      return big ? buf.getLong(entry + 4) : buf.getInt(entry + 4) & 0xFFFFFFFFL;
    }

    /** Where the entry's values are stored when not inline, or -1. */
    long valueAt(int entry) {
      long bytes = count(entry) * unit(entry);
      if (bytes <= (big ? 8 : 4)) {
        return -1;
      }
      return big ? buf.getLong(entry + 12) : buf.getInt(entry + 8) & 0xFFFFFFFFL;
    }

    void putCount(int entry, long value) {
      if (big) {
        buf.putLong(entry + 4, value);
      } else {
        buf.putInt(entry + 4, (int) value);
      }
    }

    void putValue(int entry, long value) {
      if (big) {
        buf.putLong(entry + 12, value);
      } else {
        buf.putInt(entry + 8, (int) value);
      }
    }

    void put(long pos, int unit, long value) {
      switch (unit) {
        case 1 -> buf.put((int) pos, (byte) value);
        case 2 -> buf.putShort((int) pos, (short) value);
        case 4 -> buf.putInt((int) pos, (int) value);
        default -> buf.putLong((int) pos, value);
      }
    }
  }
}

package dev.landcover.vectors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.landcover.geo.ChildJvm;
import dev.landcover.geo.GeoTiffRaster;
import dev.landcover.geo.GeoTiffWriter;
import dev.landcover.geo.GeoTransform;
import dev.landcover.geo.RasterGrid;
import dev.landcover.geo.RasterWindow;
import dev.landcover.geo.SampleType;
import dev.landcover.pixels.InvalidInputException;
import dev.landcover.pixels.PixelWindow;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The raster sieve ({@link Vectorizer#sieve}, also behind {@code vectorize --sieve/--min-area}),
 * which streams the map and keeps each pixel's patch in a temporary file: its output equals, with
 * 4- and with 8-connectivity, an independent whole-array sieve written here (union-find over every
 * pixel, neighbour sets per patch), it runs in a small heap on a map with a million provisional
 * labels, and the temporary file is gone after a failed run.
 */
class SieveTest {
  @TempDir Path dir;

  /** A class map as a function of the pixel (column, row); -1 for nodata (written as 0). */
  private interface ClassMap {
    int classAt(int x, int y);
  }

  @Test
  void sieveEqualsAWholeArraySieveOnRandomMaps() throws IOException {
    int[][] sizes = {{1, 1}, {1, 97}, {83, 1}, {61, 47}, {300, 211}};
    for (int[] size : sizes) {
      for (int seed = 1; seed <= 3; seed++) {
        int w = size[0];
        int h = size[1];
        int[] classes = noise(w, h, seed);
        Path map =
            write(
                dir.resolve("noise-" + w + "x" + h + "-" + seed + ".tif"),
                w,
                h,
                (x, y) -> classes[y * w + x]);
        for (int connectivity : new int[] {4, 8}) {
          for (int minPixels : new int[] {1, 2, 5, 30, 400}) {
            Path out = dir.resolve("sieved.tif");
            Files.deleteIfExists(out);
            long merged = Vectorizer.sieve(map, minPixels, out, null, connectivity);
            Reference expected = new Reference(w, h, classes, minPixels, connectivity == 8);
            String what =
                w + "x" + h + " seed " + seed + " --sieve " + minPixels + " -" + connectivity;
            assertArrayEquals(expected.classes(), read(out, w, h), what);
            assertEquals(expected.merged, merged, what);
          }
        }
      }
    }
  }

  /**
   * Blobs of random classes: pixels take their left or upper neighbour's class with high
   * probability (patches of all sizes, with holes and concavities), and some are nodata.
   */
  private static int[] noise(int w, int h, long seed) {
    Random random = new Random(seed);
    int[] c = new int[w * h];
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        double u = random.nextDouble();
        int v;
        if (u < 0.35 && x > 0) {
          v = c[y * w + x - 1];
        } else if (u < 0.7 && y > 0) {
          v = c[(y - 1) * w + x];
        } else if (u < 0.73) {
          v = -1;
        } else {
          v = 1 + random.nextInt(5);
        }
        c[y * w + x] = v;
      }
    }
    return c;
  }

  /**
   * A million provisional labels (diagonal bands two pixels wide: every run of pixels starts a
   * label joined later), about 10,000 patches: sieved in a child JVM with a 40 MiB heap, equal to
   * the whole-array sieve. A label table for the whole scene (as before the labels went to a
   * temporary file) does not fit.
   */
  @Test
  void fragmentedMapSievesInASmallHeap() throws Exception {
    int w = 512;
    int h = 4096;
    ClassMap bands = (x, y) -> y % 128 == 127 ? 3 : (x + y) % 4 < 2 ? 2 : 1;
    Path map = write(dir.resolve("bands.tif"), w, h, bands);
    Path out = dir.resolve("bands-sieved.tif");
    Process process =
        ChildJvm.builder(Child.class, List.of("-Xmx40m"), map.toString(), "200", out.toString())
            .redirectErrorStream(true)
            .start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(process.waitFor(5, TimeUnit.MINUTES), "sieve in -Xmx40m did not end");
    assertEquals(0, process.exitValue(), "sieve in -Xmx40m failed:\n" + output);
    int[] classes = new int[w * h];
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        classes[y * w + x] = bands.classAt(x, y);
      }
    }
    Reference expected = new Reference(w, h, classes, 200, false);
    assertTrue(expected.merged > 1000, "merged " + expected.merged);
    assertEquals("merged=" + expected.merged, output.strip().lines().reduce((a, b) -> b).get());
    assertArrayEquals(expected.classes(), read(out, w, h));
  }

  /** The child JVM: sieves args[0] with args[1] pixels to args[2] and prints the merged count. */
  static final class Child {
    public static void main(String[] args) throws IOException {
      long merged =
          Vectorizer.sieve(Path.of(args[0]), Long.parseLong(args[1]), Path.of(args[2]), null);
      System.out.println("merged=" + merged);
    }
  }

  /**
   * A map that fails while it is read (a negative class in its last row): the sieve and the sieving
   * vectorize fail with the pixel named, and leave the output folder as they found it (no output,
   * no temporary label file).
   */
  @Test
  void failedRunLeavesNoTemporaryFile() throws IOException {
    int w = 300;
    int h = 600;
    Path input = Files.createDirectories(dir.resolve("in"));
    Path map =
        write(
            input.resolve("bad.tif"),
            w,
            h,
            SampleType.INT16,
            (x, y) -> y == h - 1 && x == 7 ? -5 : (x / 3 + y / 5) % 4);
    Path folder = Files.createDirectories(dir.resolve("out"));
    Path out = folder.resolve("sieved.tif");
    InvalidInputException e =
        assertThrows(InvalidInputException.class, () -> Vectorizer.sieve(map, 20, out, null));
    assertTrue(e.getMessage().contains("pixel (7, 599) holds -5"), e.getMessage());
    assertEquals(List.of(), list(folder));
    Path gpkg = folder.resolve("sieved.gpkg");
    assertThrows(
        InvalidInputException.class,
        () -> Vectorizer.vectorize(new VectorizeRequest(map, gpkg, 0, 20, 0, null, false)));
    assertEquals(List.of(), list(folder));
    assertEquals(List.of("bad.tif"), list(input));

    // And a run that succeeds leaves the output only.
    Path good = write(input.resolve("good.tif"), w, h, (x, y) -> (x / 3 + y / 5) % 4);
    assertTrue(Vectorizer.sieve(good, 20, out, null) > 0);
    assertEquals(List.of("sieved.tif"), list(folder));
  }

  private static List<String> list(Path folder) throws IOException {
    try (Stream<Path> files = Files.list(folder)) {
      return files.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  private static Path write(Path file, int w, int h, ClassMap m) throws IOException {
    return write(file, w, h, SampleType.UINT8, m);
  }

  private static Path write(Path file, int w, int h, SampleType type, ClassMap m)
      throws IOException {
    RasterGrid grid =
        RasterGrid.ofEpsg(w, h, new GeoTransform(500000, 10, 0, 5200000, 0, -10), 32633);
    GeoTiffWriter.forGrid(grid, type, 1)
        .noData(0)
        .write(
            file,
            (tile, target) -> {
              for (int y = 0; y < tile.height(); y++) {
                for (int x = 0; x < tile.width(); x++) {
                  int gx = tile.x() + x;
                  int gy = tile.y() + y;
                  int v = gx < w && gy < h ? m.classAt(gx, gy) : 0;
                  target.setSample(x, y, 0, v < 0 && type == SampleType.UINT8 ? 0 : v);
                }
              }
            });
    return file;
  }

  /** The sieved map's classes, 0 for nodata. */
  private static int[] read(Path file, int w, int h) throws IOException {
    try (GeoTiffRaster raster = GeoTiffRaster.open(file)) {
      assertEquals(0.0, raster.noData(1).getAsDouble());
      RasterWindow window = raster.read(new PixelWindow(0, 0, w, h), 1);
      return window.raster().getSamples(0, 0, w, h, 0, (int[]) null);
    }
  }

  /**
   * The sieve's rule applied to the whole array at once: patches by union-find over every pixel,
   * numbered by their first pixel in row-major order; the patches smaller than {@code minPixels},
   * smallest first (ties by number), each merged into its largest neighbouring patch (ties to the
   * smaller number), joining with it the neighbours of the same class it then touches; neighbours
   * kept as sets of patch numbers, merged with the patches. With {@code diagonals} (8-connectivity)
   * pixels touching at a corner are of one patch when of one class, and neighbours when not.
   */
  private static final class Reference {
    private final int[] patchOfPixel;
    private final int[] patchClass;
    private final int[] group;

    /** How many patches were merged into another. */
    final long merged;

    Reference(int w, int h, int[] classes, long minPixels, boolean diagonals) {
      int n = w * h;
      int[] parent = new int[n];
      for (int i = 0; i < n; i++) {
        parent[i] = i;
      }
      for (int y = 0; y < h; y++) {
        for (int x = 0; x < w; x++) {
          int i = y * w + x;
          if (classes[i] <= 0) {
            continue;
          }
          if (x > 0 && classes[i - 1] == classes[i]) {
            join(parent, i, i - 1);
          }
          if (y > 0 && classes[i - w] == classes[i]) {
            join(parent, i, i - w);
          }
          if (diagonals && y > 0 && x > 0 && classes[i - w - 1] == classes[i]) {
            join(parent, i, i - w - 1);
          }
          if (diagonals && y > 0 && x + 1 < w && classes[i - w + 1] == classes[i]) {
            join(parent, i, i - w + 1);
          }
        }
      }
      // Roots are the smallest pixel of their patch: number them in pixel order.
      patchOfPixel = new int[n];
      int[] number = new int[n];
      int patches = 0;
      for (int i = 0; i < n; i++) {
        if (classes[i] > 0 && find(parent, i) == i) {
          number[i] = patches++;
        }
      }
      patchClass = new int[patches];
      long[] area = new long[patches];
      List<Set<Integer>> neighbours = new ArrayList<>();
      for (int p = 0; p < patches; p++) {
        neighbours.add(new HashSet<>());
      }
      for (int i = 0; i < n; i++) {
        patchOfPixel[i] = classes[i] > 0 ? number[find(parent, i)] : -1;
      }
      for (int y = 0; y < h; y++) {
        for (int x = 0; x < w; x++) {
          int i = y * w + x;
          int p = patchOfPixel[i];
          if (p < 0) {
            continue;
          }
          patchClass[p] = classes[i];
          area[p]++;
          if (x > 0 && patchOfPixel[i - 1] >= 0 && patchOfPixel[i - 1] != p) {
            neighbours.get(p).add(patchOfPixel[i - 1]);
            neighbours.get(patchOfPixel[i - 1]).add(p);
          }
          if (y > 0 && patchOfPixel[i - w] >= 0 && patchOfPixel[i - w] != p) {
            neighbours.get(p).add(patchOfPixel[i - w]);
            neighbours.get(patchOfPixel[i - w]).add(p);
          }
          if (diagonals && y > 0) {
            for (int dx = -1; dx <= 1; dx += 2) {
              int j = i - w + dx;
              if (x + dx >= 0 && x + dx < w && patchOfPixel[j] >= 0 && patchOfPixel[j] != p) {
                neighbours.get(p).add(patchOfPixel[j]);
                neighbours.get(patchOfPixel[j]).add(p);
              }
            }
          }
        }
      }
      group = new int[patches];
      for (int p = 0; p < patches; p++) {
        group[p] = p;
      }
      List<Integer> small = new ArrayList<>();
      for (int p = 0; p < patches; p++) {
        if (area[p] < minPixels) {
          small.add(p);
        }
      }
      small.sort((a, b) -> area[a] != area[b] ? Long.compare(area[a], area[b]) : a - b);
      long count = 0;
      for (int s : small) {
        if (find(group, s) != s || area[s] >= minPixels) {
          continue;
        }
        int best = -1;
        for (int q : neighbours.get(s)) {
          int r = find(group, q);
          if (r != s && (best < 0 || area[r] > area[best] || (area[r] == area[best] && r < best))) {
            best = r;
          }
        }
        if (best < 0) {
          continue;
        }
        // Join s, then every neighbour of the grown patch of best's class, until none is left.
        List<Integer> todo = new ArrayList<>(List.of(s));
        while (!todo.isEmpty()) {
          int m = find(group, todo.remove(todo.size() - 1));
          if (m == best) {
            continue;
          }
          group[m] = best;
          count++;
          area[best] += area[m];
          neighbours.get(best).addAll(neighbours.get(m));
          for (int q : neighbours.get(m)) {
            int r = find(group, q);
            if (r != best && patchClass[r] == patchClass[best]) {
              todo.add(r);
            }
          }
          neighbours.get(m).clear();
        }
      }
      merged = count;
    }

    /** The sieved classes, 0 for nodata. */
    int[] classes() {
      int[] out = new int[patchOfPixel.length];
      for (int i = 0; i < out.length; i++) {
        int p = patchOfPixel[i];
        out[i] = p < 0 ? 0 : patchClass[find(group, p)];
      }
      return out;
    }
  }

  private static int find(int[] parent, int i) {
    while (parent[i] != i) {
      parent[i] = parent[parent[i]];
      i = parent[i];
    }
    return i;
  }

  private static void join(int[] parent, int a, int b) {
    int ra = find(parent, a);
    int rb = find(parent, b);
    if (ra != rb) {
      parent[Math.max(ra, rb)] = Math.min(ra, rb);
    }
  }
}

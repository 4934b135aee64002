package dev.landcover.vectors;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.landcover.geo.ChildJvm;
import dev.landcover.geo.GeoTiffWriter;
import dev.landcover.geo.GeoTransform;
import dev.landcover.geo.RasterGrid;
import dev.landcover.pixels.LandcoverClass;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Memory does not grow with the scene, checked in a child JVM with a 40 MiB heap:
 *
 * <ul>
 *   <li>a tall fragmented map (every run of pixels starts a provisional patch label that is joined
 *       later: about one label per 2 pixels, a million in all), which a label table held for the
 *       whole scene does not fit in;
 *   <li>two interleaved combs whose patches span every row (their outlines stay open until the last
 *       row: two million pixel edges, which edges held one by one do not fit in; held as vertices
 *       where the direction changes, a few thousand).
 * </ul>
 *
 * The polygons are checked against the map: per-class pixel counts and areas, and the number of
 * 4-connected patches counted here by an independent union-find over the whole array.
 */
class VectorizerMemoryTest {
  private static final int WIDTH = 512;
  private static final int HEIGHT = 4096;
  private static final String HEAP = "-Xmx40m";

  @TempDir Path dir;

  /**
   * Diagonal bands two pixels wide of classes 1 and 2 (each run starts under a pixel of the other
   * class, then meets its band above), cut every 128 rows by a row of class 3.
   */
  private static int bands(int x, int y) {
    if (y % 128 == 127) {
      return 3;
    }
    return (x + y) % 4 < 2 ? 2 : 1;
  }

  /**
   * Two combs: class 1 hangs from its bar on the last row, class 2 from its bar on the first row;
   * teeth two pixels wide that step one pixel right every 64 rows (each step overlaps the tooth
   * above by one pixel, so every tooth stays one 4-connected run of rows).
   */
  private static int combs(int x, int y) {
    if (y == HEIGHT - 1) {
      return 1;
    }
    if (y == 0) {
      return 2;
    }
    return (x + y / 64) % 4 < 2 ? 1 : 2;
  }

  @Test
  void tallFragmentedMapVectorizesInASmallHeap() throws Exception {
    vectorizesInASmallHeap(VectorizerMemoryTest::bands);
  }

  @Test
  void sceneSpanningPatchesVectorizeInASmallHeap() throws Exception {
    vectorizesInASmallHeap(VectorizerMemoryTest::combs);
  }

  /** A class map as a function of the pixel (column, row). */
  private interface ClassMap {
    int classAt(int x, int y);
  }

  private void vectorizesInASmallHeap(ClassMap m) throws Exception {
    RasterGrid grid =
        RasterGrid.ofEpsg(WIDTH, HEIGHT, new GeoTransform(500000, 10, 0, 5200000, 0, -10), 32633);
    List<LandcoverClass> classes =
        List.of(
            new LandcoverClass(1, "water", 0, 0, 255),
            new LandcoverClass(2, "forest", 0, 128, 0),
            new LandcoverClass(3, "built", 200, 0, 0));
    Path map = dir.resolve("bands.tif");
    GeoTiffWriter.classMap(grid, classes)
        .noData(0)
        .write(
            map,
            (tile, target) -> {
              for (int y = 0; y < tile.height(); y++) {
                for (int x = 0; x < tile.width(); x++) {
                  int gx = tile.x() + x;
                  int gy = tile.y() + y;
                  target.setSample(x, y, 0, gx < WIDTH && gy < HEIGHT ? m.classAt(gx, gy) : 0);
                }
              }
            });
    Path out = dir.resolve("bands.gpkg");
    Process process =
        ChildJvm.builder(Child.class, List.of(HEAP), map.toString(), out.toString())
            .redirectErrorStream(true)
            .start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    process.waitFor(5, TimeUnit.MINUTES);
    assertEquals(0, process.exitValue(), "vectorize with " + HEAP + " failed:\n" + output);

    Map<Integer, Long> pixels = new TreeMap<>();
    for (int y = 0; y < HEIGHT; y++) {
      for (int x = 0; x < WIDTH; x++) {
        pixels.merge(m.classAt(x, y), 1L, Long::sum);
      }
    }
    String expected = "polygons=" + patchCount(m) + " pixels=" + pixels;
    String[] lines = output.strip().split("\n");
    assertEquals(expected, lines[lines.length - 2]);
    String[] areas = lines[lines.length - 1].split(" ");
    assertEquals(pixels.size(), areas.length, lines[lines.length - 1]);
    for (String area : areas) {
      String[] classAndArea = area.split("=");
      long n = pixels.get(Integer.parseInt(classAndArea[0]));
      assertEquals(n * 100.0, Double.parseDouble(classAndArea[1]), n * 100.0 * 1e-9, area);
    }
    System.out.println("vectorized in " + HEAP + ": " + expected);
  }

  /** 4-connected patches of the whole map, by union-find over every pixel. */
  private static int patchCount(ClassMap m) {
    int[] parent = new int[WIDTH * HEIGHT];
    for (int i = 0; i < parent.length; i++) {
      parent[i] = i;
    }
    for (int y = 0; y < HEIGHT; y++) {
      for (int x = 0; x < WIDTH; x++) {
        int c = m.classAt(x, y);
        if (x > 0 && m.classAt(x - 1, y) == c) {
          join(parent, y * WIDTH + x, y * WIDTH + x - 1);
        }
        if (y > 0 && m.classAt(x, y - 1) == c) {
          join(parent, y * WIDTH + x, (y - 1) * WIDTH + x);
        }
      }
    }
    int roots = 0;
    for (int i = 0; i < parent.length; i++) {
      if (find(parent, i) == i) {
        roots++;
      }
    }
    return roots;
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

  /** The child JVM: vectorizes args[0] to args[1] and prints the result's figures. */
  static final class Child {
    public static void main(String[] args) throws IOException {
      Vectorizer.Result result =
          Vectorizer.vectorize(VectorizeRequest.of(Path.of(args[0]), Path.of(args[1])));
      System.out.println("polygons=" + result.polygons() + " pixels=" + result.pixelsPerClass());
      StringBuilder areas = new StringBuilder();
      result.areaPerClass().forEach((c, a) -> areas.append(c).append('=').append(a).append(' '));
      System.out.println(areas.toString().strip());
    }
  }
}

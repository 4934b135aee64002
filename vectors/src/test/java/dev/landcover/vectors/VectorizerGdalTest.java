package dev.landcover.vectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.landcover.geo.Gdal;
import dev.landcover.geo.GeoTiffWriter;
import dev.landcover.geo.GeoTransform;
import dev.landcover.geo.RasterGrid;
import dev.landcover.pixels.LandcoverClass;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Polygons against GDAL: per class, the polygons Landcover writes have the count and area of {@code
 * gdal_polygonize.py}'s (4-connected) of the same map and the area of the raster's pixels; OGR
 * opens the file ({@code ogrinfo -al -so}), finds the map's CRS ({@code IsSame}) and no invalid
 * polygon.
 */
class VectorizerGdalTest {
  @TempDir Path dir;

  private JsonNode check(Path map, Path vector, boolean coverage) throws IOException {
    return check(map, vector, coverage, 4);
  }

  /** Runs check_polygons.py, against gdal_polygonize with this connectivity. */
  private JsonNode check(Path map, Path vector, boolean coverage, int connectivity)
      throws IOException {
    List<String> args = new ArrayList<>(List.of(map.toString(), vector.toString()));
    if (coverage) {
      args.add("coverage");
    }
    if (connectivity == 8) {
      args.add("8");
    }
    String out =
        Gdal.runScript(
            VectorizerGdalTest.class, "check_polygons.py", dir, args.toArray(new String[0]));
    String[] lines = out.strip().split("\n");
    JsonNode node = new ObjectMapper().readTree(lines[lines.length - 1]);
    assertTrue(node.get("ogrinfo").asBoolean(), "ogrinfo -al -so failed on " + vector);
    assertTrue(node.get("sameCrs").asBoolean(), "CRS differs from the map's: " + vector);
    assertEquals(0, node.get("invalid").asInt(), "invalid polygons in " + vector);
    return node;
  }

  /**
   * Per class: our count and area equal GDAL polygonize's, our area equals the raster's; every one
   * of our polygons is topologically equal to one of GDAL's.
   */
  private static void assertSameAsPolygonize(JsonNode node, String what) {
    JsonNode ref = node.get("reference");
    JsonNode ours = node.get("ours");
    assertEquals(ref.size(), ours.size(), what + ": classes " + ref + " vs " + ours);
    long polygons = 0;
    for (Iterator<String> it = ref.fieldNames(); it.hasNext(); ) {
      String c = it.next();
      JsonNode r = ref.get(c);
      JsonNode o = ours.get(c);
      assertEquals(r.get("count").asLong(), o.get("count").asLong(), what + " class " + c);
      double area = node.get("raster").get(c).asDouble();
      assertEquals(r.get("area").asDouble(), o.get("area").asDouble(), area * 1e-9, what + " " + c);
      assertEquals(area, o.get("area").asDouble(), area * 1e-9, what + " class " + c);
      polygons += o.get("count").asLong();
    }
    assertEquals(polygons, node.get("equal").asLong(), what + ": polygons equal to GDAL's");
    System.out.println(what + ": " + polygons + " polygons, per class equal to gdal_polygonize");
  }

  @Test
  void zionLabelsGiveGdalPolygonizesPolygons() throws IOException {
    Path map = Gdal.sharedData().resolve("labels/nlcd2011-zion-8class.tif");
    Path out = dir.resolve("zion.gpkg");
    Vectorizer.Result result = Vectorizer.vectorize(VectorizeRequest.of(map, out));
    JsonNode node = check(map, out, false);
    assertSameAsPolygonize(node, "zion");
    assertEquals("Polygon", node.get("geometryType").asText());
    long total = 0;
    for (JsonNode c : node.get("ours")) {
      total += c.get("count").asLong();
    }
    assertEquals(total, result.polygons());
  }

  /**
   * A noisy synthetic map with nodata holes: many patches touching at corners (4-connectivity),
   * patches inside patches; class names from the map's .aux.xml; GeoJSON output.
   */
  @Test
  void cornerTouchingPatchesAndNodataAsGeoJson() throws IOException {
    int width = 180;
    int height = 130;
    RasterGrid grid =
        RasterGrid.ofEpsg(width, height, new GeoTransform(500000, 10, 0, 5200000, 0, -10), 32633);
    List<LandcoverClass> classes =
        List.of(
            new LandcoverClass(1, "water", 0, 0, 255),
            new LandcoverClass(2, "forest", 0, 128, 0),
            new LandcoverClass(3, "built", 200, 0, 0));
    Random random = new Random(7);
    int[] pixels = new int[width * height];
    for (int y = 0; y < height; y++) {
      for (int x = 0; x < width; x++) {
        int base = ((x / 23) + (y / 17)) % 3 + 1;
        pixels[y * width + x] = random.nextInt(5) == 0 ? random.nextInt(4) : base;
      }
    }
    Path map = dir.resolve("noisy.tif");
    GeoTiffWriter.classMap(grid, classes)
        .noData(0)
        .write(
            map,
            (tile, target) -> {
              for (int y = 0; y < tile.height(); y++) {
                for (int x = 0; x < tile.width(); x++) {
                  int gx = tile.x() + x;
                  int gy = tile.y() + y;
                  target.setSample(
                      x, y, 0, gx < width && gy < height ? pixels[gy * width + gx] : 0);
                }
              }
            });
    Path out = dir.resolve("noisy.geojson");
    Vectorizer.vectorize(VectorizeRequest.of(map, out));
    JsonNode node = check(map, out, false);
    assertSameAsPolygonize(node, "noisy");
    assertEquals("forest", node.get("names").get("2").asText());
  }

  /**
   * --sieve: the polygons equal gdal_polygonize of the sieved map Landcover writes, and none is
   * smaller than the threshold; --simplify: valid polygons that still tile the scene (the union has
   * the scene's area, one part, no hole, and equals the sum of the areas: no gap, no overlap).
   */
  @Test
  void sievedAndSimplifiedPolygonsStayACoverage() throws IOException {
    Path map = Gdal.sharedData().resolve("labels/nlcd2011-zion-8class.tif");
    Path sieved = dir.resolve("sieved.tif");
    long merged = Vectorizer.sieve(map, 20, sieved, null);
    assertTrue(merged > 0);
    Path out = dir.resolve("sieved.gpkg");
    Vectorizer.vectorize(new VectorizeRequest(map, out, 0, 20, 0, null, true));
    JsonNode node = check(sieved, out, false);
    assertSameAsPolygonize(node, "sieved 20 px");
    assertTrue(node.get("smallest").asDouble() >= 20 * 900, "smallest " + node.get("smallest"));

    Path minArea = dir.resolve("min-area.gpkg");
    Vectorizer.vectorize(new VectorizeRequest(map, minArea, 18000, 0, 0, null, true));
    assertSameAsPolygonize(check(sieved, minArea, false), "--min-area 18000 m2");

    Path simplified = dir.resolve("simplified.gpkg");
    Vectorizer.vectorize(new VectorizeRequest(map, simplified, 0, 20, 45, null, true));
    JsonNode cover = check(sieved, simplified, true);
    double scene = 1128.0 * 1428 * 900;
    assertEquals(scene, cover.get("unionArea").asDouble(), scene * 1e-9);
    assertEquals(scene, cover.get("sumArea").asDouble(), scene * 1e-9);
    assertEquals(1, cover.get("unionParts").asInt());
    assertEquals(0, cover.get("unionHoles").asInt());
    System.out.println(
        "simplified: union " + cover.get("unionArea") + " m2, sum " + cover.get("sumArea"));
  }

  private Path writeMap(String name, int width, int height, int[] pixels, Integer noData)
      throws IOException {
    RasterGrid grid =
        RasterGrid.ofEpsg(width, height, new GeoTransform(500000, 10, 0, 5200000, 0, -10), 32633);
    List<LandcoverClass> classes =
        List.of(
            new LandcoverClass(1, "water", 0, 0, 255),
            new LandcoverClass(2, "forest", 0, 128, 0),
            new LandcoverClass(3, "built", 200, 0, 0));
    Path map = dir.resolve(name);
    GeoTiffWriter writer = GeoTiffWriter.classMap(grid, classes);
    if (noData != null) {
      writer.noData(noData);
    }
    writer.write(
        map,
        (tile, target) -> {
          for (int y = 0; y < tile.height(); y++) {
            for (int x = 0; x < tile.width(); x++) {
              int gx = tile.x() + x;
              int gy = tile.y() + y;
              target.setSample(x, y, 0, gx < width && gy < height ? pixels[gy * width + gx] : 0);
            }
          }
        });
    return map;
  }

  /**
   * --connectivity 8 on a map made of corner contacts: pixel pairs touching at a corner only, a
   * diamond of four pixels around a fifth (GDAL writes it as a shell whose hole touches it at four
   * points, "interior is disconnected"), an L touching itself; the patch counts of the two
   * connectivities are known, and each equals GDAL's with its connectivity, polygon by polygon.
   */
  @Test
  void diagonalContactsJoinWithEightConnectivity() throws IOException {
    int[] pixels = {
      1, 3, 3, 3, 3, 3, 3, 1,
      3, 1, 3, 2, 3, 3, 1, 3,
      3, 3, 2, 3, 2, 3, 3, 3,
      3, 3, 3, 2, 3, 3, 1, 1,
      1, 1, 3, 3, 3, 1, 3, 1,
      3, 1, 1, 3, 1, 3, 3, 1,
      3, 3, 1, 3, 3, 3, 1, 3,
      2, 3, 3, 1, 3, 2, 3, 2
    };
    Path map = writeMap("corners.tif", 8, 8, pixels, null);
    Path four = dir.resolve("four.gpkg");
    Path eight = dir.resolve("eight.gpkg");
    Vectorizer.Result r4 = Vectorizer.vectorize(VectorizeRequest.of(map, four));
    Vectorizer.Result r8 =
        Vectorizer.vectorize(new VectorizeRequest(map, eight, 0, 0, 0, null, true, 8));
    JsonNode n4 = check(map, four, false, 4);
    JsonNode n8 = check(map, eight, false, 8);
    assertSameAsPolygonize(n4, "corners, 4-connected");
    assertSameAsPolygonize(n8, "corners, 8-connected");
    assertEquals("Multi Polygon", n8.get("geometryType").asText());
    // Patches per class, 4- then 8-connected (as scipy.ndimage.label counts them): class 1 10 and
    // 4, class 2 (the diamond and three single pixels) 7 and 4, class 3 5 and 1.
    int[][] expected = {{1, 10, 4}, {2, 7, 4}, {3, 5, 1}};
    for (int[] e : expected) {
      String c = String.valueOf(e[0]);
      assertEquals(e[1], n4.get("ours").get(c).get("count").asInt(), "4-connected, class " + c);
      assertEquals(e[2], n8.get("ours").get(c).get("count").asInt(), "8-connected, class " + c);
    }
    assertTrue(r8.polygons() < r4.polygons(), r8.polygons() + " vs " + r4.polygons());
    // The comparison can fail: 4-connected polygons are not GDAL's 8-connected ones.
    JsonNode crossed = check(map, four, false, 8);
    assertTrue(crossed.get("equal").asInt() < r4.polygons(), crossed.get("equal").toString());
  }

  /**
   * --connectivity 8 on real labels and on noise with nodata (GeoJSON): per class GDAL's -8 counts
   * and areas, every polygon equal to one of GDAL's, none invalid.
   */
  @Test
  void eightConnectedPolygonsEqualGdalPolygonizeMinus8() throws IOException {
    Path zion = Gdal.sharedData().resolve("labels/nlcd2011-zion-8class.tif");
    Path out = dir.resolve("zion8.gpkg");
    Vectorizer.Result result =
        Vectorizer.vectorize(new VectorizeRequest(zion, out, 0, 0, 0, null, true, 8));
    JsonNode node = check(zion, out, false, 8);
    assertSameAsPolygonize(node, "zion -8");
    assertEquals("Multi Polygon", node.get("geometryType").asText());
    assertEquals(node.get("equal").asInt(), result.polygons());

    int width = 150;
    int height = 110;
    Random random = new Random(11);
    int[] pixels = new int[width * height];
    for (int i = 0; i < pixels.length; i++) {
      int x = i % width;
      int y = i / width;
      pixels[i] = random.nextInt(4) == 0 ? random.nextInt(4) : ((x / 19) + (y / 13)) % 3 + 1;
    }
    Path noisy = writeMap("noisy8.tif", width, height, pixels, 0);
    Path json = dir.resolve("noisy8.geojson");
    Vectorizer.vectorize(new VectorizeRequest(noisy, json, 0, 0, 0, null, true, 8));
    assertSameAsPolygonize(check(noisy, json, false, 8), "noisy -8");
  }

  /**
   * The sieve with 8-connectivity: the polygons equal gdal_polygonize -8 of the map {@code sieve}
   * writes with it, none smaller than the threshold; a line of pixels touching at corners survives
   * a sieve that removes it with 4-connectivity, as with gdal_sieve.py -8 and -4; and the
   * simplified 8-connected polygons still tile the scene.
   */
  @Test
  void eightConnectedSieve() throws IOException {
    Path zion = Gdal.sharedData().resolve("labels/nlcd2011-zion-8class.tif");
    Path sieved = dir.resolve("sieved8.tif");
    assertTrue(Vectorizer.sieve(zion, 20, sieved, null, 8) > 0);
    Path out = dir.resolve("sieved8.gpkg");
    Vectorizer.vectorize(new VectorizeRequest(zion, out, 0, 20, 0, null, true, 8));
    JsonNode node = check(sieved, out, false, 8);
    assertSameAsPolygonize(node, "sieved 20 px, -8");
    assertTrue(node.get("smallest").asDouble() >= 20 * 900, "smallest " + node.get("smallest"));

    Path simplified = dir.resolve("simplified8.gpkg");
    Vectorizer.vectorize(new VectorizeRequest(zion, simplified, 0, 20, 45, null, true, 8));
    JsonNode cover = check(sieved, simplified, true, 8);
    double scene = 1128.0 * 1428 * 900;
    assertEquals(0, cover.get("invalid").asInt());
    assertEquals(scene, cover.get("unionArea").asDouble(), scene * 1e-9);
    assertEquals(scene, cover.get("sumArea").asDouble(), scene * 1e-9);
  }

  /**
   * The sieve's connectivity against gdal_sieve.py's (GDAL's SieveFilter) on a map where each small
   * patch has one largest neighbour (so that the merge order, ours smallest first, GDAL's not,
   * cannot matter): a diagonal line of 8 pixels, kept with 8-connectivity and dissolved with 4; a
   * pixel whose only contact with the larger region is a corner, which joins it with 8 only;
   * specks. Pixel for pixel equal to GDAL with -4 and with -8, and the two differ.
   */
  @Test
  void sieveConnectivityEqualsGdalSieve() throws IOException {
    int width = 40;
    int height = 30;
    int[] pixels = new int[width * height];
    for (int y = 0; y < height; y++) {
      for (int x = 0; x < width; x++) {
        pixels[y * width + x] = x >= (y <= 14 ? 18 : 19) ? 2 : 1;
      }
    }
    for (int i = 2; i < 10; i++) {
      pixels[i * width + i] = 3;
    }
    for (int[] p : new int[][] {{12, 20}, {25, 5}, {26, 5}, {17, 15}}) {
      pixels[p[1] * width + p[0]] = 3;
    }
    Path map = writeMap("sieve-me.tif", width, height, pixels, null);
    long[] merged = new long[9];
    for (int connectivity : new int[] {4, 8}) {
      Path sieved = dir.resolve("sieved-" + connectivity + ".tif");
      merged[connectivity] = Vectorizer.sieve(map, 5, sieved, null, connectivity);
      String out =
          Gdal.runScript(
              VectorizerGdalTest.class,
              "compare_sieve.py",
              dir,
              map.toString(),
              sieved.toString(),
              "5",
              String.valueOf(connectivity));
      JsonNode node = new ObjectMapper().readTree(out.substring(out.lastIndexOf('{')));
      assertEquals(
          0, node.get("differing").asInt(), "pixels differing from gdal_sieve -" + connectivity);
    }
    // 4: the line's 8 pixels, the corner pixel and 2 specks; 8: the corner pixel and 2 specks.
    assertEquals(11, merged[4]);
    assertEquals(3, merged[8]);
  }
}

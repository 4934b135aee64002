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
    String out =
        coverage
            ? Gdal.runScript(
                VectorizerGdalTest.class,
                "check_polygons.py",
                dir,
                map.toString(),
                vector.toString(),
                "coverage")
            : Gdal.runScript(
                VectorizerGdalTest.class,
                "check_polygons.py",
                dir,
                map.toString(),
                vector.toString());
    String[] lines = out.strip().split("\n");
    JsonNode node = new ObjectMapper().readTree(lines[lines.length - 1]);
    assertTrue(node.get("ogrinfo").asBoolean(), "ogrinfo -al -so failed on " + vector);
    assertTrue(node.get("sameCrs").asBoolean(), "CRS differs from the map's: " + vector);
    assertEquals(0, node.get("invalid").asInt(), "invalid polygons in " + vector);
    return node;
  }

  /** Per class: our count and area equal GDAL polygonize's, our area equals the raster's. */
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
}

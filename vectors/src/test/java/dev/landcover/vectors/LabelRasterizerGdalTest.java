package dev.landcover.vectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.landcover.geo.Gdal;
import dev.landcover.geo.GeoTiffRaster;
import dev.landcover.geo.RasterWindow;
import dev.landcover.pixels.PixelWindow;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Rasterized labels against GDAL: polygons made by GDAL's polygonize from the real Zion NLCD label
 * raster burnt back by {@link LabelRasterizer} equal {@code gdal_rasterize} (GDAL's RasterizeLayer)
 * of the same file pixel for pixel, with the pixel-centre and the all-touched rule, on the label
 * grid and on a grid whose pixel edges match no polygon edge, from a GeoPackage, from GeoJSON, and
 * after ogr2ogr reprojected the polygons to WGS 84.
 */
class LabelRasterizerGdalTest {
  @TempDir static Path dir;
  private static Path labels;

  @BeforeAll
  static void makeVectors() throws IOException {
    labels = Gdal.sharedData().resolve("labels/nlcd2011-zion-8class.tif");
    Gdal.runScript(
        LabelRasterizerGdalTest.class, "make_vectors.py", dir, labels.toString(), dir.toString());
  }

  private static Path rasterize(String vector, Path like, boolean allTouched) throws IOException {
    Path out =
        dir.resolve(
            vector.replace('.', '_')
                + "-"
                + like.getFileName().toString().replace(".tif", "")
                + (allTouched ? "-at" : "")
                + ".tif");
    LabelRasterizer.rasterize(
        new RasterizeRequest(dir.resolve(vector), null, "class", like, out, allTouched, 0));
    return out;
  }

  private static List<JsonNode> compare(List<String[]> cases) throws IOException {
    List<String> args = new ArrayList<>();
    for (String[] c : cases) {
      args.addAll(List.of(c));
    }
    String output =
        Gdal.runScript(
            LabelRasterizerGdalTest.class,
            "compare_rasterize.py",
            dir,
            args.toArray(String[]::new));
    List<JsonNode> results = new ArrayList<>();
    ObjectMapper json = new ObjectMapper();
    for (String line : output.strip().split("\n")) {
      JsonNode node = json.readTree(line);
      System.out.println("rasterize vs GDAL: " + node);
      results.add(node);
    }
    return results;
  }

  @Test
  void polygonizedLabelsRasterizeBackEqualToGdalAndToTheLabels() throws IOException {
    Path offgrid = dir.resolve("offgrid.tif");
    List<String[]> cases = new ArrayList<>();
    for (String vector : List.of("polys.gpkg", "polys.geojson")) {
      for (Path like : List.of(labels, offgrid)) {
        for (boolean at : new boolean[] {false, true}) {
          Path ours = rasterize(vector, like, at);
          cases.add(
              new String[] {
                dir.resolve(vector).toString(), like.toString(), ours.toString(), at ? "1" : "0"
              });
        }
      }
    }
    for (JsonNode r : compare(cases)) {
      assertEquals(0, r.get("different").asLong(), r.toString());
      assertTrue(
          r.get("sameGeoTransform").asBoolean() && r.get("sameCrs").asBoolean(), r.toString());
      assertTrue(r.get("labelled").asLong() > 0, r.toString());
    }
    // On the label grid, the pixel-centre rule gives the labels back.
    try (GeoTiffRaster original = GeoTiffRaster.open(labels);
        GeoTiffRaster ours =
            GeoTiffRaster.open(dir.resolve("polys_gpkg-nlcd2011-zion-8class.tif"))) {
      PixelWindow all = new PixelWindow(0, 0, original.width(), original.height());
      RasterWindow a = original.read(all, 1);
      RasterWindow b = ours.read(all, 1);
      int[] pa = a.raster().getSamples(0, 0, all.width(), all.height(), 0, (int[]) null);
      int[] pb = b.raster().getSamples(0, 0, all.width(), all.height(), 0, (int[]) null);
      assertTrue(java.util.Arrays.equals(pa, pb), "labels differ from the polygonized labels");
    }
  }

  @Test
  void reprojectedPolygonsRasterizeEqualToGdal() throws IOException {
    Path offgrid = dir.resolve("offgrid.tif");
    List<String[]> cases = new ArrayList<>();
    for (Path like : List.of(labels, offgrid)) {
      for (boolean at : new boolean[] {false, true}) {
        Path ours = rasterize("polys-4326.gpkg", like, at);
        cases.add(
            new String[] {
              dir.resolve("polys-4326.gpkg").toString(),
              like.toString(),
              ours.toString(),
              at ? "1" : "0"
            });
      }
    }
    for (JsonNode r : compare(cases)) {
      assertEquals(0, r.get("different").asLong(), r.toString());
      assertTrue(
          r.get("sameGeoTransform").asBoolean() && r.get("sameCrs").asBoolean(), r.toString());
    }
    assertTrue(Files.size(dir.resolve("polys-4326.gpkg")) > 0);
  }
}

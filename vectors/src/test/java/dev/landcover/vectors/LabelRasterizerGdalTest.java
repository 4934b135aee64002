package dev.landcover.vectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.landcover.geo.Gdal;
import dev.landcover.geo.GeoTiffRaster;
import dev.landcover.pixels.PixelWindow;
import java.io.IOException;
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
  void polygonizedLabelsRasterizeBackEqualToGdal() throws IOException {
    Path offgrid = dir.resolve("offgrid.tif");
    List<String[]> cases = new ArrayList<>();
    Object[][] plan = {
      {"polys.gpkg", labels, false},
      {"polys.gpkg", labels, true},
      {"polys.gpkg", offgrid, false},
      {"polys.gpkg", offgrid, true},
      {"polys.geojson", labels, false},
      {"polys-4326.gpkg", labels, false},
      {"polys-4326.gpkg", offgrid, false},
      {"polys-4326.gpkg", offgrid, true},
    };
    for (Object[] p : plan) {
      String vector = (String) p[0];
      Path like = (Path) p[1];
      boolean at = (Boolean) p[2];
      Path ours = rasterize(vector, like, at);
      cases.add(
          new String[] {
            dir.resolve(vector).toString(), like.toString(), ours.toString(), at ? "1" : "0"
          });
    }
    for (JsonNode r : compare(cases)) {
      assertEquals(0, r.get("different").asLong(), r.toString());
      assertTrue(
          r.get("sameGeoTransform").asBoolean() && r.get("sameCrs").asBoolean(), r.toString());
      assertTrue(r.get("labelled").asLong() > 0, r.toString());
    }
    // On the label grid the pixel-centre rule gives the labels back; off the grid the two rules
    // differ (so the all-touched comparison tests something).
    assertEquals(0, differing(labels, dir.resolve("polys_gpkg-nlcd2011-zion-8class.tif")));
    long byRule =
        differing(dir.resolve("polys_gpkg-offgrid.tif"), dir.resolve("polys_gpkg-offgrid-at.tif"));
    System.out.println("offgrid: all-touched changes " + byRule + " pixels");
    assertTrue(byRule > 1000, "all-touched changed only " + byRule + " pixels");
  }

  private static long differing(Path a, Path b) throws IOException {
    try (GeoTiffRaster ra = GeoTiffRaster.open(a);
        GeoTiffRaster rb = GeoTiffRaster.open(b)) {
      PixelWindow all = new PixelWindow(0, 0, ra.width(), ra.height());
      int[] pa =
          ra.read(all, 1).raster().getSamples(0, 0, all.width(), all.height(), 0, (int[]) null);
      int[] pb =
          rb.read(all, 1).raster().getSamples(0, 0, all.width(), all.height(), 0, (int[]) null);
      long n = 0;
      for (int i = 0; i < pa.length; i++) {
        if (pa[i] != pb[i]) {
          n++;
        }
      }
      return n;
    }
  }
}

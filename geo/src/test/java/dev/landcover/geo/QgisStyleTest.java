package dev.landcover.geo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.landcover.pixels.LandcoverClass;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Styles written by {@link QgisStyle}, applied by headless QGIS (Debian's {@code qgis} and {@code
 * python3-qgis}, {@code QT_QPA_PLATFORM=offscreen}) when it opens the raster beside them, and
 * checked on the picture QGIS renders: known pixels have the class colours, nodata is not drawn,
 * the legend lists the class names. Skipped where QGIS is missing, except on CI ({@code CI=true}).
 * By hand: {@code QT_QPA_PLATFORM=offscreen python3 qgis_render.py MAP.tif OUT.png 1 X,Y}.
 */
class QgisStyleTest {
  private static final List<LandcoverClass> CLASSES =
      List.of(
          new LandcoverClass(1, "fields", 230, 200, 60),
          new LandcoverClass(2, "forest", 20, 110, 30),
          new LandcoverClass(3, "water", 30, 90, 220),
          new LandcoverClass(5, "built-up & roads", 200, 30, 30));

  @TempDir Path dir;

  @BeforeAll
  static void qgisAvailable() throws IOException, InterruptedException {
    Gdal.assumeAvailable();
    Process p =
        new ProcessBuilder("/usr/bin/python3", "-c", "import qgis.core")
            .redirectErrorStream(true)
            .start();
    p.getInputStream().readAllBytes();
    if (p.waitFor(120, TimeUnit.SECONDS) && p.exitValue() == 0) {
      return;
    }
    if ("true".equalsIgnoreCase(System.getenv("CI"))) {
      fail("QGIS is required on CI: apt-get install -y --no-install-recommends qgis python3-qgis");
    }
    Assumptions.abort("QGIS (python3-qgis) is not installed");
  }

  /** Class blocks of 64 x 60 pixels, ids by block; the top-left block is nodata (0). */
  private static int classAt(int x, int y) {
    int block = x / 64 + 5 * (y / 60);
    return block == 0 ? 0 : CLASSES.get(block % CLASSES.size()).id();
  }

  private JsonNode render(Path raster, double scale, List<int[]> points) throws IOException {
    List<String> args =
        new ArrayList<>(
            List.of(
                raster.toString(),
                dir.resolve(raster.getFileName() + ".png").toString(),
                Double.toString(scale)));
    for (int[] p : points) {
      args.add(p[0] + "," + p[1]);
    }
    Path work = Files.createDirectories(dir.resolve("qgis"));
    String out =
        Gdal.runScript(QgisStyleTest.class, "qgis_render.py", work, args.toArray(String[]::new));
    return new ObjectMapper().readTree(out.substring(out.lastIndexOf("\n{") + 1));
  }

  @Test
  void classMapOpensInQgisWithClassColoursNamesAndTransparentNoData() throws IOException {
    RasterGrid grid =
        RasterGrid.ofEpsg(320, 240, new GeoTransform(500000, 10, 0, 4600000, 0, -10), 32633);
    Path map = dir.resolve("scene_landcover.tif");
    GeoTiffWriter.classMap(grid, CLASSES)
        .noData(0)
        .cloudOptimized(OverviewResampling.MODE)
        .write(
            map,
            (tile, raster) -> {
              for (int y = 0; y < tile.height(); y++) {
                for (int x = 0; x < tile.width(); x++) {
                  raster.setSample(x, y, 0, classAt(tile.x() + x, tile.y() + y));
                }
              }
            });
    QgisStyle.paletted(CLASSES).write(QgisStyle.beside(map));
    assertEquals(dir.resolve("scene_landcover.qml"), QgisStyle.beside(map));
    for (double scale : new double[] {1, 0.25}) {
      List<int[]> points = new ArrayList<>();
      for (int by = 0; by < 4; by++) {
        for (int bx = 0; bx < 5; bx++) {
          points.add(new int[] {(int) ((bx * 64 + 32) * scale), (int) ((by * 60 + 30) * scale)});
        }
      }
      JsonNode ref = render(map, scale, points);
      assertEquals("paletted", ref.get("renderer").asText());
      assertEquals(
          CLASSES.stream().map(LandcoverClass::name).toList(),
          new ObjectMapper().convertValue(ref.get("legend"), List.class));
      for (int i = 0; i < points.size(); i++) {
        int[] p = points.get(i);
        int id = classAt((int) (p[0] / scale), (int) (p[1] / scale));
        int[] want = {255, 255, 255}; // nodata is not drawn: the white background shows
        for (LandcoverClass c : CLASSES) {
          if (c.id() == id) {
            want = new int[] {c.red(), c.green(), c.blue()};
          }
        }
        JsonNode got = ref.get("colours").get(i);
        assertEquals(
            List.of(want[0], want[1], want[2]),
            List.of(got.get(0).asInt(), got.get(1).asInt(), got.get(2).asInt()),
            "scale " + scale + ", picture pixel " + p[0] + "," + p[1] + " (class " + id + ")");
      }
    }
  }

  @Test
  void confidenceOpensInQgisWithItsColourRamp() throws IOException {
    RasterGrid grid =
        RasterGrid.ofEpsg(101, 20, new GeoTransform(500000, 10, 0, 4600000, 0, -10), 32633);
    Path map = dir.resolve("scene_confidence.tif");
    GeoTiffWriter.forGrid(grid, SampleType.UINT8, 1)
        .noData(255)
        .cloudOptimized(OverviewResampling.AVERAGE)
        .write(
            map,
            (tile, raster) -> {
              for (int y = 0; y < tile.height(); y++) {
                for (int x = 0; x < tile.width(); x++) {
                  raster.setSample(x, y, 0, tile.y() + y >= 15 ? 255 : tile.x() + x);
                }
              }
            });
    QgisStyle.pseudocolor(0, 100, 0xD7191C, 0x1A9641, "%").write(QgisStyle.beside(map));
    JsonNode ref =
        render(
            map,
            1,
            List.of(new int[] {0, 5}, new int[] {50, 5}, new int[] {100, 5}, new int[] {50, 17}));
    assertEquals("singlebandpseudocolor", ref.get("renderer").asText());
    assertEquals(
        "[[215,25,28],[255,255,191],[26,150,65],[255,255,255]]", ref.get("colours").toString());
    assertEquals("[\"0 %\",\"50 %\",\"100 %\"]", ref.get("legend").toString());
  }

  /**
   * A probabilities raster (3 classes, uint8 scaled 0-254 with nodata 255, and float32 0-1 with
   * nodata NaN) opens with the viridis ramp on band 1: probabilities 0, 0.5 and 1 of the first
   * class in viridis's end and middle colours, band 2's values ignored, nodata not drawn, the
   * legend in probabilities; QGIS names the bands after the classes.
   */
  @Test
  void probabilitiesOpenInQgisWithAProbabilityRampOnTheFirstClass() throws IOException {
    RasterGrid grid =
        RasterGrid.ofEpsg(101, 20, new GeoTransform(500000, 10, 0, 4600000, 0, -10), 32633);
    for (SampleType type : new SampleType[] {SampleType.UINT8, SampleType.FLOAT32}) {
      boolean floats = type == SampleType.FLOAT32;
      double one = floats ? 1 : 254;
      Path map = dir.resolve("scene_probabilities_" + type.gdalName() + ".tif");
      GeoTiffWriter.forGrid(grid, type, 3)
          .noData(floats ? Double.NaN : 255)
          .bandDescriptions(List.of("fields", "forest", "water"))
          .cloudOptimized(OverviewResampling.AVERAGE)
          .write(
              map,
              (tile, raster) -> {
                for (int y = 0; y < tile.height(); y++) {
                  for (int x = 0; x < tile.width(); x++) {
                    int gx = tile.x() + x;
                    boolean nodata = tile.y() + y >= 15;
                    double p = gx / 100.0;
                    double[] bands = {p * one, (1 - p) * one, 0};
                    for (int b = 0; b < 3; b++) {
                      raster.setSample(
                          x,
                          y,
                          b,
                          nodata
                              ? (floats ? Double.NaN : 255)
                              : floats ? bands[b] : Math.round(bands[b]));
                    }
                  }
                }
              });
      QgisStyle.probability(one).write(QgisStyle.beside(map));
      JsonNode ref =
          render(
              map,
              1,
              List.of(new int[] {0, 5}, new int[] {50, 5}, new int[] {100, 5}, new int[] {50, 17}));
      assertEquals("singlebandpseudocolor", ref.get("renderer").asText(), type.gdalName());
      assertEquals(
          "[[68,1,84],[33,145,140],[253,231,37],[255,255,255]]",
          ref.get("colours").toString(),
          type.gdalName());
      assertEquals(
          "[\"0\",\"0.25\",\"0.5\",\"0.75\",\"1\"]", ref.get("legend").toString(), type.gdalName());
      assertEquals("[\"fields\",\"forest\",\"water\"]", ref.get("bands").toString());
    }
  }
}

package dev.landcover.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.landcover.geo.Gdal;
import dev.landcover.geo.GeoTiffWriter;
import dev.landcover.geo.GeoTransform;
import dev.landcover.geo.RasterGrid;
import dev.landcover.pixels.LandcoverClass;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code landcover assess} against numpy's computation on the same rasters. */
class AssessCommandTest {
  @TempDir Path dir;

  private static final List<LandcoverClass> CLASSES =
      List.of(
          new LandcoverClass(1, "a", 255, 0, 0),
          new LandcoverClass(2, "b", 0, 255, 0),
          new LandcoverClass(3, "c", 0, 0, 255),
          new LandcoverClass(5, "e", 9, 9, 9));

  private Path map(String name, RasterGrid grid, int salt) throws Exception {
    Path file = dir.resolve(name);
    GeoTiffWriter.classMap(grid, CLASSES)
        .noData(0)
        .write(
            file,
            (tile, raster) -> {
              for (int y = 0; y < tile.height(); y++) {
                for (int x = 0; x < tile.width(); x++) {
                  int gx = tile.x() + x;
                  int gy = tile.y() + y;
                  long h = (gx * 73856093L) ^ (gy * 19349663L) ^ (salt * 83492791L);
                  int v = Math.floorMod(h, 11);
                  int cls = v == 0 ? 0 : v < 4 ? 1 : v < 7 ? 2 : v < 10 ? 3 : 5;
                  if (salt == 1 && (gx + gy) % 3 != 0) {
                    long h2 = (gx * 31L + gy * 17L) % 11;
                    cls = h2 == 0 ? 0 : h2 < 4 ? 1 : h2 < 7 ? 2 : h2 < 10 ? 3 : 5;
                  }
                  raster.setSample(x, y, 0, cls);
                }
              }
            });
    return file;
  }

  @Test
  void measuresEqualNumpysOnTheSameRasters() throws Exception {
    Gdal.assumeAvailable();
    RasterGrid grid =
        RasterGrid.ofEpsg(300, 260, new GeoTransform(500000, 10, 0, 4000000, 0, -10), 32633);
    Path ref = map("ref.tif", grid, 1);
    Path pred = map("pred.tif", grid, 2);
    Path report = dir.resolve("report");
    Cli cli =
        Cli.run(
            "assess",
            "--prediction",
            pred.toString(),
            "--reference",
            ref.toString(),
            "--out",
            report.toString());
    assertEquals(0, cli.code(), cli.err());
    assertTrue(cli.out().contains("Overall accuracy"), cli.out());
    JsonNode ours = new ObjectMapper().readTree(dir.resolve("report.json").toFile());
    Path script =
        Files.writeString(
            dir.resolve("ref.py"),
            String.join(
                "\n",
                "import json, sys",
                "import numpy as np",
                "from osgeo import gdal",
                "p = gdal.Open(sys.argv[1]).ReadAsArray().astype(int)",
                "r = gdal.Open(sys.argv[2]).ReadAsArray().astype(int)",
                "ok = (p != 0) & (r != 0)",
                "p, r = p[ok], r[ok]",
                "ids = sorted(set(np.unique(p)) | set(np.unique(r)))",
                "m = np.array([[np.sum((r == a) & (p == b)) for b in ids] for a in ids], dtype=float)",
                "n = m.sum(); oa = np.trace(m) / n",
                "pe = (m.sum(1) * m.sum(0)).sum() / n / n",
                "iou = [m[i, i] / (m[i].sum() + m[:, i].sum() - m[i, i]) for i in range(len(ids))]",
                "print(json.dumps({'ids': [int(i) for i in ids], 'oa': oa, 'kappa': (oa - pe) / (1 - pe),",
                "                  'iou': iou, 'miou': float(np.mean(iou)), 'matrix': m.tolist()}))",
                ""));
    Process proc =
        new ProcessBuilder("/usr/bin/python3", script.toString(), pred.toString(), ref.toString())
            .redirectErrorStream(true)
            .start();
    String output = new String(proc.getInputStream().readAllBytes());
    proc.waitFor(60, TimeUnit.SECONDS);
    assertEquals(0, proc.exitValue(), output);
    JsonNode numpy = new ObjectMapper().readTree(output);
    assertEquals(numpy.get("oa").asDouble(), ours.get("overallAccuracy").asDouble(), 1e-12);
    assertEquals(numpy.get("kappa").asDouble(), ours.get("kappa").asDouble(), 1e-12);
    assertEquals(numpy.get("miou").asDouble(), ours.get("meanIou").asDouble(), 1e-12);
    for (int i = 0; i < numpy.get("ids").size(); i++) {
      assertEquals(numpy.get("ids").get(i).asInt(), ours.get("classes").get(i).get("id").asInt());
      assertEquals(
          numpy.get("iou").get(i).asDouble(),
          ours.get("classes").get(i).get("iou").asDouble(),
          1e-12);
      for (int j = 0; j < numpy.get("ids").size(); j++) {
        assertEquals(
            numpy.get("matrix").get(i).get(j).asLong(),
            ours.get("confusionMatrix").get(i).get(j).asLong());
      }
    }
    assertTrue(Files.size(dir.resolve("report.png")) > 0);
    assertTrue(Files.readString(dir.resolve("report.csv")).startsWith("class,name,precision"));
  }

  /**
   * A reference on another grid (the Zion NLCD, NAD83 / UTM 12N at about 31.5 m) is resampled onto
   * the map's (WGS 84 / UTM 12N, 30 m) as gdalwarp -r near does: compared with the file gdalwarp
   * made, every valid pixel agrees, and the report equals the one against gdalwarp's file.
   */
  @Test
  void referenceOnAnotherGridIsResampledLikeGdalwarpNear() {
    Path nlcd = Gdal.sharedData().resolve("zion-sources/nlcd.tif");
    Path warped = Gdal.sharedData().resolve("labels/nlcd2011-zion-8class.tif");
    Cli aligned =
        Cli.run("assess", "--prediction", warped.toString(), "--reference", nlcd.toString());
    assertEquals(0, aligned.code(), aligned.err());
    assertTrue(aligned.err().contains("reference " + nlcd + " are on another grid"), aligned.err());
    assertTrue(aligned.out().contains("Overall accuracy: 1.0000"), aligned.out());
    Cli same =
        Cli.run("assess", "--prediction", warped.toString(), "--reference", warped.toString());
    assertEquals(0, same.code(), same.err());
    assertEquals(same.out(), aligned.out());
    assertEquals("", same.err());
  }

  /**
   * {@code --crosswalk} on the real Slovenian scene: Dynamic World's map (9 classes; here it
   * predicts trees, grass and built only) assessed against the 5-class labels through the
   * documented crosswalk, and through one that leaves grass out (its pixels wrong, not a class of
   * the mean IoU), equals numpy's count on the same files; the crosswalk as a JSON file gives the
   * same report; malformed crosswalks are refused in one line.
   */
  @Test
  void crosswalkTranslatesPredictedClassesAsNumpyDoes() throws Exception {
    Gdal.assumeAvailable();
    Path scene = Gdal.sharedData().resolve("scenes/s2-slovenia-13band.tif");
    Path labels = Gdal.sharedData().resolve("labels/s2-slovenia-lulc.tif");
    Cli predict =
        Cli.run("predict", "--model", "dynamic-world", "--out", dir.toString(), scene.toString());
    assertEquals(0, predict.code(), predict.err());
    Path map = dir.resolve("s2-slovenia-13band_landcover.tif");
    Cli cli = assessAsNumpy(map, labels, "1=2,4=1,2=3,5=4,6=8", "{1: 2, 4: 1, 2: 3, 5: 4, 6: 8}");
    assessAsNumpy(map, labels, "1=2,4=1,5=4,6=8", "{1: 2, 4: 1, 5: 4, 6: 8}");
    JsonNode withoutGrass = new ObjectMapper().readTree(dir.resolve("report.json").toFile());
    assertTrue(
        withoutGrass.get("unmatchedPredictedClasses").get("2").asLong() > 0,
        "grass was not counted as unmatched: " + withoutGrass);
    // The same crosswalk as a JSON file gives the same report.
    Path json =
        Files.writeString(
            dir.resolve("walk.json"), "{\"1\": 2, \"4\": 1, \"2\": 3, \"5\": 4, \"6\": 8}");
    Cli fromFile =
        Cli.run(
            "assess",
            "--prediction",
            map.toString(),
            "--reference",
            labels.toString(),
            "--crosswalk",
            json.toString());
    assertEquals(0, fromFile.code(), fromFile.err());
    assertEquals(cli.out().replaceAll("Wrote .*\\R", ""), fromFile.out());
    // Malformed crosswalks: a usage error inline, a data error in a file.
    Cli inline =
        Cli.run(
            "assess",
            "--prediction",
            map.toString(),
            "--reference",
            labels.toString(),
            "--crosswalk",
            "1=2,4");
    assertEquals(2, inline.code(), inline.out());
    assertEquals(
        "landcover: Crosswalk '1=2,4': '4' is not FROM=TO with class ids 0 to 65535 (e.g. 1=2,4=1),"
            + " nor a .json file",
        inline.errorLines().strip());
    Path bad = Files.writeString(dir.resolve("bad.json"), "{\"1\": \"forest\"}");
    Cli file =
        Cli.run(
            "assess",
            "--prediction",
            map.toString(),
            "--reference",
            labels.toString(),
            "--crosswalk",
            bad.toString());
    assertEquals(1, file.code(), file.out());
    assertTrue(file.errorLines().contains(bad + ": crosswalk pair \"1\""), file.err());
  }

  /**
   * Runs {@code assess --crosswalk SPEC --out report} and checks its report against numpy's
   * translation of the same files by {@code python} (the crosswalk as a Python dict).
   */
  private Cli assessAsNumpy(Path map, Path labels, String spec, String python) throws Exception {
    Cli cli =
        Cli.run(
            "assess",
            "--prediction",
            map.toString(),
            "--reference",
            labels.toString(),
            "--crosswalk",
            spec,
            "--out",
            dir.resolve("report").toString());
    assertEquals(0, cli.code(), cli.err());
    assertTrue(cli.out().contains("Crosswalk (predicted=reference): " + spec), cli.out());
    JsonNode ours = new ObjectMapper().readTree(dir.resolve("report.json").toFile());
    Path script =
        Files.writeString(
            dir.resolve("crosswalk.py"),
            String.join(
                "\n",
                "import json, sys",
                "import numpy as np",
                "from osgeo import gdal",
                "pd, rd = gdal.Open(sys.argv[1]), gdal.Open(sys.argv[2])",
                "p = pd.ReadAsArray().astype(int)",
                "r = rd.ReadAsArray().astype(int)",
                "ok = (p != pd.GetRasterBand(1).GetNoDataValue())"
                    + " & (r != rd.GetRasterBand(1).GetNoDataValue())",
                "p, r = p[ok], r[ok]",
                "walk = " + python,
                "q = np.array([walk.get(int(v), -1) for v in p])",
                "ids = sorted(set(np.unique(r)) | set(walk.values()) & set(np.unique(q)))",
                "iou = []",
                "for c in ids:",
                "    u = np.sum((r == c) | (q == c))",
                "    iou.append(np.sum((r == c) & (q == c)) / u)",
                "out = {'ids': [int(i) for i in ids], 'oa': float(np.mean(r == q)),",
                "       'iou': iou, 'miou': float(np.mean(iou)), 'n': int(r.size),",
                "       'unmatched': {str(int(v)): int(np.sum(p == v)) for v in np.unique(p)",
                "                     if int(v) not in walk}}",
                "print(json.dumps(out))",
                ""));
    Process proc =
        new ProcessBuilder("/usr/bin/python3", script.toString(), map.toString(), labels.toString())
            .redirectErrorStream(true)
            .start();
    String output = new String(proc.getInputStream().readAllBytes());
    proc.waitFor(60, TimeUnit.SECONDS);
    assertEquals(0, proc.exitValue(), output);
    JsonNode numpy = new ObjectMapper().readTree(output);
    assertEquals(numpy.get("n").asLong(), ours.get("pixels").asLong());
    assertEquals(numpy.get("oa").asDouble(), ours.get("overallAccuracy").asDouble(), 1e-12);
    assertEquals(numpy.get("miou").asDouble(), ours.get("meanIou").asDouble(), 1e-12);
    assertEquals(numpy.get("ids").size(), ours.get("classes").size());
    for (int i = 0; i < numpy.get("ids").size(); i++) {
      assertEquals(numpy.get("ids").get(i).asInt(), ours.get("classes").get(i).get("id").asInt());
      assertEquals(
          numpy.get("iou").get(i).asDouble(),
          ours.get("classes").get(i).get("iou").asDouble(),
          1e-12);
    }
    assertEquals(numpy.get("unmatched"), ours.get("unmatchedPredictedClasses"));
    return cli;
  }
}

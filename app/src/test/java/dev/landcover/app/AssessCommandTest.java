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
}

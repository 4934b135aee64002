package dev.landcover.app;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.landcover.core.model.ModelBundle;
import dev.landcover.core.model.UNetBlock;
import dev.landcover.core.model.UNetConfig;
import dev.landcover.core.model.UNetWeights;
import dev.landcover.geo.Gdal;
import dev.landcover.testdata.SyntheticScene;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PredictCommandTest {
  @TempDir static Path dir;
  static Path bundle;
  static Path scenes;

  @BeforeAll
  static void prepare() throws Exception {
    UNetConfig config =
        new UNetConfig(
            4,
            6,
            new int[] {4, 8},
            16,
            new int[] {8, 4},
            UNetConfig.Padding.SAME,
            UNetConfig.Normalization.BATCH,
            0,
            UNetConfig.Activation.RELU,
            UNetConfig.UpStep.TRANSPOSED,
            false,
            false,
            true,
            true,
            UNetConfig.Init.XAVIER);
    Path weights = dir.resolve("w.npz");
    UNetBlock block = UNetBlock.of(config);
    try (NDManager m = NDManager.newBaseManager()) {
      block.initialize(m, DataType.FLOAT32, new Shape(1, 4, 64, 64));
      UNetWeights.save(block, weights);
    }
    bundle = dir.resolve("model");
    ModelBundle.unet(
            null,
            config,
            List.of(
                new ModelBundle.Band(1, "blue"), new ModelBundle.Band(2, "green"),
                new ModelBundle.Band(3, "red"), new ModelBundle.Band(4, "nir")),
            new ModelBundle.Normalization(
                "meanstd", new double[] {700, 900, 800, 2500}, new double[] {300, 300, 300, 900}),
            SyntheticScene.CLASSES,
            64,
            0,
            null)
        .save(bundle, weights);
    scenes = Files.createDirectories(dir.resolve("scenes"));
    new SyntheticScene(150, 97, 1).write(scenes.resolve("a"), false);
    new SyntheticScene(40, 30, 2).write(scenes.resolve("b"), false);
    Files.move(scenes.resolve("a/scene.tif"), scenes.resolve("a.tif"));
    Files.move(scenes.resolve("b/scene.tif"), scenes.resolve("b.tif"));
  }

  @Test
  void mapsLieExactlyOverTheirScenesAndNodataStaysNodata() throws Exception {
    Path out = dir.resolve("out1");
    Cli cli =
        Cli.run(
            "predict",
            "--model",
            bundle.toString(),
            "--chip",
            "64",
            "--overlap",
            "16",
            "--out",
            out.toString(),
            scenes.toString());
    assertEquals(0, cli.code(), cli.err());
    Path a = scenes.resolve("a.tif");
    Path map = out.resolve("a_landcover.tif");
    Map<Path, Gdal.Reference> refs =
        Gdal.describe(List.of(new Gdal.Request(a), new Gdal.Request(map)));
    Gdal.Reference src = refs.get(a);
    Gdal.Reference dst = refs.get(map);
    assertArrayEquals(src.geotransform(), dst.geotransform(), 0);
    assertEquals(src.epsg(), dst.epsg());
    assertEquals(0.0, dst.nodata(1));
    double[] image = src.data(0);
    double[] classes = dst.data(0);
    long valid = 0;
    for (int i = 0; i < classes.length; i++) {
      boolean nodata = image[i] == 0;
      assertEquals(nodata, classes[i] == 0, "pixel " + i);
      if (!nodata) {
        valid++;
      }
    }
    JsonNode summary = new ObjectMapper().readTree(out.resolve("a_landcover.json").toFile());
    assertEquals(valid, summary.get("classifiedPixels").asLong());
    assertTrue(Files.exists(out.resolve("b_landcover.tif")));
    var png = javax.imageio.ImageIO.read(out.resolve("a_landcover.png").toFile());
    assertTrue(png.getWidth() > 150 && png.getHeight() >= 97, "quicklook with legend");
  }

  @Test
  void anInterruptedBatchResumesAndAFailedSceneDoesNotStopIt() throws Exception {
    Path out = dir.resolve("out2");
    Path broken = Files.writeString(dir.resolve("broken.tif"), "not a tiff");
    Cli first =
        Cli.run(
            "predict",
            "--model",
            bundle.toString(),
            "--chip",
            "64",
            "--out",
            out.toString(),
            scenes.resolve("a.tif").toString(),
            broken.toString(),
            scenes.resolve("b.tif").toString());
    assertEquals(1, first.code(), first.err());
    assertTrue(first.out().contains("FAILED"), first.out());
    assertTrue(Files.exists(out.resolve("b_landcover.tif")), "the batch stopped at the failure");
    Files.delete(out.resolve("b_landcover.tif"));
    long before = Files.getLastModifiedTime(out.resolve("a_landcover.tif")).toMillis();
    Cli second =
        Cli.run(
            "predict",
            "--model",
            bundle.toString(),
            "--chip",
            "64",
            "--out",
            out.toString(),
            scenes.resolve("a.tif").toString(),
            scenes.resolve("b.tif").toString());
    assertEquals(0, second.code(), second.err());
    assertTrue(second.out().contains("skipped"), second.out());
    assertEquals(before, Files.getLastModifiedTime(out.resolve("a_landcover.tif")).toMillis());
    assertTrue(Files.exists(out.resolve("b_landcover.tif")));
  }

  @Test
  void killingThePredictionMidSceneLeavesNoOutput() throws Exception {
    Path big = Files.createDirectories(dir.resolve("big"));
    new SyntheticScene(1536, 1536, 3).write(big, false);
    Path out = dir.resolve("killed");
    Process p =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Dderby.stream.error.file=/dev/null",
                "-Dai.djl.offline=true",
                "-cp",
                System.getProperty("java.class.path"),
                Main.class.getName(),
                "predict",
                "--model",
                bundle.toString(),
                "--chip",
                "64",
                "--overlap",
                "32",
                "--batch",
                "2",
                "--out",
                out.toString(),
                big.resolve("scene.tif").toString())
            .redirectErrorStream(true)
            .start();
    try (var reader =
        new java.io.BufferedReader(new java.io.InputStreamReader(p.getInputStream()))) {
      String line;
      while ((line = reader.readLine()) != null && !line.contains("chips:")) {
        // wait until chips are being predicted
      }
      assertTrue(line != null, "the prediction ended before it could be killed");
      p.destroyForcibly();
    }
    p.waitFor();
    assertTrue(
        !Files.exists(out.resolve("scene_landcover.tif")), "a map was left at the output path");
    assertTrue(!Files.exists(out.resolve("scene_landcover.json")));
    assertTrue(!Files.exists(out.resolve("scene_landcover.tif.aux.xml")));
  }

  @Test
  void confidenceAndProbabilitiesComeWithTheMap() throws Exception {
    Path out = dir.resolve("out3");
    Cli cli =
        Cli.run(
            "predict",
            "--model",
            bundle.toString(),
            "--chip",
            "64",
            "--confidence",
            "--probabilities",
            "--out",
            out.toString(),
            scenes.resolve("a.tif").toString());
    assertEquals(0, cli.code(), cli.err());
    Path conf = out.resolve("a_confidence.tif");
    Path prob = out.resolve("a_probabilities.tif");
    Path map = out.resolve("a_landcover.tif");
    Map<Path, Gdal.Reference> refs =
        Gdal.describe(
            List.of(new Gdal.Request(conf), new Gdal.Request(prob), new Gdal.Request(map)));
    double[] c = refs.get(conf).data(0);
    double[] p = refs.get(prob).data(0);
    double[] m = refs.get(map).data(0);
    assertEquals(6, refs.get(prob).bands());
    int n = c.length;
    for (int i = 0; i < n; i++) {
      if (m[i] == 0) {
        assertEquals(255.0, c[i]);
        continue;
      }
      assertTrue(c[i] >= 100.0 / 6 - 1 && c[i] <= 100, "confidence " + c[i]);
      double sum = 0;
      double max = 0;
      for (int k = 0; k < 6; k++) {
        sum += p[k * n + i];
        max = Math.max(max, p[k * n + i]);
      }
      assertEquals(254, sum, 6, "probabilities of pixel " + i);
      assertEquals(p[((int) m[i] - 1) * n + i], max, 0, "the class is the most probable one");
      assertEquals(max / 254 * 100, c[i], 1.5);
    }
  }

  @Test
  void aSingleSceneToANamedOutputWithFlipsAndTheAllBandsRule() throws Exception {
    Path target = dir.resolve("named/b-map.tif");
    Cli cli =
        Cli.run(
            "predict",
            "--model",
            bundle.toString(),
            "--chip",
            "64",
            "--tta",
            "flips",
            "--nodata-rule",
            "all",
            "--output",
            target.toString(),
            scenes.resolve("b.tif").toString());
    assertEquals(0, cli.code(), cli.err());
    assertTrue(Files.exists(target));
    assertTrue(Files.exists(dir.resolve("named/b-map.json")));
    assertTrue(Files.exists(dir.resolve("named/b-map.png")));
    Cli two =
        Cli.run(
            "predict",
            "--model",
            bundle.toString(),
            "--output",
            target.toString(),
            scenes.resolve("a.tif").toString(),
            scenes.resolve("b.tif").toString());
    assertEquals(2, two.code());
  }
}

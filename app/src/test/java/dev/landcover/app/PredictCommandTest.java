package dev.landcover.app;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.landcover.geo.ChildJvm;
import dev.landcover.geo.Gdal;
import dev.landcover.networks.InputNormalization;
import dev.landcover.networks.ModelBundle;
import dev.landcover.networks.UNetBlock;
import dev.landcover.networks.UNetConfig;
import dev.landcover.networks.UNetWeights;
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
  static Path weights;
  static UNetConfig config;
  static Path scenes;
  static final double[] MEAN = {700, 900, 800, 2500};
  static final double[] STD = {300, 300, 300, 900};

  @BeforeAll
  static void prepare() throws Exception {
    config =
        UNetConfig.builder().bands(4).classes(6).encoder(4, 8).bottleneck(16).decoder(8, 4).build();
    weights = dir.resolve("w.npz");
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
            InputNormalization.meanStd(MEAN, STD),
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
  void aPredictionPrintsNoLibtorchWarningOnStandardError() throws Exception {
    // libtorch warns once per process, from native code, straight to file descriptor 2: only a
    // fresh process shows what a user of the command sees.
    Path out = dir.resolve("quiet");
    Path err = dir.resolve("quiet.err");
    Process p =
        ChildJvm.builder(
                Main.class,
                List.of("-Dai.djl.offline=true"),
                "predict",
                "--model",
                bundle.toString(),
                "--chip",
                "64",
                "--out",
                out.toString(),
                scenes.resolve("a.tif").toString())
            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .redirectError(err.toFile())
            .start();
    assertEquals(0, p.waitFor(), Files.readString(err));
    assertTrue(Files.exists(out.resolve("a_landcover.tif")));
    List<String> stderr = Files.readAllLines(err);
    assertTrue(
        stderr.stream().noneMatch(l -> l.contains("Warning") || l.startsWith("[W")),
        String.join("\n", stderr));
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
        ChildJvm.builder(
                Main.class,
                List.of("-Dai.djl.offline=true"),
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
            "--polygons",
            "--out",
            out.toString(),
            scenes.resolve("a.tif").toString());
    assertEquals(0, cli.code(), cli.err());
    Path conf = out.resolve("a_confidence.tif");
    // --polygons: the map's polygons, burnt back onto the map's grid, are the map.
    Path back = dir.resolve("a_polygons.tif");
    dev.landcover.vectors.LabelRasterizer.rasterize(
        new dev.landcover.vectors.RasterizeRequest(
            out.resolve("a_landcover.gpkg"),
            null,
            "class",
            out.resolve("a_landcover.tif"),
            back,
            false,
            0));
    Path prob = out.resolve("a_probabilities.tif");
    Path map = out.resolve("a_landcover.tif");
    Map<Path, Gdal.Reference> refs =
        Gdal.describe(
            List.of(
                new Gdal.Request(conf),
                new Gdal.Request(prob),
                new Gdal.Request(map),
                new Gdal.Request(back)));
    assertTrue(java.util.Arrays.equals(refs.get(map).data(0), refs.get(back).data(0)));
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

  /** The class map of {@code scene} written by {@code landcover predict} with these options. */
  private static double[] predictMap(Path scene, String name, String... options) throws Exception {
    Path map = dir.resolve("maps").resolve(name + ".tif");
    List<String> args =
        new java.util.ArrayList<>(
            List.of("predict", "--model", bundle.toString(), "--output", map.toString()));
    args.addAll(List.of(options));
    args.add(scene.toString());
    Cli cli = Cli.run(args.toArray(String[]::new));
    assertEquals(0, cli.code(), cli.err());
    return Gdal.describe(List.of(new Gdal.Request(map))).get(map).data(0);
  }

  /** Planes of h x w values mirrored left-right and/or top-bottom (the test's own). */
  private static float[] mirror(float[] v, int planes, int h, int w, boolean fx, boolean fy) {
    float[] out = new float[v.length];
    for (int p = 0; p < planes; p++) {
      for (int y = 0; y < h; y++) {
        for (int x = 0; x < w; x++) {
          out[(p * h + y) * w + x] = v[(p * h + (fy ? h - 1 - y : y)) * w + (fx ? w - 1 - x : x)];
        }
      }
    }
    return out;
  }

  /**
   * The reference: one forward pass over the whole scene as GDAL reads it (normalized with the
   * bundle's mean and std, mirrored to a multiple of 4, the UNet's alignment), or the mean of the
   * four flipped passes flipped back; logits {@code classes x h x w}.
   */
  private static float[] wholeSceneLogits(Gdal.Reference scene, boolean flips) throws Exception {
    int w = scene.width();
    int h = scene.height();
    int pw = (w + 3) / 4 * 4;
    int ph = (h + 3) / 4 * 4;
    double[] raw = scene.data(0);
    float[] input = new float[4 * ph * pw];
    for (int b = 0; b < 4; b++) {
      for (int y = 0; y < ph; y++) {
        int sy = y < h ? y : 2 * (h - 1) - y;
        for (int x = 0; x < pw; x++) {
          int sx = x < w ? x : 2 * (w - 1) - x;
          input[(b * ph + y) * pw + x] = (float) ((raw[(b * h + sy) * w + sx] - MEAN[b]) / STD[b]);
        }
      }
    }
    float[] sum = new float[6 * ph * pw];
    try (dev.landcover.networks.SegmentationModel model =
        dev.landcover.networks.SegmentationModel.unet(config, weights)) {
      for (int mode = 0; mode < (flips ? 4 : 1); mode++) {
        boolean fx = (mode & 1) != 0;
        boolean fy = (mode & 2) != 0;
        float[] out = model.predict(mirror(input, 4, ph, pw, fx, fy), 1, 4, ph, pw).values();
        float[] back = mirror(out, 6, ph, pw, fx, fy);
        for (int i = 0; i < sum.length; i++) {
          sum[i] += back[i];
        }
      }
    }
    float[] logits = new float[6 * h * w];
    for (int c = 0; c < 6; c++) {
      for (int y = 0; y < h; y++) {
        for (int x = 0; x < w; x++) {
          logits[(c * h + y) * w + x] = sum[(c * ph + y) * pw + x] / (flips ? 4 : 1);
        }
      }
    }
    return logits;
  }

  /**
   * Pixels where {@code map} (class ids 1..6, 0 nodata) disagrees with the argmax of {@code
   * logits}, not counting near-ties of the reference (top two logits within 1e-4).
   */
  private static int disagreements(double[] map, float[] logits, double[] image, int plane) {
    int wrong = 0;
    for (int i = 0; i < plane; i++) {
      boolean nodata = false;
      for (int b = 0; b < 4; b++) {
        nodata |= image[b * plane + i] == 0;
      }
      if (nodata) {
        assertEquals(0, map[i], "nodata pixel " + i);
        continue;
      }
      int best = 0;
      float top = Float.NEGATIVE_INFINITY;
      float second = Float.NEGATIVE_INFINITY;
      for (int c = 0; c < 6; c++) {
        float v = logits[c * plane + i];
        if (v > top) {
          second = top;
          top = v;
          best = c;
        } else if (v > second) {
          second = v;
        }
      }
      if (map[i] != best + 1 && top - second > 1e-4) {
        wrong++;
      }
    }
    return wrong;
  }

  /**
   * Runs predict on scene {@code a} with float probabilities into {@code out/<name>}; returns the
   * largest difference to the softmax of the whole-scene reference (nodata pixels left out) and the
   * count of class disagreements with it; {@code printed} receives the geometry line.
   */
  private static double[] againstTheWholeScene(
      String name, StringBuilder printed, String... options) throws Exception {
    Path scene = scenes.resolve("a.tif");
    Path out = dir.resolve(name);
    List<String> args =
        new java.util.ArrayList<>(
            List.of(
                "predict",
                "--model",
                bundle.toString(),
                "--probabilities",
                "--float",
                "--out",
                out.toString()));
    args.addAll(List.of(options));
    args.add(scene.toString());
    Cli cli = Cli.run(args.toArray(String[]::new));
    assertEquals(0, cli.code(), cli.err());
    (cli.out() + cli.err())
        .lines()
        .filter(l -> l.startsWith("a.tif: chip "))
        .forEach(printed::append);
    Path prob = out.resolve("a_probabilities.tif");
    Path map = out.resolve("a_landcover.tif");
    Map<Path, Gdal.Reference> refs =
        Gdal.describe(
            List.of(new Gdal.Request(scene), new Gdal.Request(prob), new Gdal.Request(map)));
    Gdal.Reference gdal = refs.get(scene);
    int plane = gdal.width() * gdal.height();
    float[] logits = wholeSceneLogits(gdal, false);
    double[] p = refs.get(prob).data(0);
    double max = 0;
    for (int i = 0; i < plane; i++) {
      if (Double.isNaN(p[i])) {
        continue;
      }
      double top = Double.NEGATIVE_INFINITY;
      for (int c = 0; c < 6; c++) {
        top = Math.max(top, logits[c * plane + i]);
      }
      double sum = 0;
      for (int c = 0; c < 6; c++) {
        sum += Math.exp(logits[c * plane + i] - top);
      }
      for (int c = 0; c < 6; c++) {
        double expected = Math.exp(logits[c * plane + i] - top) / sum;
        max = Math.max(max, Math.abs(p[c * plane + i] - expected));
      }
    }
    return new double[] {
      max, disagreements(refs.get(map).data(0), logits, gdal.data(0), plane), plane
    };
  }

  /**
   * Without {@code --overlap}, the overlap comes from the UNet's receptive field (radius 23 px for
   * 2 poolings, so 48 at alignment 4), printed with the geometry: with crop blending the
   * probabilities equal those of one whole-scene pass within the stitching tests' tolerance (1e-4)
   * and the class map is the reference's, while a smaller overlap (16) is off by far more than
   * rounding; with the default Hann blending the map agrees with the reference on at least 99.5% of
   * the pixels (the tolerance of the chosen-chip test).
   */
  @Test
  void theDefaultOverlapFromTheReceptiveFieldStitchesLikeOneWholeScenePass() throws Exception {
    StringBuilder printed = new StringBuilder();
    double[] derived = againstTheWholeScene("rf", printed, "--chip", "96", "--blend", "crop");
    assertTrue(
        printed
            .toString()
            .startsWith(
                "a.tif: chip 96 px, overlap 48, batch 8 (overlap from the receptive field: twice"
                    + " its radius 23 px, rounded up to a multiple of 4)"),
        printed.toString());
    assertTrue(derived[0] < 1e-4, "max |p - whole scene| with the derived overlap: " + derived[0]);
    assertEquals(0, derived[1], "class disagreements with the derived overlap");
    double[] small =
        againstTheWholeScene(
            "rf16", new StringBuilder(), "--chip", "96", "--overlap", "16", "--blend", "crop");
    // The random UNet's logits are small, so its probabilities move little; float32 rounding
    // alone moves them by about 1e-7.
    assertTrue(
        small[0] > 1e-6 && small[0] > 10 * derived[0],
        "overlap 16 should show the chips' edges: " + small[0] + " against " + derived[0]);
    double[] hann = againstTheWholeScene("rfhann", new StringBuilder(), "--chip", "96");
    assertTrue(hann[1] <= 0.005 * hann[2], "Hann blending: " + hann[1] + " of " + hann[2]);
  }

  @Test
  void ttaFlipsMapEqualsAFlipAveragedWholeScenePassAndDiffersWithoutIt() throws Exception {
    Path scene = scenes.resolve("a.tif");
    Gdal.Reference gdal = Gdal.describe(List.of(new Gdal.Request(scene))).get(scene);
    int plane = gdal.width() * gdal.height();
    double[] image = gdal.data(0);
    String[] exact = {"--chip", "96", "--overlap", "64", "--blend", "crop"};
    double[] withFlips = predictMap(scene, "tta", concat(exact, "--tta", "flips"));
    double[] without = predictMap(scene, "plain", exact);
    float[] flipped = wholeSceneLogits(gdal, true);
    float[] plain = wholeSceneLogits(gdal, false);
    assertEquals(0, disagreements(withFlips, flipped, image, plane), "--tta flips vs reference");
    assertEquals(0, disagreements(without, plain, image, plane), "no --tta vs reference");
    int changed = 0;
    for (int i = 0; i < plane; i++) {
      changed += withFlips[i] != without[i] ? 1 : 0;
    }
    assertTrue(changed > plane / 100, "--tta flips changed only " + changed + " pixels");
    assertTrue(
        disagreements(without, flipped, image, plane) > plane / 100,
        "the flip-averaged reference cannot tell the two maps apart");
  }

  @Test
  void nodataRuleAllKeepsPixelsWhereOnlySomeBandsAreNodata() throws Exception {
    Path source = scenes.resolve("a.tif");
    Path partial = dir.resolve("partial.tif");
    // Band 2 set to its nodata value (0) in columns 20-59, rows 10-49; bands 1, 3, 4 untouched.
    Process p =
        new ProcessBuilder(
                "/usr/bin/python3",
                "-c",
                "import sys; from osgeo import gdal; gdal.UseExceptions();"
                    + " d = gdal.Translate(sys.argv[2], sys.argv[1]);"
                    + " b = d.GetRasterBand(2); a = b.ReadAsArray(); a[10:50, 20:60] = 0;"
                    + " b.WriteArray(a); d = None",
                source.toString(),
                partial.toString())
            .redirectErrorStream(true)
            .start();
    String log = new String(p.getInputStream().readAllBytes());
    assertEquals(0, p.waitFor(), log);
    Gdal.Reference gdal = Gdal.describe(List.of(new Gdal.Request(partial))).get(partial);
    int w = gdal.width();
    int plane = w * gdal.height();
    double[] image = gdal.data(0);
    double[] any = predictMap(partial, "any", "--chip", "64");
    double[] all = predictMap(partial, "all", "--chip", "64", "--nodata-rule", "all");
    int some = 0;
    for (int i = 0; i < plane; i++) {
      int nodataBands = 0;
      for (int b = 0; b < 4; b++) {
        nodataBands += image[b * plane + i] == 0 ? 1 : 0;
      }
      if (nodataBands == 4) {
        assertEquals(0, any[i], "pixel " + i);
        assertEquals(0, all[i], "pixel " + i + " is nodata in every band");
      } else if (nodataBands > 0) {
        some++;
        assertEquals(0, any[i], "pixel " + i + " (any band nodata)");
        assertTrue(all[i] >= 1 && all[i] <= 6, "pixel " + i + " kept by --nodata-rule all");
      } else {
        assertEquals(any[i], all[i], "pixel " + i + " has no nodata band");
      }
    }
    assertTrue(some >= 1000, "only " + some + " pixels with some bands nodata");
  }

  /**
   * A scene with a GDAL internal mask (written by GDAL): the map holds its nodata wherever GDAL's
   * {@code GetMaskBand()} is 0, with either nodata rule, and where the scene's nodata is.
   */
  @Test
  void maskedPixelsAreNodataInTheMap() throws Exception {
    Path source = scenes.resolve("a.tif");
    Path masked = dir.resolve("masked.tif");
    Process p =
        new ProcessBuilder(
                "/usr/bin/python3",
                "-c",
                "import sys; from osgeo import gdal; gdal.UseExceptions();"
                    + " gdal.SetConfigOption('GDAL_TIFF_INTERNAL_MASK', 'YES');"
                    + " d = gdal.Translate(sys.argv[2], sys.argv[1], creationOptions=['TILED=YES']);"
                    + " d.CreateMaskBand(gdal.GMF_PER_DATASET); m = d.GetRasterBand(1).GetMaskBand();"
                    + " a = m.ReadAsArray(); a[:] = 255; a[30:70, 40:110] = 0; a[::7, ::5] = 0;"
                    + " m.WriteArray(a); d = None; d = gdal.Open(sys.argv[2]);"
                    + " open(sys.argv[2] + '.valid', 'wb').write("
                    + "(d.GetRasterBand(1).GetMaskBand().ReadAsArray() != 0).astype('uint8').tobytes())",
                source.toString(),
                masked.toString())
            .redirectErrorStream(true)
            .start();
    String log = new String(p.getInputStream().readAllBytes());
    assertEquals(0, p.waitFor(), log);
    byte[] valid = Files.readAllBytes(Path.of(masked + ".valid"));
    double[] plain = predictMap(source, "unmasked", "--chip", "64");
    double[] any = predictMap(masked, "masked-any", "--chip", "64");
    double[] all = predictMap(masked, "masked-all", "--chip", "64", "--nodata-rule", "all");
    int maskedPixels = 0;
    for (int i = 0; i < valid.length; i++) {
      if (valid[i] == 0) {
        maskedPixels++;
        assertEquals(0, any[i], "masked pixel " + i);
        assertEquals(0, all[i], "masked pixel " + i + " with --nodata-rule all");
      } else if (plain[i] == 0) {
        assertEquals(0, any[i], "nodata pixel " + i);
      }
    }
    assertTrue(maskedPixels > 3000, "only " + maskedPixels + " masked pixels");
  }

  /** GDAL's COG validator and gdaladdo comparison (the geo tests' script) for one output. */
  private static JsonNode cogReference(Path file, String resampling) throws Exception {
    Path work = Files.createDirectories(dir.resolve("gdal-" + file.getFileName()));
    String out =
        Gdal.runScript(
            Gdal.class, "cog_reference.py", work, file.toString(), resampling, work.toString());
    return new ObjectMapper()
        .enable(
            com.fasterxml.jackson.core.json.JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS
                .mappedFeature())
        .readTree(out.substring(out.lastIndexOf("\n{") + 1));
  }

  private static JsonNode uncertaintyReference(Path out, String kind) throws Exception {
    String json =
        Gdal.runScript(
            PredictCommandTest.class,
            "uncertainty_reference.py",
            Files.createDirectories(dir.resolve("unc-" + kind)),
            out.resolve("c_probabilities.tif").toString(),
            out.resolve("c_uncertainty.tif").toString(),
            kind);
    return new ObjectMapper().readTree(json.substring(json.lastIndexOf("\n{") + 1));
  }

  @Test
  void outputsAreCloudOptimizedWithStylesAndUncertaintyEqualsNumpy() throws Exception {
    Path scene = dir.resolve("c.tif");
    new SyntheticScene(300, 280, 3).write(dir.resolve("c"), false);
    Files.move(dir.resolve("c/scene.tif"), scene);
    Path out = dir.resolve("out-cog");
    String[] common = {
      "predict",
      "--model",
      bundle.toString(),
      "--chip",
      "64",
      "--confidence",
      "--probabilities",
      "--float"
    };
    Cli cli =
        Cli.run(
            concat(common, "--uncertainty", "entropy", "--out", out.toString(), scene.toString()));
    assertEquals(0, cli.code(), cli.err());
    String[][] outputs = {
      {"c_landcover.tif", "mode"},
      {"c_confidence.tif", "average"},
      {"c_probabilities.tif", "average"},
      {"c_uncertainty.tif", "average"}
    };
    for (String[] o : outputs) {
      JsonNode ref = cogReference(out.resolve(o[0]), o[1]);
      assertEquals("[]", ref.get("errors").toString(), o[0]);
      assertEquals("[]", ref.get("warnings").toString(), o[0]);
      assertEquals("[[150,140]]", ref.get("overviews").toString(), o[0]);
      // Float averages may differ from gdaladdo's in the last float32 bit (sums in another order).
      assertTrue(ref.get("maxDifference").asDouble() <= 5e-7, o[0] + ": " + ref);
      assertEquals(0, ref.get("nanMismatches").asInt(), o[0]);
    }
    String style = Files.readString(out.resolve("c_landcover.qml"));
    for (var c : SyntheticScene.CLASSES) {
      assertTrue(style.contains("label=\"" + c.name() + "\""), c.name() + " in the QGIS style");
    }
    assertTrue(Files.readString(out.resolve("c_confidence.qml")).contains("singlebandpseudocolor"));
    assertTrue(Files.exists(out.resolve("c_uncertainty.qml")));
    // --float: the probability ramp runs over 0-1 (the uint8 file's over 0-254: QgisStyleTest).
    assertTrue(
        Files.readString(out.resolve("c_probabilities.qml"))
            .contains("classificationMin=\"0\" classificationMax=\"1\""));
    JsonNode entropy = uncertaintyReference(out, "entropy");
    assertEquals(0, entropy.get("nanMismatches").asInt(), entropy.toString());
    assertTrue(entropy.get("maxDifference").asDouble() <= 1e-6, entropy.toString());
    assertTrue(entropy.get("max").asDouble() <= Math.log(6) + 1e-6, entropy.toString());
    assertTrue(entropy.get("min").asDouble() >= 0, entropy.toString());

    Path plain = dir.resolve("out-gtiff");
    Cli gtiff =
        Cli.run(
            concat(
                common,
                "--format",
                "gtiff",
                "--uncertainty",
                "margin",
                "--out",
                plain.toString(),
                scene.toString()));
    assertEquals(0, gtiff.code(), gtiff.err());
    JsonNode noOverviews = cogReference(plain.resolve("c_landcover.tif"), "mode");
    assertEquals("[]", noOverviews.get("overviews").toString());
    JsonNode margin = uncertaintyReference(plain, "margin");
    assertEquals(0, margin.get("nanMismatches").asInt(), margin.toString());
    assertTrue(margin.get("maxDifference").asDouble() <= 1e-6, margin.toString());
    assertTrue(
        margin.get("min").asDouble() >= 0 && margin.get("max").asDouble() <= 1, margin.toString());
  }

  @Test
  void overviewsNearestEqualGdaladdoNearestAndAverageIsRefusedForTheMap() throws Exception {
    Path scene = dir.resolve("n.tif");
    new SyntheticScene(301, 283, 5).write(dir.resolve("n"), false);
    Files.move(dir.resolve("n/scene.tif"), scene);
    Path out = dir.resolve("out-nearest");
    String[] common = {"predict", "--model", bundle.toString(), "--chip", "64"};
    Cli cli =
        Cli.run(
            concat(common, "--overviews", "nearest", "--out", out.toString(), scene.toString()));
    assertEquals(0, cli.code(), cli.err());
    JsonNode nearest = cogReference(out.resolve("n_landcover.tif"), "nearest");
    assertEquals("[]", nearest.get("errors").toString());
    assertEquals("[]", nearest.get("warnings").toString());
    assertEquals("[[151,142]]", nearest.get("overviews").toString());
    assertEquals(0.0, nearest.get("maxDifference").asDouble(), nearest.toString());
    // The same map's overview is not gdaladdo's mode: the option changed what was written.
    assertTrue(
        cogReference(out.resolve("n_landcover.tif"), "mode").get("maxDifference").asDouble() > 0);
    Cli average =
        Cli.run(
            concat(
                common,
                "--overviews",
                "average",
                "--out",
                dir.resolve("out-average").toString(),
                scene.toString()));
    assertEquals(2, average.code(), average.err());
    assertTrue(average.err().contains("mode or nearest"), average.err());
  }

  private static String[] concat(String[] a, String... b) {
    String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  /**
   * {@code --block-width}: a scene wider than the block is mapped in column blocks (the log says
   * so), and every output equals the one-block run's as GDAL reads them: pixels, georeferencing
   * (CRS by {@code IsSame}), nodata, colours, class names and overviews; the COGs still pass GDAL's
   * validator. One chip a batch, so that a forward pass sees the same batch in both runs.
   */
  @Test
  void columnBlocksGiveTheMapsOfTheWholeWidth() throws Exception {
    Path scene = dir.resolve("wide/scene.tif");
    new SyntheticScene(1300, 100, 5).write(scene.getParent(), false);
    List<String> pairs = new java.util.ArrayList<>();
    long[] classified = new long[2];
    for (int run = 0; run < 2; run++) {
      Path out = dir.resolve("blocks" + run);
      Cli cli =
          Cli.run(
              "predict",
              "--model",
              bundle.toString(),
              "--chip",
              "64",
              "--overlap",
              "16",
              "--batch",
              "1",
              "--block-width",
              run == 0 ? "0" : "300",
              "--confidence",
              "--probabilities",
              "--float",
              "--uncertainty",
              "entropy",
              "--out",
              out.toString(),
              scene.toString());
      assertEquals(0, cli.code(), cli.err());
      assertEquals(
          run == 1,
          (cli.out() + cli.err()).contains("3 column blocks of 512 px"),
          "the log names the blocks: " + cli.out());
      for (String name : List.of("landcover", "confidence", "probabilities", "uncertainty")) {
        pairs.add(out.resolve("scene_" + name + ".tif").toString());
      }
      classified[run] =
          new ObjectMapper()
              .readTree(out.resolve("scene_landcover.json").toFile())
              .get("classifiedPixels")
              .asLong();
    }
    assertEquals(classified[0], classified[1]);
    List<String> args = new java.util.ArrayList<>();
    for (int i = 0; i < 4; i++) {
      args.add(pairs.get(i));
      args.add(pairs.get(4 + i));
    }
    String out =
        Gdal.runScript(
            Gdal.class,
            "same_raster.py",
            Files.createDirectories(dir.resolve("same")),
            args.toArray(String[]::new));
    JsonNode results = new ObjectMapper().readTree(out.substring(out.lastIndexOf("\n[") + 1));
    for (int i = 0; i < 4; i++) {
      JsonNode r = results.get(i);
      assertEquals(0, r.get("differences").size(), pairs.get(4 + i) + ": " + r);
      assertEquals("[[],[]]", r.get("cog").toString(), pairs.get(4 + i) + ": COG validator");
    }
  }
}

package dev.landcover.workflows;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.landcover.geo.Gdal;
import dev.landcover.geo.GeoTiffRaster;
import dev.landcover.geo.RasterWindow;
import dev.landcover.networks.DynamicWorld;
import dev.landcover.networks.InferenceOptions;
import dev.landcover.networks.InputNormalization;
import dev.landcover.networks.ModelBundle;
import dev.landcover.networks.SegmentationModel;
import dev.landcover.pixels.PixelWindow;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.tensorflow.Result;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.SessionFunction;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TFloat32;

/**
 * Dynamic World imported from its Keras SavedModel (no TensorFlow) and run by DJL's PyTorch engine
 * gives TensorFlow's logits (TensorFlow Java running the same SavedModel) within 1e-4 on the real
 * Sentinel-2 scene, normalized as the bundle declares: the whole scene (odd width), windows of odd
 * and even sizes, and a batch of chips. Mapping a scene with the built-in bundle ({@code --model
 * dynamic-world}) gives the classes and probabilities of TensorFlow's logits, picking the bands by
 * their descriptions (read as GDAL reads them) whatever their order, or as {@code --bands} says.
 */
class DynamicWorldTest {
  private static final double TOLERANCE = 1e-4;
  private static Path savedModel;
  private static SavedModelBundle tf;
  private static SessionFunction serving;
  private static SegmentationModel djl;
  private static ModelBundle bundle;
  private static float[] scene; // 9 normalized bands x height x width
  private static int width;
  private static int height;

  @TempDir static Path dir;

  @BeforeAll
  static void load() throws IOException {
    Path data = Gdal.sharedData();
    savedModel = data.resolve("models/dynamicworld");
    bundle = DynamicWorld.importBundle(savedModel, dir.resolve("dw"));
    djl = ModelBundle.load(dir.resolve("dw"), dir.resolve("scratch")).open(ai.djl.Device.cpu());
    tf = SavedModelBundle.load(savedModel.toString(), "serve");
    serving = tf.function("serving_default");
    try (GeoTiffRaster raster = GeoTiffRaster.open(data.resolve("scenes/s2-slovenia-13band.tif"))) {
      width = raster.width();
      height = raster.height();
      int[] bands = bundle.bands().stream().mapToInt(ModelBundle.Band::index).toArray();
      RasterWindow w = raster.read(new PixelWindow(0, 0, width, height), bands);
      InputNormalization norm = bundle.normalization();
      scene = new float[bands.length * width * height];
      for (int b = 0; b < bands.length; b++) {
        for (int y = 0; y < height; y++) {
          for (int x = 0; x < width; x++) {
            scene[(b * height + y) * width + x] = norm.apply(b, (float) w.sample(b, x, y));
          }
        }
      }
    }
  }

  @AfterAll
  static void close() {
    if (djl != null) {
      djl.close();
    }
    if (tf != null) {
      tf.close();
    }
  }

  /** Channels-first chips of the scene (n x 9 x h x w). */
  private static float[] chips(int h, int w, int[][] origins) {
    float[] out = new float[origins.length * 9 * h * w];
    for (int i = 0; i < origins.length; i++) {
      for (int b = 0; b < 9; b++) {
        for (int y = 0; y < h; y++) {
          System.arraycopy(
              scene,
              (b * height + origins[i][1] + y) * width + origins[i][0],
              out,
              ((i * 9 + b) * h + y) * w,
              w);
        }
      }
    }
    return out;
  }

  /** TensorFlow's logits for channels-first input, returned channels first. */
  private static float[] tensorflow(float[] nchw, int n, int h, int w) {
    float[] nhwc = new float[nchw.length];
    for (int i = 0; i < n; i++) {
      for (int b = 0; b < 9; b++) {
        for (int p = 0; p < h * w; p++) {
          nhwc[(i * h * w + p) * 9 + b] = nchw[(i * 9 + b) * h * w + p];
        }
      }
    }
    String input = serving.signature().inputNames().iterator().next();
    try (TFloat32 x = TFloat32.tensorOf(Shape.of(n, h, w, 9), DataBuffers.of(nhwc, true, false));
        Result result = serving.call(Map.of(input, x))) {
      TFloat32 y = (TFloat32) result.get(0);
      long[] s = y.shape().asArray();
      assertEquals(4, s.length);
      int c = (int) s[3];
      float[] out = new float[n * h * w * c];
      y.copyTo(DataBuffers.of(out, false, false));
      float[] back = new float[out.length];
      for (int i = 0; i < n; i++) {
        for (int k = 0; k < c; k++) {
          for (int p = 0; p < h * w; p++) {
            back[(i * c + k) * h * w + p] = out[(i * h * w + p) * c + k];
          }
        }
      }
      return back;
    }
  }

  private static double maxDifference(int h, int w, int[][] origins) {
    float[] x = chips(h, w, origins);
    SegmentationModel.Logits ours = djl.predict(x, origins.length, 9, h, w);
    float[] theirs = tensorflow(x, origins.length, h, w);
    assertEquals(9, ours.classes());
    assertEquals(theirs.length, ours.values().length);
    double max = 0;
    double scale = 0;
    for (int i = 0; i < theirs.length; i++) {
      max = Math.max(max, Math.abs(ours.values()[i] - theirs[i]));
      scale = Math.max(scale, Math.abs(theirs[i]));
    }
    System.out.printf(
        Locale.ROOT,
        "Dynamic World %d x %d x %d: max |DJL - TensorFlow| = %.3g (max |logit| %.3g)%n",
        origins.length,
        h,
        w,
        max,
        scale);
    assertTrue(scale > 0.1, "logits are not trivially zero");
    return max;
  }

  @Test
  void wholeSceneMatchesTensorFlow() {
    assertTrue(maxDifference(height, width, new int[][] {{0, 0}}) <= TOLERANCE);
  }

  /**
   * {@code open} folds the graph's batch normalizations into its convolutions (all of them here):
   * on the whole scene the logits equal the graph run as imported within 1e-4.
   */
  @Test
  void foldedBatchNormEqualsTheGraphAsImported() throws IOException {
    assertTrue(bundle.graph().toString().contains("batchnorm"), bundle.graph().toString());
    assertFalse(djl.toString().contains("batchnorm"), djl.toString());
    float[] x = chips(height, width, new int[][] {{0, 0}});
    try (SegmentationModel asImported =
        SegmentationModel.graph(
            bundle.graph(),
            dir.resolve("dw").resolve(bundle.weights()),
            ai.djl.Device.cpu(),
            InferenceOptions.AS_TRAINED)) {
      float[] reference = asImported.predict(x, 1, 9, height, width).values();
      float[] folded = djl.predict(x, 1, 9, height, width).values();
      double max = 0;
      for (int i = 0; i < reference.length; i++) {
        max = Math.max(max, Math.abs(reference[i] - folded[i]));
      }
      System.out.printf(Locale.ROOT, "Dynamic World: max |folded - as imported| = %.3g%n", max);
      assertTrue(max <= TOLERANCE, "max |folded - as imported| = " + max);
    }
  }

  @ParameterizedTest(name = "{0} x {1} at ({2}, {3})")
  @CsvSource({"2, 2, 10, 20", "3, 5, 0, 0", "37, 53, 11, 40", "64, 64, 36, 37", "99, 100, 0, 2"})
  void windowsMatchTensorFlow(int h, int w, int x, int y) {
    assertTrue(maxDifference(h, w, new int[][] {{x, y}}) <= TOLERANCE);
  }

  @Test
  void aBatchOfChipsMatchesTensorFlow() {
    int[][] origins = {{0, 0}, {36, 0}, {0, 37}, {36, 37}};
    assertTrue(maxDifference(64, 64, origins) <= TOLERANCE);
  }

  /** Softmax of TensorFlow's logits for the whole scene mirrored (reflect-101) to even height. */
  private static float[][] tensorflowProbabilities(int h) {
    float[] x = new float[9 * h * width];
    for (int b = 0; b < 9; b++) {
      for (int y = 0; y < h; y++) {
        int sy = dev.landcover.pixels.PredictionTiling.reflect(y, height);
        System.arraycopy(scene, (b * height + sy) * width, x, (b * h + y) * width, width);
      }
    }
    float[] logits = tensorflow(x, 1, h, width);
    float[][] p = new float[9][height * width];
    for (int i = 0; i < height * width; i++) {
      double max = Double.NEGATIVE_INFINITY;
      for (int k = 0; k < 9; k++) {
        max = Math.max(max, logits[k * h * width + i]);
      }
      double sum = 0;
      for (int k = 0; k < 9; k++) {
        sum += Math.exp(logits[k * h * width + i] - max);
      }
      for (int k = 0; k < 9; k++) {
        p[k][i] = (float) (Math.exp(logits[k * h * width + i] - max) / sum);
      }
    }
    return p;
  }

  private static Path map(Path scene, String out, int... bands) throws IOException {
    MappingRequest request =
        MappingRequest.builder(Path.of(DynamicWorld.NAME), java.util.List.of(scene))
            .outDir(dir.resolve(out))
            .probabilities(MappingRequest.Probabilities.FLOAT32)
            .device(ai.djl.Device.cpu())
            .bands(bands.length == 0 ? null : bands)
            .build();
    StringBuilder messages = new StringBuilder();
    var outcomes =
        SceneMapper.map(
            request,
            new ProgressListener() {
              @Override
              public void message(String line) {
                messages.append(line).append('\n');
              }
            });
    assertEquals(SceneMapper.Status.DONE, outcomes.get(0).status(), outcomes.get(0).detail());
    assertTrue(
        messages
            .toString()
            .contains("Attribution: This source code is available under an Apache 2"),
        messages.toString());
    return SceneMapper.mapPath(scene, dir.resolve(out));
  }

  private static int[] classes(Path map) throws IOException {
    try (GeoTiffRaster r = GeoTiffRaster.open(map)) {
      RasterWindow w = r.read(new PixelWindow(0, 0, width, height), 1);
      int[] out = new int[width * height];
      for (int i = 0; i < out.length; i++) {
        out[i] = (int) w.sample(0, i % width, i / width);
      }
      return out;
    }
  }

  @Test
  void predictWithTheBuiltInModelGivesTensorFlowsClassesAndProbabilities() throws IOException {
    Path scene = Gdal.sharedData().resolve("scenes/s2-slovenia-13band.tif");
    Path map = map(scene, "original");
    float[][] reference = tensorflowProbabilities(height + height % 2);
    int[] ours = classes(map);
    Path probabilities = map.resolveSibling("s2-slovenia-13band_probabilities.tif");
    double maxDifference = 0;
    int mismatches = 0;
    try (GeoTiffRaster r = GeoTiffRaster.open(probabilities)) {
      RasterWindow w = r.read(new PixelWindow(0, 0, width, height), r.allBands());
      for (int i = 0; i < width * height; i++) {
        int best = 0;
        for (int k = 0; k < 9; k++) {
          maxDifference =
              Math.max(
                  maxDifference, Math.abs(w.sample(k, i % width, i / width) - reference[k][i]));
          best = reference[k][i] > reference[best][i] ? k : best;
        }
        mismatches += ours[i] == DynamicWorld.CLASSES.get(best).id() ? 0 : 1;
      }
    }
    System.out.printf(
        Locale.ROOT,
        "Dynamic World map of the scene: %d of %d classes differ from TensorFlow's, max"
            + " probability difference %.3g%n",
        mismatches,
        width * height,
        maxDifference);
    assertEquals(0, mismatches);
    assertTrue(maxDifference <= TOLERANCE, "probabilities differ by " + maxDifference);
  }

  @Test
  void bandsArePickedByDescriptionOrByTheBandsOption() throws IOException {
    Path scene = Gdal.sharedData().resolve("scenes/s2-slovenia-13band.tif");
    Path variants = Files.createDirectories(dir.resolve("variants"));
    JsonNode gdal =
        new ObjectMapper()
            .readTree(
                Gdal.runScript(
                    getClass(),
                    "s2_band_variants.py",
                    variants,
                    scene.toString(),
                    variants.toString()));
    for (var e : (Iterable<Map.Entry<String, JsonNode>>) gdal::fields) {
      try (GeoTiffRaster r = GeoTiffRaster.open(Path.of(e.getKey()))) {
        java.util.List<String> expected = new java.util.ArrayList<>();
        e.getValue().forEach(d -> expected.add(d.asText()));
        java.util.List<String> got = r.bandDescriptions();
        assertEquals(
            expected.stream().allMatch(String::isEmpty) ? java.util.List.of() : expected,
            got,
            e.getKey() + ": band descriptions as GDAL reads them");
      }
    }
    int[] original = classes(map(scene, "by-position"));
    assertArrayEquals(original, classes(map(variants.resolve("reversed.tif"), "by-name")));
    assertArrayEquals(
        original,
        classes(
            map(
                variants.resolve("reversed-nodesc.tif"),
                "by-option",
                12,
                11,
                10,
                9,
                8,
                7,
                6,
                2,
                1)));
    MappingRequest missing =
        MappingRequest.builder(
                Path.of(DynamicWorld.NAME), java.util.List.of(variants.resolve("no-b11.tif")))
            .outDir(dir.resolve("missing"))
            .device(ai.djl.Device.cpu())
            .build();
    var outcome = SceneMapper.map(missing, new ProgressListener() {}).get(0);
    assertEquals(SceneMapper.Status.FAILED, outcome.status());
    assertTrue(
        outcome.detail().contains("no-b11.tif") && outcome.detail().contains("band B11"),
        outcome.detail());
  }

  @Test
  void theBuiltInBundleIsTheImportOfTheSharedSavedModel() throws IOException {
    ModelBundle.Loaded builtIn = ModelBundle.load(Path.of(DynamicWorld.NAME), dir.resolve("b"));
    ObjectMapper json = new ObjectMapper();
    assertTrue(
        json.readTree(json.writeValueAsString(bundle.toJson()))
            .equals(json.readTree(json.writeValueAsString(builtIn.bundle().toJson()))),
        "the built-in model.json differs from a fresh import: run landcover model import-keras"
            + " --dynamic-world again");
    try (ai.djl.ndarray.NDManager m = ai.djl.ndarray.NDManager.newBaseManager()) {
      ai.djl.ndarray.NDList fresh =
          ai.djl.ndarray.NDList.decode(m, Files.readAllBytes(dir.resolve("dw/weights.npz")));
      ai.djl.ndarray.NDList shipped =
          ai.djl.ndarray.NDList.decode(m, Files.readAllBytes(builtIn.weightsFile()));
      assertEquals(fresh.size(), shipped.size());
      for (int i = 0; i < fresh.size(); i++) {
        assertEquals(fresh.get(i).getName(), shipped.get(i).getName());
        assertArrayEquals(fresh.get(i).toFloatArray(), shipped.get(i).toFloatArray());
      }
    }
    assertEquals(
        Files.readString(savedModel.resolve("NOTICE")).strip(), builtIn.bundle().attribution());
    assertTrue(builtIn.bundle().describe().contains("Dynamic World Project by Google"));
  }
}

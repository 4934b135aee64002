package dev.landcover.app;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.landcover.geo.Gdal;
import dev.landcover.networks.ModelBundle;
import dev.landcover.testdata.SyntheticScene;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code landcover train --init}: fine-tuning the built-in Dynamic World graph on the real
 * Slovenian Sentinel-2 scene and a UNet bundle on a generated scene. What is checked is what a user
 * gets: the bundle's weights (weights.npz, compared tensor by tensor) and the maps predict makes
 * with it (read by GDAL).
 */
class FineTuneCommandTest {
  private static final String CLASSES =
      "1:cultivated:#f0d25a,2:forest:#1e6e28,3:grassland:#8cc864,4:shrubland:#a08c46,"
          + "8:artificial:#c82828";

  private static List<String> slovenia() {
    Path data = Gdal.sharedData();
    return List.of(
        "--image",
        data.resolve("scenes/s2-slovenia-13band.tif").toString(),
        "--labels",
        data.resolve("labels/s2-slovenia-lulc.tif").toString(),
        "--chip",
        "32",
        "--stride",
        "32",
        "--batch",
        "4",
        "--lr",
        "1e-3");
  }

  private static Cli train(List<String> data, Path out, String... more) {
    List<String> args = new ArrayList<>(List.of("train"));
    args.addAll(data);
    args.addAll(List.of("--out", out.toString()));
    args.addAll(List.of(more));
    return Cli.run(args.toArray(String[]::new));
  }

  /** Every tensor of a bundle's weights.npz by name (its shape first, then its values). */
  private static Map<String, float[]> tensors(Path npz) throws Exception {
    Map<String, float[]> out = new TreeMap<>();
    try (NDManager m = NDManager.newBaseManager()) {
      for (NDArray a : NDList.decode(m, Files.readAllBytes(npz))) {
        long[] shape = a.getShape().getShape();
        float[] v = a.toFloatArray();
        float[] withShape = new float[shape.length + v.length];
        for (int i = 0; i < shape.length; i++) {
          withShape[i] = shape[i];
        }
        System.arraycopy(v, 0, withShape, shape.length, v.length);
        out.put(a.getName(), withShape);
      }
    }
    return out;
  }

  private static Path builtInWeights(Path dir) throws Exception {
    return ModelBundle.load(Path.of("dynamic-world"), dir.resolve("builtin")).weightsFile();
  }

  /** The class map predict writes for {@code scene} with {@code model}, as GDAL reads it. */
  private static double[] map(Path dir, String model, Path scene, String name) throws Exception {
    Path out = dir.resolve("maps-" + name);
    Cli predict = Cli.run("predict", "--model", model, "--out", out.toString(), scene.toString());
    assertEquals(0, predict.code(), predict.err());
    String stem = scene.getFileName().toString().replaceFirst("\\.tif$", "");
    Path map = out.resolve(stem + "_landcover.tif");
    return Gdal.describe(List.of(new Gdal.Request(map))).get(map).data(0);
  }

  @Test
  void dynamicWorldWithItsOwnClassesAndNoEpochIsTheBuiltInModel(@TempDir Path dir)
      throws Exception {
    Gdal.assumeAvailable();
    Path bundle = dir.resolve("dw0");
    Cli zero = train(slovenia(), bundle, "--init", "dynamic-world", "--epochs", "0");
    assertEquals(0, zero.code(), zero.err());
    assertTrue(zero.out().contains("its classifier head kept"), zero.out());
    assertEquals(
        tensors(builtInWeights(dir)).keySet(), tensors(bundle.resolve("weights.npz")).keySet());
    Map<String, float[]> written = tensorsOf(bundle);
    tensors(builtInWeights(dir))
        .forEach((k, v) -> assertArrayEquals(v, written.get(k), 0f, k + " differs from the init"));
    JsonNode json = new ObjectMapper().readTree(bundle.resolve("model.json").toFile());
    assertEquals("graph", json.at("/architecture/type").asText());
    assertEquals("logsigmoid", json.at("/normalization/method").asText());
    assertEquals("B11", json.at("/bands/7/name").asText());
    assertTrue(Files.isRegularFile(bundle.resolve("NOTICE")), "the attribution travels along");
    Path scene = sloveniaScene();
    assertArrayEquals(
        map(dir, "dynamic-world", scene, "builtin"),
        map(dir, bundle.toString(), scene, "init"),
        "the fine-tuned bundle with no epoch maps as the built-in model");
    // The architecture comes from the bundle: an option describing another is refused.
    Cli conflict =
        train(slovenia(), dir.resolve("x"), "--init", "dynamic-world", "--preset", "geo-course");
    assertEquals(2, conflict.code(), conflict.out());
    assertEquals(
        "landcover: --init dynamic-world takes the architecture from the bundle: drop --preset",
        conflict.errorLines().strip());
  }

  private static Map<String, float[]> tensorsOf(Path bundle) {
    try {
      return tensors(bundle.resolve("weights.npz"));
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void frozenEpochsTrainOnlyANewHeadAndAResumedFineTuneEqualsAnUninterruptedOne(@TempDir Path dir)
      throws Exception {
    Gdal.assumeAvailable();
    Map<String, float[]> init = tensors(builtInWeights(dir));
    String[] options = {
      "--init", "dynamic-world", "--class-list", CLASSES, "--freeze-epochs", "1", "--seed", "3"
    };
    // 1 epoch with the body frozen: everything but the head is bit-identical to the init.
    Path frozen = dir.resolve("frozen");
    Cli one = train(slovenia(), frozen, concat(options, "--epochs", "1"));
    assertEquals(0, one.code(), one.err());
    assertTrue(one.out().contains("with a new classifier head"), one.out());
    Map<String, float[]> after = tensorsOf(frozen);
    assertEquals(init.keySet(), after.keySet());
    int same = 0;
    for (String k : init.keySet()) {
      if (k.startsWith("conv2d_14.")) {
        continue;
      }
      assertArrayEquals(init.get(k), after.get(k), 0f, k + " changed in a frozen epoch");
      same++;
    }
    assertEquals(init.size() - 2, same);
    float[] head = after.get("conv2d_14.weight");
    assertArrayEquals(new float[] {5, 144, 1, 1}, Arrays.copyOf(head, 4), 0f, "head shape");
    // The new head is initialized from the seed (two runs with 0 epochs agree) and was trained.
    Cli start = train(slovenia(), dir.resolve("start"), concat(options, "--epochs", "0"));
    Cli again = train(slovenia(), dir.resolve("again"), concat(options, "--epochs", "0"));
    assertEquals(0, start.code() + again.code(), start.err() + again.err());
    float[] initial = tensorsOf(dir.resolve("start")).get("conv2d_14.weight");
    assertArrayEquals(initial, tensorsOf(dir.resolve("again")).get("conv2d_14.weight"), 0f);
    assertFalse(Arrays.equals(initial, head), "the frozen epoch did not train the head");
    // The map uses the new classes.
    double[] classes = map(dir, frozen.toString(), sloveniaScene(), "frozen");
    Set<Double> values = new TreeSet<>();
    for (double v : classes) {
      values.add(v);
    }
    assertTrue(Set.of(1.0, 2.0, 3.0, 4.0, 8.0).containsAll(values), "map values " + values);
    assertTrue(values.size() >= 2, "map values " + values);
    // 3 epochs (1 frozen) in one go, and 2 then resumed to 3: the same weights, bit for bit.
    Path whole = dir.resolve("whole");
    Cli uninterrupted = train(slovenia(), whole, concat(options, "--epochs", "3"));
    assertEquals(0, uninterrupted.code(), uninterrupted.err());
    Path part = dir.resolve("part");
    Cli first = train(slovenia(), part, concat(options, "--epochs", "2"));
    assertEquals(0, first.code(), first.err());
    Cli resumed =
        train(
            slovenia(),
            part,
            concat(
                options,
                "--epochs",
                "3",
                "--overwrite",
                "--resume",
                dir.resolve("part.ckpt").toString()));
    assertEquals(0, resumed.code(), resumed.err());
    assertFalse(resumed.out().contains("epoch   2"), "epoch 2 was trained again");
    Map<String, float[]> a = tensorsOf(whole);
    Map<String, float[]> b = tensorsOf(part);
    assertEquals(a.keySet(), b.keySet());
    a.forEach((k, v) -> assertArrayEquals(v, b.get(k), 0f, k + " differs after resuming"));
    assertFalse(
        Arrays.equals(init.get("conv2d.weight"), a.get("conv2d.weight")),
        "the body did not train after the frozen epoch");
  }

  private static Path sloveniaScene() {
    return Gdal.sharedData().resolve("scenes/s2-slovenia-13band.tif");
  }

  private static String[] concat(String[] a, String... b) {
    String[] out = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  @Test
  void aUNetBundleFineTunesFromItsWeights(@TempDir Path dir) throws Exception {
    Gdal.assumeAvailable();
    new SyntheticScene(128, 128, 41).write(dir.resolve("s"), false);
    List<String> data =
        List.of(
            "--image",
            dir.resolve("s/scene.tif").toString(),
            "--labels",
            dir.resolve("s/labels.tif").toString(),
            "--chip",
            "32",
            "--stride",
            "16",
            "--batch",
            "4");
    Path base = dir.resolve("base");
    Cli trained =
        train(data, base, "--depth", "2", "--filters", "4", "--norm", "batch", "--epochs", "1");
    assertEquals(0, trained.code(), trained.err());
    Path same = dir.resolve("same");
    Cli zero = train(data, same, "--init", base.toString(), "--epochs", "0");
    assertEquals(0, zero.code(), zero.err());
    Map<String, float[]> w0 = tensorsOf(base);
    Map<String, float[]> copied = tensorsOf(same);
    w0.forEach((k, v) -> assertArrayEquals(v, copied.get(k), 0f, k));
    Path scene = dir.resolve("s/scene.tif");
    assertArrayEquals(
        map(dir, base.toString(), scene, "base"), map(dir, same.toString(), scene, "same"));
    // A frozen epoch with the same classes keeps the head and trains only it.
    Path frozen = dir.resolve("frozen");
    Cli one =
        train(data, frozen, "--init", base.toString(), "--epochs", "1", "--freeze-epochs", "1");
    assertEquals(0, one.code(), one.err());
    Map<String, float[]> w1 = tensorsOf(frozen);
    for (String k : w0.keySet()) {
      if (k.startsWith("head.")) {
        assertFalse(Arrays.equals(w0.get(k), w1.get(k)), k + " did not train");
      } else {
        assertArrayEquals(w0.get(k), w1.get(k), 0f, k + " changed in a frozen epoch");
      }
    }
    Cli noInit = train(data, dir.resolve("y"), "--freeze-epochs", "1");
    assertEquals(2, noInit.code(), noInit.out());
    assertTrue(noInit.errorLines().contains("only with --init"), noInit.err());
  }

  /**
   * {@code --head-crosswalk}: the new head's outputs are copies of Dynamic World's head outputs
   * through the crosswalk, bit for bit (the first source when several map onto one class, the
   * seed's values for a class with none), and with no epoch the fine-tuned bundle's map on the
   * Slovenian scene (read by GDAL) is the zero-shot map through the crosswalk at every pixel whose
   * zero-shot class the crosswalk maps.
   */
  @Test
  void aHeadFromTheBundlesThroughACrosswalkMapsAsTheZeroShotModel(@TempDir Path dir)
      throws Exception {
    Gdal.assumeAvailable();
    Map<String, float[]> init = tensors(builtInWeights(dir));
    String[] options = {"--init", "dynamic-world", "--class-list", CLASSES, "--epochs", "0"};
    Path walked = dir.resolve("walked");
    Cli cli = train(slovenia(), walked, concat(options, "--head-crosswalk", "1=2,4=1,2=3,5=4,6=8"));
    assertEquals(0, cli.code(), cli.err());
    assertTrue(
        cli.out().contains("from its own through the crosswalk 1=2,4=1,2=3,5=4,6=8"), cli.out());
    // New classes 1, 2, 3, 4, 8 come from Dynamic World's crops, trees, grass, shrub, built.
    assertHeadRows(init, tensorsOf(walked), null, 4, 1, 2, 5, 6);
    int[] dw = toInts(map(dir, "dynamic-world", sloveniaScene(), "zero-shot"));
    int[] tuned = toInts(map(dir, walked.toString(), sloveniaScene(), "walked"));
    Map<Integer, Integer> walk = Map.of(1, 2, 4, 1, 2, 3, 5, 4, 6, 8);
    int compared = 0;
    for (int i = 0; i < dw.length; i++) {
      if (walk.containsKey(dw[i])) {
        assertEquals((int) walk.get(dw[i]), tuned[i], "pixel " + i);
        compared++;
      }
    }
    assertTrue(compared > dw.length / 2, compared + " of " + dw.length + " pixels compared");
    // Trees and bare (7) both onto forest: the first listed is copied; classes with no source
    // (cultivated, shrubland, artificial) keep the seed's head, that of a run without crosswalk.
    Path partial = dir.resolve("partial");
    Cli many = train(slovenia(), partial, concat(options, "--head-crosswalk", "1=2,7=2,2=3"));
    assertEquals(0, many.code(), many.err());
    Path seeded = dir.resolve("seeded");
    Cli none = train(slovenia(), seeded, options);
    assertEquals(0, none.code(), none.err());
    assertHeadRows(init, tensorsOf(partial), tensorsOf(seeded), -1, 1, 2, -1, -1);
    Cli unknown = train(slovenia(), dir.resolve("x"), concat(options, "--head-crosswalk", "9=2"));
    assertEquals(2, unknown.code(), unknown.out());
    assertTrue(
        unknown.errorLines().contains("9=2 maps class 9, not one of dynamic-world's"),
        unknown.err());
    Cli noInit = train(slovenia(), dir.resolve("y"), "--epochs", "1", "--head-crosswalk", "1=2");
    assertEquals(2, noInit.code(), noInit.out());
    assertTrue(noInit.errorLines().contains("needs --init"), noInit.err());
  }

  /**
   * Checks that output {@code i} of {@code tuned}'s head (weights and bias) is output {@code
   * rows[i]} of {@code init}'s, or that of {@code seeded}'s where {@code rows[i]} is -1.
   */
  private static void assertHeadRows(
      Map<String, float[]> init,
      Map<String, float[]> tuned,
      Map<String, float[]> seeded,
      int... rows) {
    for (String name : List.of("conv2d_14.weight", "conv2d_14.bias")) {
      float[] from = init.get(name);
      float[] to = tuned.get(name);
      int dims = name.endsWith("weight") ? 4 : 1;
      int fromRow = (from.length - dims) / (int) from[0];
      int toRow = (to.length - dims) / (int) to[0];
      assertEquals(fromRow, toRow, name);
      assertEquals(rows.length, (int) to[0], name);
      for (int i = 0; i < rows.length; i++) {
        float[] expected =
            rows[i] >= 0
                ? Arrays.copyOfRange(from, dims + rows[i] * fromRow, dims + (rows[i] + 1) * fromRow)
                : Arrays.copyOfRange(seeded.get(name), dims + i * toRow, dims + (i + 1) * toRow);
        assertArrayEquals(
            expected,
            Arrays.copyOfRange(to, dims + i * toRow, dims + (i + 1) * toRow),
            0f,
            name + " output " + i);
      }
    }
  }

  private static int[] toInts(double[] values) {
    int[] out = new int[values.length];
    for (int i = 0; i < values.length; i++) {
      out[i] = (int) values[i];
    }
    return out;
  }
}

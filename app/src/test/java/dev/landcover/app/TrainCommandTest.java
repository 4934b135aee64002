package dev.landcover.app;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.landcover.networks.TrainingCheckpoint;
import dev.landcover.testdata.SyntheticScene;
import dev.landcover.workflows.TrainingRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** chips -> train -> predict -> assess on generated scenes, end to end. */
class TrainCommandTest {
  @Test
  void aTrainedBundleMapsAHeldOutScene(@TempDir Path dir) throws Exception {
    new SyntheticScene(384, 384, 21).write(dir.resolve("train"), false);
    new SyntheticScene(192, 192, 22).write(dir.resolve("test"), false);
    Path bundle = dir.resolve("model");
    Cli train =
        Cli.run(
            "train",
            "--image",
            dir.resolve("train/scene.tif").toString(),
            "--labels",
            dir.resolve("train/labels.tif").toString(),
            "--chip",
            "64",
            "--depth",
            "3",
            "--filters",
            "8",
            "--epochs",
            "8",
            "--lr",
            "3e-3",
            "--out",
            bundle.toString());
    assertEquals(0, train.code(), train.err());
    assertTrue(train.out().contains("epoch   8"), train.out());
    assertTrue(Files.readString(bundle.resolve("epochs.csv")).startsWith("epoch,train_loss"));
    Cli predict =
        Cli.run(
            "predict",
            "--model",
            bundle.toString(),
            "--chip",
            "64",
            "--overlap",
            "16",
            "--out",
            dir.resolve("maps").toString(),
            dir.resolve("test/scene.tif").toString());
    assertEquals(0, predict.code(), predict.err());
    Cli assess =
        Cli.run(
            "assess",
            "--prediction",
            dir.resolve("maps/scene_landcover.tif").toString(),
            "--reference",
            dir.resolve("test/labels.tif").toString());
    assertEquals(0, assess.code(), assess.err());
    String line =
        assess
            .out()
            .lines()
            .filter(l -> l.startsWith("Overall accuracy"))
            .findFirst()
            .orElseThrow();
    double oa = Double.parseDouble(line.split("\\s+")[2]);
    assertTrue(oa > 0.5, "eight epochs should beat chance clearly: " + line);
  }

  /** A small, fast training run's options (after the data options). */
  private static List<String> tiny(Path out, String... more) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "--chip",
                "32",
                "--stride",
                "16",
                "--depth",
                "2",
                "--filters",
                "4",
                "--batch",
                "4",
                "--lr",
                "3e-3",
                "--out",
                out.toString()));
    args.addAll(List.of(more));
    return args;
  }

  private static Cli train(List<String> data, List<String> options) {
    List<String> args = new ArrayList<>(List.of("train"));
    args.addAll(data);
    args.addAll(options);
    return Cli.run(args.toArray(String[]::new));
  }

  /** Every tensor of the bundle's weights, by name, as numpy would list them. */
  private static Map<String, float[]> tensors(Path bundle) throws Exception {
    Map<String, float[]> out = new TreeMap<>();
    try (NDManager m = NDManager.newBaseManager()) {
      for (var a : NDList.decode(m, Files.readAllBytes(bundle.resolve("weights.npz")))) {
        out.put(a.getName(), a.toFloatArray());
      }
    }
    return out;
  }

  private static void assertSameWeights(Path a, Path b) throws Exception {
    Map<String, float[]> x = tensors(a);
    Map<String, float[]> y = tensors(b);
    assertEquals(x.keySet(), y.keySet());
    for (String k : x.keySet()) {
      assertArrayEquals(x.get(k), y.get(k), 0f, k);
    }
  }

  /**
   * With only the data, the epochs and --out, train runs the defaults the docs state (chosen on a
   * real scene, docs/benchmarks.md): everything that decides the weights equals a run that spells
   * them out, and the network is {@link TrainingRequest#DEFAULT_ARCHITECTURE}.
   */
  @Test
  void withoutOptionsTrainRunsTheDocumentedDefaults(@TempDir Path dir) throws Exception {
    new SyntheticScene(256, 256, 34).write(dir.resolve("s"), false);
    List<String> data =
        List.of(
            "--image",
            dir.resolve("s/scene.tif").toString(),
            "--labels",
            dir.resolve("s/labels.tif").toString(),
            "--epochs",
            "1");
    Cli plain = train(data, List.of("--out", dir.resolve("plain").toString()));
    assertEquals(0, plain.code(), plain.err());
    Cli spelled =
        train(
            data,
            List.of(
                "--depth",
                "5",
                "--filters",
                "8",
                "--chip",
                "64",
                "--stride",
                "64",
                "--lr",
                "2e-3",
                "--class-weights",
                "sqrt",
                "--batch",
                "8",
                "--val-split",
                "blocks",
                "--val-fraction",
                "0.2",
                "--seed",
                "7",
                "--out",
                dir.resolve("spelled").toString()));
    assertEquals(0, spelled.code(), spelled.err());
    JsonNode settings = TrainingCheckpoint.read(dir.resolve("plain.ckpt")).settings();
    assertEquals(TrainingCheckpoint.read(dir.resolve("spelled.ckpt")).settings(), settings);
    assertEquals(64, settings.get("stride").asInt());
    assertEquals(
        TrainingRequest.DEFAULT_ARCHITECTURE
            .withBandsAndClasses(4, settings.get("classes").size())
            .toJson(),
        settings.get("config"));
    assertSameWeights(dir.resolve("plain"), dir.resolve("spelled"));
  }

  @Test
  void aResumedRunGivesTheBundleOfAnUninterruptedOne(@TempDir Path dir) throws Exception {
    new SyntheticScene(160, 160, 31).write(dir.resolve("s"), false);
    List<String> data =
        List.of(
            "--image",
            dir.resolve("s/scene.tif").toString(),
            "--labels",
            dir.resolve("s/labels.tif").toString());
    Cli whole = train(data, tiny(dir.resolve("whole"), "--epochs", "3"));
    assertEquals(0, whole.code(), whole.err());
    assertTrue(whole.err().contains("epoch 1/3"), "no per-epoch progress: " + whole.err());
    assertTrue(whole.err().contains("loss "), "no running loss: " + whole.err());
    Path part = dir.resolve("part");
    Cli first = train(data, tiny(part, "--epochs", "2"));
    assertEquals(0, first.code(), first.err());
    Path checkpoint = dir.resolve("part.ckpt");
    assertTrue(Files.isRegularFile(checkpoint));
    // The same command again neither starts over nor overwrites silently.
    Cli again =
        train(
            data,
            tiny(dir.resolve("other"), "--epochs", "3", "--checkpoint", checkpoint.toString()));
    assertEquals(2, again.code(), again.out());
    assertTrue(again.err().contains("--resume"), again.err());
    // Resuming with another loss is refused, naming what differs.
    Cli differs =
        train(
            data,
            tiny(
                part,
                "--epochs",
                "3",
                "--overwrite",
                "--resume",
                checkpoint.toString(),
                "--loss",
                "dice"));
    assertEquals(2, differs.code(), differs.out());
    assertTrue(differs.err().contains("loss (now \"dice\""), differs.err());
    Cli resumed =
        train(data, tiny(part, "--epochs", "3", "--overwrite", "--resume", checkpoint.toString()));
    assertEquals(0, resumed.code(), resumed.err());
    assertTrue(resumed.out().contains("epoch   3"), resumed.out());
    assertTrue(!resumed.out().contains("epoch   2"), "epoch 2 was trained again: " + resumed.out());
    assertSameWeights(dir.resolve("whole"), part);
    assertEquals(
        Files.readAllLines(dir.resolve("whole/epochs.csv")).stream()
            .map(l -> l.substring(0, l.lastIndexOf(',')))
            .toList(),
        Files.readAllLines(part.resolve("epochs.csv")).stream()
            .map(l -> l.substring(0, l.lastIndexOf(',')))
            .toList());
  }

  @Test
  void chipFoldersTrainLikeTheImagesTheyWereCutFrom(@TempDir Path dir) throws Exception {
    new SyntheticScene(160, 160, 32).write(dir.resolve("a"), false);
    new SyntheticScene(128, 160, 33).write(dir.resolve("b"), false);
    List<String> images =
        List.of(
            "--image", dir.resolve("a/scene.tif").toString(),
            "--labels", dir.resolve("a/labels.tif").toString(),
            "--image", dir.resolve("b/scene.tif").toString(),
            "--labels", dir.resolve("b/labels.tif").toString());
    List<String> folders = new ArrayList<>();
    for (String s : List.of("a", "b")) {
      Cli chips =
          Cli.run(
              "chips",
              "--image",
              dir.resolve(s + "/scene.tif").toString(),
              "--labels",
              dir.resolve(s + "/labels.tif").toString(),
              "--size",
              "32",
              "--stride",
              "16",
              "--max-nodata",
              "0.5",
              "--out",
              dir.resolve("chips-" + s).toString());
      assertEquals(0, chips.code(), chips.err());
      folders.addAll(List.of("--chips", dir.resolve("chips-" + s).toString()));
    }
    String[] options = {
      "--epochs", "2", "--val-split", "random", "--image-bands", "1,2,4", "--class-weights", "sqrt"
    };
    Cli fromImages = train(images, tiny(dir.resolve("m1"), options));
    assertEquals(0, fromImages.code(), fromImages.err());
    Cli fromChips = train(folders, tiny(dir.resolve("m2"), options));
    assertEquals(0, fromChips.code(), fromChips.err());
    assertSameWeights(dir.resolve("m1"), dir.resolve("m2"));
    String json = Files.readString(dir.resolve("m2/model.json"));
    assertTrue(json.contains("\"index\" : 4"), json);
  }

  @Test
  void classesFileIgnoreValueAndExplicitWeights(@TempDir Path dir) throws Exception {
    new SyntheticScene(160, 160, 34).write(dir.resolve("s"), false);
    Path classes =
        Files.writeString(
            dir.resolve("classes.json"),
            "[{\"id\": 1, \"name\": \"fields\", \"color\": \"#f0d25a\"},"
                + " {\"id\": 2, \"name\": \"forest\"}, {\"id\": 3}, {\"id\": 4},"
                + " {\"id\": 5}]");
    List<String> data =
        List.of(
            "--image",
            dir.resolve("s/scene.tif").toString(),
            "--labels",
            dir.resolve("s/labels.tif").toString());
    Path out = dir.resolve("m");
    Cli run =
        train(
            data,
            tiny(
                out,
                "--epochs",
                "1",
                "--classes",
                classes.toString(),
                "--ignore",
                "6",
                "--class-weights",
                "1,1,2,1,0.5",
                "--augment",
                "flips"));
    assertEquals(0, run.code(), run.err());
    var bundle = new ObjectMapper().readTree(out.resolve("model.json").toFile());
    assertEquals(5, bundle.get("classes").size());
    assertEquals("forest", bundle.get("classes").get(1).get("name").asText());
    assertEquals(6, bundle.get("nodataClass").asInt());
    Path zip = dir.resolve("m.zip");
    Cli zipped = train(data, tiny(zip, "--epochs", "1", "--classes", classes.toString()));
    assertEquals(0, zipped.code(), zipped.err());
    try (var z = new java.util.zip.ZipFile(zip.toFile())) {
      for (String name : List.of("model.json", "weights.npz", "epochs.csv", "training.png")) {
        assertTrue(z.getEntry(name) != null, name + " missing from the zipped bundle");
      }
    }
    Cli info = Cli.run("info", zip.toString());
    assertEquals(0, info.code(), info.err());
    Cli weights =
        train(
            data,
            tiny(dir.resolve("w"), "--classes", classes.toString(), "--class-weights", "1,2"));
    assertEquals(2, weights.code(), weights.out());
    assertTrue(weights.err().contains("2 values for 5 classes"), weights.err());
    Path broken = Files.writeString(dir.resolve("broken.json"), "[{\"name\": \"x\"}]");
    Cli bad = train(data, tiny(dir.resolve("b"), "--classes", broken.toString()));
    assertEquals(1, bad.code(), bad.out());
    assertTrue(bad.err().contains("broken.json"), bad.err());
    Cli pairs =
        Cli.run(
            "train",
            "--image",
            dir.resolve("s/scene.tif").toString(),
            "--out",
            dir.resolve("p").toString());
    assertEquals(2, pairs.code(), pairs.out());
    assertTrue(pairs.err().contains("1 --image but 0 --labels"), pairs.err());
  }
}

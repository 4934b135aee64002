package dev.landcover.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.landcover.testdata.SyntheticScene;
import java.nio.file.Files;
import java.nio.file.Path;
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
}

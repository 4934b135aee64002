package dev.landcover.app;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.landcover.geo.Gdal;
import dev.landcover.networks.DynamicWorld;
import dev.landcover.networks.InputNormalization;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code landcover model import-keras} with generic metadata options: the Dynamic World SavedModel
 * (../shared/data) imported with options spelling out its preset gives the preset's bundle.
 */
class ImportKerasCommandTest {
  private static String joined(double[] values) {
    return Arrays.stream(values).mapToObj(Double::toString).collect(Collectors.joining(","));
  }

  @Test
  void explicitOptionsEqualToThePresetGiveThePresetsBundle(@TempDir Path dir) throws Exception {
    Path savedModel = Gdal.sharedData().resolve("models/dynamicworld");
    Path preset = dir.resolve("preset");
    Cli a =
        Cli.run(
            "model",
            "import-keras",
            "--saved-model",
            savedModel.toString(),
            "--dynamic-world",
            "--out",
            preset.toString());
    assertEquals(0, a.code(), a.err());
    InputNormalization n = DynamicWorld.normalization();
    String classes =
        DynamicWorld.CLASSES.stream()
            .map(c -> c.id() + ":" + c.name() + ":" + c.hexColor())
            .collect(Collectors.joining(","));
    Path generic = dir.resolve("generic");
    Cli b =
        Cli.run(
            "model",
            "import-keras",
            "--saved-model",
            savedModel.toString(),
            "--bands",
            String.join(",", DynamicWorld.BANDS),
            "--scene-bands",
            "2,3,4,5,6,7,8,12,13",
            "--class-list",
            classes,
            "--normalization",
            "logsigmoid",
            "--first",
            joined(n.first()),
            "--second",
            joined(n.second()),
            "--alignment",
            "2",
            "--name",
            "Dynamic World",
            "--out",
            generic.toString());
    assertEquals(0, b.code(), b.err());
    ObjectMapper json = new ObjectMapper();
    ObjectNode x = (ObjectNode) json.readTree(preset.resolve("model.json").toFile());
    ObjectNode y = (ObjectNode) json.readTree(generic.resolve("model.json").toFile());
    assertEquals("Dynamic World", y.at("/provenance/name").asText());
    x.remove("provenance");
    y.remove("provenance");
    assertEquals(x, y);
    try (NDManager m = NDManager.newBaseManager()) {
      NDList p = NDList.decode(m, Files.readAllBytes(preset.resolve("weights.npz")));
      NDList g = NDList.decode(m, Files.readAllBytes(generic.resolve("weights.npz")));
      assertEquals(p.size(), g.size());
      for (int i = 0; i < p.size(); i++) {
        assertEquals(p.get(i).getName(), g.get(i).getName());
        assertEquals(p.get(i).getShape(), g.get(i).getShape());
        assertArrayEquals(p.get(i).toFloatArray(), g.get(i).toFloatArray(), 0f);
      }
    }
    assertArrayEquals(
        Files.readAllBytes(savedModel.resolve("NOTICE")),
        Files.readAllBytes(generic.resolve("NOTICE")));

    Cli wrongBands =
        Cli.run(
            "model",
            "import-keras",
            "--saved-model",
            savedModel.toString(),
            "--bands",
            "B2,B3,B4",
            "--class-list",
            classes,
            "--out",
            dir.resolve("wrong").toString());
    assertEquals(1, wrongBands.code(), wrongBands.out());
    assertTrue(
        wrongBands.err().contains("the model takes 9 bands and gives 9 classes, but 3 bands"),
        wrongBands.err());
    assertTrue(Files.notExists(dir.resolve("wrong")));
    Cli both =
        Cli.run(
            "model",
            "import-keras",
            "--saved-model",
            savedModel.toString(),
            "--dynamic-world",
            "--bands",
            "B2",
            "--out",
            dir.resolve("both").toString());
    assertEquals(2, both.code(), both.out());
  }
}

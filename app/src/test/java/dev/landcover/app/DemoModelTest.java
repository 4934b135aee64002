package dev.landcover.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.landcover.testdata.SyntheticScene;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The bundled demo model (testdata/demo-model, made by testdata/make-demo-model.sh from the scene
 * of seed 101) maps a held-out generated scene with at least 0.95 overall accuracy and 0.90 mean
 * IoU, measured by {@code landcover assess}.
 */
class DemoModelTest {
  @Test
  void theDemoModelMapsAHeldOutScene(@TempDir Path dir) throws Exception {
    new SyntheticScene(1024, 1024, 102).write(dir.resolve("scene"), false);
    Path model = Path.of("..", "testdata", "demo-model");
    Cli predict =
        Cli.run(
            "predict",
            "--model",
            model.toString(),
            "--out",
            dir.resolve("maps").toString(),
            dir.resolve("scene/scene.tif").toString());
    assertEquals(0, predict.code(), predict.err());
    Cli assess =
        Cli.run(
            "assess",
            "--prediction",
            dir.resolve("maps/scene_landcover.tif").toString(),
            "--reference",
            dir.resolve("scene/labels.tif").toString(),
            "--out",
            dir.resolve("report").toString());
    assertEquals(0, assess.code(), assess.err());
    JsonNode report = new ObjectMapper().readTree(dir.resolve("report.json").toFile());
    double oa = report.get("overallAccuracy").asDouble();
    double miou = report.get("meanIou").asDouble();
    assertTrue(oa >= 0.95, "overall accuracy " + oa);
    assertTrue(miou >= 0.90, "mean IoU " + miou);
  }
}

package dev.landcover.workflows;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.landcover.geo.ChipFolder;
import dev.landcover.networks.ModelBundle;
import dev.landcover.networks.UNetConfig;
import dev.landcover.pixels.BlendWindow;
import dev.landcover.testdata.SyntheticScene;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Everything the command line does, from Java as the README shows it: export chips, train from
 * them, map a scene and compare the map with the generator's labels (the independent reference).
 */
class JavaApiTest {
  @Test
  void chipsTrainingMappingAndAssessmentFromJava(@TempDir Path dir) throws Exception {
    new SyntheticScene(256, 256, 5).write(dir.resolve("s"), false);
    Path scene = dir.resolve("s/scene.tif");
    Path labels = dir.resolve("s/labels.tif");

    ChipExport.Result chips =
        ChipExport.run(
            ChipExportRequest.builder(scene, 64, dir.resolve("chips"))
                .labels(labels)
                .overlap(32)
                .build(),
            ProgressListener.NONE);
    assertEquals(49, chips.examined());
    assertEquals(chips.written(), ChipFolder.read(dir.resolve("chips")).entries().size());

    Training.Result trained =
        Training.run(
            TrainingRequest.builder(dir.resolve("model"))
                .chipFolder(dir.resolve("chips"))
                .architecture(UNetConfig.builder().channels(3, 4).build(), null)
                .epochs(2)
                .build(),
            ProgressListener.NONE);
    assertEquals(2, trained.history().size());
    ModelBundle bundle = ModelBundle.load(trained.bundle(), dir.resolve("scratch")).bundle();
    assertEquals(trained.classes(), bundle.classes());
    assertTrue(Files.exists(trained.bundle().resolve("training.png")));

    List<SceneMapper.SceneOutcome> maps =
        SceneMapper.map(
            MappingRequest.builder(Path.of("..", "testdata", "demo-model"), List.of(scene))
                .outDir(dir.resolve("maps"))
                .blend(BlendWindow.HANN)
                .tta(MappingRequest.TestTimeAugmentation.D4)
                .uncertainty(MappingRequest.Uncertainty.MARGIN)
                .confidence(true)
                .build(),
            ProgressListener.NONE);
    assertEquals(SceneMapper.Status.DONE, maps.get(0).status(), maps.get(0).detail());
    Path map = maps.get(0).map().map();
    assertTrue(Files.exists(dir.resolve("maps/scene_confidence.tif")));
    assertTrue(Files.exists(dir.resolve("maps/scene_uncertainty.tif")));

    MapComparison.Assessment a = MapComparison.compare(map, labels, null);
    long mapped = 0;
    for (long n : maps.get(0).map().pixels()) {
      mapped += n;
    }
    assertEquals(mapped, a.matrix().total(), "every classified pixel is compared once");
    assertTrue(a.matrix().overallAccuracy() >= 0.9, "OA " + a.matrix().overallAccuracy());
    MapComparison.writeReport(a, dir.resolve("report"));
    assertTrue(Files.size(dir.resolve("report.png")) > 0);
  }
}

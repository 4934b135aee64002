package dev.landcover.workflows;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.landcover.geo.BandStack;
import dev.landcover.geo.GeoTiffRaster;
import dev.landcover.geo.GeoTiffWriter;
import dev.landcover.geo.RasterWindow;
import dev.landcover.geo.Resampling;
import dev.landcover.networks.UNetConfig;
import dev.landcover.pixels.PixelWindow;
import dev.landcover.testdata.SyntheticScene;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Band stacks from Java: a scene split into one file a band, given to {@link ChipExportRequest},
 * {@link TrainingRequest} and {@link MappingRequest} as a {@link BandStack}, gives the chips and
 * the map of the one-file scene.
 */
class BandStackApiTest {
  @Test
  void bandFilesGiveTheChipsAndMapOfTheOneFileScene(@TempDir Path dir) throws Exception {
    new SyntheticScene(128, 128, 5).write(dir.resolve("s"), false);
    Path scene = dir.resolve("s/scene.tif");
    Path labels = dir.resolve("s/labels.tif");
    List<Path> files = new ArrayList<>();
    try (GeoTiffRaster r = GeoTiffRaster.open(scene)) {
      for (int b = 1; b <= r.bandCount(); b++) {
        Path f = dir.resolve("scene_B0" + b + ".tif");
        int band = b;
        GeoTiffWriter w = GeoTiffWriter.forGrid(r.grid(), r.sampleType(), 1);
        r.noData(1).ifPresent(w::noData);
        w.write(
            f,
            (tile, target) -> {
              RasterWindow px = r.read(tile, band);
              target.setRect(px.raster());
            });
        files.add(f);
      }
    }
    BandStack stack = BandStack.of(files).withResampling(Resampling.NEAREST);
    assertEquals(dir.resolve("scene"), stack.name());

    ChipExport.run(
        ChipExportRequest.builder(scene, 64, dir.resolve("one")).labels(labels).build(),
        ProgressListener.NONE);
    ChipExport.run(
        ChipExportRequest.builder(stack, 64, dir.resolve("stacked")).labels(labels).build(),
        ProgressListener.NONE);
    assertEquals(
        Files.readAllLines(dir.resolve("one/chips.csv")),
        Files.readAllLines(dir.resolve("stacked/chips.csv")));

    Training.Result trained =
        Training.run(
            TrainingRequest.builder(dir.resolve("model"))
                .image(stack, labels)
                .chip(32)
                .architecture(UNetConfig.builder().channels(3, 4).build(), null)
                .epochs(1)
                .build(),
            ProgressListener.NONE);
    assertEquals(1, trained.history().size());

    Path demo = Path.of("..", "testdata", "demo-model");
    List<SceneMapper.SceneOutcome> one =
        SceneMapper.map(
            MappingRequest.builder(demo, List.of(scene)).outDir(dir.resolve("maps-one")).build(),
            ProgressListener.NONE);
    List<SceneMapper.SceneOutcome> stacked =
        SceneMapper.map(
            MappingRequest.builder(demo, List.of())
                .stack(stack)
                .outDir(dir.resolve("maps-stack"))
                .build(),
            ProgressListener.NONE);
    assertEquals(SceneMapper.Status.DONE, stacked.get(0).status(), stacked.get(0).detail());
    try (GeoTiffRaster a = GeoTiffRaster.open(one.get(0).map().map());
        GeoTiffRaster b = GeoTiffRaster.open(dir.resolve("maps-stack/scene_landcover.tif"))) {
      PixelWindow all = new PixelWindow(0, 0, a.width(), a.height());
      RasterWindow x = a.read(all, 1);
      RasterWindow y = b.read(all, 1);
      for (int r = 0; r < a.height(); r++) {
        for (int c = 0; c < a.width(); c++) {
          assertEquals(x.sample(0, c, r), y.sample(0, c, r));
        }
      }
    }
  }
}

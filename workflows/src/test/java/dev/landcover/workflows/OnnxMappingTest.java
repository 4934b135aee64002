package dev.landcover.workflows;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.landcover.geo.GeoTiffRaster;
import dev.landcover.geo.GeoTiffWriter;
import dev.landcover.geo.GeoTransform;
import dev.landcover.geo.RasterGrid;
import dev.landcover.geo.RasterWindow;
import dev.landcover.geo.SampleType;
import dev.landcover.pixels.BlendWindow;
import dev.landcover.pixels.PixelWindow;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An ONNX model of unknown depth (networks' fixture: a 3-level UNet exported by torch.onnx.export)
 * maps a scene through the same stitching as any model: with its probed alignment (8) and a crop
 * overlap wider than its receptive field, the tiled map equals one pass over the whole scene
 * everywhere, odd edges included (with the 32 assumed before, they differed near the bottom and
 * right edges). A wrong band count is a one-line error naming both counts.
 */
class OnnxMappingTest {
  @TempDir Path dir;

  private Path model() throws IOException {
    Path source =
        Path.of("..", "networks", "src", "test", "resources", "dev", "landcover", "networks")
            .resolve("parity/onnx/model.onnx");
    return Files.copy(source, dir.resolve("model.onnx"));
  }

  private Path scene(int w, int h) throws IOException {
    Path file = dir.resolve("scene.tif");
    Random random = new Random(5);
    RasterGrid grid =
        RasterGrid.ofEpsg(w, h, new GeoTransform(500000, 10, 0, 4000000, 0, -10), 32633);
    RasterWindow window = RasterWindow.create(SampleType.FLOAT32, w, h, 4);
    var raster = window.writableRaster();
    for (int b = 0; b < 4; b++) {
      for (int y = 0; y < h; y++) {
        for (int x = 0; x < w; x++) {
          raster.setSample(
              x,
              y,
              b,
              (float) (Math.sin(x * 0.1 + b) + Math.cos(y * 0.07) + random.nextGaussian()));
        }
      }
    }
    GeoTiffWriter.forGrid(grid, SampleType.FLOAT32, 4).overwrite(true).write(file, window);
    return file;
  }

  private int[] map(Path model, Path scene, int chip, String out) throws IOException {
    MappingRequest request =
        MappingRequest.builder(model, List.of(scene))
            .torchScript(
                new MappingRequest.TorchScriptInputs(new int[] {1, 2, 3, 4}, 5, null, null))
            .chip(chip)
            .overlap(chip == 512 ? null : 96)
            .blend(BlendWindow.CROP)
            .outDir(dir.resolve(out))
            .build();
    var outcome = SceneMapper.map(request, new ProgressListener() {}).get(0);
    assertEquals(SceneMapper.Status.DONE, outcome.status(), outcome.detail());
    try (GeoTiffRaster r = GeoTiffRaster.open(SceneMapper.mapPath(scene, dir.resolve(out)))) {
      RasterWindow w = r.read(new PixelWindow(0, 0, r.width(), r.height()), 1);
      int[] classes = new int[r.width() * r.height()];
      for (int i = 0; i < classes.length; i++) {
        classes[i] = (int) w.sample(0, i % r.width(), i / r.width());
      }
      return classes;
    }
  }

  @Test
  void tiledMapEqualsOneWholeScenePass() throws IOException {
    Path model = model();
    Path scene = scene(301, 251);
    int[] tiled = map(model, scene, 128, "tiled");
    int[] whole = map(model, scene, 512, "whole");
    assertArrayEquals(whole, tiled);
    assertTrue(java.util.Arrays.stream(whole).distinct().count() > 1, "more than one class");
  }

  @Test
  void aWrongBandCountIsOneLine() throws IOException {
    MappingRequest request =
        MappingRequest.builder(model(), List.of(scene(40, 30)))
            .torchScript(new MappingRequest.TorchScriptInputs(new int[] {1, 2, 3}, 5, null, null))
            .outDir(dir.resolve("bad"))
            .build();
    // --bands that the model refuses is a usage error (exit 2), named in one line before any scene
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> SceneMapper.map(request, new ProgressListener() {}));
    assertTrue(e.getMessage().contains("takes 4 bands but is given 3"), e.getMessage());
    assertEquals(1, e.getMessage().lines().count());
  }
}

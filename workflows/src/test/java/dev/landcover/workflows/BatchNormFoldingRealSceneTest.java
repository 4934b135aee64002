package dev.landcover.workflows;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import dev.landcover.geo.Gdal;
import dev.landcover.geo.GeoTiffRaster;
import dev.landcover.geo.RasterWindow;
import dev.landcover.networks.InferenceOptions;
import dev.landcover.networks.InputNormalization;
import dev.landcover.networks.ModelBundle;
import dev.landcover.networks.SegmentationModel;
import dev.landcover.pixels.PixelWindow;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * On real imagery (the Landsat 8 Zion scene, 256 x 256 pixels of it) the bundled demo UNet with
 * batch normalization folded (what {@code predict} runs) gives the logits of the UNet as trained
 * within 1e-4 relative to the largest logit (on this out-of-distribution scene logits reach a few
 * hundred, where float32's spacing alone is 3e-5), and the same class everywhere.
 */
class BatchNormFoldingRealSceneTest {
  @Test
  void foldedDemoUNetEqualsTheTrainedOneOnZion(@TempDir Path scratch) throws IOException {
    Path scene = Gdal.sharedData().resolve("scenes/landsat8-zion-4band.tif");
    ModelBundle.Loaded loaded = ModelBundle.load(Path.of("..", "testdata", "demo-model"), scratch);
    int size = 256;
    float[] x = new float[4 * size * size];
    try (GeoTiffRaster raster = GeoTiffRaster.open(scene)) {
      RasterWindow w = raster.read(new PixelWindow(300, 400, size, size), new int[] {1, 2, 3, 4});
      InputNormalization norm = loaded.bundle().normalization();
      for (int b = 0; b < 4; b++) {
        for (int y = 0; y < size; y++) {
          for (int i = 0; i < size; i++) {
            x[(b * size + y) * size + i] = norm.apply(b, (float) w.sample(b, i, y));
          }
        }
      }
    }
    SegmentationModel.Logits trained;
    SegmentationModel.Logits folded;
    try (SegmentationModel m = loaded.open(Device.cpu(), InferenceOptions.AS_TRAINED)) {
      trained = m.predict(x, 1, 4, size, size);
    }
    try (SegmentationModel m = loaded.open(Device.cpu(), InferenceOptions.DEFAULT)) {
      folded = m.predict(x, 1, 4, size, size);
    }
    int classes = trained.classes();
    int pixels = size * size;
    double max = 0;
    double scale = 0;
    int differ = 0;
    for (int p = 0; p < pixels; p++) {
      int a = 0;
      int b = 0;
      for (int k = 0; k < classes; k++) {
        float t = trained.values()[k * pixels + p];
        float f = folded.values()[k * pixels + p];
        max = Math.max(max, Math.abs(t - f));
        scale = Math.max(scale, Math.abs(t));
        a = t > trained.values()[a * pixels + p] ? k : a;
        b = f > folded.values()[b * pixels + p] ? k : b;
      }
      differ += a == b ? 0 : 1;
    }
    System.out.printf(
        Locale.ROOT,
        "Zion 256 x 256, demo UNet: max |folded - trained| = %.3g (max |logit| %.3g), %d classes"
            + " differ%n",
        max,
        scale,
        differ);
    assertTrue(scale > 0.1, "logits are not trivially zero");
    assertTrue(max <= 1e-4 * Math.max(1, scale), "max |folded - trained| = " + max);
    assertEquals(0, differ);
  }
}

package dev.landcover.workflows;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.landcover.networks.InputNormalization;
import dev.landcover.networks.ModelBundle;
import dev.landcover.networks.UNetBlock;
import dev.landcover.networks.UNetConfig;
import dev.landcover.networks.UNetWeights;
import dev.landcover.testdata.SyntheticScene;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/** Model bundles for tests of the commands that map scenes (CLI, shards, Spark). */
public final class TestBundles {
  private TestBundles() {}

  /**
   * Writes a small UNet bundle (4 bands blue, green, red, nir; {@link SyntheticScene#CLASSES}; chip
   * 64) with freshly initialised weights to {@code dir/model} and returns its folder.
   */
  public static Path smallUNet(Path dir) throws IOException {
    UNetConfig config =
        UNetConfig.builder().bands(4).classes(6).encoder(4, 8).bottleneck(16).decoder(8, 4).build();
    Path weights = dir.resolve("w.npz");
    UNetBlock block = UNetBlock.of(config);
    try (NDManager m = NDManager.newBaseManager()) {
      block.initialize(m, DataType.FLOAT32, new Shape(1, 4, 64, 64));
      UNetWeights.save(block, weights);
    }
    Path bundle = dir.resolve("model");
    ModelBundle.unet(
            null,
            config,
            List.of(
                new ModelBundle.Band(1, "blue"), new ModelBundle.Band(2, "green"),
                new ModelBundle.Band(3, "red"), new ModelBundle.Band(4, "nir")),
            InputNormalization.meanStd(
                new double[] {700, 900, 800, 2500}, new double[] {300, 300, 300, 900}),
            SyntheticScene.CLASSES,
            64,
            0,
            null)
        .save(bundle, weights);
    return bundle;
  }
}

package dev.landcover.networks;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.landcover.pixels.LandcoverClass;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelBundleTest {
  @TempDir Path dir;

  private ModelBundle bundle(UNetConfig config) {
    return ModelBundle.unet(
        null,
        config,
        List.of(new ModelBundle.Band(3, "red"), new ModelBundle.Band(4, "nir")),
        new InputNormalization("meanstd", new double[] {800, 2500}, new double[] {300, 900}),
        List.of(
            new LandcoverClass(1, "fields", 240, 210, 90),
            new LandcoverClass(2, "water", 40, 90, 210)),
        64,
        0,
        new ObjectMapper().createObjectNode().put("trainedOn", "synthetic"));
  }

  @Test
  void folderAndZipRoundTripToTheSameModel() throws IOException {
    UNetConfig config =
        UNetConfig.builder().bands(2).classes(2).encoder(4, 8).bottleneck(16).decoder(8, 4).build();
    Path weights = dir.resolve("w.npz");
    UNetBlock block = UNetBlock.of(config);
    try (NDManager m = NDManager.newBaseManager()) {
      block.initialize(m, DataType.FLOAT32, new Shape(1, 2, 64, 64));
      UNetWeights.save(block, weights);
    }
    ModelBundle b = bundle(config);
    b.save(dir.resolve("bundle"), weights);
    b.save(dir.resolve("bundle.zip"), weights);
    ModelBundle.Loaded fromDir = ModelBundle.load(dir.resolve("bundle"), dir.resolve("s1"));
    ModelBundle.Loaded fromZip = ModelBundle.load(dir.resolve("bundle.zip"), dir.resolve("s2"));
    assertEquals(b.toJson(), fromDir.bundle().toJson());
    assertEquals(b.toJson(), fromZip.bundle().toJson());
    assertEquals(config, fromZip.bundle().config());
    float[] input = new float[2 * 64 * 64];
    for (int i = 0; i < input.length; i++) {
      input[i] = (float) Math.sin(i * 0.37);
    }
    try (SegmentationModel a = SegmentationModel.unet(config, weights);
        SegmentationModel c = SegmentationModel.unet(config, fromZip.weightsFile())) {
      assertArrayEquals(
          a.predict(input, 1, 2, 64, 64).values(), c.predict(input, 1, 2, 64, 64).values(), 0f);
    }
    assertTrue(b.describe().contains("water"));
  }

  @Test
  void incompleteBundlesNameWhatIsMissing() throws IOException {
    UNetConfig config = UNetConfig.preset("geo-course").withBandsAndClasses(2, 2);
    ObjectNode json = bundle(config).toJson();
    json.remove("classes");
    Path folder = Files.createDirectories(dir.resolve("broken"));
    Files.writeString(folder.resolve("model.json"), json.toString());
    IOException e =
        assertThrows(IOException.class, () -> ModelBundle.load(folder, dir.resolve("x")));
    assertTrue(e.getMessage().contains("missing field 'classes'"), e.getMessage());

    json = bundle(config).toJson();
    ((ObjectNode) json.get("architecture").get("config")).remove("decoder");
    Files.writeString(folder.resolve("model.json"), json.toString());
    e = assertThrows(IOException.class, () -> ModelBundle.load(folder, dir.resolve("x")));
    assertTrue(e.getMessage().contains("'decoder'"), e.getMessage());

    Files.writeString(folder.resolve("model.json"), bundle(config).toJson().toString());
    e = assertThrows(IOException.class, () -> ModelBundle.load(folder, dir.resolve("x")));
    assertTrue(e.getMessage().contains("weights.npz"), e.getMessage());
  }
}

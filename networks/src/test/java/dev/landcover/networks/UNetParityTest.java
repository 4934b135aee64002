package dev.landcover.networks;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The Java UNet computes the same function as PyTorch: with the weights of a PyTorch model
 * (networks/src/test/python/make_parity_fixtures.py, UNET.md's reference definitions where they
 * exist), in inference mode, its logits equal PyTorch's within 1e-4.
 */
class UNetParityTest {
  static final String DIR = "/dev/landcover/networks/parity/";

  static NDList resourceNpz(NDManager manager, String path) throws IOException {
    try (InputStream in = UNetParityTest.class.getResourceAsStream(DIR + path)) {
      return NDList.decode(manager, in.readAllBytes());
    }
  }

  static Path resourceFile(String path, Path dir) throws IOException {
    Path file = dir.resolve(path.replace('/', '_'));
    try (InputStream in = UNetParityTest.class.getResourceAsStream(DIR + path)) {
      Files.copy(in, file);
    }
    return file;
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "geo-course",
        "ronneberger",
        "classic-same",
        "nearest-group-leaky",
        "bilinear-instance-elu-valid"
      })
  void logitsEqualPyTorch(String name, @TempDir Path dir) throws IOException {
    UNetConfig config;
    try (InputStream in = UNetParityTest.class.getResourceAsStream(DIR + name + "/config.json")) {
      config = UNetConfig.fromJson(new ObjectMapper().readTree(in));
    }
    try (NDManager manager = NDManager.newBaseManager()) {
      NDList data = resourceNpz(manager, name + "/data.npz");
      NDArray input = data.get("input");
      NDArray expected = data.get("output");
      UNetBlock block = UNetBlock.of(config);
      block.initialize(manager, DataType.FLOAT32, input.getShape());
      UNetWeights.load(block, resourceFile(name + "/weights.npz", dir));
      NDArray actual =
          block
              .forward(new ParameterStore(manager, false), new NDList(input), false)
              .singletonOrThrow();
      assertEquals(expected.getShape(), actual.getShape());
      float diff = actual.sub(expected).abs().max().getFloat();
      assertTrue(diff < 1e-4, name + ": max |Java - PyTorch| = " + diff);
      System.out.printf(
          "%s: max abs difference %.2e over logits of spread %.2f%n",
          name, diff, expected.max().getFloat() - expected.min().getFloat());

      Path saved = dir.resolve("saved.npz");
      UNetWeights.save(block, saved);
      UNetBlock again = UNetBlock.of(config);
      again.initialize(manager, DataType.FLOAT32, input.getShape());
      UNetWeights.load(again, saved);
      NDArray twice =
          again
              .forward(new ParameterStore(manager, false), new NDList(input), false)
              .singletonOrThrow();
      assertArrayEquals(actual.toFloatArray(), twice.toFloatArray(), 0f);
    }
  }

  /**
   * With batch normalization folded into the convolutions (what {@code predict} runs), the logits
   * still equal PyTorch's within 1e-4, for every configuration (batch-normalized ones fold, the
   * others are left as they are).
   */
  @ParameterizedTest
  @ValueSource(
      strings = {
        "geo-course",
        "ronneberger",
        "classic-same",
        "nearest-group-leaky",
        "bilinear-instance-elu-valid"
      })
  void foldedLogitsEqualPyTorch(String name, @TempDir Path dir) throws IOException {
    UNetConfig config;
    try (InputStream in = UNetParityTest.class.getResourceAsStream(DIR + name + "/config.json")) {
      config = UNetConfig.fromJson(new ObjectMapper().readTree(in));
    }
    Path weights = resourceFile(name + "/weights.npz", dir);
    try (NDManager manager = NDManager.newBaseManager();
        SegmentationModel folded =
            SegmentationModel.unet(config, weights, Device.cpu(), InferenceOptions.DEFAULT)) {
      NDList data = resourceNpz(manager, name + "/data.npz");
      NDArray input = data.get("input");
      NDArray expected = data.get("output");
      Shape s = input.getShape();
      SegmentationModel.Logits actual =
          folded.predict(
              input.toFloatArray(), (int) s.get(0), (int) s.get(1), (int) s.get(2), (int) s.get(3));
      float[] want = expected.toFloatArray();
      assertEquals(want.length, actual.values().length);
      double diff = 0;
      for (int i = 0; i < want.length; i++) {
        diff = Math.max(diff, Math.abs(want[i] - actual.values()[i]));
      }
      assertTrue(diff < 1e-4, name + ": max |folded Java - PyTorch| = " + diff);
      System.out.printf("%s folded: max abs difference %.2e%n", name, diff);
    }
  }
}

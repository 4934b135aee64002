package dev.landcover.networks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A model traced in PyTorch (with a transposed convolution) runs here with PyTorch's output. */
class TorchScriptModelTest {
  private static final String DIR = "/dev/landcover/networks/parity/torchscript/";

  @Test
  void tracedModelGivesPyTorchsLogits(@TempDir Path dir) throws IOException {
    Path pt = dir.resolve("model.pt");
    try (InputStream in = getClass().getResourceAsStream(DIR + "model.pt")) {
      Files.copy(in, pt);
    }
    try (NDManager manager = NDManager.newBaseManager();
        SegmentationModel model = SegmentationModel.torchScript(pt)) {
      NDList data;
      try (InputStream in = getClass().getResourceAsStream(DIR + "data.npz")) {
        data = NDList.decode(manager, in.readAllBytes());
      }
      NDArray input = data.get("input");
      float[] expected = data.get("output").toFloatArray();
      long[] s = input.getShape().getShape();
      SegmentationModel.Logits logits =
          model.predict(input.toFloatArray(), (int) s[0], (int) s[1], (int) s[2], (int) s[3]);
      assertEquals(6, logits.classes());
      assertEquals(64, logits.height());
      float max = 0;
      for (int i = 0; i < expected.length; i++) {
        max = Math.max(max, Math.abs(expected[i] - logits.values()[i]));
      }
      assertTrue(max < 1e-4, "max |DJL - PyTorch| = " + max);
    }
  }

  @Test
  void aFileThatIsNotTorchScriptIsNamed(@TempDir Path dir) throws IOException {
    Path bad = Files.writeString(dir.resolve("bad.pt"), "not a model");
    IOException e = assertThrows(IOException.class, () -> SegmentationModel.torchScript(bad));
    assertTrue(e.getMessage().contains(bad.toString()), e.getMessage());
  }
}

package dev.landcover.networks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import dev.landcover.pixels.InvalidInputException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A UNet exported by PyTorch's {@code torch.onnx.export} (fixture from {@code
 * src/test/python/make_onnx_fixture.py}) runs through DJL's OnnxRuntime engine with PyTorch's
 * output; the alignment probe finds 2^pooling levels for it and for the traced TorchScript fixture;
 * a wrong band count is one line naming both counts.
 */
class OnnxModelTest {
  private static final String DIR = "/dev/landcover/networks/parity/";

  private Path copy(Path dir, String resource) throws IOException {
    Path target = dir.resolve(resource.substring(resource.lastIndexOf('/') + 1));
    try (InputStream in = getClass().getResourceAsStream(DIR + resource)) {
      Files.copy(in, target);
    }
    return target;
  }

  @Test
  void exportedModelGivesPyTorchsLogits(@TempDir Path dir) throws IOException {
    Path onnx = copy(dir, "onnx/model.onnx");
    try (NDManager manager = NDManager.newBaseManager();
        SegmentationModel model = SegmentationModel.onnx(onnx)) {
      NDList data;
      try (InputStream in = getClass().getResourceAsStream(DIR + "onnx/data.npz")) {
        data = NDList.decode(manager, in.readAllBytes());
      }
      NDArray input = data.get("input");
      float[] expected = data.get("output").toFloatArray();
      long[] s = input.getShape().getShape();
      SegmentationModel.Logits logits =
          model.predict(input.toFloatArray(), (int) s[0], (int) s[1], (int) s[2], (int) s[3]);
      assertEquals(5, logits.classes());
      assertEquals(40, logits.height());
      assertEquals(56, logits.width());
      float max = 0;
      for (int i = 0; i < expected.length; i++) {
        max = Math.max(max, Math.abs(expected[i] - logits.values()[i]));
      }
      System.out.println("ONNX: max |DJL OnnxRuntime - PyTorch| = " + max);
      assertTrue(max < 1e-4, "max |DJL - PyTorch| = " + max);
    }
  }

  @Test
  void probesTheAlignmentOfModelsOfUnknownDepth(@TempDir Path dir) throws IOException {
    try (SegmentationModel onnx = SegmentationModel.onnx(copy(dir, "onnx/model.onnx"));
        SegmentationModel ts = SegmentationModel.torchScript(copy(dir, "torchscript/model.pt"))) {
      assertEquals(8, onnx.probeAlignment(4, 256, 32)); // three 2 x 2 poolings
      assertEquals(16, ts.probeAlignment(4, 256, 32)); // four
    }
  }

  @Test
  void aWrongBandCountIsOneLineNamingBothCounts(@TempDir Path dir) throws IOException {
    Path onnxFile = copy(dir, "onnx/model.onnx");
    Path ptFile = copy(dir, "torchscript/model.pt");
    try (SegmentationModel onnx = SegmentationModel.onnx(onnxFile);
        SegmentationModel ts = SegmentationModel.torchScript(ptFile)) {
      for (SegmentationModel m : new SegmentationModel[] {onnx, ts}) {
        InvalidInputException e =
            assertThrows(InvalidInputException.class, () -> m.probeAlignment(3, 64, 32));
        assertTrue(e.getMessage().contains("takes 4 bands but is given 3"), e.getMessage());
        assertEquals(1, e.getMessage().lines().count(), e.getMessage());
      }
    }
  }
}

package dev.landcover.networks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.landcover.pixels.InvalidInputException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Keras import of the Dynamic World SavedModel (../shared/data), and its refusals: layers and
 * TensorFlow functions it does not support are named, as are missing or corrupt files. (Its logits
 * are compared with TensorFlow's in workflows' DynamicWorldTest.)
 */
class KerasImportTest {
  @TempDir Path dir;

  private static Path savedModel() {
    String shared = System.getProperty("landcover.shared", "../shared");
    Path p = Path.of(shared, "data", "models", "dynamicworld");
    return Files.isDirectory(p)
        ? p
        : Path.of("..", "..", "shared", "data", "models", "dynamicworld").toAbsolutePath();
  }

  /** A copy of the SavedModel with {@code from} replaced by {@code to} (same length) in its .pb. */
  private Path edited(String from, String to) throws IOException {
    Path copy = dir.resolve("edited");
    Files.createDirectories(copy.resolve("variables"));
    for (String f :
        new String[] {
          "NOTICE", "variables/variables.index", "variables/variables.data-00000-of-00001"
        }) {
      Files.copy(savedModel().resolve(f), copy.resolve(f));
    }
    byte[] pb = Files.readAllBytes(savedModel().resolve("saved_model.pb"));
    byte[] a = from.getBytes(StandardCharsets.UTF_8);
    byte[] b = to.getBytes(StandardCharsets.UTF_8);
    assertEquals(a.length, b.length);
    int replaced = 0;
    for (int i = 0; i + a.length <= pb.length; i++) {
      if (Arrays.equals(pb, i, i + a.length, a, 0, a.length)) {
        System.arraycopy(b, 0, pb, i, b.length);
        replaced++;
      }
    }
    assertTrue(replaced > 0, from + " not found");
    Files.write(copy.resolve("saved_model.pb"), pb);
    return copy;
  }

  @Test
  void importsDynamicWorldAsAGraphOfKnownOperations() throws IOException {
    KerasImport.Imported imported = KerasImport.savedModel(savedModel());
    LayerGraph g = imported.graph();
    assertEquals(9, g.bands());
    assertEquals(9, g.classes());
    assertEquals(133, g.nodes().size());
    // 15 Conv2D + 10 DepthwiseConv2D + 24 BatchNormalization layers, all weights read
    assertEquals(15 + 10, g.nodes().stream().filter(n -> n.op().equals("conv2d")).count());
    long parameters = imported.weights().values().stream().mapToLong(t -> t.values().length).sum();
    assertEquals(231209, parameters);
    assertTrue(LayerGraph.fromJson(g.toJson()).nodes().size() == g.nodes().size());
  }

  @Test
  void refusesALayerTypeItDoesNotKnowByName() throws IOException {
    Path model = edited("\"class_name\": \"Conv2D\"", "\"class_name\": \"Conv3D\"");
    InvalidInputException e =
        assertThrows(InvalidInputException.class, () -> KerasImport.savedModel(model));
    assertTrue(e.getMessage().contains("is a Keras Conv3D"), e.getMessage());
    assertTrue(e.getMessage().contains("'conv2d'"), e.getMessage());
  }

  @Test
  void refusesATensorFlowFunctionItDoesNotKnowByName() throws IOException {
    Path model = edited("\"function\": \"math.tanh\"", "\"function\": \"math.sinh\"");
    InvalidInputException e =
        assertThrows(InvalidInputException.class, () -> KerasImport.savedModel(model));
    assertTrue(e.getMessage().contains("calls tf.math.sinh"), e.getMessage());
  }

  @Test
  void refusesAnUnknownResizeMethod() throws IOException {
    Path model = edited("\"method\": \"bilinear\"", "\"method\": \"bicubic\"\u0020");
    InvalidInputException e =
        assertThrows(InvalidInputException.class, () -> KerasImport.savedModel(model));
    assertTrue(e.getMessage().contains("method 'bicubic'"), e.getMessage());
  }

  @Test
  void namesACorruptWeightFile() throws IOException {
    Path model = edited("math.tanh", "math.tanh");
    Path data = model.resolve("variables/variables.data-00000-of-00001");
    byte[] bytes = Files.readAllBytes(data);
    bytes[1000] ^= 0x55;
    Files.write(data, bytes);
    InvalidInputException e =
        assertThrows(InvalidInputException.class, () -> KerasImport.savedModel(model));
    assertTrue(e.getMessage().contains("CRC32C"), e.getMessage());
  }

  @Test
  void namesAFolderThatIsNotASavedModel() {
    InvalidInputException e =
        assertThrows(InvalidInputException.class, () -> KerasImport.savedModel(dir));
    assertTrue(e.getMessage().contains("no saved_model.pb"), e.getMessage());
  }
}

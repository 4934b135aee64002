package dev.landcover.networks;

import ai.djl.Device;
import ai.djl.MalformedModelException;
import ai.djl.Model;
import ai.djl.inference.Predictor;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.repository.zoo.Criteria;
import ai.djl.repository.zoo.ModelNotFoundException;
import ai.djl.repository.zoo.ZooModel;
import ai.djl.translate.NoopTranslator;
import ai.djl.translate.TranslateException;
import dev.landcover.networks.internal.GraphBlock;
import dev.landcover.pixels.InvalidInputException;
import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeSet;

/**
 * A segmentation network ready for inference: a batch of chips in, logits out. Holds native memory:
 * close it (try-with-resources). Not thread-safe: one instance per thread.
 *
 * <p>Input: {@code float[n * bands * h * w]}, channels first ({@code ((i * bands + b) * h + y) * w
 * + x}). Output: {@code float[n * classes * h' * w']} in the same layout, where {@code h' = h} for
 * same-padding networks and smaller for valid-padding ones.
 */
public final class SegmentationModel implements AutoCloseable {
  private final Model model;
  private final Predictor<NDList, NDList> predictor;
  private final String description;

  private SegmentationModel(Model model, String description) {
    this.model = model;
    this.predictor = model.newPredictor(new NoopTranslator());
    this.description = description;
  }

  /**
   * A UNet of the given configuration with the weights of a canonical {@code .npz} (see {@link
   * UNetWeights}), or Xavier/Kaiming-initialized weights when {@code weights} is null.
   *
   * @throws IOException when the weights cannot be read or do not fit the configuration
   */
  public static SegmentationModel unet(UNetConfig config, Path weights) throws IOException {
    return unet(config, weights, null);
  }

  /**
   * As {@link #unet(UNetConfig, Path)}, on {@code device} (null: DJL's default, a GPU when there is
   * one).
   */
  public static SegmentationModel unet(UNetConfig config, Path weights, Device device)
      throws IOException {
    Model model = Model.newInstance("unet", device, "PyTorch");
    try {
      UNetBlock block = UNetBlock.of(config);
      int size = 1;
      while (!config.fits(size)) {
        size++;
      }
      block.initialize(
          model.getNDManager(), DataType.FLOAT32, new Shape(1, config.bands(), size, size));
      if (weights != null) {
        UNetWeights.load(block, weights);
      }
      model.setBlock(block);
      return new SegmentationModel(model, config.toString());
    } catch (IOException | RuntimeException e) {
      model.close();
      throw e;
    }
  }

  /**
   * An imported graph (see {@link LayerGraph}) with the weights of its {@code .npz} ({@code
   * <node>.<tensor>} in PyTorch layouts, as {@link KerasImport.Imported#saveWeights} writes them).
   *
   * @param device where it runs, or null for DJL's default
   * @throws IOException naming the file and the first missing, unexpected or misshapen tensor
   */
  public static SegmentationModel graph(LayerGraph graph, Path weights, Device device)
      throws IOException {
    Model model = Model.newInstance("graph", device, "PyTorch");
    try {
      GraphBlock block = new GraphBlock(graph);
      block.initialize(model.getNDManager(), DataType.FLOAT32, new Shape(1, graph.bands(), 2, 2));
      loadTensors(block.tensors(), weights);
      model.setBlock(block);
      return new SegmentationModel(model, graph.toString());
    } catch (IOException | RuntimeException e) {
      model.close();
      throw e;
    }
  }

  private static void loadTensors(Map<String, Parameter> tensors, Path npz) throws IOException {
    try (NDManager manager = NDManager.newBaseManager()) {
      NDList arrays;
      try {
        arrays = NDList.decode(manager, Files.readAllBytes(npz));
      } catch (RuntimeException e) {
        throw new IOException(npz + ": not a readable .npz weights file: " + e.getMessage(), e);
      }
      Map<String, NDArray> byName = new HashMap<>();
      for (NDArray a : arrays) {
        byName.put(a.getName(), a);
      }
      TreeSet<String> unexpected = new TreeSet<>(byName.keySet());
      unexpected.removeAll(tensors.keySet());
      if (!unexpected.isEmpty()) {
        throw new InvalidInputException(npz + ": tensors the graph does not have: " + unexpected);
      }
      for (Map.Entry<String, Parameter> e : tensors.entrySet()) {
        NDArray source = byName.get(e.getKey());
        if (source == null) {
          throw new InvalidInputException(npz + ": missing tensor '" + e.getKey() + "'");
        }
        NDArray target = e.getValue().getArray();
        if (!source.getShape().equals(target.getShape())) {
          throw new InvalidInputException(
              npz
                  + ": tensor '"
                  + e.getKey()
                  + "' has shape "
                  + source.getShape()
                  + " where the graph needs "
                  + target.getShape());
        }
        target.set(FloatBuffer.wrap(source.toType(DataType.FLOAT32, false).toFloatArray()));
      }
    }
  }

  /**
   * Loads a TorchScript file (made with {@code torch.jit.trace} or {@code torch.jit.script}) whose
   * forward takes {@code N x bands x H x W} float and returns {@code N x classes x H x W} logits.
   *
   * @throws IOException when the file cannot be loaded as TorchScript, naming it
   */
  public static SegmentationModel torchScript(Path file) throws IOException {
    return torchScript(file, null);
  }

  /** As {@link #torchScript(Path)}, on {@code device} (null: DJL's default). */
  public static SegmentationModel torchScript(Path file, Device device) throws IOException {
    Criteria<NDList, NDList> criteria =
        Criteria.builder()
            .setTypes(NDList.class, NDList.class)
            .optModelPath(file)
            .optEngine("PyTorch")
            .optDevice(device)
            .optTranslator(new NoopTranslator())
            .build();
    try {
      ZooModel<NDList, NDList> model = criteria.loadModel();
      return new SegmentationModel(model, "TorchScript " + file);
    } catch (ModelNotFoundException | MalformedModelException | RuntimeException e) {
      throw new IOException(
          file + ": cannot be loaded as a TorchScript model: " + e.getMessage(), e);
    }
  }

  /**
   * Runs the network on a batch.
   *
   * @param input {@code n * bands * h * w} values, channels first
   * @return logits, channels first, with their shape
   */
  public Logits predict(float[] input, int n, int bands, int h, int w) {
    try (NDManager manager = model.getNDManager().newSubManager()) {
      NDArray x = manager.create(input, new Shape(n, bands, h, w));
      NDArray y = predictor.predict(new NDList(x)).singletonOrThrow();
      Shape s = y.getShape();
      if (s.dimension() != 4 || s.get(0) != n) {
        throw new IllegalStateException(
            description
                + " returned shape "
                + s
                + " for input "
                + x.getShape()
                + ": expected N x classes x H x W");
      }
      return new Logits(y.toFloatArray(), (int) s.get(1), (int) s.get(2), (int) s.get(3));
    } catch (TranslateException e) {
      throw new IllegalStateException(
          description + " failed on a batch of " + n + ": " + e.getMessage(), e);
    }
  }

  /** Logits of a batch, channels first. */
  public record Logits(float[] values, int classes, int height, int width) {}

  /** The device the model runs on. */
  public Device device() {
    return model.getNDManager().getDevice();
  }

  @Override
  public void close() {
    predictor.close();
    model.close();
  }

  @Override
  public String toString() {
    return description;
  }
}

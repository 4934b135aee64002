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
import dev.landcover.networks.internal.GlibcMalloc;
import dev.landcover.networks.internal.GraphBlock;
import dev.landcover.networks.internal.GraphFolding;
import dev.landcover.networks.internal.TensorValues;
import dev.landcover.pixels.InvalidInputException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
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

  /**
   * The batch's input in native memory, kept from batch to batch (on the CPU the engine reads it in
   * place): the engine's own copy would be a new direct buffer per batch, freed only once the Java
   * heap is next collected, so native memory would hold a backlog of them that grows with the
   * number of batches between collections.
   */
  private ByteBuffer inputBuffer;

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
    return unet(config, weights, device, InferenceOptions.DEFAULT);
  }

  /**
   * As {@link #unet(UNetConfig, Path, Device)}, prepared as {@code options} say (batch
   * normalization folded by {@link UNetBlock#foldBatchNorm}, or not).
   */
  public static SegmentationModel unet(
      UNetConfig config, Path weights, Device device, InferenceOptions options) throws IOException {
    Model model = Model.newInstance("unet", device, "PyTorch");
    try {
      UNetBlock block = UNetBlock.of(config);
      int size = 1;
      while (!config.fits(size)) {
        size++;
      }
      Shape probe = new Shape(1, config.bands(), size, size);
      block.initialize(model.getNDManager(), DataType.FLOAT32, probe);
      if (weights != null) {
        UNetWeights.load(block, weights);
      }
      if (options.foldBatchNorm()) {
        UNetBlock folded = block.foldBatchNorm(model.getNDManager(), probe);
        if (folded != block) {
          block.getParameters().values().forEach(Parameter::close);
          block = folded;
        }
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
    return graph(graph, weights, device, InferenceOptions.DEFAULT);
  }

  /**
   * As {@link #graph(LayerGraph, Path, Device)}, prepared as {@code options} say (batch
   * normalizations folded into the convolutions before them, or not).
   */
  public static SegmentationModel graph(
      LayerGraph graph, Path weights, Device device, InferenceOptions options) throws IOException {
    Model model = Model.newInstance("graph", device, "PyTorch");
    try {
      Shape probe = new Shape(1, graph.bands(), 2, 2);
      GraphBlock block = new GraphBlock(graph);
      block.initialize(model.getNDManager(), DataType.FLOAT32, probe);
      loadTensors(block.tensors(), weights);
      if (options.foldBatchNorm()) {
        Map<String, float[]> values = new LinkedHashMap<>();
        block.tensors().forEach((name, p) -> values.put(name, p.getArray().toFloatArray()));
        GraphFolding.Weighted folded = GraphFolding.fold(new GraphFolding.Weighted(graph, values));
        if (folded.graph() != graph) {
          block.getParameters().values().forEach(Parameter::close);
          block = new GraphBlock(folded.graph());
          block.initialize(model.getNDManager(), DataType.FLOAT32, probe);
          for (Map.Entry<String, Parameter> e : block.tensors().entrySet()) {
            TensorValues.overwrite(e.getValue().getArray(), folded.tensors().get(e.getKey()));
          }
        }
      }
      model.setBlock(block);
      return new SegmentationModel(model, block.graph().toString());
    } catch (IOException | RuntimeException e) {
      model.close();
      throw e;
    }
  }

  static void loadTensors(Map<String, Parameter> tensors, Path npz) throws IOException {
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
        TensorValues.overwrite(target, source.toType(DataType.FLOAT32, false).toFloatArray());
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
   * Loads an ONNX file (e.g. from {@code torch.onnx.export}) whose one input is {@code N x bands x
   * H x W} float and whose first output is {@code N x classes x H x W} logits, run by DJL's
   * OnnxRuntime engine (CPU).
   *
   * @throws IOException when the file cannot be loaded as ONNX, naming it
   */
  public static SegmentationModel onnx(Path file) throws IOException {
    Criteria<NDList, NDList> criteria =
        Criteria.builder()
            .setTypes(NDList.class, NDList.class)
            .optModelPath(file)
            .optEngine("OnnxRuntime")
            .optDevice(Device.cpu())
            .optTranslator(new NoopTranslator())
            .build();
    try {
      ZooModel<NDList, NDList> model = criteria.loadModel();
      return new SegmentationModel(model, "ONNX " + file);
    } catch (ModelNotFoundException | MalformedModelException | RuntimeException e) {
      throw new IOException(file + ": cannot be loaded as an ONNX model: " + e.getMessage(), e);
    }
  }

  /**
   * Runs the network on a batch.
   *
   * @param input {@code n * bands * h * w} values, channels first
   * @return logits, channels first, with their shape
   */
  public Logits predict(float[] input, int n, int bands, int h, int w) {
    return predict(input, n, bands, h, w, null);
  }

  /**
   * Runs the network on a batch, writing the logits into {@code reuse} when it holds at least as
   * many values as the logits (a caller that runs batch after batch, the last one perhaps smaller,
   * keeps one array instead of a new one per batch; the values are the same as {@link
   * #predict(float[], int, int, int, int)}'s).
   *
   * @param input at least {@code n * bands * h * w} values, channels first; the first {@code n *
   *     bands * h * w} are the batch (a caller keeps one array for a full batch and passes it for a
   *     smaller last one too)
   * @param reuse the array to return the logits in, or null for a new one
   * @return logits, channels first, with their shape; their values are {@code reuse} when it fit
   *     (then only its first {@code n * classes * height * width} values are the logits)
   */
  public Logits predict(float[] input, int n, int bands, int h, int w, float[] reuse) {
    long values = (long) n * bands * h * w;
    if (input.length < values) {
      throw new IllegalArgumentException(
          input.length
              + " input values for a batch of "
              + n
              + " x "
              + bands
              + " x "
              + h
              + " x "
              + w);
    }
    try (NDManager manager = model.getNDManager().newSubManager()) {
      NDArray x =
          manager.create(
              nativeInput(input, (int) values), new Shape(n, bands, h, w), DataType.FLOAT32);
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
      float[] logits;
      if (reuse != null && reuse.length >= s.size() && y.getDataType() == DataType.FLOAT32) {
        y.toByteBuffer(true).asFloatBuffer().get(reuse, 0, (int) s.size());
        logits = reuse;
      } else {
        logits = y.toFloatArray();
      }
      return new Logits(logits, (int) s.get(1), (int) s.get(2), (int) s.get(3));
    } catch (TranslateException | RuntimeException e) {
      if (e instanceof IllegalStateException s && s.getMessage().startsWith(description)) {
        throw s;
      }
      throw new IllegalStateException(
          description + " failed on a batch of " + n + ": " + engineReason(e), e);
    }
  }

  /** The first {@code count} values of {@code input} in {@link #inputBuffer}, native byte order. */
  private ByteBuffer nativeInput(float[] input, int count) {
    int bytes = Math.multiplyExact(count, Float.BYTES);
    if (inputBuffer == null || inputBuffer.capacity() < bytes) {
      inputBuffer = ByteBuffer.allocateDirect(bytes).order(ByteOrder.nativeOrder());
    }
    inputBuffer.clear();
    inputBuffer.asFloatBuffer().put(input, 0, count);
    inputBuffer.limit(bytes);
    return inputBuffer;
  }

  /**
   * The one line of an engine failure that says what went wrong: for a TorchScript error (a
   * traceback of tens of lines), its last {@code RuntimeError:} line without that prefix; otherwise
   * the first line of the innermost message.
   */
  public static String engineReason(Throwable e) {
    String reason = null;
    for (Throwable t = e; t != null; t = t.getCause()) {
      String m = t.getMessage();
      if (m == null) {
        continue;
      }
      List<String> lines = m.lines().map(String::strip).filter(l -> !l.isEmpty()).toList();
      for (String line : lines) {
        if (line.startsWith("RuntimeError:")) {
          reason = line.substring("RuntimeError:".length()).strip();
        }
      }
      if (reason != null) {
        return reason;
      }
      if (!lines.isEmpty()) {
        reason = lines.get(0);
      }
    }
    return reason == null ? e.toString() : reason;
  }

  /**
   * Finds the chip-origin multiple this model needs for stitched chips to equal a larger pass, by
   * probing: for {@code a} = 1, 2, 4, ... {@code max}, the logits of a random {@code size x size}
   * input and of the same input shifted by {@code a} pixels (both ways) must agree, shifted back,
   * in the central {@code size / 8} pixels square (away from the edges, whose effects reach as far
   * as the model's receptive field); the first {@code a} that agrees within 1e-4 (relative to the
   * largest logit) is returned, {@code max} when none does (also when the receptive field reaches
   * the centre: a multiple of the true alignment is still exact, only coarser). The first pass also
   * checks the model takes {@code bands} bands.
   *
   * @param size the probe's height and width (a multiple of {@code max}, e.g. 192)
   * @throws InvalidInputException when the model refuses {@code bands} input bands, naming both
   *     counts when the engine says what it expected
   */
  public int probeAlignment(int bands, int size, int max) throws InvalidInputException {
    java.util.Random random = new java.util.Random(7);
    int big = size + max;
    float[] x = new float[bands * big * big];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) random.nextGaussian();
    }
    Logits base;
    try {
      base = predict(crop(x, bands, big, 0, size), 1, bands, size, size);
    } catch (RuntimeException e) {
      throw bandError(bands, e);
    }
    if (base.height() != size || base.width() != size) {
      return max; // a valid-padding model: not probed
    }
    int margin = size / 2 - size / 16;
    double scale = 0;
    for (float v : base.values()) {
      scale = Math.max(scale, Math.abs(v));
    }
    for (int a = 1; a < max; a *= 2) {
      Logits shifted = predict(crop(x, bands, big, a, size), 1, bands, size, size);
      double diff = 0;
      for (int k = 0; k < base.classes(); k++) {
        for (int y = a + margin; y < size - margin; y++) {
          for (int xx = a + margin; xx < size - margin; xx++) {
            float v0 = base.values()[(k * size + y) * size + xx];
            float v1 = shifted.values()[(k * size + y - a) * size + xx - a];
            diff = Math.max(diff, Math.abs(v0 - v1));
          }
        }
      }
      if (diff <= 1e-4 * Math.max(1, scale)) {
        return a;
      }
    }
    return max;
  }

  private static float[] crop(float[] x, int bands, int big, int offset, int size) {
    float[] out = new float[bands * size * size];
    for (int b = 0; b < bands; b++) {
      for (int y = 0; y < size; y++) {
        System.arraycopy(
            x, (b * big + y + offset) * big + offset, out, (b * size + y) * size, size);
      }
    }
    return out;
  }

  private static final java.util.regex.Pattern[] CHANNELS = {
    // PyTorch: "expected input[1, 3, 64, 64] to have 4 channels, but got 3 channels instead"
    java.util.regex.Pattern.compile("to have (\\d+) channels, but got (\\d+) channels"),
    // OnnxRuntime: "Got invalid dimensions for input: x for the following indices index: 1 Got: 3
    // Expected: 4"
    java.util.regex.Pattern.compile("index: 1 Got: (\\d+) Expected: (\\d+)")
  };

  private InvalidInputException bandError(int bands, RuntimeException e) {
    OptionalInt expected = expectedBands(e);
    if (expected.isPresent()) {
      return new InvalidInputException(
          description
              + ": the model takes "
              + expected.getAsInt()
              + " bands but is given "
              + bands
              + " (check --bands)");
    }
    String first = String.valueOf(e.getMessage()).lines().findFirst().orElse("");
    return new InvalidInputException(
        description + ": the model fails on " + bands + " bands: " + first, e);
  }

  /**
   * The number of input bands a model expected, when the engine's failure says it (PyTorch's
   * "expected input[...] to have N channels", OnnxRuntime's "index: 1 Got: M Expected: N").
   */
  public static OptionalInt expectedBands(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      String m = String.valueOf(t.getMessage());
      for (int i = 0; i < CHANNELS.length; i++) {
        java.util.regex.Matcher matcher = CHANNELS[i].matcher(m);
        if (matcher.find()) {
          return OptionalInt.of(Integer.parseInt(matcher.group(i == 0 ? 1 : 2)));
        }
      }
    }
    return OptionalInt.empty();
  }

  /**
   * Hands the native memory that freed tensors left in the C library's malloc arenas back to the
   * operating system (glibc's {@code malloc_trim}; nothing elsewhere). A long run of forward passes
   * calls it now and then, so that the process's resident memory follows the tensors in use rather
   * than the number of passes.
   */
  public static void releaseFreedNativeMemory() {
    GlibcMalloc.trim();
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

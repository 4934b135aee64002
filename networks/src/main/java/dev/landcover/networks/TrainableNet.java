package dev.landcover.networks;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import dev.landcover.networks.internal.GraphBlock;
import dev.landcover.pixels.InvalidInputException;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A network {@link UNetTrainer} trains: a UNet or an imported {@link LayerGraph}, its tensors by
 * canonical name (the names of its {@code .npz}), and its classifier head: {@code head.*} of a UNet
 * (its final 1 x 1 convolution), the output node of a graph ({@link LayerGraph#head()}).
 */
final class TrainableNet {
  private final AbstractBlock block;
  private final UNetBlock unet;
  private final GraphBlock graph;
  private final Map<String, Parameter> tensors;
  private final Set<String> head;
  private final Map<String, Boolean> trainable = new HashMap<>();

  private TrainableNet(UNetBlock unet, GraphBlock graph) {
    this.unet = unet;
    this.graph = graph;
    this.block = unet != null ? unet : graph;
    if (unet != null) {
      this.tensors = unet.canonicalTensors();
      this.head = Set.of("head.weight", "head.bias");
    } else {
      this.tensors = graph.tensors();
      String h = graph.graph().head().name();
      this.head = Set.of(h + ".weight", h + ".bias");
    }
  }

  static TrainableNet unet(UNetConfig config) {
    return new TrainableNet(UNetBlock.of(config), null);
  }

  static TrainableNet graph(LayerGraph graph) {
    return new TrainableNet(null, new GraphBlock(graph));
  }

  AbstractBlock block() {
    return block;
  }

  /** Tensors by canonical name; valid once the block is initialized. */
  Map<String, Parameter> tensors() {
    return unet != null ? unet.canonicalTensors() : tensors;
  }

  /** Writes every tensor to {@code npz} (the bundle's weights file). */
  void save(Path npz) throws IOException {
    if (unet != null) {
      UNetWeights.save(unet, npz);
      return;
    }
    try (NDManager manager = NDManager.newBaseManager()) {
      List<NDArray> arrays = new ArrayList<>();
      for (Map.Entry<String, Parameter> e : tensors.entrySet()) {
        NDArray a = manager.create(e.getValue().getArray().toFloatArray(), e.getValue().getShape());
        a.setName(e.getKey());
        arrays.add(a);
      }
      try (OutputStream os = Files.newOutputStream(npz)) {
        new NDList(arrays).encode(os, NDList.Encoding.NPZ);
      }
    }
  }

  /** Loads every tensor from {@code npz}. */
  void load(Path npz) throws IOException {
    if (unet != null) {
      UNetWeights.load(unet, npz);
    } else {
      SegmentationModel.loadTensors(tensors, npz);
    }
  }

  /**
   * Loads every tensor but the head's from {@code npz}, a model whose head has another class count;
   * the head keeps the values it was initialized with, except the outputs {@code i} with {@code
   * sourceRows[i] >= 0}: their weights (row {@code i} along the first axis) and bias are copied
   * from output {@code sourceRows[i]} of the file's head.
   *
   * @param sourceRows an output index of the file's head per output of this head (-1: keep), or
   *     null to read none of the file's head
   * @throws InvalidInputException when the file's head lacks a source row or has another shape
   */
  void loadAllButHead(Path npz, int[] sourceRows) throws IOException {
    Path body = Files.createTempFile("landcover-body", ".npz");
    try (NDManager manager = NDManager.newBaseManager()) {
      NDList arrays;
      try {
        arrays = NDList.decode(manager, Files.readAllBytes(npz));
      } catch (RuntimeException e) {
        throw new InvalidInputException(
            npz + ": not a readable .npz weights file: " + e.getMessage(), e);
      }
      List<NDArray> kept = new ArrayList<>();
      Map<String, NDArray> fileHead = new HashMap<>();
      for (NDArray a : arrays) {
        if (!head.contains(a.getName())) {
          kept.add(a);
        } else {
          fileHead.put(a.getName(), a);
        }
      }
      // The head's current values complete the file, so the loaders check everything else.
      Map<String, Parameter> all = tensors();
      for (String h : head) {
        Parameter p = all.get(h);
        if (p != null) {
          float[] values = p.getArray().toFloatArray();
          if (sourceRows != null) {
            copyRows(
                npz, h, fileHead.get(h), p.getArray().getShape().getShape(), values, sourceRows);
          }
          NDArray a = manager.create(values, p.getArray().getShape());
          a.setName(h);
          kept.add(a);
        }
      }
      try (OutputStream os = Files.newOutputStream(body)) {
        new NDList(kept).encode(os, NDList.Encoding.NPZ);
      }
      load(body);
    } finally {
      Files.deleteIfExists(body);
    }
  }

  /**
   * Copies rows (first axis) {@code sourceRows[i]} of {@code source} into row i of {@code values}.
   */
  private static void copyRows(
      Path npz, String name, NDArray source, long[] shape, float[] values, int[] sourceRows)
      throws InvalidInputException {
    if (source == null) {
      throw new InvalidInputException(npz + ": has no head tensor " + name + " to copy rows from");
    }
    long[] from = source.getShape().getShape();
    boolean sameRowShape = from.length == shape.length;
    for (int d = 1; sameRowShape && d < shape.length; d++) {
      sameRowShape = from[d] == shape[d];
    }
    if (!sameRowShape) {
      throw new InvalidInputException(
          npz
              + ": head tensor "
              + name
              + " is "
              + source.getShape()
              + ", expected rows of "
              + Arrays.toString(Arrays.copyOfRange(shape, 1, shape.length)));
    }
    int row = values.length / (int) shape[0];
    float[] file = source.toFloatArray();
    for (int i = 0; i < sourceRows.length; i++) {
      if (sourceRows[i] >= from[0]) {
        throw new InvalidInputException(
            npz + ": head tensor " + name + " has " + from[0] + " rows, no row " + sourceRows[i]);
      }
      if (sourceRows[i] >= 0) {
        System.arraycopy(file, sourceRows[i] * row, values, i * row, row);
      }
    }
  }

  /** The head's tensor names. */
  Set<String> head() {
    return head;
  }

  /**
   * Freezes (or thaws) every tensor but the head's: frozen tensors get no gradient and no update,
   * and normalization layers outside the head run in inference mode (their running statistics are
   * used and left unchanged), so a frozen epoch leaves them bit for bit as they were.
   */
  void freezeBody(boolean frozen) {
    Map<String, Parameter> all = tensors();
    if (trainable.isEmpty()) {
      all.forEach((name, p) -> trainable.put(name, p.requiresGradient()));
    }
    Map<String, Parameter> body = new LinkedHashMap<>(all);
    body.keySet().removeAll(head);
    for (Map.Entry<String, Parameter> e : body.entrySet()) {
      if (trainable.get(e.getKey())) {
        e.getValue().freeze(frozen);
      }
    }
    if (unet != null) {
      unet.inferenceNormalization(frozen);
    } else {
      graph.inferenceNormalization(frozen);
    }
  }

  int bands() {
    return unet != null ? unet.config().bands() : graph.graph().bands();
  }

  int classes() {
    return unet != null ? unet.config().classes() : graph.graph().classes();
  }
}

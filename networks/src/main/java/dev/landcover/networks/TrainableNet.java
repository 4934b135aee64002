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
   * the head keeps the values it was initialized with. The file's head tensors are not read.
   */
  void loadAllButHead(Path npz) throws IOException {
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
      for (NDArray a : arrays) {
        if (!head.contains(a.getName())) {
          kept.add(a);
        }
      }
      // The head's current values complete the file, so the loaders check everything else.
      Map<String, Parameter> all = tensors();
      for (String h : head) {
        Parameter p = all.get(h);
        if (p != null) {
          NDArray a = manager.create(p.getArray().toFloatArray(), p.getArray().getShape());
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

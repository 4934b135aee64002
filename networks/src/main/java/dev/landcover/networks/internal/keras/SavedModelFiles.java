package dev.landcover.networks.internal.keras;

import dev.landcover.pixels.InvalidInputException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The parts of a Keras model saved as a TensorFlow SavedModel that an import needs, read without
 * TensorFlow: the root object's Keras metadata (the model config JSON, from {@code saved_model.pb}:
 * {@code SavedModel.meta_graphs[0].object_graph_def.nodes[0].user_object.metadata}) and, from the
 * checkpoint's object graph, the checkpoint key of each layer's variables (root children {@code
 * layer-<i>} are the config's layers in order, recursively for nested models).
 */
public final class SavedModelFiles {
  private final Path dir;
  private final String rootMetadata;
  private final TfCheckpoint checkpoint;
  private final List<Map<String, Integer>> children = new ArrayList<>();
  private final Map<Integer, String> variableKeys = new HashMap<>();

  private SavedModelFiles(Path dir, String rootMetadata, TfCheckpoint checkpoint, byte[] graph) {
    this.dir = dir;
    this.rootMetadata = rootMetadata;
    this.checkpoint = checkpoint;
    List<ProtoMessage.Field> nodes = ProtoMessage.parse(graph).all(1);
    for (int id = 0; id < nodes.size(); id++) {
      ProtoMessage node = nodes.get(id).message();
      Map<String, Integer> byName = new LinkedHashMap<>();
      for (ProtoMessage.Field c : node.all(1)) {
        ProtoMessage ref = c.message();
        byName.put(ref.get(2) == null ? "" : ref.get(2).text(), (int) ref.value(1, 0));
      }
      children.add(byName);
      for (ProtoMessage.Field attr : node.all(2)) {
        ProtoMessage t = attr.message();
        if (t.get(1) != null && t.get(1).text().equals("VARIABLE_VALUE") && t.get(3) != null) {
          variableKeys.put(id, t.get(3).text());
        }
      }
    }
  }

  /**
   * Reads {@code dir/saved_model.pb} and {@code dir/variables/variables.*}.
   *
   * @throws InvalidInputException naming the file when it is not a Keras SavedModel
   */
  public static SavedModelFiles read(Path dir) throws IOException {
    Path pb = dir.resolve("saved_model.pb");
    if (!Files.isRegularFile(pb)) {
      throw new InvalidInputException(dir + ": not a TensorFlow SavedModel (no saved_model.pb)");
    }
    String metadata;
    try {
      ProtoMessage model = ProtoMessage.parse(Files.readAllBytes(pb));
      ProtoMessage.Field meta = model.get(2);
      ProtoMessage.Field objectGraph = meta == null ? null : meta.message().get(7);
      List<ProtoMessage.Field> nodes =
          objectGraph == null ? List.of() : objectGraph.message().all(1);
      ProtoMessage.Field user = nodes.isEmpty() ? null : nodes.get(0).message().get(4);
      ProtoMessage.Field json = user == null ? null : user.message().get(3);
      if (json == null || json.bytes().length == 0) {
        throw new InvalidInputException(
            pb
                + ": the root object has no Keras metadata (not a model saved by Keras 2.x, or one"
                + " saved with keras_metadata.pb, which this importer does not read)");
      }
      metadata = json.text();
    } catch (IllegalArgumentException e) {
      throw new InvalidInputException(pb + ": not a readable SavedModel: " + e.getMessage(), e);
    }
    TfCheckpoint checkpoint = TfCheckpoint.read(dir.resolve("variables").resolve("variables"));
    byte[] graph = checkpoint.string("_CHECKPOINTABLE_OBJECT_GRAPH");
    try {
      return new SavedModelFiles(dir, metadata, checkpoint, graph);
    } catch (IllegalArgumentException e) {
      throw new InvalidInputException(
          dir + ": the checkpoint's object graph is not readable: " + e.getMessage(), e);
    }
  }

  /** The root object's Keras metadata: JSON with {@code class_name} and {@code config}. */
  public String rootMetadata() {
    return rootMetadata;
  }

  /**
   * The object-graph node reached from the root by child names (e.g. {@code layer-1}, {@code
   * layer-5}).
   *
   * @throws InvalidInputException when a step is missing
   */
  public int node(List<String> path) throws InvalidInputException {
    int id = 0;
    for (String step : path) {
      Integer next = children.get(id).get(step);
      if (next == null) {
        throw new InvalidInputException(
            dir + ": the checkpoint's object graph has no '" + String.join("/", path) + "'");
      }
      id = next;
    }
    return id;
  }

  /**
   * The float32 variable {@code name} (e.g. {@code kernel}) of the object at {@code node}.
   *
   * @throws InvalidInputException when it is missing or unreadable
   */
  public TfCheckpoint.FloatTensor variable(int node, String name, String layer)
      throws InvalidInputException {
    Integer v = children.get(node).get(name);
    String key = v == null ? null : variableKeys.get(v);
    if (key == null) {
      throw new InvalidInputException(
          dir + ": layer '" + layer + "' has no variable '" + name + "' in the checkpoint");
    }
    return checkpoint.floats(key);
  }
}

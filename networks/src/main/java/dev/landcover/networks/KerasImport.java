package dev.landcover.networks;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.landcover.networks.internal.keras.SavedModelFiles;
import dev.landcover.networks.internal.keras.TfCheckpoint;
import dev.landcover.pixels.InvalidInputException;
import dev.landcover.pixels.LandcoverClass;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Imports a Keras functional model saved as a TensorFlow SavedModel (Keras 2.x, metadata in {@code
 * saved_model.pb}) into a {@link LayerGraph} and its weights, reading the files directly (no
 * TensorFlow). Tensors in Keras are channels last (NHWC); the graph is channels first, so axes and
 * kernels are transposed here: a {@code Conv2D} kernel {@code [kh, kw, in, out]} becomes {@code
 * [out, in, kh, kw]}, a {@code DepthwiseConv2D} kernel {@code [kh, kw, in, m]} becomes {@code [in *
 * m, 1, kh, kw]}.
 *
 * <p>Supported layers: {@code InputLayer}, nested {@code Functional}/{@code Model} (called once),
 * {@code Conv2D} and {@code DepthwiseConv2D} (channels last, stride 1 with {@code same} padding or
 * any stride with {@code valid}), {@code BatchNormalization} (last axis), {@code Activation},
 * {@code Add}, {@code Subtract}, {@code Multiply}, {@code Concatenate}, and the {@code TFOpLambda}
 * functions listed in {@link #FUNCTIONS} plus {@code __operators__.getitem} slices of shapes.
 * Anything else is refused by name.
 */
public final class KerasImport {
  /** The TensorFlow functions a {@code TFOpLambda} layer may call. */
  public static final Set<String> FUNCTIONS =
      Set.of(
          "math.softplus",
          "nn.softplus",
          "math.tanh",
          "nn.tanh",
          "nn.relu",
          "math.sigmoid",
          "nn.sigmoid",
          "math.multiply",
          "__operators__.add",
          "math.add",
          "math.subtract",
          "__operators__.sub",
          "math.truediv",
          "__operators__.truediv",
          "math.divide",
          "cast",
          "compat.v1.shape",
          "shape",
          "image.resize",
          "math.l2_normalize",
          "nn.l2_normalize",
          "concat");

  /** A weight tensor in PyTorch layout. */
  public record Tensor(long[] shape, float[] values) {}

  /** The imported graph and its weights ({@code <node>.<tensor>}). */
  public record Imported(LayerGraph graph, Map<String, Tensor> weights) {
    /** Writes the weights as an {@code .npz} (the file a graph bundle carries). */
    public void saveWeights(Path npz) throws IOException {
      try (NDManager manager = NDManager.newBaseManager()) {
        List<NDArray> arrays = new ArrayList<>();
        for (Map.Entry<String, Tensor> e : weights.entrySet()) {
          NDArray a = manager.create(e.getValue().values(), new Shape(e.getValue().shape()));
          a.setName(e.getKey());
          arrays.add(a);
        }
        try (OutputStream os = Files.newOutputStream(npz)) {
          new NDList(arrays).encode(os, NDList.Encoding.NPZ);
        }
      }
    }
  }

  private final Path source;
  private final SavedModelFiles files;
  private final ObjectMapper json = new ObjectMapper();
  private final List<LayerGraph.Node> nodes = new ArrayList<>();
  private final Map<String, Tensor> weights = new LinkedHashMap<>();
  private final Map<String, String> aliases = new HashMap<>();
  private final Map<String, Long> channels = new HashMap<>();
  private final Set<String> numeric = new HashSet<>();
  private int bands;

  private KerasImport(Path source, SavedModelFiles files) {
    this.source = source;
    this.files = files;
  }

  /**
   * Imports the SavedModel folder {@code dir}.
   *
   * @throws InvalidInputException naming the folder and the first layer or file it cannot import
   */
  public static Imported savedModel(Path dir) throws IOException {
    KerasImport importer = new KerasImport(dir, SavedModelFiles.read(dir));
    JsonNode root;
    try {
      root = importer.json.readTree(importer.files.rootMetadata());
    } catch (IOException e) {
      throw new InvalidInputException(dir + ": the Keras metadata is not JSON: " + e.getMessage());
    }
    String type = root.path("class_name").asText();
    if (!type.equals("Functional") && !type.equals("Model")) {
      throw new InvalidInputException(
          dir + ": the root object is a Keras '" + type + "', expected a functional model");
    }
    JsonNode config = root.path("config");
    List<String> outputs = importer.model(config, List.of(), null);
    if (outputs.size() != 1) {
      throw new InvalidInputException(
          dir + ": the model has " + outputs.size() + " outputs, expected 1 (the logits)");
    }
    String out = outputs.get(0);
    if (importer.numeric.contains(out) || !importer.channels.containsKey(out)) {
      throw new InvalidInputException(dir + ": the model's output is not an image tensor");
    }
    LayerGraph graph =
        new LayerGraph(
            importer.nodes, out, importer.bands, (int) (long) importer.channels.get(out));
    return new Imported(graph, importer.weights);
  }

  /**
   * Imports the SavedModel folder {@code savedModel} and writes a graph bundle folder (or {@code
   * .zip}) {@code out}: {@code model.json}, {@code weights.npz}, and the folder's {@code NOTICE}
   * and {@code LICENSE} when it has them (the NOTICE becomes the bundle's attribution).
   *
   * @param bands the scene bands the model takes, in input-channel order
   * @param classes the classes of the output channels, in order
   * @param alignment chip-origin multiple for exact stitching, 0 for the default
   * @throws InvalidInputException when the model does not take as many bands or give as many
   *     classes as listed, or cannot be imported
   */
  public static ModelBundle importBundle(
      Path savedModel,
      Path out,
      List<ModelBundle.Band> bands,
      InputNormalization normalization,
      List<LandcoverClass> classes,
      int chipSize,
      int nodataClass,
      int alignment,
      ObjectNode provenance)
      throws IOException {
    Imported imported = savedModel(savedModel);
    LayerGraph g = imported.graph();
    if (g.bands() != bands.size() || g.classes() != classes.size()) {
      throw new InvalidInputException(
          savedModel
              + ": the model takes "
              + g.bands()
              + " bands and gives "
              + g.classes()
              + " classes, but "
              + bands.size()
              + " bands and "
              + classes.size()
              + " classes are listed");
    }
    if (normalization.first().length != bands.size()) {
      throw new IllegalArgumentException(
          "the normalization has "
              + normalization.first().length
              + " values per parameter for "
              + bands.size()
              + " bands");
    }
    Path notice = savedModel.resolve("NOTICE");
    ModelBundle bundle =
        ModelBundle.graph(
            g,
            bands,
            normalization,
            classes,
            chipSize,
            nodataClass,
            provenance,
            alignment,
            Files.isRegularFile(notice)
                ? Files.readString(notice, java.nio.charset.StandardCharsets.UTF_8).strip()
                : null);
    Path dir = Files.createTempDirectory("landcover-keras");
    try {
      Path weights = dir.resolve("weights.npz");
      imported.saveWeights(weights);
      Map<String, Path> extras = new java.util.TreeMap<>();
      for (String legal : List.of("NOTICE", "LICENSE")) {
        if (Files.isRegularFile(savedModel.resolve(legal))) {
          extras.put(legal, savedModel.resolve(legal));
        }
      }
      bundle.save(out, weights, extras);
    } finally {
      Files.deleteIfExists(dir.resolve("weights.npz"));
      Files.deleteIfExists(dir);
    }
    return bundle;
  }

  /**
   * Adds the nodes of one functional model config; returns the node names of its outputs.
   *
   * @param path object-graph path of this model from the root
   * @param boundInput the outer node a nested model's input is, or null at the top level
   */
  private List<String> model(JsonNode config, List<String> path, String boundInput)
      throws IOException {
    JsonNode layers = config.path("layers");
    if (!layers.isArray() || config.path("input_layers").size() != 1) {
      throw new InvalidInputException(
          source
              + ": model '"
              + config.path("name").asText()
              + "' needs one input and a layers"
              + " list");
    }
    String inputLayer = config.path("input_layers").get(0).get(0).asText();
    for (int i = 0; i < layers.size(); i++) {
      JsonNode layer = layers.get(i);
      String name = layer.path("name").asText();
      String type = layer.path("class_name").asText();
      List<String> objectPath = new ArrayList<>(path);
      objectPath.add("layer-" + i);
      JsonNode calls = layer.path("inbound_nodes");
      if (type.equals("InputLayer")) {
        if (!name.equals(inputLayer)) {
          throw new InvalidInputException(source + ": extra input layer '" + name + "'");
        }
        if (boundInput != null) {
          aliases.put(name + ":0", boundInput);
        } else {
          JsonNode shape = layer.path("config").path("batch_input_shape").path("items");
          if (shape.size() != 4 || shape.get(3).isNull()) {
            throw new InvalidInputException(
                source
                    + ": input '"
                    + name
                    + "' has shape "
                    + shape
                    + ", expected [N, H, W, bands]");
          }
          bands = shape.get(3).asInt();
          add(name, "input", List.of(), attrs().put("bands", bands), bands);
          aliases.put(name + ":0", name);
        }
        continue;
      }
      if (calls.size() != 1) {
        throw new InvalidInputException(
            source
                + ": layer '"
                + name
                + "' is called "
                + calls.size()
                + " times; only layers called once can be imported");
      }
      Call call = call(calls.get(0));
      if (type.equals("Functional") || type.equals("Model")) {
        if (call.refs().size() != 1) {
          throw new InvalidInputException(source + ": nested model '" + name + "' needs one input");
        }
        List<String> outs = model(layer.path("config"), objectPath, call.refs().get(0));
        for (int k = 0; k < outs.size(); k++) {
          aliases.put(name + ":" + k, outs.get(k));
        }
        continue;
      }
      layer(name, type, layer.path("config"), call, objectPath);
    }
    List<String> outputs = new ArrayList<>();
    for (JsonNode o : config.path("output_layers")) {
      outputs.add(resolve(o));
    }
    return outputs;
  }

  /** One call of a layer: its tensor arguments (node names) and keyword arguments. */
  private record Call(List<String> refs, ObjectNode kwargs) {}

  private Call call(JsonNode c) throws InvalidInputException {
    List<JsonNode> refs = new ArrayList<>();
    if (c.size() > 0 && c.get(0).isTextual()) {
      refs.add(c);
    } else {
      c.forEach(refs::add);
    }
    List<String> names = new ArrayList<>();
    ObjectNode kwargs = json.createObjectNode();
    for (JsonNode r : refs) {
      names.add(resolve(r));
      if (r.size() > 3 && r.get(3).isObject()) {
        kwargs.setAll((ObjectNode) r.get(3));
      }
    }
    return new Call(names, kwargs);
  }

  private String resolve(JsonNode ref) throws InvalidInputException {
    String key = ref.get(0).asText() + ":" + ref.get(2).asInt();
    String node = aliases.get(key);
    if (node == null) {
      throw new InvalidInputException(
          source
              + ": the model reads tensor "
              + ref.get(0).asText()
              + "["
              + ref.get(2).asInt()
              + "] before it is computed (or a layer with several outputs)");
    }
    return node;
  }

  private void layer(String name, String type, JsonNode cfg, Call call, List<String> objectPath)
      throws IOException {
    String in = call.refs().get(0);
    switch (type) {
      case "Conv2D", "DepthwiseConv2D" -> {
        channelsLast(name, cfg);
        boolean depthwise = type.equals("DepthwiseConv2D");
        int node = files.node(objectPath);
        TfCheckpoint.FloatTensor k =
            files.variable(node, depthwise ? "depthwise_kernel" : "kernel", name);
        long kh = k.shape()[0];
        long kw = k.shape()[1];
        long groups = depthwise ? k.shape()[2] : cfg.path("groups").asLong(1);
        long inChannels = k.shape()[2] * (depthwise ? 1 : groups);
        long out = depthwise ? k.shape()[2] * k.shape()[3] : k.shape()[3];
        int[] stride = pair(cfg, "strides");
        int[] dilation = pair(cfg, "dilation_rate");
        int[] padding = padding(name, cfg, (int) kh, (int) kw, stride, dilation);
        boolean bias = cfg.path("use_bias").asBoolean();
        ObjectNode a = attrs();
        a.put("in", inChannels).put("out", out).put("groups", groups).put("bias", bias);
        a.putArray("kernel").add(kh).add(kw);
        a.putArray("stride").add(stride[0]).add(stride[1]);
        a.putArray("padding").add(padding[0]).add(padding[1]);
        a.putArray("dilation").add(dilation[0]).add(dilation[1]);
        String convName =
            cfg.path("activation").asText("linear").equals("linear") ? name : name + "/conv";
        // [kh, kw, a, b] -> [b, a, kh, kw] (a conv's [out, in, kh, kw]); depthwise: a = in, b = m
        // -> [in * m, 1, kh, kw] with output channel c * m + j, TensorFlow's order
        long a2 = k.shape()[2];
        long b2 = k.shape()[3];
        float[] w = new float[k.values().length];
        for (long y = 0; y < kh; y++) {
          for (long x = 0; x < kw; x++) {
            for (long i = 0; i < a2; i++) {
              for (long j = 0; j < b2; j++) {
                float v = k.values()[(int) (((y * kw + x) * a2 + i) * b2 + j)];
                long target =
                    depthwise
                        ? (((i * b2 + j) * kh + y) * kw + x)
                        : (((j * a2 + i) * kh + y) * kw + x);
                w[(int) target] = v;
              }
            }
          }
        }
        weights.put(
            convName + ".weight",
            new Tensor(depthwise ? new long[] {out, 1, kh, kw} : new long[] {out, a2, kh, kw}, w));
        if (bias) {
          weights.put(convName + ".bias", tensor(files.variable(node, "bias", name), out, name));
        }
        add(convName, "conv2d", List.of(in), a, out);
        activation(name, cfg.path("activation").asText("linear"), convName, out);
      }
      case "BatchNormalization" -> {
        JsonNode axis = cfg.path("axis");
        int ax = axis.isArray() && axis.size() == 1 ? axis.get(0).asInt() : axis.asInt(-99);
        if (ax != 3 && ax != -1) {
          throw new InvalidInputException(
              source + ": layer '" + name + "' normalizes axis " + axis + ", expected the last");
        }
        int node = files.node(objectPath);
        long c = channels(in);
        float[] ones = new float[(int) c];
        java.util.Arrays.fill(ones, 1f);
        weights.put(
            name + ".gamma",
            cfg.path("scale").asBoolean(true)
                ? tensor(files.variable(node, "gamma", name), c, name)
                : new Tensor(new long[] {c}, ones));
        weights.put(
            name + ".beta",
            cfg.path("center").asBoolean(true)
                ? tensor(files.variable(node, "beta", name), c, name)
                : new Tensor(new long[] {c}, new float[(int) c]));
        weights.put(name + ".mean", tensor(files.variable(node, "moving_mean", name), c, name));
        weights.put(
            name + ".variance", tensor(files.variable(node, "moving_variance", name), c, name));
        add(
            name,
            "batchnorm",
            List.of(in),
            attrs()
                .put("channels", c)
                .put("epsilon", cfg.path("epsilon").asDouble(1e-3))
                .put("momentum", cfg.path("momentum").asDouble(0.99)),
            c);
      }
      case "Activation" -> activation(name, cfg.path("activation").asText(), in, channels(in));
      case "Add", "Subtract", "Multiply" -> {
        if (call.refs().size() != 2) {
          throw new InvalidInputException(source + ": layer '" + name + "' needs two inputs");
        }
        add(name, type.toLowerCase(java.util.Locale.ROOT), call.refs(), attrs(), channels(in));
      }
      case "Concatenate" -> concat(name, call.refs(), cfg.path("axis").asInt(-1));
      case "TFOpLambda" -> function(name, cfg.path("function").asText(), call);
      case "SlicingOpLambda" -> {
        JsonNode spec = call.kwargs().path("slice_spec");
        if (!numeric.contains(in)
            || !cfg.path("function").asText().equals("__operators__.getitem")
            || !spec.isObject()
            || !(spec.path("step").isNull() || spec.path("step").asInt() == 1)) {
          throw new InvalidInputException(
              source
                  + ": layer '"
                  + name
                  + "' slices "
                  + spec
                  + " of a tensor; only unit-step"
                  + " slices of shapes can be imported");
        }
        ObjectNode a = attrs().put("start", spec.path("start").asInt(0));
        if (!spec.path("stop").isNull() && spec.has("stop")) {
          a.put("stop", spec.get("stop").asInt());
        }
        addNumbers(name, "slice", List.of(in), a);
      }
      default ->
          throw new InvalidInputException(
              source
                  + ": layer '"
                  + name
                  + "' is a Keras "
                  + type
                  + ", which the importer does not support (supported: InputLayer, Functional,"
                  + " Conv2D, DepthwiseConv2D, BatchNormalization, Activation, Add, Subtract,"
                  + " Multiply, Concatenate, TFOpLambda, SlicingOpLambda)");
    }
  }

  private void function(String name, String function, Call call) throws InvalidInputException {
    String in = call.refs().get(0);
    ObjectNode kw = call.kwargs();
    switch (function) {
      case "math.softplus", "nn.softplus" ->
          add(name, "softplus", List.of(in), attrs(), channels(in));
      case "math.tanh", "nn.tanh" -> add(name, "tanh", List.of(in), attrs(), channels(in));
      case "nn.relu" -> add(name, "relu", List.of(in), attrs(), channels(in));
      case "math.sigmoid", "nn.sigmoid" -> add(name, "sigmoid", List.of(in), attrs(), channels(in));
      case "math.multiply",
          "__operators__.add",
          "math.add",
          "math.subtract",
          "__operators__.sub",
          "math.truediv",
          "__operators__.truediv",
          "math.divide" -> {
        String op =
            function.endsWith("multiply")
                ? "multiply"
                : function.endsWith("add")
                    ? "add"
                    : function.endsWith("sub") || function.endsWith("subtract")
                        ? "subtract"
                        : "divide";
        JsonNode y = kw.path("y");
        List<String> inputs = new ArrayList<>(List.of(in));
        ObjectNode a = attrs();
        if (y.isArray() && y.size() >= 3 && y.get(0).isTextual()) {
          inputs.add(resolve(y));
        } else if (y.isNumber()) {
          a.put("constant", y.asDouble());
        } else {
          throw new InvalidInputException(
              source
                  + ": layer '"
                  + name
                  + "' ("
                  + function
                  + ") has operand y = "
                  + y
                  + ", expected a tensor or a number");
        }
        if (numeric.contains(in)) {
          if (inputs.size() > 1) {
            throw new InvalidInputException(
                source + ": layer '" + name + "' combines two shape values");
          }
          addNumbers(name, op, inputs, a);
        } else {
          add(name, op, inputs, a, channels(in));
        }
      }
      case "cast" -> {
        String dtype = kw.path("dtype").asText();
        if (!numeric.contains(in) && dtype.equals("float32")) {
          aliases.put(name + ":0", in);
          return;
        }
        if (!numeric.contains(in) || !(dtype.startsWith("int") || dtype.startsWith("float"))) {
          throw new InvalidInputException(
              source
                  + ": layer '"
                  + name
                  + "' casts to "
                  + dtype
                  + "; only shape values can be"
                  + " cast to integers");
        }
        addNumbers(
            name,
            "cast",
            List.of(in),
            attrs().put("to", dtype.startsWith("int") ? "int" : "float"));
      }
      case "compat.v1.shape", "shape" -> addNumbers(name, "shape", List.of(in), attrs());
      case "image.resize" -> {
        String method = kw.path("method").asText("bilinear");
        if (!method.equals("bilinear") || kw.path("preserve_aspect_ratio").asBoolean(false)) {
          throw new InvalidInputException(
              source
                  + ": layer '"
                  + name
                  + "' resizes with method '"
                  + method
                  + "'"
                  + (kw.path("preserve_aspect_ratio").asBoolean(false)
                      ? " keeping the aspect ratio"
                      : "")
                  + "; only bilinear (with or without antialias) can be imported");
        }
        JsonNode size = kw.path("size");
        if (!size.isArray() || size.size() < 3 || !size.get(0).isTextual()) {
          throw new InvalidInputException(
              source
                  + ": layer '"
                  + name
                  + "' resizes to "
                  + size
                  + "; only sizes computed from"
                  + " the input's shape can be imported");
        }
        String sizeNode = resolve(size);
        if (!numeric.contains(sizeNode)) {
          throw new InvalidInputException(source + ": layer '" + name + "' size is a tensor");
        }
        add(
            name,
            "resize",
            List.of(in, sizeNode),
            attrs()
                .put("method", "bilinear")
                .put("antialias", kw.path("antialias").asBoolean(false)),
            channels(in));
      }
      case "math.l2_normalize", "nn.l2_normalize" ->
          add(
              name,
              "l2normalize",
              List.of(in),
              attrs()
                  .put("axis", axis(name, kw.path("axis").asInt(-1)))
                  .put("epsilon", kw.path("epsilon").asDouble(1e-12)),
              channels(in));
      case "concat" -> concat(name, call.refs(), kw.path("axis").asInt(0));
      default ->
          throw new InvalidInputException(
              source
                  + ": layer '"
                  + name
                  + "' calls tf."
                  + function
                  + ", which the importer does not support (supported: "
                  + new java.util.TreeSet<>(FUNCTIONS)
                  + ")");
    }
  }

  private void concat(String name, List<String> inputs, int kerasAxis)
      throws InvalidInputException {
    int axis = axis(name, kerasAxis);
    long c = 0;
    for (String i : inputs) {
      c += channels(i);
    }
    add(name, "concat", inputs, attrs().put("axis", axis), axis == 1 ? c : channels(inputs.get(0)));
  }

  private void activation(String name, String activation, String in, long c)
      throws InvalidInputException {
    String op =
        switch (activation) {
          case "linear" -> null;
          case "relu", "sigmoid", "tanh", "softplus" -> activation;
          default ->
              throw new InvalidInputException(
                  source
                      + ": layer '"
                      + name
                      + "' has activation '"
                      + activation
                      + "' (supported: linear, relu, sigmoid, tanh, softplus)");
        };
    if (op == null) {
      aliases.put(name + ":0", in);
    } else {
      add(name, op, List.of(in), attrs(), c);
    }
  }

  /** NHWC axis (negative from the end) to NCHW. */
  private int axis(String name, int keras) throws InvalidInputException {
    int a = keras < 0 ? keras + 4 : keras;
    return switch (a) {
      case 0 -> 0;
      case 1 -> 2;
      case 2 -> 3;
      case 3 -> 1;
      default -> throw new InvalidInputException(source + ": layer '" + name + "' axis " + keras);
    };
  }

  private void channelsLast(String name, JsonNode cfg) throws InvalidInputException {
    if (!cfg.path("data_format").asText("channels_last").equals("channels_last")) {
      throw new InvalidInputException(
          source
              + ": layer '"
              + name
              + "' is "
              + cfg.path("data_format").asText()
              + ", expected channels_last");
    }
  }

  private int[] padding(String name, JsonNode cfg, int kh, int kw, int[] stride, int[] dilation)
      throws InvalidInputException {
    String p = cfg.path("padding").asText();
    if (p.equals("valid")) {
      return new int[] {0, 0};
    }
    if (p.equals("same") && stride[0] == 1 && stride[1] == 1 && kh % 2 == 1 && kw % 2 == 1) {
      return new int[] {dilation[0] * (kh - 1) / 2, dilation[1] * (kw - 1) / 2};
    }
    throw new InvalidInputException(
        source
            + ": layer '"
            + name
            + "' has padding '"
            + p
            + "' with kernel "
            + kh
            + "x"
            + kw
            + " and stride "
            + stride[0]
            + "x"
            + stride[1]
            + "; 'same' is imported only for odd kernels at stride 1 (TensorFlow pads those"
            + " symmetrically)");
  }

  private static int[] pair(JsonNode cfg, String key) {
    JsonNode v = cfg.path(key);
    JsonNode items = v.path("items").isArray() ? v.path("items") : v;
    if (items.isArray()) {
      return new int[] {items.path(0).asInt(1), items.path(1).asInt(1)};
    }
    return new int[] {v.asInt(1), v.asInt(1)};
  }

  private Tensor tensor(TfCheckpoint.FloatTensor t, long size, String layer)
      throws InvalidInputException {
    if (t.shape().length != 1 || t.shape()[0] != size) {
      throw new InvalidInputException(
          source
              + ": layer '"
              + layer
              + "' has a vector of shape "
              + java.util.Arrays.toString(t.shape())
              + ", expected ["
              + size
              + "]");
    }
    return new Tensor(new long[] {size}, t.values());
  }

  private long channels(String node) throws InvalidInputException {
    Long c = channels.get(node);
    if (c == null) {
      throw new InvalidInputException(source + ": '" + node + "' is not an image tensor");
    }
    return c;
  }

  private ObjectNode attrs() {
    return json.createObjectNode();
  }

  private void add(String name, String op, List<String> inputs, ObjectNode a, long c) {
    nodes.add(new LayerGraph.Node(name, op, inputs, a));
    aliases.put(name + ":0", name);
    channels.put(name, c);
  }

  private void addNumbers(String name, String op, List<String> inputs, ObjectNode a) {
    nodes.add(new LayerGraph.Node(name, op, inputs, a));
    aliases.put(name + ":0", name);
    numeric.add(name);
  }
}

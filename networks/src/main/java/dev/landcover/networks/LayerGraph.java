package dev.landcover.networks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.landcover.networks.internal.GraphBlock;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * A network as a graph of named operations, in the order they run: the architecture of an imported
 * model (see {@link KerasImport}), stored in a bundle's {@code model.json} under {@code
 * architecture.graph} and run by DJL's PyTorch engine. Tensors are channels first ({@code N x C x H
 * x W}); the one input is the bands, the one output the logits, at the input's height and width.
 *
 * <p>Operations ({@code op}) and their attributes; weight tensors are named {@code <node>.<tensor>}
 * in PyTorch layouts:
 *
 * <ul>
 *   <li>{@code input} ({@code bands});
 *   <li>{@code conv2d}: {@code in}, {@code out}, {@code kernel} [h, w], {@code stride} [h, w],
 *       {@code padding} [h, w] (zeros on both sides), {@code dilation} [h, w], {@code groups},
 *       {@code bias}; tensors {@code weight} [out, in / groups, kh, kw] and {@code bias} [out];
 *   <li>{@code batchnorm} (inference: {@code (x - mean) / sqrt(variance + epsilon) * gamma + beta};
 *       in training, Keras's: the batch's mean and biased variance over N, H and W instead, and the
 *       moving statistics become {@code momentum * moving + (1 - momentum) * batch}): {@code
 *       channels}, {@code epsilon}, {@code momentum} (default 0.99, Keras's); tensors {@code
 *       gamma}, {@code beta}, {@code mean}, {@code variance} [channels];
 *   <li>{@code softplus}, {@code tanh}, {@code relu}, {@code sigmoid}: element-wise;
 *   <li>{@code add}, {@code subtract}, {@code multiply}, {@code divide}: two inputs, or one and
 *       {@code constant};
 *   <li>{@code concat}: inputs along {@code axis} (of N x C x H x W);
 *   <li>{@code l2normalize}: {@code x / sqrt(max(sum(x^2), epsilon))} along {@code axis};
 *   <li>{@code shape}: the input's sizes as numbers in Keras order (N, H, W, C); {@code slice}:
 *       numbers {@code start} (inclusive) to {@code stop} (exclusive); {@code cast}: numbers to
 *       {@code int} (truncated toward zero) or {@code float};
 *   <li>{@code resize}: the first input resized to the height and width given by the second (a pair
 *       of numbers): {@code method} {@code bilinear} with {@code antialias} false is TensorFlow's
 *       half-pixel bilinear, with {@code antialias} true its triangle-kernel {@code
 *       scale_and_translate}.
 * </ul>
 *
 * @param nodes the operations, each after the nodes it reads
 * @param output the node whose value is the logits
 * @param bands channels of the input
 * @param classes channels of the output
 */
public record LayerGraph(List<Node> nodes, String output, int bands, int classes) {

  /** The operations a graph may use. */
  public static final Set<String> OPS =
      Set.of(
          "input",
          "conv2d",
          "batchnorm",
          "softplus",
          "tanh",
          "relu",
          "sigmoid",
          "add",
          "subtract",
          "multiply",
          "divide",
          "concat",
          "l2normalize",
          "shape",
          "slice",
          "cast",
          "resize");

  /**
   * One operation.
   *
   * @param name unique in the graph
   * @param op one of {@link #OPS}
   * @param inputs names of earlier nodes read, in order
   * @param attributes the operation's attributes (see the class comment)
   */
  public record Node(String name, String op, List<String> inputs, ObjectNode attributes) {
    public Node {
      inputs = List.copyOf(inputs);
    }

    /** The names of this node's weight tensors (without the node prefix). */
    public List<String> tensors() {
      return switch (op) {
        case "conv2d" ->
            attributes.path("bias").asBoolean() ? List.of("weight", "bias") : List.of("weight");
        case "batchnorm" -> List.of("gamma", "beta", "mean", "variance");
        default -> List.of();
      };
    }
  }

  /** Checks names, order, operations and the output. */
  public LayerGraph {
    nodes = List.copyOf(nodes);
    Set<String> seen = new HashSet<>();
    int inputs = 0;
    for (Node n : nodes) {
      if (!OPS.contains(n.op())) {
        throw new IllegalArgumentException(
            "graph node '"
                + n.name()
                + "' has operation '"
                + n.op()
                + "', expected one of "
                + new java.util.TreeSet<>(OPS));
      }
      for (String in : n.inputs()) {
        if (!seen.contains(in)) {
          throw new IllegalArgumentException(
              "graph node '" + n.name() + "' reads '" + in + "', which is not an earlier node");
        }
      }
      if (!seen.add(n.name())) {
        throw new IllegalArgumentException("graph has two nodes named '" + n.name() + "'");
      }
      inputs += n.op().equals("input") ? 1 : 0;
    }
    if (inputs != 1) {
      throw new IllegalArgumentException("graph has " + inputs + " input nodes, expected 1");
    }
    if (!seen.contains(output)) {
      throw new IllegalArgumentException("graph output '" + output + "' is not a node");
    }
  }

  /**
   * The classifier head: the node that produces the logits ({@link #output()}), which must be a
   * {@code conv2d} with a 1 x 1 kernel, stride 1, no padding, no dilation and one group (a
   * per-pixel linear map from features to class scores). Fine-tuning replaces it when the classes
   * change.
   *
   * @throws IllegalArgumentException naming the output node and what it is when it is not such a
   *     convolution
   */
  public Node head() {
    Node out = nodes.stream().filter(n -> n.name().equals(output)).findFirst().orElseThrow();
    JsonNode a = out.attributes();
    boolean pointwise =
        out.op().equals("conv2d")
            && a.path("kernel").path(0).asInt() == 1
            && a.path("kernel").path(1).asInt() == 1
            && a.path("stride").path(0).asInt(1) == 1
            && a.path("stride").path(1).asInt(1) == 1
            && a.path("padding").path(0).asInt(0) == 0
            && a.path("padding").path(1).asInt(0) == 0
            && a.path("dilation").path(0).asInt(1) == 1
            && a.path("dilation").path(1).asInt(1) == 1
            && a.path("groups").asInt(1) == 1;
    if (!pointwise) {
      throw new IllegalArgumentException(
          "the graph's output node '"
              + output
              + "' is a "
              + out.op()
              + " "
              + a
              + ", not a 1 x 1 convolution: its classifier head cannot be replaced");
    }
    return out;
  }

  /**
   * This graph with a head of {@code classes} outputs (see {@link #head()}); its weights are new.
   *
   * @throws IllegalArgumentException when the head is not a 1 x 1 convolution
   */
  public LayerGraph withClasses(int classes) {
    if (classes < 1) {
      throw new IllegalArgumentException("classes is " + classes + ": expected at least 1");
    }
    Node head = head();
    List<Node> out = new ArrayList<>();
    for (Node n : nodes) {
      if (n == head) {
        ObjectNode a = n.attributes().deepCopy();
        a.put("out", classes);
        out.add(new Node(n.name(), n.op(), n.inputs(), a));
      } else {
        out.add(n);
      }
    }
    return new LayerGraph(out, output, bands, classes);
  }

  /** The graph as JSON ({@code nodes}, {@code output}, {@code bands}, {@code classes}). */
  public ObjectNode toJson() {
    ObjectNode n = new ObjectMapper().createObjectNode();
    n.put("bands", bands);
    n.put("classes", classes);
    n.put("output", output);
    ArrayNode list = n.putArray("nodes");
    for (Node node : nodes) {
      ObjectNode o = list.addObject();
      o.put("name", node.name());
      o.put("op", node.op());
      ArrayNode in = o.putArray("inputs");
      node.inputs().forEach(in::add);
      o.set("attributes", node.attributes());
    }
    return n;
  }

  /** Reads {@link #toJson()}. @throws IllegalArgumentException naming what is missing or wrong */
  public static LayerGraph fromJson(JsonNode n) {
    List<Node> nodes = new ArrayList<>();
    for (JsonNode o : n.path("nodes")) {
      List<String> inputs = new ArrayList<>();
      o.path("inputs").forEach(i -> inputs.add(i.asText()));
      JsonNode attributes = o.path("attributes");
      nodes.add(
          new Node(
              o.path("name").asText(),
              o.path("op").asText(),
              inputs,
              attributes.isObject()
                  ? (ObjectNode) attributes
                  : new ObjectMapper().createObjectNode()));
    }
    if (nodes.isEmpty() || !n.path("output").isTextual()) {
      throw new IllegalArgumentException("architecture.graph needs 'nodes' and 'output'");
    }
    return new LayerGraph(
        nodes, n.get("output").asText(), n.path("bands").asInt(), n.path("classes").asInt());
  }

  /**
   * Multiply-adds of the graph's convolutions for one {@code height x width} input (the cost a
   * GFLOP/s figure counts as 2 FLOPs each; normalizations, activations and resizes are not
   * counted). Sizes are followed through the graph as it runs: a convolution's output is {@code
   * (size + 2 padding - dilation (kernel - 1) - 1) / stride + 1}, a resize takes the size its
   * second input computes.
   */
  public long multAdds(int height, int width) {
    java.util.Map<String, long[]> tensors = new java.util.HashMap<>(); // channels, height, width
    java.util.Map<String, double[]> numbers = new java.util.HashMap<>();
    long total = 0;
    for (Node n : nodes) {
      JsonNode a = n.attributes();
      long[] in = n.inputs().isEmpty() ? null : tensors.get(n.inputs().get(0));
      switch (n.op()) {
        case "input" -> tensors.put(n.name(), new long[] {bands, height, width});
        case "conv2d" -> {
          long[] out = new long[3];
          out[0] = a.path("out").asLong();
          for (int d = 0; d < 2; d++) {
            long k = a.path("kernel").path(d).asLong(1);
            out[d + 1] =
                (in[d + 1]
                            + 2 * a.path("padding").path(d).asLong(0)
                            - a.path("dilation").path(d).asLong(1) * (k - 1)
                            - 1)
                        / a.path("stride").path(d).asLong(1)
                    + 1;
          }
          long perPixel =
              in[0]
                  / a.path("groups").asLong(1)
                  * a.path("kernel").path(0).asLong(1)
                  * a.path("kernel").path(1).asLong(1);
          total += out[0] * out[1] * out[2] * perPixel;
          tensors.put(n.name(), out);
        }
        case "concat" -> {
          long channels = 0;
          for (String i : n.inputs()) {
            channels += tensors.get(i)[0];
          }
          tensors.put(n.name(), new long[] {channels, in[1], in[2]});
        }
        case "shape" -> numbers.put(n.name(), new double[] {1, in[1], in[2], in[0]});
        case "slice", "cast", "add", "subtract", "multiply", "divide" -> {
          double[] v = numbers.get(n.inputs().get(0));
          if (v == null) {
            tensors.put(n.name(), in);
          } else {
            numbers.put(
                n.name(), GraphBlock.numberOp(n, v, n.attributes().path("constant").asDouble(1)));
          }
        }
        case "resize" -> {
          double[] size = numbers.get(n.inputs().get(1));
          tensors.put(n.name(), new long[] {in[0], (long) size[0], (long) size[1]});
        }
        default -> tensors.put(n.name(), in);
      }
    }
    return total;
  }

  /**
   * The receptive radius, when the graph's layers tell it: the largest distance, in input pixels,
   * from an output pixel to an input pixel it depends on, on either side. Known for graphs whose
   * tensors keep the input's grid: a stride-1 {@code conv2d} with padding {@code p}, kernel {@code
   * k} and dilation {@code d} reads {@code [x - p, x - p + d (k - 1)]}, so it widens the radius by
   * {@code max(p, d (k - 1) - p)} (the larger of height and width); batch norm (inference),
   * activations, arithmetic, channel concatenation and channel {@code l2normalize} act per pixel;
   * nodes with several tensor inputs take the largest radius. Empty (unknown) when a convolution
   * has a stride other than 1, a resize changes the grid (its reach depends on the input size), or
   * a concatenation or normalization runs along a spatial axis. Radii only grow along a path, so
   * with zero padding it is also how far in from a chip's edge the logits may differ from those of
   * a larger input.
   */
  public java.util.OptionalInt receptiveRadius() {
    java.util.Map<String, Long> radius = new java.util.HashMap<>(); // tensors only
    for (Node n : nodes) {
      JsonNode a = n.attributes();
      long in = -1;
      for (String i : n.inputs()) {
        in = Math.max(in, radius.getOrDefault(i, -1L));
      }
      switch (n.op()) {
        case "input" -> radius.put(n.name(), 0L);
        case "conv2d" -> {
          long widest = 0;
          for (int d = 0; d < 2; d++) {
            if (a.path("stride").path(d).asInt(1) != 1) {
              return java.util.OptionalInt.empty();
            }
            long extent =
                a.path("dilation").path(d).asLong(1) * (a.path("kernel").path(d).asLong(1) - 1);
            long pad = a.path("padding").path(d).asLong(0);
            widest = Math.max(widest, Math.max(pad, extent - pad));
          }
          radius.put(n.name(), in + widest);
        }
        case "resize" -> {
          return java.util.OptionalInt.empty();
        }
        case "concat", "l2normalize" -> {
          if (a.path("axis").asInt() != 1) {
            return java.util.OptionalInt.empty();
          }
          radius.put(n.name(), in);
        }
        case "shape" -> {}
        default -> {
          if (in >= 0) {
            radius.put(n.name(), in);
          }
        }
      }
    }
    Long out = radius.get(output);
    return out == null || out > Integer.MAX_VALUE
        ? java.util.OptionalInt.empty()
        : java.util.OptionalInt.of(out.intValue());
  }

  /** {@code N operations: count per op}, for {@code landcover info}. */
  @Override
  public String toString() {
    java.util.Map<String, Integer> counts = new java.util.TreeMap<>();
    nodes.forEach(x -> counts.merge(x.op(), 1, Integer::sum));
    return "graph of "
        + nodes.size()
        + " operations "
        + counts
        + ", "
        + bands
        + " bands -> "
        + classes
        + " classes";
  }
}

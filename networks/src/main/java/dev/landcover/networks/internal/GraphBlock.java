package dev.landcover.networks.internal;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Activation;
import ai.djl.nn.Parameter;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import com.fasterxml.jackson.databind.JsonNode;
import dev.landcover.networks.LayerGraph;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs a {@link LayerGraph} as one DJL block: {@code N x bands x H x W} in, the output node's
 * {@code N x classes x H x W} out. Each node's weight tensors are parameters named {@code
 * <node>.<tensor>}. Values flowing between nodes are tensors or, for the {@code shape}/{@code
 * slice}/{@code cast} nodes that compute resize sizes, short lists of numbers.
 */
public final class GraphBlock extends AbstractBlock {
  private final LayerGraph graph;
  private final Map<String, Parameter> parameters = new LinkedHashMap<>();
  private boolean inferenceNormalization;

  public GraphBlock(LayerGraph graph) {
    this.graph = graph;
    for (LayerGraph.Node n : graph.nodes()) {
      for (String t : n.tensors()) {
        String name = n.name() + "." + t;
        parameters.put(
            name,
            addParameter(
                Parameter.builder()
                    .setName(name)
                    .setType(
                        t.equals("weight")
                            ? Parameter.Type.WEIGHT
                            : t.equals("bias") || t.equals("beta")
                                ? Parameter.Type.BIAS
                                : t.equals("gamma")
                                    ? Parameter.Type.GAMMA
                                    : t.equals("mean")
                                        ? Parameter.Type.RUNNING_MEAN
                                        : Parameter.Type.RUNNING_VAR)
                    .optShape(shape(n, t))
                    .optRequiresGrad(!t.equals("mean") && !t.equals("variance"))
                    .build()));
      }
    }
    setInitializer(new KaimingUniform(), Parameter.Type.WEIGHT);
  }

  /**
   * Whether batch normalization runs in inference mode (moving statistics, left unchanged) even
   * when training: set while all but the classifier head is frozen.
   */
  public void inferenceNormalization(boolean inference) {
    this.inferenceNormalization = inference;
  }

  /** The graph this block runs. */
  public LayerGraph graph() {
    return graph;
  }

  /** Weight tensors by name ({@code <node>.<tensor>}), in graph order. */
  public Map<String, Parameter> tensors() {
    return parameters;
  }

  private static Shape shape(LayerGraph.Node n, String tensor) {
    JsonNode a = n.attributes();
    if (n.op().equals("batchnorm")) {
      return new Shape(a.path("channels").asLong());
    }
    long out = a.path("out").asLong();
    if (tensor.equals("bias")) {
      return new Shape(out);
    }
    return new Shape(
        out,
        a.path("in").asLong() / a.path("groups").asLong(1),
        a.path("kernel").path(0).asLong(),
        a.path("kernel").path(1).asLong());
  }

  @Override
  public void prepare(Shape[] inputShapes) {
    // every parameter's shape is known from the graph
  }

  @Override
  protected NDList forwardInternal(
      ParameterStore store, NDList inputs, boolean training, PairList<String, Object> params) {
    NDArray x = inputs.singletonOrThrow();
    Map<String, Object> values = new HashMap<>();
    for (LayerGraph.Node n : graph.nodes()) {
      values.put(n.name(), run(n, x, values, store, training));
    }
    return new NDList((NDArray) values.get(graph.output()));
  }

  private Object run(
      LayerGraph.Node n,
      NDArray input,
      Map<String, Object> values,
      ParameterStore store,
      boolean training) {
    JsonNode a = n.attributes();
    List<Object> in = n.inputs().stream().map(values::get).toList();
    return switch (n.op()) {
      case "input" -> input;
      case "conv2d" -> {
        NDArray w = value(store, n, "weight", input, training);
        NDArray b = a.path("bias").asBoolean() ? value(store, n, "bias", input, training) : null;
        yield Conv2d.conv2d(
                tensor(n, in, 0),
                w,
                b,
                pair(a, "stride"),
                pair(a, "padding"),
                pair(a, "dilation"),
                a.path("groups").asInt(1))
            .singletonOrThrow();
      }
      case "batchnorm" -> {
        long c = a.path("channels").asLong();
        NDArray gamma = value(store, n, "gamma", input, training).reshape(1, c, 1, 1);
        NDArray beta = value(store, n, "beta", input, training).reshape(1, c, 1, 1);
        NDArray moving = value(store, n, "mean", input, training);
        NDArray movingVariance = value(store, n, "variance", input, training);
        NDArray x = tensor(n, in, 0);
        NDArray mean;
        NDArray variance;
        if (training && !inferenceNormalization) {
          int[] axes = {0, 2, 3};
          float count = x.getShape().size() / c;
          mean = x.sum(axes, true).div(count);
          variance = x.sub(mean).square().sum(axes, true).div(count);
          float momentum = (float) a.path("momentum").asDouble(0.99);
          moving.muli(momentum).addi(mean.stopGradient().reshape(c).mul(1 - momentum));
          movingVariance.muli(momentum).addi(variance.stopGradient().reshape(c).mul(1 - momentum));
        } else {
          mean = moving.reshape(1, c, 1, 1);
          variance = movingVariance.reshape(1, c, 1, 1);
        }
        NDArray factor = gamma.div(variance.add((float) a.path("epsilon").asDouble()).sqrt());
        yield x.sub(mean).mul(factor).add(beta);
      }
      case "softplus" -> Activation.softPlus(tensor(n, in, 0));
      case "tanh" -> tensor(n, in, 0).tanh();
      case "relu" -> Activation.relu(tensor(n, in, 0));
      case "sigmoid" -> Activation.sigmoid(tensor(n, in, 0));
      case "add", "subtract", "multiply", "divide" -> arithmetic(n, in);
      case "concat" ->
          NDArrays.concat(
              new NDList(in.stream().map(v -> (NDArray) v).toArray(NDArray[]::new)),
              a.path("axis").asInt());
      case "l2normalize" -> {
        NDArray t = tensor(n, in, 0);
        NDArray sum = t.square().sum(new int[] {a.path("axis").asInt()}, true);
        yield t.div(sum.maximum((float) a.path("epsilon").asDouble()).sqrt());
      }
      case "shape" -> {
        Shape s = tensor(n, in, 0).getShape();
        yield new double[] {s.get(0), s.get(2), s.get(3), s.get(1)};
      }
      case "slice", "cast" -> numberOp(n, numbers(n, in, 0), 0);
      case "resize" -> resize(n, tensor(n, in, 0), numbers(n, in, 1));
      default -> throw new IllegalStateException("unknown graph operation " + n.op());
    };
  }

  /**
   * A {@code slice}, {@code cast} or scalar {@code add}/{@code subtract}/{@code multiply}/{@code
   * divide} on a list of numbers (a shape, a size): what the graph computes at run time and what
   * {@link LayerGraph}'s shape tracing folds ahead of it.
   *
   * @param constant the other operand of the arithmetic operations
   * @return a new array; {@code v} is left as it is
   */
  public static double[] numberOp(LayerGraph.Node n, double[] v, double constant) {
    JsonNode a = n.attributes();
    switch (n.op()) {
      case "slice" -> {
        int start = a.path("start").asInt(0);
        int stop = a.has("stop") ? a.get("stop").asInt() : v.length;
        return java.util.Arrays.copyOfRange(v, start, stop);
      }
      case "cast" -> {
        double[] out = v.clone();
        if (a.path("to").asText().equals("int")) {
          for (int i = 0; i < out.length; i++) {
            out[i] = out[i] < 0 ? Math.ceil(out[i]) : Math.floor(out[i]);
          }
        }
        return out;
      }
      default -> {
        double[] out = new double[v.length];
        for (int i = 0; i < v.length; i++) {
          out[i] =
              switch (n.op()) {
                case "add" -> v[i] + constant;
                case "subtract" -> v[i] - constant;
                case "multiply" -> v[i] * constant;
                default -> v[i] / constant;
              };
        }
        return out;
      }
    }
  }

  private Object arithmetic(LayerGraph.Node n, List<Object> in) {
    Object left = in.get(0);
    Object right;
    if (in.size() > 1) {
      right = in.get(1);
    } else if (n.attributes().has("constant")) {
      right = n.attributes().get("constant").asDouble();
    } else {
      throw new IllegalStateException(n.name() + ": " + n.op() + " needs two operands");
    }
    if (left instanceof double[] v) {
      return numberOp(n, v, ((Number) right).doubleValue());
    }
    NDArray t = (NDArray) left;
    if (right instanceof NDArray r) {
      return switch (n.op()) {
        case "add" -> t.add(r);
        case "subtract" -> t.sub(r);
        case "multiply" -> t.mul(r);
        default -> t.div(r);
      };
    }
    float c = ((Number) right).floatValue();
    return switch (n.op()) {
      case "add" -> t.add(c);
      case "subtract" -> t.sub(c);
      case "multiply" -> t.mul(c);
      default -> t.div(c);
    };
  }

  private static NDArray resize(LayerGraph.Node n, NDArray x, double[] size) {
    if (size.length != 2) {
      throw new IllegalStateException(n.name() + ": resize size has " + size.length + " values");
    }
    Shape s = x.getShape();
    int inH = (int) s.get(2);
    int inW = (int) s.get(3);
    int outH = (int) size[0];
    int outW = (int) size[1];
    if (outH < 1 || outW < 1) {
      throw new IllegalArgumentException(
          n.name()
              + ": cannot resize "
              + inH
              + " x "
              + inW
              + " to "
              + outH
              + " x "
              + outW
              + " (is the input at least 2 x 2?)");
    }
    boolean antialias = n.attributes().path("antialias").asBoolean();
    NDManager m = x.getManager();
    NDArray rows =
        matrix(
            m,
            antialias ? ResizeWeights.triangle(inH, outH) : ResizeWeights.bilinear(inH, outH),
            x);
    NDArray cols =
        matrix(
                m,
                antialias ? ResizeWeights.triangle(inW, outW) : ResizeWeights.bilinear(inW, outW),
                x)
            .transpose();
    return rows.matMul(x.matMul(cols));
  }

  private static NDArray matrix(NDManager m, float[][] w, NDArray like) {
    float[] flat = new float[w.length * w[0].length];
    for (int i = 0; i < w.length; i++) {
      System.arraycopy(w[i], 0, flat, i * w[0].length, w[0].length);
    }
    return m.create(flat, new Shape(w.length, w[0].length)).toDevice(like.getDevice(), false);
  }

  private NDArray value(
      ParameterStore store, LayerGraph.Node n, String tensor, NDArray like, boolean training) {
    return store.getValue(parameters.get(n.name() + "." + tensor), like.getDevice(), training);
  }

  private static NDArray tensor(LayerGraph.Node n, List<Object> in, int i) {
    if (!(in.get(i) instanceof NDArray t)) {
      throw new IllegalStateException(n.name() + ": input " + i + " is not a tensor");
    }
    return t;
  }

  private static double[] numbers(LayerGraph.Node n, List<Object> in, int i) {
    if (!(in.get(i) instanceof double[] v)) {
      throw new IllegalStateException(n.name() + ": input " + i + " is not a list of numbers");
    }
    return v;
  }

  private static Shape pair(JsonNode a, String key) {
    JsonNode p = a.path(key);
    return new Shape(p.path(0).asLong(1), p.path(1).asLong(1));
  }

  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    Shape s = inputShapes[0];
    return new Shape[] {new Shape(s.get(0), graph.classes(), s.get(2), s.get(3))};
  }
}

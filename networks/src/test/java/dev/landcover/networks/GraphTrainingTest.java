package dev.landcover.networks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Training an imported graph: one step of a small graph with Dynamic World's operations (conv,
 * depthwise conv, batch norm in training mode, Mish as softplus/tanh/multiply, antialiased and
 * bilinear resizes, concat, L2 normalization, 1 x 1 head) against PyTorch's autograd (fixture from
 * {@code networks/src/test/python/make_graph_gradient_fixture.py}).
 */
class GraphTrainingTest {
  private static final Path FIXTURE =
      Path.of("src/test/resources/dev/landcover/networks/parity/graph");

  @Test
  void trainingStepEqualsPyTorchLogitsGradientsAndMovingStatistics() throws IOException {
    LayerGraph graph =
        LayerGraph.fromJson(new ObjectMapper().readTree(FIXTURE.resolve("graph.json").toFile()));
    try (NDManager m = NDManager.newBaseManager()) {
      TrainableNet net = TrainableNet.graph(graph);
      net.block().initialize(m, DataType.FLOAT32, new Shape(2, 3, 9, 9));
      net.load(FIXTURE.resolve("weights.npz"));
      Map<String, NDArray> data = new HashMap<>();
      for (NDArray a : NDList.decode(m, Files.readAllBytes(FIXTURE.resolve("data.npz")))) {
        data.put(a.getName(), a);
      }
      int trainable = 0;
      for (Parameter p : net.tensors().values()) {
        if (p.requiresGradient()) {
          p.getArray().setRequiresGradient(true);
          trainable++;
        }
      }
      assertEquals(9, trainable, "moving statistics are not trainable");
      ParameterStore store = new ParameterStore(m, false);
      try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
        NDArray logits = net.block().forward(store, new NDList(data.get("x")), true).head();
        assertClose("logits", data.get("logits"), logits, 1e-5);
        gc.backward(logits.mul(data.get("r")).sum());
      }
      int compared = 0;
      for (Map.Entry<String, Parameter> e : net.tensors().entrySet()) {
        NDArray expected = data.get("grad:" + e.getKey());
        if (expected != null) {
          assertClose(
              "gradient of " + e.getKey(), expected, e.getValue().getArray().getGradient(), 1e-4);
          compared++;
        }
        NDArray after = data.get("after:" + e.getKey());
        if (after != null) {
          assertClose("moving " + e.getKey(), after, e.getValue().getArray(), 1e-5);
          compared++;
        }
      }
      assertEquals(13, compared);
    }
  }

  @Test
  void headIsTheOutputConvolutionAndIsRefusedWhenItIsNot() throws IOException {
    LayerGraph graph =
        LayerGraph.fromJson(new ObjectMapper().readTree(FIXTURE.resolve("graph.json").toFile()));
    assertEquals("head", graph.head().name());
    LayerGraph seven = graph.withClasses(7);
    assertEquals(7, seven.classes());
    assertEquals(7, seven.head().attributes().get("out").asInt());
    LayerGraph noHead =
        new LayerGraph(graph.nodes().subList(0, graph.nodes().size() - 1), "l2", 3, 12);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, noHead::head);
    assertTrue(e.getMessage().contains("'l2' is a l2normalize"), e.getMessage());
  }

  /** Largest difference relative to the largest expected magnitude (at least 1). */
  private static void assertClose(String what, NDArray expected, NDArray actual, double tolerance) {
    assertEquals(expected.getShape(), actual.getShape(), what);
    float[] e = expected.toFloatArray();
    float[] a = actual.toFloatArray();
    double scale = 1;
    double worst = 0;
    for (int i = 0; i < e.length; i++) {
      scale = Math.max(scale, Math.abs(e[i]));
      worst = Math.max(worst, Math.abs(e[i] - a[i]));
    }
    assertTrue(worst <= tolerance * scale, what + ": largest difference " + worst);
  }
}

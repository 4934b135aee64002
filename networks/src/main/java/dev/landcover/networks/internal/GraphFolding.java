package dev.landcover.networks.internal;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.landcover.networks.LayerGraph;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Folds the batch normalizations of a {@link LayerGraph} into the convolutions before them, for
 * inference: a {@code batchnorm} node whose one input is a {@code conv2d} node read by nothing else
 * (and not the graph's output) is removed, the convolution gets the folded weight and bias ({@link
 * BatchNormFolding}; grouped and depthwise convolutions too, whose weight {@code [out, in / groups,
 * kh, kw]} is scaled per output channel) and takes the normalization's place for the nodes that
 * read it. Other normalizations are kept.
 */
public final class GraphFolding {
  private GraphFolding() {}

  /** A graph and its weight tensors ({@code <node>.<tensor>}, PyTorch layouts, flat). */
  public record Weighted(LayerGraph graph, Map<String, float[]> tensors) {}

  /** The graph with every foldable batch normalization folded, and its tensors. */
  public static Weighted fold(Weighted source) {
    LayerGraph graph = source.graph();
    Map<String, Integer> readers = new HashMap<>();
    Map<String, LayerGraph.Node> byName = new HashMap<>();
    for (LayerGraph.Node n : graph.nodes()) {
      byName.put(n.name(), n);
      for (String in : n.inputs()) {
        readers.merge(in, 1, Integer::sum);
      }
    }
    Map<String, String> renamed = new HashMap<>(); // folded normalization -> its convolution
    for (LayerGraph.Node n : graph.nodes()) {
      if (n.op().equals("batchnorm") && n.inputs().size() == 1) {
        LayerGraph.Node conv = byName.get(n.inputs().get(0));
        if (conv.op().equals("conv2d")
            && readers.getOrDefault(conv.name(), 0) == 1
            && !conv.name().equals(graph.output())) {
          renamed.put(n.name(), conv.name());
        }
      }
    }
    if (renamed.isEmpty()) {
      return source;
    }
    Map<String, String> normOf = new HashMap<>();
    renamed.forEach((norm, conv) -> normOf.put(conv, norm));
    Map<String, float[]> t = source.tensors();
    Map<String, float[]> tensors = new LinkedHashMap<>();
    List<LayerGraph.Node> nodes = new ArrayList<>();
    for (LayerGraph.Node n : graph.nodes()) {
      if (renamed.containsKey(n.name())) {
        continue;
      }
      List<String> inputs = n.inputs().stream().map(i -> renamed.getOrDefault(i, i)).toList();
      String norm = normOf.get(n.name());
      if (norm == null) {
        nodes.add(new LayerGraph.Node(n.name(), n.op(), inputs, n.attributes()));
        for (String name : n.tensors()) {
          tensors.put(n.name() + "." + name, t.get(n.name() + "." + name));
        }
        continue;
      }
      ObjectNode attributes = n.attributes().deepCopy();
      attributes.put("bias", true);
      BatchNormFolding.Folded f =
          BatchNormFolding.fold(
              t.get(n.name() + ".weight"),
              t.get(n.name() + ".bias"),
              t.get(norm + ".gamma"),
              t.get(norm + ".beta"),
              t.get(norm + ".mean"),
              t.get(norm + ".variance"),
              byName.get(norm).attributes().path("epsilon").asDouble());
      nodes.add(new LayerGraph.Node(n.name(), n.op(), inputs, attributes));
      tensors.put(n.name() + ".weight", f.weight());
      tensors.put(n.name() + ".bias", f.bias());
    }
    String output = renamed.getOrDefault(graph.output(), graph.output());
    return new Weighted(new LayerGraph(nodes, output, graph.bands(), graph.classes()), tensors);
  }
}

package dev.landcover.networks;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import org.junit.jupiter.api.Test;

/** Convolution mult-adds of a graph, sizes followed through strides and computed resizes. */
class LayerGraphMultAddsTest {
  @Test
  void convolutionsAtTheSizesTheGraphComputes() throws IOException {
    String json =
        """
        {"bands": 9, "classes": 9, "output": "head", "nodes": [
          {"name": "in", "op": "input", "inputs": [], "attributes": {"bands": 9}},
          {"name": "c1", "op": "conv2d", "inputs": ["in"], "attributes": {"in": 9, "out": 64,
            "kernel": [3, 3], "stride": [1, 1], "padding": [1, 1], "dilation": [1, 1],
            "groups": 1, "bias": true}},
          {"name": "dw", "op": "conv2d", "inputs": ["c1"], "attributes": {"in": 64, "out": 64,
            "kernel": [3, 3], "stride": [2, 2], "padding": [1, 1], "dilation": [1, 1],
            "groups": 64, "bias": false}},
          {"name": "s", "op": "shape", "inputs": ["c1"], "attributes": {}},
          {"name": "hw", "op": "slice", "inputs": ["s"], "attributes": {"start": 1, "stop": 3}},
          {"name": "half", "op": "divide", "inputs": ["hw"], "attributes": {"constant": 4.0}},
          {"name": "int", "op": "cast", "inputs": ["half"], "attributes": {"to": "int"}},
          {"name": "r", "op": "resize", "inputs": ["dw", "int"], "attributes": {"method": "bilinear"}},
          {"name": "head", "op": "conv2d", "inputs": ["r"], "attributes": {"in": 64, "out": 9,
            "kernel": [1, 1], "stride": [1, 1], "padding": [0, 0], "dilation": [1, 1],
            "groups": 1, "bias": true}}
        ]}
        """;
    LayerGraph g = LayerGraph.fromJson(new ObjectMapper().readTree(json));
    long c1 = 64L * 16 * 16 * 9 * 9; // 3 x 3 over 9 bands at 16 x 16
    long dw = 64L * 8 * 8 * 9; // depthwise 3 x 3, stride 2: 8 x 8
    long head = 9L * 4 * 4 * 64; // 1 x 1 at 16 / 4 = 4 x 4
    assertEquals(c1 + dw + head, g.multAdds(16, 16));
  }
}

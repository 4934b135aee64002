package dev.landcover.networks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.OptionalInt;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The receptive radius a UNet configuration traces equals the farthest input column that changes an
 * output pixel when it is perturbed, measured on the network itself (random weights, leaky
 * activation so that no path is cut off), over every output position modulo the alignment; an
 * imported graph's radius is the sum of its convolutions' reaches, and unknown with a resize or a
 * stride.
 */
class ReceptiveRadiusTest {

  /**
   * The farthest column distance between an output pixel and an input column whose change (of
   * either sign) changes it, over output columns far enough from the edges, measured with one
   * forward pass per perturbed column. A change counts above 1e-5 of the largest logit: columns
   * outside the window change outputs by about 2e-7 (float32 rounding of the batched pass), the
   * farthest inside by 8e-5 and more.
   */
  private static int measured(UNetConfig config, int height, int width, int margin)
      throws Exception {
    ai.djl.engine.Engine.getInstance().setRandomSeed(7);
    int bands = config.bands();
    int classes = config.classes();
    int plane = height * width;
    float[] base = new float[bands * plane];
    Random random = new Random(11);
    for (int i = 0; i < base.length; i++) {
      base[i] = (float) random.nextGaussian();
    }
    int n = 2 * width;
    float[] input = new float[n * base.length];
    for (int k = 0; k < n; k++) {
      System.arraycopy(base, 0, input, k * base.length, base.length);
      int q = k % width;
      float delta = k < width ? 50f : -50f;
      for (int b = 0; b < bands; b++) {
        for (int y = 0; y < height; y++) {
          input[k * base.length + b * plane + y * width + q] += delta;
        }
      }
    }
    try (SegmentationModel model = SegmentationModel.unet(config, null)) {
      float[] reference = model.predict(base, 1, bands, height, width).values();
      float[] out = model.predict(input, n, bands, height, width).values();
      float scale = 0;
      for (float v : reference) {
        scale = Math.max(scale, Math.abs(v));
      }
      int reach = 0;
      for (int k = 0; k < n; k++) {
        int q = k % width;
        for (int c = 0; c < classes; c++) {
          for (int y = 0; y < height; y++) {
            for (int p = margin; p < width - margin; p++) {
              int i = (c * height + y) * width + p;
              float d = Math.abs(out[k * classes * plane + i] - reference[i]);
              if (d > 1e-5f * Math.max(1, scale)) {
                reach = Math.max(reach, Math.abs(p - q));
              }
            }
          }
        }
      }
      return reach;
    }
  }

  @Test
  void theTracedRadiusIsTheFarthestInputThatChangesAnOutput() throws Exception {
    UNetConfig.Builder two =
        UNetConfig.builder()
            .bands(2)
            .classes(2)
            .encoder(4, 4)
            .bottleneck(4)
            .decoder(4, 4)
            .normalization(UNetConfig.Normalization.NONE)
            .activation(UNetConfig.Activation.LEAKY);
    for (UNetConfig.UpStep up : UNetConfig.UpStep.values()) {
      UNetConfig config = two.upStep(up).build();
      int traced = config.receptiveRadius();
      assertEquals(traced, measured(config, 4, 96, 32), up.toString());
    }
    // The demo bundle's shape (2 poolings, transposed up steps): 2 + 4 + 8 + 4 + 2 px of 3 x 3
    // convolutions plus up to 1 + 2 px where pooling windows lean to one side.
    assertEquals(23, two.upStep(UNetConfig.UpStep.TRANSPOSED).build().receptiveRadius());
    // With 3 and 4 poolings the farthest inputs' effect falls towards float32's resolution of
    // the logits (measured 50 of 51 and 72 of 107): there the trace is checked as a bound, the
    // direction exact stitching needs.
    UNetConfig three =
        two.upStep(UNetConfig.UpStep.TRANSPOSED).encoder(4, 4, 4).decoder(4, 4, 4).build();
    int threeMeasured = measured(three, 8, 160, 64);
    assertTrue(
        threeMeasured <= three.receptiveRadius() && threeMeasured >= three.receptiveRadius() - 1,
        "measured " + threeMeasured + ", traced " + three.receptiveRadius());
    UNetConfig four = three.toBuilder().encoder(2, 2, 2, 2).decoder(2, 2, 2, 2).build();
    int fourMeasured = measured(four, 16, 288, 128);
    assertTrue(
        fourMeasured <= four.receptiveRadius() && fourMeasured > 64,
        "measured " + fourMeasured + ", traced " + four.receptiveRadius());
  }

  @Test
  void theEdgeReachIsTheRadiusWithSamePaddingZeroWithValidAndUnknownWithSampleStatistics() {
    UNetConfig same = UNetConfig.preset("geo-course");
    assertEquals(OptionalInt.of(same.receptiveRadius()), same.edgeReach());
    assertEquals(OptionalInt.of(0), UNetConfig.preset("ronneberger").edgeReach());
    assertEquals(
        OptionalInt.empty(),
        same.toBuilder().normalization(UNetConfig.Normalization.INSTANCE).build().edgeReach());
    assertEquals(OptionalInt.empty(), same.toBuilder().groupNormalization(4).build().edgeReach());
  }

  private static LayerGraph.Node conv(
      String name, String in, int kernel, int pad, int dilation, int stride) {
    ObjectNode a = JsonNodeFactory.instance.objectNode();
    a.put("in", 2);
    a.put("out", 2);
    a.putArray("kernel").add(kernel).add(kernel);
    a.putArray("stride").add(stride).add(stride);
    a.putArray("padding").add(pad).add(pad);
    a.putArray("dilation").add(dilation).add(dilation);
    a.put("groups", 1);
    a.put("bias", false);
    return new LayerGraph.Node(name, "conv2d", List.of(in), a);
  }

  private static LayerGraph.Node node(String name, String op, String... inputs) {
    ObjectNode a = JsonNodeFactory.instance.objectNode();
    a.put("axis", 1);
    return new LayerGraph.Node(name, op, List.of(inputs), a);
  }

  @Test
  void aGraphsRadiusSumsItsConvolutionsAlongTheLongestPath() {
    LayerGraph.Node input =
        new LayerGraph.Node(
            "x", "input", List.of(), JsonNodeFactory.instance.objectNode().put("bands", 2));
    // 3 x 3 pad 1 (1 px), then 3 x 3 dilated by 2 with pad 2 (2 px) on one branch, a 1 x 1 on
    // the other; joined by a channel concatenation and a 1 x 1 head: 3 px.
    LayerGraph g =
        new LayerGraph(
            List.of(
                input,
                conv("a", "x", 3, 1, 1, 1),
                node("r", "relu", "a"),
                conv("b", "r", 3, 2, 2, 1),
                conv("c", "x", 1, 0, 1, 1),
                node("j", "concat", "b", "c"),
                conv("head", "j", 1, 0, 1, 1)),
            "head",
            2,
            2);
    assertEquals(OptionalInt.of(3), g.receptiveRadius());
    // Padding on one side only in effect (5 x 5, pad 0): the window reaches 4 px to one side.
    LayerGraph lopsided = new LayerGraph(List.of(input, conv("a", "x", 5, 0, 1, 1)), "a", 2, 2);
    assertEquals(OptionalInt.of(4), lopsided.receptiveRadius());
    LayerGraph strided = new LayerGraph(List.of(input, conv("a", "x", 3, 1, 1, 2)), "a", 2, 2);
    assertEquals(OptionalInt.empty(), strided.receptiveRadius());
    ObjectNode resize = JsonNodeFactory.instance.objectNode().put("method", "bilinear");
    LayerGraph resized =
        new LayerGraph(
            List.of(
                input,
                conv("a", "x", 3, 1, 1, 1),
                node("s", "shape", "x"),
                new LayerGraph.Node("up", "resize", List.of("a", "s"), resize)),
            "up",
            2,
            2);
    assertEquals(OptionalInt.empty(), resized.receptiveRadius());
  }
}

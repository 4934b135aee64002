package dev.landcover.networks.internal;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import dev.landcover.networks.UNetConfig;

/**
 * The decoder's up step: doubles height and width and sets the channel count.
 *
 * <p>{@code TRANSPOSED}: a 2 x 2, stride-2 transposed convolution, which DJL's PyTorch engine does
 * not implement, computed exactly as a 1 x 1 convolution without bias from {@code in} to {@code 4 x
 * out} channels, a pixel shuffle and one bias per output channel. Output channel {@code k = o * 4 +
 * i * 2 + j} of the 1 x 1 convolution becomes pixel ({@code 2h + i}, {@code 2w + j}) of channel
 * {@code o}, so its weight {@code [4 out, in, 1, 1]} is PyTorch's {@code ConvTranspose2d} weight
 * {@code [in, out, 2, 2]} permuted to {@code [out, 2, 2, in]}.
 *
 * <p>{@code NEAREST}, {@code BILINEAR}: up-sampling by 2 (bilinear as PyTorch's {@code
 * align_corners=False}), then a 1 x 1 convolution with bias.
 */
public final class UpStep extends AbstractBlock {
  private final UNetConfig.UpStep kind;
  private final int out;
  private final Conv2d conv;
  private final Parameter bias;

  public UpStep(UNetConfig.UpStep kind, int out) {
    this.kind = kind;
    this.out = out;
    boolean transposed = kind == UNetConfig.UpStep.TRANSPOSED;
    conv =
        addChildBlock(
            "conv",
            Conv2d.builder()
                .setKernelShape(new Shape(1, 1))
                .setFilters(transposed ? 4 * out : out)
                .optBias(!transposed)
                .build());
    bias =
        transposed
            ? addParameter(
                Parameter.builder()
                    .setName("bias")
                    .setType(Parameter.Type.BIAS)
                    .optShape(new Shape(out))
                    .build())
            : null;
  }

  /** The 1 x 1 convolution (weight, and bias for the resize kinds). */
  public Conv2d conv() {
    return conv;
  }

  /** The bias after the pixel shuffle, or null for the resize kinds. */
  public Parameter shuffleBias() {
    return bias;
  }

  public boolean transposed() {
    return kind == UNetConfig.UpStep.TRANSPOSED;
  }

  @Override
  protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
    conv.initialize(manager, dataType, inputShapes[0]);
  }

  @Override
  protected NDList forwardInternal(
      ParameterStore store, NDList inputs, boolean training, PairList<String, Object> params) {
    NDArray x = inputs.singletonOrThrow();
    if (kind == UNetConfig.UpStep.TRANSPOSED) {
      NDArray y = conv.forward(store, new NDList(x), training).singletonOrThrow();
      Shape s = x.getShape();
      long n = s.get(0);
      long h = s.get(2);
      long w = s.get(3);
      NDArray shuffled =
          y.reshape(n, out, 2, 2, h, w).transpose(0, 1, 4, 2, 5, 3).reshape(n, out, 2 * h, 2 * w);
      NDArray b = store.getValue(bias, x.getDevice(), training).reshape(1, out, 1, 1);
      return new NDList(shuffled.add(b));
    }
    NDArray up = kind == UNetConfig.UpStep.NEAREST ? nearest(x) : bilinear(x);
    return conv.forward(store, new NDList(up), training);
  }

  private static NDArray nearest(NDArray x) {
    return x.repeat(2, 2).repeat(3, 2);
  }

  /**
   * Bilinear x2 with half-pixel centres: 3/4 of a pixel and 1/4 of its neighbour, edges clamped.
   */
  private static NDArray bilinear(NDArray x) {
    return bilinearAxis(bilinearAxis(x, 2), 3);
  }

  private static NDArray bilinearAxis(NDArray x, int axis) {
    long n = x.getShape().get(axis);
    NDArray before =
        NDArrays.concat(new NDList(slice(x, axis, "0:1"), slice(x, axis, "0:" + (n - 1))), axis);
    NDArray after =
        NDArrays.concat(new NDList(slice(x, axis, "1:"), slice(x, axis, (n - 1) + ":")), axis);
    NDArray even = x.mul(0.75f).add(before.mul(0.25f));
    NDArray odd = x.mul(0.75f).add(after.mul(0.25f));
    Shape s = x.getShape();
    long[] dims = s.getShape().clone();
    dims[axis] = 2 * n;
    return NDArrays.stack(new NDList(even, odd), axis + 1).reshape(new Shape(dims));
  }

  private static NDArray slice(NDArray x, int axis, String range) {
    return x.get(new NDIndex(axis == 2 ? ":, :, " + range : ":, :, :, " + range));
  }

  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    Shape s = inputShapes[0];
    return new Shape[] {new Shape(s.get(0), out, 2 * s.get(2), 2 * s.get(3))};
  }
}

package dev.landcover.networks.internal;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * Group normalization (instance normalization with one channel per group): each sample's channels
 * are split into groups normalized by their own mean and variance, then scaled and shifted per
 * channel. The same in training and inference; PyTorch's {@code nn.GroupNorm} (epsilon 1e-5).
 */
public final class GroupNorm extends AbstractBlock {
  private static final float EPSILON = 1e-5f;

  private int groups;
  private final Parameter gamma;
  private final Parameter beta;

  /**
   * @param groups the number of groups, or 0 for one group per channel (instance norm)
   */
  public GroupNorm(int groups) {
    this.groups = groups;
    gamma =
        addParameter(Parameter.builder().setName("gamma").setType(Parameter.Type.GAMMA).build());
    beta = addParameter(Parameter.builder().setName("beta").setType(Parameter.Type.BETA).build());
  }

  @Override
  public void prepare(Shape[] inputShapes) {
    Shape channels = new Shape(inputShapes[0].get(1));
    if (groups <= 0) {
      groups = (int) channels.get(0);
    }
    gamma.setShape(channels);
    beta.setShape(channels);
  }

  @Override
  protected NDList forwardInternal(
      ParameterStore store, NDList inputs, boolean training, PairList<String, Object> params) {
    NDArray x = inputs.singletonOrThrow();
    Shape shape = x.getShape();
    long n = shape.get(0);
    long c = shape.get(1);
    NDArray grouped = x.reshape(n, groups, -1);
    NDArray mean = grouped.mean(new int[] {2}, true);
    NDArray centred = grouped.sub(mean);
    NDArray variance = centred.square().mean(new int[] {2}, true);
    NDArray normalized = centred.div(variance.add(EPSILON).sqrt()).reshape(shape);
    NDArray g = store.getValue(gamma, x.getDevice(), training).reshape(1, c, 1, 1);
    NDArray b = store.getValue(beta, x.getDevice(), training).reshape(1, c, 1, 1);
    return new NDList(normalized.mul(g).add(b));
  }

  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    return inputShapes;
  }
}

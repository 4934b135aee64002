package dev.landcover.networks.internal;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.training.loss.Loss;

/**
 * Segmentation losses over labelled pixels only (a negative label is nodata and ignored). Labels
 * are class indices {@code N x H x W} (float), logits {@code N x C x H x W}.
 *
 * <ul>
 *   <li>cross-entropy with per-class weights: {@code sum(w[y] * -log p[y]) / sum(w[y])};
 *   <li>Dice: {@code 1 - mean over classes of (2 sum(p_c y_c) + 1) / (sum(p_c) + sum(y_c) + 1)}
 *       with softmax probabilities {@code p} and one-hot labels {@code y};
 *   <li>the sum of both.
 * </ul>
 */
public final class SegmentationLoss extends Loss {
  private final float[] classWeights;
  private final boolean crossEntropy;
  private final boolean dice;

  public SegmentationLoss(float[] classWeights) {
    this(classWeights, true, false);
  }

  public SegmentationLoss(float[] classWeights, boolean crossEntropy, boolean dice) {
    super("SegmentationLoss");
    this.classWeights = classWeights.clone();
    this.crossEntropy = crossEntropy;
    this.dice = dice;
  }

  @Override
  public NDArray evaluate(NDList labels, NDList predictions) {
    NDArray logits = predictions.singletonOrThrow();
    NDArray y = labels.singletonOrThrow();
    int classes = (int) logits.getShape().get(1);
    NDArray mask = y.gte(0).toType(logits.getDataType(), false);
    NDArray oneHot =
        y.clip(0, classes - 1)
            .toType(ai.djl.ndarray.types.DataType.INT64, false)
            .oneHot(classes)
            .transpose(0, 3, 1, 2)
            .toType(logits.getDataType(), false);
    NDArray w = logits.getManager().create(classWeights).reshape(1, classes, 1, 1);
    NDArray pixelWeights = oneHot.mul(w).sum(new int[] {1}).mul(mask);
    NDArray loss = null;
    if (crossEntropy) {
      NDArray nll = logits.logSoftmax(1).mul(oneHot).sum(new int[] {1}).neg();
      loss = nll.mul(pixelWeights).sum().div(pixelWeights.sum().add(1e-12f));
    }
    if (dice) {
      NDArray m = mask.expandDims(1);
      NDArray p = logits.softmax(1).mul(m);
      NDArray t = oneHot.mul(m);
      NDArray intersection = p.mul(t).sum(new int[] {0, 2, 3});
      NDArray sizes = p.sum(new int[] {0, 2, 3}).add(t.sum(new int[] {0, 2, 3}));
      NDArray d = intersection.mul(2).add(1).div(sizes.add(1)).mean().neg().add(1);
      loss = loss == null ? d : loss.add(d);
    }
    return loss;
  }
}

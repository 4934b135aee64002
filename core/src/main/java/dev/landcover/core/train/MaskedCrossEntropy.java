package dev.landcover.core.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.training.loss.Loss;

/**
 * Pixel-wise softmax cross-entropy that ignores pixels whose label is negative (nodata), with
 * optional per-class weights: {@code sum(w[y] * -log p[y]) / sum(w[y])} over labelled pixels.
 * Labels are class indices {@code N x H x W} (float), logits {@code N x C x H x W}.
 */
final class MaskedCrossEntropy extends Loss {
  private final float[] classWeights;

  MaskedCrossEntropy(float[] classWeights) {
    super("MaskedCrossEntropy");
    this.classWeights = classWeights.clone();
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
    NDArray nll = logits.logSoftmax(1).mul(oneHot).sum(new int[] {1}).neg();
    return nll.mul(pixelWeights).sum().div(pixelWeights.sum().add(1e-12f));
  }
}

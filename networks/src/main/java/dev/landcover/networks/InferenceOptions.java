package dev.landcover.networks;

/**
 * How a {@link SegmentationModel} is prepared for inference.
 *
 * @param foldBatchNorm fold each batch normalization into the convolution before it at load time
 *     (UNets and imported graphs; equal logits up to float rounding, fewer passes over memory)
 */
public record InferenceOptions(boolean foldBatchNorm) {
  /** What {@code predict} uses: batch normalization folded. */
  public static final InferenceOptions DEFAULT = new InferenceOptions(true);

  /** The model exactly as trained: nothing folded (the reference for checks and benchmarks). */
  public static final InferenceOptions AS_TRAINED = new InferenceOptions(false);
}

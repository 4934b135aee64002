package dev.landcover.app;

import dev.landcover.pixels.BlendWindow;
import dev.landcover.spark.SparkPredictRequest;
import dev.landcover.workflows.MappingRequest;
import picocli.CommandLine.Option;

/**
 * How scenes are predicted and which outputs are written, shared by {@code predict} and {@code
 * spark predict}. Defaults are those of {@link MappingRequest#builder}.
 */
final class PredictionOptions {
  @Option(
      names = "--chip",
      description =
          "Model input size (default: for a UNet bundle the size that fits the memory budget and"
              + " feeds the model the fewest pixels; else the bundle's, or 256).")
  Integer chip;

  @Option(
      names = "--overlap",
      description =
          "Output pixels shared by neighbouring chips (default: twice the model's receptive"
              + " radius rounded up to its alignment, below the chip's output, where the bundle"
              + " knows it (a UNet, an imported graph without resizes); else a quarter of the"
              + " chip's output).")
  Integer overlap;

  @Option(
      names = "--blend",
      defaultValue = "hann",
      description = "hann, linear or crop (default: ${DEFAULT-VALUE}).")
  BlendWindow blend;

  @Option(
      names = "--confidence",
      description =
          "Also write <scene>_confidence.tif: the winning class's probability, 0-100 (uint8,"
              + " nodata 255).")
  boolean confidence;

  @Option(
      names = "--probabilities",
      description =
          "Also write <scene>_probabilities.tif: one band per class, probability scaled to 0-254"
              + " (uint8, nodata 255), or float32 0-1 with --float (nodata NaN).")
  boolean probabilities;

  @Option(names = "--float", description = "Probabilities as float32.")
  boolean floatProbabilities;

  @Option(
      names = "--tta",
      description =
          "Test-time augmentation: 'flips' averages the chip, its left-right, top-bottom and both"
              + " flips (4 forward passes a chip); 'd4' the 8 flips and quarter turns (8 passes).")
  MappingRequest.TestTimeAugmentation tta;

  @Option(
      names = "--nodata-rule",
      defaultValue = "any",
      description = "A pixel is nodata when 'any' band is nodata (default) or only when 'all' are.")
  MappingRequest.NoDataRule nodataRule;

  @Option(names = "--overwrite", description = "Replace existing outputs.")
  boolean overwrite;

  /**
   * Which probabilities are written; {@code --float} without {@code --probabilities} is refused.
   */
  private MappingRequest.Probabilities probabilities() {
    if (floatProbabilities && !probabilities) {
      throw new IllegalArgumentException("--float applies to --probabilities, which is not given");
    }
    if (!probabilities) {
      return MappingRequest.Probabilities.NONE;
    }
    return floatProbabilities
        ? MappingRequest.Probabilities.FLOAT32
        : MappingRequest.Probabilities.UINT8;
  }

  private MappingRequest.TestTimeAugmentation tta() {
    return tta == null ? MappingRequest.TestTimeAugmentation.NONE : tta;
  }

  /** These options applied to a {@code predict} request. */
  MappingRequest.Builder applyTo(MappingRequest.Builder b) {
    return b.chip(chip)
        .overlap(overlap)
        .blend(blend)
        .confidence(confidence)
        .probabilities(probabilities())
        .tta(tta())
        .noDataRule(nodataRule)
        .overwrite(overwrite);
  }

  /** These options applied to a {@code spark predict} request. */
  SparkPredictRequest.Builder applyTo(SparkPredictRequest.Builder b) {
    return b.chip(chip)
        .overlap(overlap)
        .blend(blend)
        .confidence(confidence)
        .probabilities(probabilities())
        .tta(tta())
        .noDataRule(nodataRule)
        .overwrite(overwrite);
  }
}

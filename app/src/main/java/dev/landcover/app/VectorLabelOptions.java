package dev.landcover.app;

import dev.landcover.workflows.VectorLabels;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine.Option;

/**
 * How polygons given with {@code --vector-labels} are burnt into labels (as {@code landcover labels
 * rasterize}), shared by {@code chips} and {@code train}.
 */
final class VectorLabelOptions {
  @Option(
      names = "--field",
      paramLabel = "F",
      description = "With --vector-labels: the integer attribute holding the class.")
  String field;

  @Option(
      names = "--layer",
      paramLabel = "L",
      description = "With --vector-labels: the layer (default: each file's only one).")
  String layer;

  @Option(
      names = "--all-touched",
      description =
          "With --vector-labels: also burn every pixel a polygon's outline passes through"
              + " (gdal_rasterize -at), not only pixels whose centre is inside.")
  boolean allTouched;

  /** Refuses options that need {@code --vector-labels}, for a command given none. */
  void refuseWithoutVectorLabels() {
    if (allTouched) {
      throw new IllegalArgumentException("--all-touched needs --vector-labels");
    }
  }

  /**
   * Burns {@code vectors} (one file per image) onto the grids of {@code images}; close the result
   * to delete the temporary label rasters.
   *
   * @param labelsGiven whether {@code --labels} was given too (refused)
   */
  VectorLabels rasterize(List<Path> images, List<Path> vectors, boolean labelsGiven)
      throws IOException {
    if (labelsGiven || field == null) {
      throw new IllegalArgumentException("--vector-labels needs --field and excludes --labels");
    }
    return VectorLabels.rasterize(images, vectors, layer, field, allTouched);
  }
}

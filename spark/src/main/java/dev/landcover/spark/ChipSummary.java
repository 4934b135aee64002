package dev.landcover.spark;

import java.io.Serializable;

/**
 * One row of the result table of {@link SparkMapping#chips}.
 *
 * @param image the image (qualified)
 * @param labels the label raster, or null
 * @param folder the chip folder, or null when the scene failed
 * @param status {@code DONE}, {@code SKIPPED} (its index was there) or {@code FAILED}
 * @param chips chips written (for SKIPPED: rows of the index)
 * @param examined windows of the plan, or -1 when not known (SKIPPED, FAILED)
 * @param seconds time taken (0 for SKIPPED and FAILED)
 * @param error why the scene failed, or null
 */
public record ChipSummary(
    String image,
    String labels,
    String folder,
    String status,
    int chips,
    int examined,
    double seconds,
    String error)
    implements Serializable {
  private static final long serialVersionUID = 1L;
}

package dev.landcover.spark;

import java.io.Serializable;
import java.util.List;

/**
 * One row of the summary table of {@link SparkMapping#predict}: what happened to a scene.
 *
 * @param scene the scene's path (as listed, qualified: {@code file:/...})
 * @param map the class map's path, or null when the scene failed
 * @param status {@code DONE}, {@code SKIPPED} (outputs were there already) or {@code FAILED}
 * @param seconds time the mapping took (for SKIPPED, as recorded in its summary), or 0 for FAILED
 * @param classifiedPixels pixels given a class (nodata pixels left out)
 * @param areaUnit {@code m2}, or {@code CRS units squared} when the CRS is not in metres
 * @param classes pixels and area of each class, in the model's order (empty for FAILED)
 * @param error why the scene failed, or null
 */
public record SceneSummary(
    String scene,
    String map,
    String status,
    double seconds,
    long classifiedPixels,
    String areaUnit,
    List<ClassArea> classes,
    String error)
    implements Serializable {
  private static final long serialVersionUID = 1L;

  /**
   * A class of a mapped scene.
   *
   * @param id the class value in the map
   * @param name the class name
   * @param pixels pixels of the class
   * @param area pixels times the pixel's area, in {@code areaUnit}
   * @param percent share of the classified pixels, 0 to 100
   */
  public record ClassArea(int id, String name, long pixels, double area, double percent)
      implements Serializable {
    private static final long serialVersionUID = 1L;
  }
}

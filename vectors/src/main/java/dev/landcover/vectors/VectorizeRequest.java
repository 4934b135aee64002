package dev.landcover.vectors;

import dev.landcover.pixels.LandcoverClass;
import java.nio.file.Path;
import java.util.List;

/**
 * What {@link Vectorizer#vectorize} turns into polygons.
 *
 * @param map the class map GeoTIFF (one band of integer class ids; nodata pixels are left out)
 * @param out the {@code .gpkg} or {@code .geojson} file to write (one layer named after the file)
 * @param minArea patches smaller than this area, in square units of the map's CRS (m² for UTM), are
 *     merged into their largest neighbour first; 0 for none
 * @param sievePixels the same in pixels (a patch of fewer pixels is merged); 0 for none. With both,
 *     the larger threshold applies
 * @param simplify the distance tolerance (map units) of the topology-preserving simplification of
 *     the shared boundaries; 0 for none (the polygons then follow pixel edges exactly)
 * @param classes class names by id, or null to take them from the map's {@code .aux.xml}
 * @param overwrite whether an existing output file may be replaced
 * @param connectivity 4 (default, as {@code gdal_polygonize.py}): pixels of one class touching at a
 *     corner only are separate patches; or 8 (as {@code gdal_polygonize.py -8}): they are one
 *     patch, written as a MultiPolygon of its 4-connected parts (every feature then a
 *     MultiPolygon). The sieve counts patches and their neighbours with the same connectivity
 */
public record VectorizeRequest(
    Path map,
    Path out,
    double minArea,
    long sievePixels,
    double simplify,
    List<LandcoverClass> classes,
    boolean overwrite,
    int connectivity) {
  /** Checks what does not depend on the data. */
  public VectorizeRequest {
    if (map == null || out == null) {
      throw new IllegalArgumentException("map and out are required");
    }
    VectorFormat.ofOutput(out);
    if (!(minArea >= 0) || Double.isInfinite(minArea)) {
      throw new IllegalArgumentException("--min-area must be a finite area >= 0: " + minArea);
    }
    if (sievePixels < 0) {
      throw new IllegalArgumentException("--sieve must be >= 0 pixels: " + sievePixels);
    }
    if (!(simplify >= 0) || Double.isInfinite(simplify)) {
      throw new IllegalArgumentException("--simplify must be a finite distance >= 0: " + simplify);
    }
    if (connectivity != 4 && connectivity != 8) {
      throw new IllegalArgumentException("--connectivity must be 4 or 8: " + connectivity);
    }
    classes = classes == null ? null : List.copyOf(classes);
  }

  /** A request with 4-connected patches. */
  public VectorizeRequest(
      Path map,
      Path out,
      double minArea,
      long sievePixels,
      double simplify,
      List<LandcoverClass> classes,
      boolean overwrite) {
    this(map, out, minArea, sievePixels, simplify, classes, overwrite, 4);
  }

  /** A request for plain 4-connected polygons (no minimum area, no simplification). */
  public static VectorizeRequest of(Path map, Path out) {
    return new VectorizeRequest(map, out, 0, 0, 0, null, true);
  }
}

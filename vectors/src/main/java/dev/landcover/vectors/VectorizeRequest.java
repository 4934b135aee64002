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
 */
public record VectorizeRequest(
    Path map,
    Path out,
    double minArea,
    long sievePixels,
    double simplify,
    List<LandcoverClass> classes,
    boolean overwrite) {
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
    classes = classes == null ? null : List.copyOf(classes);
  }

  /** A request for plain polygons (no minimum area, no simplification). */
  public static VectorizeRequest of(Path map, Path out) {
    return new VectorizeRequest(map, out, 0, 0, 0, null, true);
  }
}

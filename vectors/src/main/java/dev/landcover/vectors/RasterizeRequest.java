package dev.landcover.vectors;

import java.nio.file.Path;

/**
 * What {@link LabelRasterizer#rasterize} burns and where.
 *
 * @param vector the GeoPackage or GeoJSON file of polygons
 * @param layer the layer, or null for the file's only layer
 * @param field the integer attribute burnt as the label value (0 to 65535)
 * @param like the image whose grid (size, geotransform, CRS) the labels take
 * @param out the label GeoTIFF to write (uint8, or uint16 when a value exceeds 255)
 * @param allTouched gdal_rasterize's {@code -at}: also burn every pixel a polygon's outline passes
 *     through, not only pixels whose centre is inside
 * @param noData the value of pixels no polygon covers, declared as the output's nodata
 */
public record RasterizeRequest(
    Path vector, String layer, String field, Path like, Path out, boolean allTouched, int noData) {
  /** Checks what does not depend on the data. */
  public RasterizeRequest {
    if (vector == null || like == null || out == null) {
      throw new IllegalArgumentException("vector, like and out are required");
    }
    if (field == null || field.isBlank()) {
      throw new IllegalArgumentException("--field must name the attribute holding the class");
    }
    if (noData < 0 || noData > 65535) {
      throw new IllegalArgumentException("--nodata must be 0 to 65535: " + noData);
    }
  }
}

package dev.landcover.geo;

/**
 * The affine map from pixel coordinates to world (CRS) coordinates, with GDAL's six coefficients in
 * GDAL's order.
 *
 * <p><b>Corner convention:</b> pixel coordinates are continuous, with (0, 0) at the <em>upper-left
 * corner</em> of the upper-left pixel; the centre of pixel (column c, row r) is at (c + 0.5, r +
 * 0.5). World coordinates follow the east/north (x, y) order whatever the CRS declares, as GDAL's
 * geotransform does.
 *
 * <pre>
 * worldX = originX + column * pixelWidth + row * rowRotation
 * worldY = originY + column * columnRotation + row * pixelHeight
 * </pre>
 *
 * @param originX world x of the upper-left corner of the raster
 * @param pixelWidth world x step per column
 * @param rowRotation world x step per row (0 for north-up rasters)
 * @param originY world y of the upper-left corner of the raster
 * @param columnRotation world y step per column (0 for north-up rasters)
 * @param pixelHeight world y step per row (negative for north-up rasters)
 */
public record GeoTransform(
    double originX,
    double pixelWidth,
    double rowRotation,
    double originY,
    double columnRotation,
    double pixelHeight) {

  /** The identity: world coordinates equal pixel coordinates (what a plain TIFF has). */
  public static final GeoTransform IDENTITY = new GeoTransform(0, 1, 0, 0, 0, 1);

  /** The six coefficients in GDAL's order. */
  public double[] toGdal() {
    return new double[] {originX, pixelWidth, rowRotation, originY, columnRotation, pixelHeight};
  }

  /** World x of the continuous pixel position (column, row). */
  public double worldX(double column, double row) {
    return originX + column * pixelWidth + row * rowRotation;
  }

  /** World y of the continuous pixel position (column, row). */
  public double worldY(double column, double row) {
    return originY + column * columnRotation + row * pixelHeight;
  }

  /**
   * The transform of a raster whose pixel (0, 0) is this raster's pixel (column, row): the same
   * pixel size, the origin moved to that pixel's upper-left corner.
   */
  public GeoTransform shiftedTo(int column, int row) {
    return new GeoTransform(
        worldX(column, row),
        pixelWidth,
        rowRotation,
        worldY(column, row),
        columnRotation,
        pixelHeight);
  }

  /**
   * Whether both transforms agree within {@code relativeTolerance} of the pixel size (for the
   * origin) or of each coefficient's magnitude.
   */
  public boolean equalsWithin(GeoTransform other, double relativeTolerance) {
    double scale = Math.max(Math.abs(pixelWidth) + Math.abs(rowRotation), 1e-300);
    double scaleY = Math.max(Math.abs(pixelHeight) + Math.abs(columnRotation), 1e-300);
    return Math.abs(originX - other.originX) <= relativeTolerance * scale
        && Math.abs(originY - other.originY) <= relativeTolerance * scaleY
        && Math.abs(pixelWidth - other.pixelWidth) <= relativeTolerance * scale
        && Math.abs(rowRotation - other.rowRotation) <= relativeTolerance * scale
        && Math.abs(columnRotation - other.columnRotation) <= relativeTolerance * scaleY
        && Math.abs(pixelHeight - other.pixelHeight) <= relativeTolerance * scaleY;
  }

  @Override
  public String toString() {
    return "("
        + originX
        + ", "
        + pixelWidth
        + ", "
        + rowRotation
        + ", "
        + originY
        + ", "
        + columnRotation
        + ", "
        + pixelHeight
        + ")";
  }
}

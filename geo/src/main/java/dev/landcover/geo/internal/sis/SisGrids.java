package dev.landcover.geo.internal.sis;

import dev.landcover.geo.GeoTransform;
import dev.landcover.geo.RasterGrid;
import org.apache.sis.coverage.grid.GridExtent;
import org.apache.sis.coverage.grid.GridGeometry;
import org.apache.sis.coverage.grid.PixelInCell;
import org.apache.sis.referencing.CRS;
import org.apache.sis.referencing.operation.matrix.Matrix3;
import org.apache.sis.referencing.operation.transform.MathTransforms;
import org.opengis.referencing.crs.CoordinateReferenceSystem;
import org.opengis.referencing.cs.AxisDirection;
import org.opengis.util.FactoryException;

/** Conversions between {@link RasterGrid} and Apache SIS grid geometries. */
public final class SisGrids {
  private SisGrids() {}

  /** Whether the first axis of {@code crs} points north or south (latitude or northing first). */
  private static boolean northFirst(CoordinateReferenceSystem crs) {
    if (crs == null || crs.getCoordinateSystem().getDimension() < 2) {
      return false;
    }
    AxisDirection d = crs.getCoordinateSystem().getAxis(0).getDirection();
    return d == AxisDirection.NORTH || d == AxisDirection.SOUTH;
  }

  /**
   * The SIS grid geometry of {@code grid}, for writing. A CRS that has an EPSG code is replaced by
   * the EPSG database's own definition (in its native axis order), which is what the GeoTIFF writer
   * encodes best.
   */
  public static GridGeometry toGridGeometry(RasterGrid grid) {
    CoordinateReferenceSystem crs = grid.crs().orElse(null);
    if (crs != null && grid.epsg().isPresent()) {
      try {
        crs = CRS.forCode("EPSG:" + grid.epsg().getAsInt());
      } catch (FactoryException e) {
        // keep the CRS as it is
      }
    }
    GeoTransform t = grid.transform();
    double[] rowX = {t.pixelWidth(), t.rowRotation(), t.originX()};
    double[] rowY = {t.columnRotation(), t.pixelHeight(), t.originY()};
    double[] first = northFirst(crs) ? rowY : rowX;
    double[] second = northFirst(crs) ? rowX : rowY;
    Matrix3 m = new Matrix3(first[0], first[1], first[2], second[0], second[1], second[2], 0, 0, 1);
    return new GridGeometry(
        new GridExtent(grid.width(), grid.height()),
        PixelInCell.CELL_CORNER,
        MathTransforms.linear(m),
        crs);
  }
}

package dev.landcover.vectors.internal;

import java.util.OptionalInt;
import org.apache.sis.io.wkt.Convention;
import org.apache.sis.io.wkt.WKTFormat;
import org.apache.sis.referencing.CRS;
import org.apache.sis.referencing.IdentifiedObjects;
import org.apache.sis.referencing.crs.AbstractCRS;
import org.apache.sis.referencing.cs.AxesConvention;
import org.apache.sis.util.Utilities;
import org.opengis.referencing.crs.CoordinateReferenceSystem;
import org.opengis.referencing.operation.MathTransform;
import org.opengis.util.FactoryException;

/**
 * CRS helpers: EPSG codes, WKT 1 for GeoPackage, east/north axis order, vector-to-image transforms.
 */
public final class Crs {
  private Crs() {}

  /**
   * The CRS with its axes in the order vector files store coordinates (GDAL's "traditional GIS
   * order"): longitude/easting first, latitude/northing second.
   */
  public static CoordinateReferenceSystem eastNorth(CoordinateReferenceSystem crs) {
    return AbstractCRS.castOrCopy(crs).forConvention(AxesConvention.RIGHT_HANDED);
  }

  /** The EPSG code of a CRS equal to this one ignoring axis order and names, when there is one. */
  public static OptionalInt epsg(CoordinateReferenceSystem crs) {
    try {
      Integer code = IdentifiedObjects.lookupEPSG(crs);
      if (code == null) {
        var finder = IdentifiedObjects.newFinder("EPSG");
        finder.setIgnoringAxes(true);
        var found = finder.findSingleton(crs);
        if (found != null) {
          code = IdentifiedObjects.lookupEPSG(found);
        }
      }
      return code == null ? OptionalInt.empty() : OptionalInt.of(code);
    } catch (FactoryException | RuntimeException e) {
      return OptionalInt.empty();
    }
  }

  /** The CRS of an EPSG code. */
  public static CoordinateReferenceSystem forEpsg(int code) throws FactoryException {
    return CRS.forCode("EPSG:" + code);
  }

  /** The CRS of a code or URN that SIS knows ({@code EPSG:32612}, {@code urn:ogc:def:crs:...}). */
  public static CoordinateReferenceSystem forCode(String code) throws FactoryException {
    return CRS.forCode(code);
  }

  /** Parses WKT 1 or WKT 2. */
  public static CoordinateReferenceSystem fromWkt(String wkt) throws FactoryException {
    return CRS.fromWKT(wkt);
  }

  /** The CRS as WKT 1 with the units GDAL and ESRI expect (the GeoPackage definition column). */
  public static String wkt1(CoordinateReferenceSystem crs) {
    WKTFormat format = new WKTFormat((java.util.Locale) null, (java.time.ZoneId) null);
    format.setConvention(Convention.WKT1_COMMON_UNITS);
    format.setIndentation(WKTFormat.SINGLE_LINE);
    return format.format(crs);
  }

  /**
   * Whether the two CRSs are the same (ignoring names, metadata and axis order, or by equal EPSG
   * codes): coordinates then pass from one to the other unchanged, as GDAL does when its {@code
   * IsSame} holds.
   */
  public static boolean same(CoordinateReferenceSystem a, CoordinateReferenceSystem b) {
    CoordinateReferenceSystem ea = eastNorth(a);
    CoordinateReferenceSystem eb = eastNorth(b);
    if (Utilities.equalsIgnoreMetadata(ea, eb)) {
      return true;
    }
    OptionalInt ca = epsg(a);
    return ca.isPresent() && ca.equals(epsg(b));
  }

  /**
   * The transform from coordinates in {@code source} to coordinates in {@code target}, both in
   * east/north order; null when the CRSs are the same.
   */
  public static MathTransform transform(
      CoordinateReferenceSystem source, CoordinateReferenceSystem target) throws FactoryException {
    if (same(source, target)) {
      return null;
    }
    MathTransform mt =
        CRS.findOperation(eastNorth(source), eastNorth(target), null).getMathTransform();
    return mt.isIdentity() ? null : mt;
  }
}

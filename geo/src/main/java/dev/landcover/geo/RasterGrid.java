package dev.landcover.geo;

import dev.landcover.pixels.PixelWindow;
import java.util.Optional;
import java.util.OptionalInt;
import org.apache.sis.referencing.CRS;
import org.apache.sis.referencing.IdentifiedObjects;
import org.apache.sis.util.Utilities;
import org.opengis.referencing.crs.CoordinateReferenceSystem;
import org.opengis.util.FactoryException;

/**
 * Where a raster lies on Earth: its size in pixels, the pixel-to-world {@link GeoTransform}
 * (pixel-corner convention) and its coordinate reference system. Two rasters with equal grids have
 * pixels that cover the same ground one for one.
 *
 * <p>Instances are immutable. The CRS may be absent (a plain TIFF, or a CRS the reader could not
 * decode); the transform is then the file's own or the identity.
 */
public final class RasterGrid {
  /** Relative tolerance under which two transforms are the same grid (of the pixel size). */
  static final double SAME_GRID_TOLERANCE = 1e-9;

  private final int width;
  private final int height;
  private final GeoTransform transform;
  private final CoordinateReferenceSystem crs;
  private final GeoKeys geoKeys;
  private volatile Integer epsg;
  private volatile boolean epsgSearched;

  private RasterGrid(
      int width,
      int height,
      GeoTransform transform,
      CoordinateReferenceSystem crs,
      GeoKeys geoKeys,
      Integer epsg,
      boolean epsgSearched) {
    if (width <= 0 || height <= 0) {
      throw new IllegalArgumentException(
          "A grid needs a positive size: width=" + width + ", height=" + height);
    }
    this.width = width;
    this.height = height;
    this.transform = transform;
    this.crs = crs;
    this.geoKeys = geoKeys;
    this.epsg = epsg;
    this.epsgSearched = epsgSearched;
  }

  /**
   * A grid of {@code width x height} pixels.
   *
   * @param transform pixel-corner to world transform
   * @param crs the coordinate reference system, or null when unknown
   */
  public static RasterGrid of(
      int width, int height, GeoTransform transform, CoordinateReferenceSystem crs) {
    return new RasterGrid(width, height, transform, crs, null, null, false);
  }

  /**
   * The grid of a GeoTIFF file: its CRS as Landcover understands it and the file's own GeoKeys,
   * which GeoTIFFs written on this grid copy verbatim.
   *
   * @param crs the CRS, or null when none could be decoded (the keys still travel)
   * @param geoKeys the file's GeoKeys, or null when it has none
   * @param epsg the EPSG code the keys declare for {@code crs} (as GDAL reports it), or null to
   *     look one up
   */
  static RasterGrid ofGeoTiff(
      int width,
      int height,
      GeoTransform transform,
      CoordinateReferenceSystem crs,
      GeoKeys geoKeys,
      Integer epsg) {
    return new RasterGrid(width, height, transform, crs, geoKeys, epsg, epsg != null);
  }

  /**
   * A grid in the CRS of an EPSG code.
   *
   * @throws IllegalArgumentException when the code is not in the EPSG database
   */
  public static RasterGrid ofEpsg(int width, int height, GeoTransform transform, int epsgCode) {
    try {
      return new RasterGrid(
          width, height, transform, CRS.forCode("EPSG:" + epsgCode), null, epsgCode, true);
    } catch (FactoryException e) {
      throw new IllegalArgumentException("Unknown EPSG code: " + epsgCode, e);
    }
  }

  public int width() {
    return width;
  }

  public int height() {
    return height;
  }

  /** Pixel-corner to world transform. */
  public GeoTransform transform() {
    return transform;
  }

  /**
   * The coordinate reference system, when known, in east/north axis order (the geotransform's). It
   * is compound when the file declares a vertical CRS too (as GDAL reports it): its first two axes
   * are the horizontal ones.
   */
  public Optional<CoordinateReferenceSystem> crs() {
    return Optional.ofNullable(crs);
  }

  /**
   * The GeoTIFF keys of the file this grid was read from (or of which it is a window): writers
   * store them verbatim, so that GDAL reads the same CRS from outputs as from the source.
   */
  public Optional<GeoKeys> geoKeys() {
    return Optional.ofNullable(geoKeys);
  }

  /**
   * The EPSG code of the CRS, when the EPSG database has one equal to it (ignoring axis order and
   * names, as GDAL's identification does).
   */
  public OptionalInt epsg() {
    if (!epsgSearched) {
      epsg = lookupEpsg(crs);
      epsgSearched = true;
    }
    return epsg == null ? OptionalInt.empty() : OptionalInt.of(epsg);
  }

  static Integer lookupEpsg(CoordinateReferenceSystem crs) {
    if (crs == null) {
      return null;
    }
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
      return code;
    } catch (FactoryException | RuntimeException e) {
      return null;
    }
  }

  /**
   * {@code EPSG:n} when there is a code (the one the file declares, or one the EPSG database has
   * for the CRS), otherwise the CRS's name; {@code none} without CRS, or {@code undecoded GeoTIFF
   * keys} when the file's keys describe a CRS that Landcover cannot decode (outputs still carry
   * them).
   */
  public String crsLabel() {
    OptionalInt code = epsg();
    if (code.isPresent()) {
      return "EPSG:" + code.getAsInt();
    }
    if (crs != null) {
      return crs.getName().getCode();
    }
    return geoKeys == null ? "none" : "undecoded GeoTIFF keys";
  }

  /**
   * The CRS's name, as GDAL names it: the CRS's own, or the citation of the file's keys when
   * Landcover cannot decode the CRS (Krovak, for one).
   */
  public Optional<String> crsName() {
    if (crs != null) {
      return Optional.of(crs.getName().getCode());
    }
    if (geoKeys == null) {
      return Optional.empty();
    }
    return geoKeys
        .text(GeoKeys.PROJECTED_CITATION)
        .or(() -> geoKeys.text(GeoKeys.CITATION))
        .or(() -> geoKeys.text(GeoKeys.GEOGRAPHIC_CITATION));
  }

  /** The CRS as WKT 2 (2019), or null without CRS. */
  public String crsWkt() {
    return crs == null ? null : crs.toWKT();
  }

  /** This grid without CRS and GeoKeys: the same size and transform. */
  public RasterGrid withoutCrs() {
    return new RasterGrid(width, height, transform, null, null, null, true);
  }

  /**
   * The grid of a window of this raster: same CRS and pixel size, origin at the window's upper-left
   * corner. The window may reach past this grid.
   */
  public RasterGrid window(PixelWindow window) {
    return new RasterGrid(
        window.width(),
        window.height(),
        transform.shiftedTo(window.x(), window.y()),
        crs,
        geoKeys,
        epsg,
        epsgSearched);
  }

  /**
   * This grid's CRS and GeoTIFF keys with another size and transform (the grid of a VRT whose
   * sources are on this one's CRS).
   */
  RasterGrid withTransform(int width, int height, GeoTransform transform) {
    return new RasterGrid(width, height, transform, crs, geoKeys, epsg, epsgSearched);
  }

  /** Whether {@code other} has an equal CRS (ignoring names and metadata), or the same keys. */
  boolean sameCrs(RasterGrid other) {
    return crs != null || other.crs != null
        ? sameCrs(crs, other.crs)
        : java.util.Objects.equals(pixelIsArea(geoKeys), pixelIsArea(other.geoKeys));
  }

  /**
   * Whether {@code other} has the same size, the same transform (within 1e-9 of a pixel) and an
   * equal CRS (ignoring names and metadata).
   */
  public boolean sameGrid(RasterGrid other) {
    return width == other.width
        && height == other.height
        && transform.equalsWithin(other.transform, SAME_GRID_TOLERANCE)
        && (crs != null || other.crs != null
            ? sameCrs(crs, other.crs)
            : java.util.Objects.equals(pixelIsArea(geoKeys), pixelIsArea(other.geoKeys)));
  }

  private static GeoKeys pixelIsArea(GeoKeys keys) {
    return keys == null ? null : keys.asPixelIsArea();
  }

  static boolean sameCrs(CoordinateReferenceSystem a, CoordinateReferenceSystem b) {
    if (a == null || b == null) {
      return a == b;
    }
    if (Utilities.equalsIgnoreMetadata(a, b) || CRS.equivalent(a, b)) {
      return true;
    }
    Integer ca = lookupEpsg(a);
    return ca != null && ca.equals(lookupEpsg(b));
  }

  /** A one-line description for messages: size, origin, pixel size, CRS. */
  public String describe() {
    return width
        + "x"
        + height
        + " px, origin ("
        + transform.originX()
        + ", "
        + transform.originY()
        + "), pixel "
        + transform.pixelWidth()
        + " x "
        + transform.pixelHeight()
        + ", CRS "
        + crsLabel();
  }

  @Override
  public String toString() {
    return "RasterGrid[" + describe() + "]";
  }
}

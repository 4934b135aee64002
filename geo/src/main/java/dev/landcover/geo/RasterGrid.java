package dev.landcover.geo;

import dev.landcover.geo.internal.sis.GeoKeyCrs;
import dev.landcover.pixels.PixelWindow;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.function.Supplier;
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
 * <p>Instances are immutable and safe for use by several threads. The CRS may be absent (a plain
 * TIFF, or a CRS the reader could not decode); the transform is then the file's own or the
 * identity. A GeoTIFF's CRS is decoded on first demand (see {@link #crs()}).
 */
public final class RasterGrid {
  /** Relative tolerance under which two transforms are the same grid (of the pixel size). */
  static final double SAME_GRID_TOLERANCE = 1e-9;

  private final int width;
  private final int height;
  private final GeoTransform transform;
  private final LazyCrs crs;
  private final GeoKeys geoKeys;

  private RasterGrid(int width, int height, GeoTransform transform, LazyCrs crs, GeoKeys geoKeys) {
    if (width <= 0 || height <= 0) {
      throw new IllegalArgumentException(
          "A grid needs a positive size: width=" + width + ", height=" + height);
    }
    this.width = width;
    this.height = height;
    this.transform = transform;
    this.crs = crs;
    this.geoKeys = geoKeys;
  }

  /**
   * A grid of {@code width x height} pixels.
   *
   * @param transform pixel-corner to world transform
   * @param crs the coordinate reference system, or null when unknown
   */
  public static RasterGrid of(
      int width, int height, GeoTransform transform, CoordinateReferenceSystem crs) {
    return new RasterGrid(width, height, transform, LazyCrs.known(crs, null), null);
  }

  /**
   * The grid of a GeoTIFF file: the file's own GeoKeys, which GeoTIFFs written on this grid copy
   * verbatim, and its CRS as Landcover understands them, decoded by {@code decoder} only when
   * something first needs the CRS as an object (see {@link #crs()}): chipping and mapping on the
   * file's own grid never do, and so never open the EPSG database.
   *
   * @param geoKeys the file's GeoKeys, or null when it has none
   * @param decoder decodes the CRS of {@code geoKeys} (null when none can be decoded) and the EPSG
   *     code the keys declare for it (as GDAL reports it; null to look one up); called at most once
   *     (again only after it threw), from any thread; it may throw an unchecked exception
   */
  static RasterGrid ofGeoTiff(
      int width,
      int height,
      GeoTransform transform,
      GeoKeys geoKeys,
      Supplier<GeoKeyCrs.Decoded> decoder) {
    return new RasterGrid(width, height, transform, LazyCrs.decodedBy(decoder), geoKeys);
  }

  /**
   * A grid on GeoTIFF keys made in Java, which GeoTIFFs written on it copy verbatim (as those of a
   * grid read from a file), with its CRS decoded from them only when something first needs it as an
   * object: writing such a grid never opens the EPSG database.
   *
   * @param geoKeys keys that declare an EPSG code (ProjectedCSTypeGeoKey, or GeographicTypeGeoKey
   *     with a geographic model) or describe a LOCAL_CS
   */
  public static RasterGrid ofGeoKeys(
      int width, int height, GeoTransform transform, GeoKeys geoKeys) {
    return ofGeoTiff(width, height, transform, geoKeys, () -> GeoKeyCrs.decode(geoKeys, null));
  }

  /**
   * A grid in the CRS of an EPSG code.
   *
   * @throws IllegalArgumentException when the code is not in the EPSG database
   */
  public static RasterGrid ofEpsg(int width, int height, GeoTransform transform, int epsgCode) {
    try {
      return new RasterGrid(
          width, height, transform, LazyCrs.known(CRS.forCode("EPSG:" + epsgCode), epsgCode), null);
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
   *
   * <p>A GeoTIFF's CRS is decoded here, on the first call for the file's grid or any of its windows
   * (this and the other methods that need the CRS: {@link #epsg}, {@link #crsLabel}, {@link
   * #crsName}, {@link #crsWkt}, {@link #describe}, {@link #sameGrid} between grids whose GeoKeys
   * differ).
   *
   * @throws java.io.UncheckedIOException wrapping a {@link GeoTiffException} that names the file
   *     when a GeoTIFF's CRS decoding fails (the file is unreadable or changed since it was opened)
   */
  public Optional<CoordinateReferenceSystem> crs() {
    return Optional.ofNullable(crs.decoded().crs());
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
    Integer code = crs.epsg();
    return code == null ? OptionalInt.empty() : OptionalInt.of(code);
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
    return label(crs.decoded().crs(), epsg(), geoKeys);
  }

  /** {@link #crsLabel()} of a grid with these CRS, EPSG code and keys. */
  static String label(CoordinateReferenceSystem crs, OptionalInt code, GeoKeys geoKeys) {
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
    return name(crs.decoded().crs(), geoKeys);
  }

  /** {@link #crsName()} of a grid with this CRS and these keys. */
  static Optional<String> name(CoordinateReferenceSystem crs, GeoKeys geoKeys) {
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

  /**
   * Whether the CRS's horizontal axes are in metres. GeoKeys answer without decoding the CRS when
   * they can: a geographic model is in angles, and a projected model that states its linear unit
   * (ProjLinearUnitsGeoKey, which GDAL writes and reads as the unit) is in that unit; otherwise the
   * CRS's first axis answers. False without CRS.
   */
  public boolean axesInMetres() {
    int model = geoKeys == null ? 0 : geoKeys.shortValue(GeoKeys.MODEL_TYPE).orElse(0);
    if (model == GeoKeys.MODEL_GEOGRAPHIC) {
      return false;
    }
    if (model == GeoKeys.MODEL_PROJECTED && geoKeys.shortValue(GeoKeys.LINEAR_UNITS).isPresent()) {
      return geoKeys.shortValue(GeoKeys.LINEAR_UNITS).getAsInt() == GeoKeys.METRE;
    }
    CoordinateReferenceSystem c = crs.decoded().crs();
    return c != null
        && c.getCoordinateSystem().getDimension() >= 1
        && c.getCoordinateSystem().getAxis(0).getUnit().toString().equals("m");
  }

  /** The CRS as WKT 2 (2019), or null without CRS. */
  public String crsWkt() {
    CoordinateReferenceSystem c = crs.decoded().crs();
    return c == null ? null : c.toWKT();
  }

  /** This grid without CRS and GeoKeys: the same size and transform. */
  public RasterGrid withoutCrs() {
    return new RasterGrid(width, height, transform, LazyCrs.NONE, null);
  }

  /**
   * The grid of a window of this raster: same CRS and pixel size, origin at the window's upper-left
   * corner. The window may reach past this grid. It shares this grid's CRS, decoded at most once
   * for both.
   */
  public RasterGrid window(PixelWindow window) {
    return new RasterGrid(
        window.width(), window.height(), transform.shiftedTo(window.x(), window.y()), crs, geoKeys);
  }

  /**
   * This grid's CRS and GeoTIFF keys with another size and transform (the grid of a VRT whose
   * sources are on this one's CRS).
   */
  RasterGrid withTransform(int width, int height, GeoTransform transform) {
    return new RasterGrid(width, height, transform, crs, geoKeys);
  }

  /**
   * Whether {@code other} has an equal CRS (ignoring names and metadata), or the same keys. Grids
   * with the same GeoKeys (all but the raster type: the same keys, doubles and text) have the same
   * CRS, which is then not decoded.
   */
  boolean sameCrs(RasterGrid other) {
    if (crs == other.crs) {
      return true;
    }
    GeoKeys mine = pixelIsArea(geoKeys);
    if (mine != null && mine.equals(pixelIsArea(other.geoKeys))) {
      return true;
    }
    CoordinateReferenceSystem a = crs.decoded().crs();
    CoordinateReferenceSystem b = other.crs.decoded().crs();
    return a != null || b != null
        ? sameCrs(a, b)
        : java.util.Objects.equals(mine, pixelIsArea(other.geoKeys));
  }

  /**
   * Whether {@code other} has the same size, the same transform (within 1e-9 of a pixel) and an
   * equal CRS (ignoring names and metadata).
   */
  public boolean sameGrid(RasterGrid other) {
    return width == other.width
        && height == other.height
        && transform.equalsWithin(other.transform, SAME_GRID_TOLERANCE)
        && sameCrs(other);
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

  /**
   * A CRS and its EPSG code, known or decoded on first demand, shared by a grid and the grids of
   * its windows. Thread-safe: the decoder runs at most once (again only after it threw).
   */
  private static final class LazyCrs {
    static final LazyCrs NONE = known(null, null);

    private Supplier<GeoKeyCrs.Decoded> decoder; // guarded by this; null once decoded
    private volatile GeoKeyCrs.Decoded decoded;
    private volatile Integer epsg;
    private volatile boolean epsgSearched;

    private LazyCrs(Supplier<GeoKeyCrs.Decoded> decoder, GeoKeyCrs.Decoded decoded) {
      this.decoder = decoder;
      this.decoded = decoded;
    }

    /** A CRS known already; {@code epsg} null to look its code up when asked. */
    static LazyCrs known(CoordinateReferenceSystem crs, Integer epsg) {
      return new LazyCrs(null, new GeoKeyCrs.Decoded(crs, epsg));
    }

    static LazyCrs decodedBy(Supplier<GeoKeyCrs.Decoded> decoder) {
      return new LazyCrs(decoder, null);
    }

    GeoKeyCrs.Decoded decoded() {
      GeoKeyCrs.Decoded d = decoded;
      if (d == null) {
        synchronized (this) {
          d = decoded;
          if (d == null) {
            d = decoder.get();
            decoded = d;
            decoder = null;
          }
        }
      }
      return d;
    }

    /** The declared EPSG code, or else the one the EPSG database has for the CRS; null if none. */
    Integer epsg() {
      if (!epsgSearched) {
        GeoKeyCrs.Decoded d = decoded();
        epsg = d.epsg() != null ? d.epsg() : lookupEpsg(d.crs());
        epsgSearched = true;
      }
      return epsg;
    }
  }
}

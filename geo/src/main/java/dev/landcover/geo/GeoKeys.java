package dev.landcover.geo;

import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * The GeoTIFF keys that describe a file's coordinate reference system, exactly as stored: the
 * GeoKeyDirectory (tag 34735), GeoDoubleParams (34736) and GeoAsciiParams (34737). A {@link
 * RasterGrid} read from a GeoTIFF carries them, and every GeoTIFF written on that grid (or on a
 * window of it) gets them verbatim, so that GDAL reads the output's CRS exactly as it reads the
 * source's, whatever Apache SIS could make of it (Krovak, ESRI PE strings, LOCAL_CS, vertical
 * components...).
 *
 * <p>The one key changed on copy is GTRasterTypeGeoKey, set to PixelIsArea: outputs always store
 * the pixel-corner geotransform (a PixelIsPoint source's transform is converted on reading, as GDAL
 * does).
 */
public final class GeoKeys {
  /** GTModelTypeGeoKey: 1 projected, 2 geographic, 3 geocentric, 32767 user-defined. */
  public static final int MODEL_TYPE = 1024;

  /** GTRasterTypeGeoKey: 1 PixelIsArea, 2 PixelIsPoint. */
  public static final int RASTER_TYPE = 1025;

  /** GTCitationGeoKey (ASCII). */
  public static final int CITATION = 1026;

  /** GeographicTypeGeoKey: an EPSG geographic CRS code, or 32767 for user-defined. */
  public static final int GEOGRAPHIC_TYPE = 2048;

  /** GeogCitationGeoKey (ASCII). */
  public static final int GEOGRAPHIC_CITATION = 2049;

  /** ProjectedCSTypeGeoKey: an EPSG projected CRS code, or 32767 for user-defined. */
  public static final int PROJECTED_TYPE = 3072;

  /** PCSCitationGeoKey (ASCII). */
  public static final int PROJECTED_CITATION = 3073;

  /** ProjLinearUnitsGeoKey: an EPSG unit code. */
  public static final int LINEAR_UNITS = 3076;

  /** VerticalCSTypeGeoKey: an EPSG vertical CRS code, or 32767 for user-defined. */
  public static final int VERTICAL_TYPE = 4096;

  /** The value of user-defined keys. */
  public static final int USER_DEFINED = 32767;

  /** GTModelTypeGeoKey's value for a projected CRS. */
  public static final int MODEL_PROJECTED = 1;

  /** GTModelTypeGeoKey's value for a geographic CRS. */
  public static final int MODEL_GEOGRAPHIC = 2;

  /** The EPSG code of the metre, as ProjLinearUnitsGeoKey stores it. */
  public static final int METRE = 9001;

  private static final int TAG_ASCII_PARAMS = 34737;

  private final int[] directory;
  private final double[] doubles;
  private final String ascii;

  private GeoKeys(int[] directory, double[] doubles, String ascii) {
    this.directory = directory;
    this.doubles = doubles;
    this.ascii = ascii;
  }

  /**
   * Keys as stored in a GeoTIFF.
   *
   * @param directory the GeoKeyDirectory's unsigned shorts (header of 4, then 4 per key)
   * @param doubles the GeoDoubleParams, or an empty array
   * @param ascii the GeoAsciiParams (without the final NUL), or null
   * @throws IllegalArgumentException when the directory is shorter than its header says
   */
  public static GeoKeys of(int[] directory, double[] doubles, String ascii) {
    if (directory.length < 4 || directory.length < 4 + 4 * directory[3]) {
      throw new IllegalArgumentException(
          "GeoKeyDirectory of "
              + directory.length
              + " values is shorter than its header says ("
              + (directory.length < 4 ? "no header" : 4 + 4 * directory[3] + " values")
              + ")");
    }
    return new GeoKeys(directory.clone(), doubles == null ? new double[0] : doubles.clone(), ascii);
  }

  /** The GeoKeyDirectory's values (unsigned shorts). */
  public int[] directory() {
    return directory.clone();
  }

  /** The GeoDoubleParams (possibly empty). */
  public double[] doubles() {
    return doubles.clone();
  }

  /** The GeoAsciiParams, when present. */
  public Optional<String> ascii() {
    return Optional.ofNullable(ascii);
  }

  private int count() {
    return directory[3];
  }

  /** The short value of key {@code id}, when the key is present and stored inline. */
  public OptionalInt shortValue(int id) {
    for (int k = 0; k < count(); k++) {
      int at = 4 + 4 * k;
      if (directory[at] == id && directory[at + 1] == 0) {
        return OptionalInt.of(directory[at + 3]);
      }
    }
    return OptionalInt.empty();
  }

  /** The text of ASCII key {@code id} without its '|' terminator, when present. */
  public Optional<String> text(int id) {
    for (int k = 0; k < count(); k++) {
      int at = 4 + 4 * k;
      if (directory[at] == id && directory[at + 1] == TAG_ASCII_PARAMS && ascii != null) {
        int from = directory[at + 3];
        int to = Math.min(ascii.length(), from + directory[at + 2]);
        if (from > to) {
          return Optional.empty();
        }
        String s = ascii.substring(from, to);
        while (s.endsWith("|") || s.endsWith("\0")) {
          s = s.substring(0, s.length() - 1);
        }
        return Optional.of(s);
      }
    }
    return Optional.empty();
  }

  /**
   * These keys with the short key {@code id} set to {@code value}: replaced where present inline,
   * else added in key order (the order the GeoTIFF specification requires).
   */
  public GeoKeys withShort(int id, int value) {
    int[] d = directory.clone();
    int k = 0;
    for (; k < count(); k++) {
      int at = 4 + 4 * k;
      if (d[at] == id && d[at + 1] == 0) {
        d[at + 3] = value;
        return new GeoKeys(d, doubles, ascii);
      }
      if (d[at] > id) {
        break;
      }
    }
    int at = 4 + 4 * k;
    int[] added = new int[directory.length + 4];
    System.arraycopy(d, 0, added, 0, at);
    added[at] = id;
    added[at + 1] = 0;
    added[at + 2] = 1;
    added[at + 3] = value;
    System.arraycopy(d, at, added, at + 4, d.length - at);
    added[3] = count() + 1;
    return new GeoKeys(added, doubles, ascii);
  }

  /** Whether the raster type is PixelIsPoint (grid values at pixel centres). */
  public boolean isPixelIsPoint() {
    return shortValue(RASTER_TYPE).orElse(1) == 2;
  }

  /** These keys with GTRasterTypeGeoKey set to PixelIsArea, as outputs store them. */
  public GeoKeys asPixelIsArea() {
    int[] d = directory.clone();
    for (int k = 0; k < count(); k++) {
      int at = 4 + 4 * k;
      if (d[at] == RASTER_TYPE && d[at + 1] == 0) {
        d[at + 3] = 1;
      }
    }
    return new GeoKeys(d, doubles, ascii);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof GeoKeys k
        && Arrays.equals(directory, k.directory)
        && Arrays.equals(doubles, k.doubles)
        && Objects.equals(ascii, k.ascii);
  }

  @Override
  public int hashCode() {
    return Objects.hash(Arrays.hashCode(directory), Arrays.hashCode(doubles), ascii);
  }

  @Override
  public String toString() {
    return "GeoKeys" + Arrays.toString(directory);
  }
}

package dev.landcover.geo.internal.tiff;

import dev.landcover.geo.GeoKeys;
import dev.landcover.geo.GeoTiffException;
import dev.landcover.geo.GeoTransform;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The georeferencing tags of a GeoTIFF as GDAL reads and writes them: the GeoKeys (kept verbatim,
 * see {@link GeoKeys}) and the pixel-to-model transform (ModelPixelScale + ModelTiepoint, or
 * ModelTransformation).
 *
 * <p>The transform is read with GDAL's rules: a ModelTransformation tag wins; otherwise one tie
 * point and a pixel scale give {@code (X - I*sx, sx, 0, Y + J*sy, 0, -sy)}; with PixelIsPoint the
 * origin moves half a pixel up-left, so that the result is always the pixel-corner geotransform
 * (GDAL's default, GTIFF_POINT_GEO_IGNORE=FALSE). Several tie points without a transform are ground
 * control points, which Landcover does not warp: such files are refused.
 */
public final class GeoTiffTags {
  public static final int TAG_MODEL_PIXEL_SCALE = 33550;
  public static final int TAG_MODEL_TIEPOINT = 33922;
  public static final int TAG_MODEL_TRANSFORMATION = 34264;
  public static final int TAG_GEO_DOUBLE_PARAMS = 34736;

  /** Every tag that carries georeferencing, which outputs replace as a whole. */
  public static final int[] ALL = {
    TAG_MODEL_PIXEL_SCALE,
    TAG_MODEL_TIEPOINT,
    TAG_MODEL_TRANSFORMATION,
    TiffDirectory.TAG_GEO_KEY_DIRECTORY,
    TAG_GEO_DOUBLE_PARAMS,
    TiffDirectory.TAG_GEO_ASCII_PARAMS
  };

  private GeoTiffTags() {}

  /** The double values of a DOUBLE (or FLOAT) tag, or an empty array when absent. */
  static double[] doubles(TiffDirectory dir, int tag) {
    TiffDirectory.Entry e = dir.entries().get(tag);
    if (e == null) {
      return new double[0];
    }
    ByteBuffer b = ByteBuffer.wrap(e.value()).order(dir.order());
    int n = (int) Math.min(e.count(), e.value().length / (e.type() == 11 ? 4 : 8));
    double[] out = new double[n];
    for (int i = 0; i < n; i++) {
      out[i] = e.type() == 11 ? b.getFloat(4 * i) : e.type() == 12 ? b.getDouble(8 * i) : 0;
    }
    return out;
  }

  /**
   * The file's GeoKeys, or null when it has no GeoKeyDirectory.
   *
   * @throws GeoTiffException when the directory is malformed
   */
  public static GeoKeys geoKeys(TiffDirectory dir) throws GeoTiffException {
    long[] d = dir.longs(TiffDirectory.TAG_GEO_KEY_DIRECTORY);
    if (d.length == 0) {
      return null;
    }
    int[] directory = new int[d.length];
    for (int i = 0; i < d.length; i++) {
      directory[i] = (int) d[i];
    }
    try {
      return GeoKeys.of(
          directory,
          doubles(dir, TAG_GEO_DOUBLE_PARAMS),
          dir.ascii(TiffDirectory.TAG_GEO_ASCII_PARAMS));
    } catch (IllegalArgumentException e) {
      throw new GeoTiffException(dir.file(), "broken GeoTIFF keys: " + e.getMessage(), null, e);
    }
  }

  /**
   * The pixel-corner geotransform as GDAL computes it, or null when the file has no transform
   * (neither a ModelTransformation nor a tie point with a pixel scale).
   *
   * @param keys the file's GeoKeys (for the raster type), or null
   * @throws GeoTiffException for a file with ground control points only, or a degenerate transform
   */
  public static GeoTransform transform(TiffDirectory dir, GeoKeys keys) throws GeoTiffException {
    double[] m = doubles(dir, TAG_MODEL_TRANSFORMATION);
    double[] tie = doubles(dir, TAG_MODEL_TIEPOINT);
    double[] scale = doubles(dir, TAG_MODEL_PIXEL_SCALE);
    GeoTransform t;
    if (m.length >= 16) {
      t = new GeoTransform(m[3], m[0], m[1], m[7], m[4], m[5]);
    } else if (tie.length >= 6 && scale.length >= 2 && tie.length < 12) {
      t =
          new GeoTransform(
              tie[3] - tie[0] * scale[0], scale[0], 0, tie[4] + tie[1] * scale[1], 0, -scale[1]);
    } else if (tie.length >= 6) {
      throw new GeoTiffException(
          dir.file(),
          "is georeferenced by "
              + tie.length / 6
              + " ground control points, not by a geotransform; Landcover reads only rasters on"
              + " an affine grid",
          "warp it onto a grid first: gdalwarp -r near -co COMPRESS=DEFLATE in.tif out.tif");
    } else {
      return null;
    }
    double det = t.pixelWidth() * t.pixelHeight() - t.rowRotation() * t.columnRotation();
    if (!(Math.abs(det) > 0)
        || !Double.isFinite(det)
        || !Double.isFinite(t.originX())
        || !Double.isFinite(t.originY())) {
      throw new GeoTiffException(
          dir.file(),
          "has a degenerate geotransform " + t + " (pixels of zero or non-finite size)",
          null);
    }
    if (keys != null && keys.isPixelIsPoint()) {
      t =
          new GeoTransform(
              t.worldX(-0.5, -0.5),
              t.pixelWidth(),
              t.rowRotation(),
              t.worldY(-0.5, -0.5),
              t.columnRotation(),
              t.pixelHeight());
    }
    return t;
  }

  /**
   * The tags that store {@code t} (a pixel-corner transform) and {@code keys} (null: no CRS), as
   * GDAL writes them: ModelPixelScale and ModelTiepoint for north-up grids (positive pixel width,
   * negative pixel height, no rotation), ModelTransformation otherwise. Values are {@code int[]}
   * for SHORT tags, {@code double[]} for DOUBLE tags and {@code String} for ASCII tags.
   */
  public static Map<Integer, Object> encode(GeoTransform t, GeoKeys keys) {
    Map<Integer, Object> tags = new LinkedHashMap<>();
    if (t.rowRotation() == 0
        && t.columnRotation() == 0
        && t.pixelWidth() > 0
        && t.pixelHeight() < 0) {
      tags.put(TAG_MODEL_PIXEL_SCALE, new double[] {t.pixelWidth(), -t.pixelHeight(), 0});
      tags.put(TAG_MODEL_TIEPOINT, new double[] {0, 0, 0, t.originX(), t.originY(), 0});
    } else {
      tags.put(
          TAG_MODEL_TRANSFORMATION,
          new double[] {
            t.pixelWidth(),
            t.rowRotation(),
            0,
            t.originX(),
            t.columnRotation(),
            t.pixelHeight(),
            0,
            t.originY(),
            0,
            0,
            0,
            0,
            0,
            0,
            0,
            1
          });
    }
    if (keys != null) {
      GeoKeys area = keys.asPixelIsArea();
      tags.put(TiffDirectory.TAG_GEO_KEY_DIRECTORY, area.directory());
      if (area.doubles().length > 0) {
        tags.put(TAG_GEO_DOUBLE_PARAMS, area.doubles());
      }
      area.ascii().ifPresent(a -> tags.put(TiffDirectory.TAG_GEO_ASCII_PARAMS, a));
    }
    return tags;
  }

  /** The TIFF field type of a value of {@link #encode}: SHORT, DOUBLE or ASCII. */
  static int typeOf(Object value) {
    if (value instanceof int[]) {
      return TiffDirectory.TYPE_SHORT;
    }
    if (value instanceof double[]) {
      return 12;
    }
    return TiffDirectory.TYPE_ASCII;
  }

  /** The number of values of a value of {@link #encode}, ASCII with its NUL. */
  static int countOf(Object value) {
    if (value instanceof int[] a) {
      return a.length;
    }
    if (value instanceof double[] a) {
      return a.length;
    }
    return bytesOf((String) value).length;
  }

  /** The bytes of a value of {@link #encode} in {@code order}. */
  static byte[] bytes(Object value, java.nio.ByteOrder order) {
    if (value instanceof int[] a) {
      ByteBuffer b = ByteBuffer.allocate(2 * a.length).order(order);
      for (int v : a) {
        b.putShort((short) v);
      }
      return b.array();
    }
    if (value instanceof double[] a) {
      ByteBuffer b = ByteBuffer.allocate(8 * a.length).order(order);
      for (double v : a) {
        b.putDouble(v);
      }
      return b.array();
    }
    return bytesOf((String) value);
  }

  private static byte[] bytesOf(String text) {
    return (text + "\0").getBytes(StandardCharsets.ISO_8859_1);
  }
}

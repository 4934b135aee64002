package dev.landcover.geo;

import dev.landcover.geo.internal.Rasters;
import dev.landcover.pixels.PixelWindow;
import java.awt.image.WritableRaster;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import org.apache.sis.referencing.CRS;
import org.apache.sis.referencing.crs.AbstractCRS;
import org.apache.sis.referencing.cs.AxesConvention;
import org.apache.sis.referencing.operation.matrix.Matrix3;
import org.apache.sis.referencing.operation.transform.MathTransforms;
import org.apache.sis.util.Utilities;
import org.opengis.referencing.crs.CoordinateReferenceSystem;
import org.opengis.referencing.operation.MathTransform;
import org.opengis.referencing.operation.TransformException;
import org.opengis.util.FactoryException;

/**
 * Resamples a raster onto another grid (another CRS, origin, pixel size or size), as {@code
 * gdalwarp} does: each output pixel's centre is mapped to the source (through the CRS change that
 * Apache SIS's EPSG database gives, interpolated between exact points within 1e-7 source pixels)
 * and the source pixels around it are combined by a {@link Resampling} method with gdalwarp's
 * rules. Source pixels holding nodata take no part; output pixels with no source value hold the
 * source's nodata value (0 without one).
 *
 * <p>The output has the source's sample type, bands and nodata, and the target grid's size,
 * transform, CRS and GeoTIFF keys. Its pixels are computed tile by tile, reading only the source
 * windows they need, so rasters of any size stream.
 *
 * <pre>{@code
 * try (GeoTiffRaster src = GeoTiffRaster.open(nlcd); GeoTiffRaster like = GeoTiffRaster.open(scene)) {
 *   RasterAligner.align(src, like.grid(), Resampling.NEAREST, out, false);
 * }
 * }</pre>
 */
public final class RasterAligner {
  /** Points between two exactly transformed ones along a row (see {@link #transform}). */
  private static final int STEP = 16;

  /** Largest error, in source pixels, of an interpolated point (see {@link #transform}). */
  private static final double APPROXIMATION = 1e-7;

  /** Relative tolerance under which a pixel-size ratio counts as 1 (no downsampling). */
  private static final double SCALE_TOLERANCE = 0.01;

  private final SceneRaster source;
  private final RasterGrid target;
  private final Resampling method;
  private final MathTransform toSource;
  private final double fill;
  private final int[] bands;

  private RasterAligner(
      SceneRaster source,
      int[] bands,
      RasterGrid target,
      Resampling method,
      MathTransform toSource) {
    this.source = source;
    this.target = target;
    this.method = method;
    this.toSource = toSource;
    this.fill = source.noData(bands[0]).orElse(0);
    this.bands = bands;
  }

  /**
   * Band {@code band} of {@code source} resampled onto a target grid of {@code target}'s size, for
   * {@link #read}: the band stacks' on-the-fly resampling.
   *
   * @param toSource target pixel coordinates to source pixel coordinates (pixel-corner based)
   * @throws IllegalArgumentException when bilinear or cubic would downsample by more than 1%
   */
  static RasterAligner ofBand(
      SceneRaster source, int band, RasterGrid target, Resampling method, MathTransform toSource) {
    RasterAligner aligner = new RasterAligner(source, new int[] {band}, target, method, toSource);
    aligner.checkScale();
    return aligner;
  }

  /**
   * The resampled pixels of {@code window} (of the target grid, inside it), in the source's sample
   * type and nodata; a pixel is valid where a source value was found for it.
   */
  RasterWindow read(PixelWindow window) throws IOException {
    WritableRaster out =
        Rasters.createBanded(source.sampleType(), window.width(), window.height(), bands.length);
    boolean[] valid = compute(window, out);
    double[] nd = new double[bands.length];
    for (int b = 0; b < bands.length; b++) {
      nd[b] = source.noData(bands[b]).orElse(Double.NaN);
    }
    return new RasterWindow(window, bands.clone(), source.sampleType(), nd, out, valid);
  }

  /**
   * Writes {@code source} resampled onto {@code target} to {@code out}.
   *
   * @throws GeoTiffException when the grids' CRSs cannot be related (one missing, or no operation
   *     between them), or when the output cannot be written
   * @throws IllegalArgumentException when bilinear or cubic would downsample by more than 1%
   *     (gdalwarp then widens the kernel, which this class does not: use average or mode)
   * @throws IOException when the source cannot be read
   */
  public static void align(
      SceneRaster source, RasterGrid target, Resampling method, Path out, boolean overwrite)
      throws IOException {
    RasterAligner aligner =
        new RasterAligner(
            source, source.allBands(), target, method, pixelToPixel(source, target, out));
    aligner.checkScale();
    GeoTiffWriter writer =
        GeoTiffWriter.forGrid(target, source.sampleType(), source.bandCount())
            .overwrite(overwrite)
            .threads(Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors())));
    source.noData(1).ifPresent(writer::noData);
    writer.write(out, aligner::fill);
  }

  /** Target pixel coordinates to source pixel coordinates (both pixel-corner based). */
  static MathTransform pixelToPixel(SceneRaster source, RasterGrid target, Path out)
      throws GeoTiffException {
    RasterGrid from = source.grid();
    MathTransform crsChange;
    CoordinateReferenceSystem s = horizontal(from.crs().orElse(null));
    CoordinateReferenceSystem t = horizontal(target.crs().orElse(null));
    if (s == null || t == null) {
      boolean same =
          s == t
              && from.geoKeys()
                  .map(GeoKeys::asPixelIsArea)
                  .equals(target.geoKeys().map(GeoKeys::asPixelIsArea));
      if (!same) {
        throw new GeoTiffException(
            source.file(),
            "cannot be aligned onto the target grid: CRS "
                + from.crsLabel()
                + " to "
                + target.crsLabel()
                + " cannot be related (a CRS is missing or not decoded)",
            "reproject it with gdalwarp -t_srs instead");
      }
      crsChange = MathTransforms.identity(2);
    } else if (Utilities.equalsIgnoreMetadata(s, t)) {
      crsChange = MathTransforms.identity(2);
    } else {
      try {
        crsChange = CRS.findOperation(t, s, null).getMathTransform();
      } catch (FactoryException e) {
        throw new GeoTiffException(
            out,
            "no coordinate operation from "
                + target.crsLabel()
                + " to "
                + from.crsLabel()
                + ": "
                + e.getMessage(),
            "reproject with gdalwarp -t_srs instead",
            e);
      }
    }
    try {
      return MathTransforms.concatenate(
          affine(target.transform()), crsChange, affine(from.transform()).inverse());
    } catch (org.opengis.referencing.operation.NoninvertibleTransformException e) {
      throw new GeoTiffException(source.file(), "has a geotransform that cannot be inverted", null);
    }
  }

  private static CoordinateReferenceSystem horizontal(CoordinateReferenceSystem crs) {
    if (crs == null) {
      return null;
    }
    CoordinateReferenceSystem h = CRS.getHorizontalComponent(crs);
    return AbstractCRS.castOrCopy(h == null ? crs : h).forConvention(AxesConvention.RIGHT_HANDED);
  }

  private static MathTransform affine(GeoTransform g) {
    return MathTransforms.linear(
        new Matrix3(
            g.pixelWidth(),
            g.rowRotation(),
            g.originX(),
            g.columnRotation(),
            g.pixelHeight(),
            g.originY(),
            0,
            0,
            1));
  }

  /** Refuses bilinear and cubic where gdalwarp would widen the kernel (downsampling). */
  private void checkScale() {
    if (method != Resampling.BILINEAR && method != Resampling.CUBIC) {
      return;
    }
    double cx = target.width() / 2.0;
    double cy = target.height() / 2.0;
    double[] p = {cx, cy, cx + 1, cy, cx, cy + 1};
    try {
      toSource.transform(p, 0, p, 0, 3);
    } catch (TransformException e) {
      return;
    }
    double stepX = Math.hypot(p[2] - p[0], p[3] - p[1]);
    double stepY = Math.hypot(p[4] - p[0], p[5] - p[1]);
    if (stepX > 1 + SCALE_TOLERANCE || stepY > 1 + SCALE_TOLERANCE) {
      throw new IllegalArgumentException(
          String.format(
              java.util.Locale.ROOT,
              "%s resampling would downsample %s (%.3f x %.3f source pixels per output pixel):"
                  + " gdalwarp then widens the %s kernel, which Landcover does not; use average"
                  + " (or mode for classes) to downsample",
              method.gdalName(),
              source.file(),
              stepX,
              stepY,
              method.gdalName()));
    }
  }

  /** Computes one output tile. */
  private void fill(PixelWindow tile, WritableRaster out) throws IOException {
    compute(tile, out);
  }

  /**
   * Computes the pixels of {@code tile} into {@code out}; those without a source value hold the
   * fill value.
   *
   * @return the validity mask: whether each pixel (row-major) got a source value
   */
  private boolean[] compute(PixelWindow tile, WritableRaster out) throws IOException {
    int w = tile.width();
    int h = tile.height();
    boolean footprint = method == Resampling.AVERAGE || method == Resampling.MODE;
    // Centres for point methods, corners ((w + 1) x (h + 1)) for footprint methods.
    int pw = footprint ? w + 1 : w;
    int ph = footprint ? h + 1 : h;
    double off = footprint ? 0 : 0.5;
    double[] pts = new double[2 * pw * ph];
    for (int r = 0; r < ph; r++) {
      for (int c = 0; c < pw; c++) {
        int i = 2 * (r * pw + c);
        pts[i] = tile.x() + c + off;
        pts[i + 1] = tile.y() + r + off;
      }
    }
    transform(pts, pw);
    for (int b = 0; b < bands.length; b++) {
      for (int r = 0; r < h; r++) {
        for (int c = 0; c < w; c++) {
          set(out, c, r, b, fill);
        }
      }
    }
    double minX = Double.POSITIVE_INFINITY;
    double minY = Double.POSITIVE_INFINITY;
    double maxX = Double.NEGATIVE_INFINITY;
    double maxY = Double.NEGATIVE_INFINITY;
    for (int i = 0; i < pts.length; i += 2) {
      if (Double.isFinite(pts[i]) && Double.isFinite(pts[i + 1])) {
        minX = Math.min(minX, pts[i]);
        maxX = Math.max(maxX, pts[i]);
        minY = Math.min(minY, pts[i + 1]);
        maxY = Math.max(maxY, pts[i + 1]);
      }
    }
    int x0 = (int) Math.max(0, Math.floor(minX) - 2);
    int y0 = (int) Math.max(0, Math.floor(minY) - 2);
    int x1 = (int) Math.min(source.width(), Math.ceil(maxX) + 3);
    int y1 = (int) Math.min(source.height(), Math.ceil(maxY) + 3);
    boolean[] valid = new boolean[w * h];
    if (!(minX <= maxX) || x0 >= x1 || y0 >= y1) {
      return valid;
    }
    Source src = new Source(source.read(new PixelWindow(x0, y0, x1 - x0, y1 - y0), bands));
    double[] values = new double[bands.length];
    for (int r = 0; r < h; r++) {
      for (int c = 0; c < w; c++) {
        boolean ok;
        if (footprint) {
          int a = 2 * (r * pw + c);
          int d = 2 * ((r + 1) * pw + c + 1);
          ok = footprint(src, pts[a], pts[a + 1], pts[d], pts[d + 1], values);
        } else {
          int i = 2 * (r * pw + c);
          ok = point(src, pts[i], pts[i + 1], values);
        }
        if (ok) {
          valid[r * w + c] = true;
          for (int b = 0; b < bands.length; b++) {
            set(out, c, r, b, values[b]);
          }
        }
      }
    }
    return valid;
  }

  /**
   * Transforms rows of {@code width} points in place; points that cannot be transformed become NaN.
   * Along each row, every {@link #STEP}th point is transformed exactly and those between are
   * interpolated linearly where the exact midpoint of the span lies within {@link #APPROXIMATION}
   * source pixels of the interpolated one (else each is transformed): the result equals the exact
   * one to that tolerance, at a fraction of the cost.
   */
  private void transform(double[] pts, int width) {
    int rows = pts.length / 2 / width;
    double[] nodes = new double[2 * ((width + STEP - 1) / STEP + 1)];
    for (int r = 0; r < rows; r++) {
      int base = 2 * r * width;
      int count = 0;
      for (int c = 0; c < width; c += STEP) {
        nodes[2 * count] = pts[base + 2 * c];
        nodes[2 * count + 1] = pts[base + 2 * c + 1];
        count++;
      }
      boolean lastIsNode = (width - 1) % STEP == 0;
      if (!lastIsNode) {
        nodes[2 * count] = pts[base + 2 * (width - 1)];
        nodes[2 * count + 1] = pts[base + 2 * (width - 1) + 1];
        count++;
      }
      exact(nodes, 0, count);
      int[] at = new int[count];
      for (int k = 0; k < count; k++) {
        at[k] = Math.min(k * STEP, width - 1);
      }
      for (int k = 0; k + 1 < count; k++) {
        int c0 = at[k];
        int c1 = at[k + 1];
        if (c1 - c0 > 1 && !interpolate(pts, base, c0, c1, nodes, k)) {
          exact(pts, base / 2 + c0 + 1, c1 - c0 - 1);
        }
      }
      for (int k = 0; k < count; k++) {
        pts[base + 2 * at[k]] = nodes[2 * k];
        pts[base + 2 * at[k] + 1] = nodes[2 * k + 1];
      }
    }
  }

  /** Fills points c0 + 1 .. c1 - 1 of a row linearly between nodes k and k + 1, if close enough. */
  private boolean interpolate(double[] pts, int base, int c0, int c1, double[] nodes, int k) {
    double x0 = nodes[2 * k];
    double y0 = nodes[2 * k + 1];
    double x1 = nodes[2 * k + 2];
    double y1 = nodes[2 * k + 3];
    if (!Double.isFinite(x0 + y0 + x1 + y1)) {
      return false;
    }
    int mid = (c0 + c1) / 2;
    double[] m = {pts[base + 2 * mid], pts[base + 2 * mid + 1]};
    exact(m, 0, 1);
    double f = (mid - c0) / (double) (c1 - c0);
    if (!(Math.abs(x0 + f * (x1 - x0) - m[0]) <= APPROXIMATION
        && Math.abs(y0 + f * (y1 - y0) - m[1]) <= APPROXIMATION)) {
      return false;
    }
    for (int c = c0 + 1; c < c1; c++) {
      double g = (c - c0) / (double) (c1 - c0);
      pts[base + 2 * c] = x0 + g * (x1 - x0);
      pts[base + 2 * c + 1] = y0 + g * (y1 - y0);
    }
    return true;
  }

  /** Transforms {@code n} points from point {@code first} exactly; failures become NaN. */
  private void exact(double[] pts, int first, int n) {
    if (n <= 0) {
      return;
    }
    try {
      toSource.transform(pts, 2 * first, pts, 2 * first, n);
    } catch (TransformException e) {
      double[] one = new double[2];
      for (int i = 2 * first; i < 2 * (first + n); i += 2) {
        one[0] = pts[i];
        one[1] = pts[i + 1];
        try {
          toSource.transform(one, 0, one, 0, 1);
          pts[i] = one[0];
          pts[i + 1] = one[1];
        } catch (TransformException f) {
          pts[i] = Double.NaN;
          pts[i + 1] = Double.NaN;
        }
      }
    }
  }

  /** The source window read for a tile, addressed in source pixel coordinates. */
  private final class Source {
    final RasterWindow data;
    final int x0;
    final int y0;
    final int width;
    final int height;

    Source(RasterWindow data) {
      this.data = data;
      this.x0 = data.window().x();
      this.y0 = data.window().y();
      this.width = data.window().width();
      this.height = data.window().height();
    }

    /** Whether source pixel (x, y) is inside the source and this window, and holds data. */
    boolean valid(int x, int y) {
      int c = x - x0;
      int r = y - y0;
      return x >= 0
          && y >= 0
          && x < source.width()
          && y < source.height()
          && c >= 0
          && r >= 0
          && c < width
          && r < height
          && data.isValid(c, r);
    }

    double value(int band, int x, int y) {
      return data.sample(band, x - x0, y - y0);
    }
  }

  /** Nearest, bilinear or cubic at source position (sx, sy); false when no value. */
  private boolean point(Source src, double sx, double sy, double[] values) {
    if (!(sx >= 0 && sy >= 0 && sx < source.width() && sy < source.height())) {
      return false;
    }
    int ix = (int) Math.floor(sx);
    int iy = (int) Math.floor(sy);
    if (method == Resampling.NEAREST) {
      if (!src.valid(ix, iy)) {
        return false;
      }
      for (int b = 0; b < values.length; b++) {
        values[b] = src.value(b, ix, iy);
      }
      return true;
    }
    double px = sx - 0.5;
    double py = sy - 0.5;
    int bx = (int) Math.floor(px);
    int by = (int) Math.floor(py);
    double dx = px - bx;
    double dy = py - by;
    boolean cubic =
        method == Resampling.CUBIC
            && bx - 1 >= 0
            && by - 1 >= 0
            && bx + 2 < source.width()
            && by + 2 < source.height();
    int from = cubic ? -1 : 0;
    int to = cubic ? 2 : 1;
    double[] wx = new double[4];
    double[] wy = new double[4];
    for (int k = from; k <= to; k++) {
      wx[k + 1] = cubic ? keys(dx - k) : k == 0 ? 1 - dx : dx;
      wy[k + 1] = cubic ? keys(dy - k) : k == 0 ? 1 - dy : dy;
    }
    double weights = 0;
    Arrays.fill(values, 0);
    for (int j = from; j <= to; j++) {
      for (int i = from; i <= to; i++) {
        int x = bx + i;
        int y = by + j;
        if (!src.valid(x, y)) {
          continue;
        }
        double weight = wx[i + 1] * wy[j + 1];
        weights += weight;
        for (int b = 0; b < values.length; b++) {
          values[b] += weight * src.value(b, x, y);
        }
      }
    }
    if (Math.abs(weights) < 1e-5) {
      return false;
    }
    for (int b = 0; b < values.length; b++) {
      values[b] /= weights;
    }
    return true;
  }

  /** Keys' cubic convolution kernel with a = -0.5, as GDAL's. */
  private static double keys(double t) {
    double x = Math.abs(t);
    if (x <= 1) {
      return (1.5 * x - 2.5) * x * x + 1;
    }
    if (x < 2) {
      return ((-0.5 * x + 2.5) * x - 4) * x + 2;
    }
    return 0;
  }

  /**
   * Average or mode over the source pixels under the output pixel whose corners map to (ax, ay) and
   * (dx, dy); false when no source pixel there holds data.
   */
  private boolean footprint(
      Source src, double ax, double ay, double dx, double dy, double[] values) {
    if (!Double.isFinite(ax)
        || !Double.isFinite(ay)
        || !Double.isFinite(dx)
        || !Double.isFinite(dy)) {
      return false;
    }
    double xMin = Math.min(ax, dx);
    double xMax = Math.max(ax, dx);
    double yMin = Math.min(ay, dy);
    double yMax = Math.max(ay, dy);
    int sx0 = (int) Math.max(Math.floor(xMin + 1e-10), 0);
    int sx1 = (int) Math.min(Math.ceil(xMax - 1e-10), source.width());
    int sy0 = (int) Math.max(Math.floor(yMin + 1e-10), 0);
    int sy1 = (int) Math.min(Math.ceil(yMax - 1e-10), source.height());
    if (sx0 == sx1 && sx1 < source.width()) {
      sx1++;
    }
    if (sy0 == sy1 && sy1 < source.height()) {
      sy1++;
    }
    if (sx0 >= sx1 || sy0 >= sy1) {
      return false;
    }
    if (method == Resampling.AVERAGE) {
      double weights = 0;
      Arrays.fill(values, 0);
      for (int y = sy0; y < sy1; y++) {
        double wy = Math.min(y + 1, yMax) - Math.max(y, yMin);
        if (y == sy0 && y + 1 == sy1 && wy <= 0) {
          wy = 1;
        }
        for (int x = sx0; x < sx1; x++) {
          double wx = Math.min(x + 1, xMax) - Math.max(x, xMin);
          if (x == sx0 && x + 1 == sx1 && wx <= 0) {
            wx = 1;
          }
          double weight = Math.max(wx, 0) * Math.max(wy, 0);
          if (weight <= 0 || !src.valid(x, y)) {
            continue;
          }
          weights += weight;
          for (int b = 0; b < values.length; b++) {
            values[b] += weight * src.value(b, x, y);
          }
        }
      }
      if (weights <= 0) {
        return false;
      }
      for (int b = 0; b < values.length; b++) {
        values[b] /= weights;
      }
      return true;
    }
    boolean any = false;
    for (int b = 0; b < values.length; b++) {
      Map<Double, Integer> counts = new HashMap<>();
      int best = 0;
      double mode = 0;
      for (int y = sy0; y < sy1; y++) {
        for (int x = sx0; x < sx1; x++) {
          if (!src.valid(x, y)) {
            continue;
          }
          double v = src.value(b, x, y);
          int n = counts.merge(v, 1, Integer::sum);
          if (n > best) {
            best = n;
            mode = v;
          }
        }
      }
      if (best > 0) {
        values[b] = mode;
        any = true;
      }
    }
    return any;
  }

  /** Stores {@code value} rounded and clamped to the output type, as GDAL does. */
  private void set(WritableRaster out, int c, int r, int b, double value) {
    SampleType type = source.sampleType();
    if (type.isFloatingPoint()) {
      out.setSample(c, r, b, value);
      return;
    }
    double v = Math.floor(value + 0.5);
    v = Math.max(type.minValue(), Math.min(type.maxValue(), v));
    out.setSample(c, r, b, type == SampleType.UINT32 ? (int) (long) v : (int) v);
  }
}

package dev.landcover.vectors;

import dev.landcover.geo.GeoTiffRaster;
import dev.landcover.geo.GeoTiffWriter;
import dev.landcover.geo.GeoTransform;
import dev.landcover.geo.RasterGrid;
import dev.landcover.geo.SampleType;
import dev.landcover.pixels.InvalidInputException;
import dev.landcover.vectors.internal.Crs;
import dev.landcover.vectors.internal.GdalScanlines;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.locationtech.jts.geom.Coordinate;
import org.locationtech.jts.geom.Geometry;
import org.locationtech.jts.geom.LinearRing;
import org.locationtech.jts.geom.Polygon;
import org.opengis.referencing.crs.CoordinateReferenceSystem;
import org.opengis.referencing.operation.MathTransform;
import org.opengis.referencing.operation.TransformException;
import org.opengis.util.FactoryException;

/**
 * Polygons to a label raster on an image's grid, with gdal_rasterize's rules: a pixel takes a
 * polygon's value when its centre is inside the polygon (or, with all-touched, also when the
 * polygon's outline passes through it); later features overwrite earlier ones (file order); pixels
 * no polygon covers are nodata.
 *
 * <p>Vertices are reprojected to the image's CRS (Apache SIS) when the layer's CRS differs, then
 * turned into pixel coordinates with the inverse geotransform computed as GDAL computes it, so that
 * the result equals {@code gdal_rasterize -a FIELD} on the same grid pixel for pixel (rasters of up
 * to {@value #STRIP_PIXELS} pixels are burnt in one piece, as GDAL does with its default cache;
 * larger ones by strips of rows, where a value could differ only for a vertex exactly on a pixel
 * centre or edge).
 */
public final class LabelRasterizer {
  /** The most pixels burnt at once (one int each). */
  static final int STRIP_PIXELS = 1 << 24;

  private LabelRasterizer() {}

  /** What a rasterization did. */
  public record Result(
      Path out, RasterGrid grid, int features, int maxValue, long labelledPixels) {}

  /**
   * Burns the polygons of {@code request.vector()} onto the grid of {@code request.like()} and
   * writes the labels (temporary file, then atomic move).
   *
   * @throws InvalidInputException for unreadable files, non-polygonal geometries, values that are
   *     not integers from 0 to 65535, or a layer without a CRS
   */
  public static Result rasterize(RasterizeRequest request) throws IOException {
    RasterGrid grid;
    try (GeoTiffRaster like = GeoTiffRaster.open(request.like())) {
      grid = like.grid();
    }
    VectorLayer layer = VectorLayer.read(request.vector(), request.layer(), request.field());
    Labels labels = burnable(layer, request, grid);
    SampleType type = labels.maxValue > 255 ? SampleType.UINT16 : SampleType.UINT8;
    if (request.noData() > 255) {
      type = SampleType.UINT16;
    }
    long[] labelled = new long[1];
    int rowsPerStrip = Math.max(256, (STRIP_PIXELS / grid.width()) / 256 * 256);
    int[][] strip = {null};
    int[] stripY = {-1};
    GeoTiffWriter.forGrid(grid, type, 1)
        .noData(request.noData())
        .tileSize(256)
        .write(
            request.out(),
            (tile, target) -> {
              int y0 = tile.y() / rowsPerStrip * rowsPerStrip;
              if (stripY[0] != y0) {
                int h = Math.min(rowsPerStrip, grid.height() - y0);
                strip[0] = labels.burn(grid.width(), y0, h, request.allTouched(), request.noData());
                stripY[0] = y0;
                for (int v : strip[0]) {
                  if (v != request.noData()) {
                    labelled[0]++;
                  }
                }
              }
              int[] row = new int[tile.width()];
              for (int y = 0; y < tile.height(); y++) {
                int gy = tile.y() + y;
                if (gy >= grid.height()) {
                  break;
                }
                Arrays.fill(row, request.noData());
                int w = Math.min(tile.width(), grid.width() - tile.x());
                System.arraycopy(
                    strip[0], (gy - y0) * grid.width() + tile.x(), row, 0, Math.max(0, w));
                target.setSamples(0, y, tile.width(), 1, 0, row);
              }
            });
    return new Result(request.out(), grid, labels.values.length, labels.maxValue, labelled[0]);
  }

  /** Polygons in pixel coordinates of the whole grid, ready to burn. */
  private static final class Labels {
    final List<double[][]> parts = new ArrayList<>(); // per polygon: {xs, ys}
    final List<int[]> partSizes = new ArrayList<>();
    int[] values = new int[0];
    int maxValue;

    int[] burn(int width, int y0, int height, boolean allTouched, int noData) {
      int[] buffer = new int[width * height];
      Arrays.fill(buffer, noData);
      for (int p = 0; p < parts.size(); p++) {
        int value = values[p];
        double[] xs = parts.get(p)[0];
        double[] ys = parts.get(p)[1].clone();
        for (int i = 0; i < ys.length; i++) {
          ys[i] -= y0;
        }
        GdalScanlines.Sink sink =
            new GdalScanlines.Sink() {
              @Override
              public void run(int y, int x0, int x1) {
                if (x0 > x1) {
                  return;
                }
                int from = Math.max(0, x0);
                int to = Math.min(width - 1, x1);
                if (from <= to) {
                  Arrays.fill(buffer, y * width + from, y * width + to + 1, value);
                }
              }

              @Override
              public void pixel(int y, int x) {
                buffer[y * width + x] = value;
              }
            };
        GdalScanlines.fillPolygon(width, height, partSizes.get(p), xs, ys, sink);
        if (allTouched) {
          GdalScanlines.outlineAllTouched(width, height, partSizes.get(p), xs, ys, sink);
        }
      }
      return buffer;
    }
  }

  private static Labels burnable(VectorLayer layer, RasterizeRequest request, RasterGrid grid)
      throws IOException {
    MathTransform toImage;
    CoordinateReferenceSystem imageCrs = grid.crs().orElse(null);
    CoordinateReferenceSystem layerCrs = layer.crs().orElse(null);
    if (layerCrs == null || imageCrs == null) {
      if (layerCrs != imageCrs) {
        throw new InvalidInputException(
            (layerCrs == null ? layer.file() : request.like())
                + " has no CRS while "
                + (layerCrs == null ? request.like() : layer.file())
                + " has one: cannot place the polygons on the image");
      }
      toImage = null;
    } else {
      try {
        toImage = Crs.transform(layerCrs, imageCrs);
      } catch (FactoryException e) {
        throw new InvalidInputException(
            layer.file()
                + ": no transformation from its CRS to the CRS of "
                + request.like()
                + ": "
                + e.getMessage(),
            e);
      }
    }
    double[] inverse = invertLikeGdal(grid.transform(), request.like());
    Labels labels = new Labels();
    List<Integer> values = new ArrayList<>();
    for (VectorLayer.Feature f : layer.features()) {
      Geometry g = f.geometry();
      if (g == null || g.isEmpty()) {
        continue;
      }
      int value = burnValue(layer, request.field(), f);
      for (int i = 0; i < g.getNumGeometries(); i++) {
        Geometry part = g.getGeometryN(i);
        if (!(part instanceof Polygon polygon)) {
          throw new InvalidInputException(
              layer.file()
                  + ": feature "
                  + f.fid()
                  + " is a "
                  + part.getGeometryType()
                  + "; only polygons are rasterized as labels");
        }
        if (polygon.isEmpty()) {
          continue;
        }
        List<LinearRing> rings = new ArrayList<>();
        rings.add(polygon.getExteriorRing());
        for (int h = 0; h < polygon.getNumInteriorRing(); h++) {
          rings.add(polygon.getInteriorRingN(h));
        }
        int total = 0;
        int[] sizes = new int[rings.size()];
        for (int r = 0; r < rings.size(); r++) {
          sizes[r] = rings.get(r).getNumPoints();
          total += sizes[r];
        }
        double[] xy = new double[2 * total];
        int k = 0;
        for (LinearRing ring : rings) {
          for (Coordinate c : ring.getCoordinates()) {
            xy[k++] = c.getX();
            xy[k++] = c.getY();
          }
        }
        if (toImage != null) {
          try {
            toImage.transform(xy, 0, xy, 0, total);
          } catch (TransformException e) {
            throw new InvalidInputException(
                layer.file()
                    + ": feature "
                    + f.fid()
                    + " cannot be projected to the CRS of "
                    + request.like()
                    + ": "
                    + e.getMessage(),
                e);
          }
        }
        double[] xs = new double[total];
        double[] ys = new double[total];
        for (int v = 0; v < total; v++) {
          double x = xy[2 * v];
          double y = xy[2 * v + 1];
          xs[v] = inverse[0] + x * inverse[1] + y * inverse[2];
          ys[v] = inverse[3] + x * inverse[4] + y * inverse[5];
        }
        labels.parts.add(new double[][] {xs, ys});
        labels.partSizes.add(sizes);
        values.add(value);
        labels.maxValue = Math.max(labels.maxValue, value);
      }
    }
    labels.values = values.stream().mapToInt(Integer::intValue).toArray();
    return labels;
  }

  private static int burnValue(VectorLayer layer, String field, VectorLayer.Feature f)
      throws InvalidInputException {
    Object v = f.value();
    double d;
    if (v instanceof Number n) {
      d = n.doubleValue();
    } else if (v instanceof String s) {
      try {
        d = Double.parseDouble(s.trim());
      } catch (NumberFormatException e) {
        throw new InvalidInputException(
            layer.file()
                + ": feature "
                + f.fid()
                + " has "
                + field
                + "='"
                + s
                + "', expected an integer class from 0 to 65535");
      }
    } else {
      throw new InvalidInputException(
          layer.file()
              + ": feature "
              + f.fid()
              + " has no value in field '"
              + field
              + "', expected an integer class from 0 to 65535");
    }
    if (d != Math.rint(d) || d < 0 || d > 65535) {
      throw new InvalidInputException(
          layer.file()
              + ": feature "
              + f.fid()
              + " has "
              + field
              + "="
              + v
              + ", expected an integer class from 0 to 65535");
    }
    return (int) d;
  }

  /**
   * GDAL's inverse geotransform ({@code GDALInvGeoTransform}): the same arithmetic, so that pixel
   * coordinates (and the pixels a vertex on an edge falls into) equal GDAL's.
   */
  static double[] invertLikeGdal(GeoTransform t, Path file) throws InvalidInputException {
    double[] g = t.toGdal();
    if (g[2] == 0.0 && g[4] == 0.0 && g[1] != 0.0 && g[5] != 0.0) {
      return new double[] {-g[0] / g[1], 1.0 / g[1], 0.0, -g[3] / g[5], 0.0, 1.0 / g[5]};
    }
    double det = g[1] * g[5] - g[2] * g[4];
    double magnitude =
        Math.max(
            Math.max(Math.abs(g[1]), Math.abs(g[2])), Math.max(Math.abs(g[4]), Math.abs(g[5])));
    if (Math.abs(det) <= 1e-10 * magnitude * magnitude) {
      throw new InvalidInputException(file + ": its geotransform " + t + " cannot be inverted");
    }
    double invDet = 1.0 / det;
    return new double[] {
      (g[2] * g[3] - g[0] * g[5]) * invDet,
      g[5] * invDet,
      -g[2] * invDet,
      (-g[1] * g[3] + g[0] * g[4]) * invDet,
      -g[4] * invDet,
      g[1] * invDet
    };
  }
}

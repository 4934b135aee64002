package dev.landcover.vectors.internal;

/**
 * GDAL's polygon rasterization rules (GDAL 3.6 {@code alg/llrasterize.cpp}), written again so that
 * labels burnt here equal {@code gdal_rasterize}'s pixel for pixel.
 *
 * <p>Coordinates are in pixel units of the target buffer: x to the right from its left edge, y down
 * from its top edge, so pixel (column c, row r) covers {@code [c, c+1) x [r, r+1)} and its centre
 * is {@code (c + 0.5, r + 0.5)}. A polygon is given as rings ("parts"), each listing its points
 * with the closing point repeated, as OGR hands them to the rasterizer.
 */
public final class GdalScanlines {
  /** Receives the pixels to burn. */
  public interface Sink {
    /** Burns pixels {@code x0..x1} (inclusive, possibly outside the buffer) of row {@code y}. */
    void run(int y, int x0, int x1);

    /** Burns one pixel, inside the buffer. */
    void pixel(int y, int x);
  }

  private GdalScanlines() {}

  /**
   * The pixel-centre rule ({@code GDALdllImageFilledPolygon}): a pixel is burnt when its centre is
   * inside the polygon (even-odd over all rings), with GDAL's handling of centres that fall on an
   * edge: the intersection of each scanline {@code y + 0.5} with an edge is rounded with {@code
   * floor(x + 0.5)}, runs are {@code [x0, x1)}; an edge whose both ends lie on the scanline burns
   * its own run when it goes right to left. (GDAL tests every edge on every row; edges are bucketed
   * by row here, which finds the same intersections.)
   */
  public static void fillPolygon(
      int width, int height, int[] partSizes, double[] xs, double[] ys, Sink sink) {
    int parts = partSizes.length;
    if (parts == 0) {
      return;
    }
    int n = 0;
    for (int size : partSizes) {
      n += size;
    }
    if (n == 0) {
      return;
    }
    int[] polyInts = new int[n];
    double dminy = ys[0];
    double dmaxy = ys[0];
    for (int i = 1; i < n; i++) {
      dminy = Math.min(dminy, ys[i]);
      dmaxy = Math.max(dmaxy, ys[i]);
    }
    int miny = (int) dminy;
    int maxy = (int) dmaxy;
    if (miny < 0) {
      miny = 0;
    }
    if (maxy >= height) {
      maxy = height - 1;
    }
    int minx = 0;
    int maxx = width - 1;
    if (miny > maxy) {
      return;
    }
    // The edges (ind1, ind2) in GDAL's order, listed under the rows whose centre line they may
    // reach (one row of margin each side; the exact test below decides, as in GDAL).
    int[] ind1s = new int[n];
    int[] ind2s = new int[n];
    int rows = maxy - miny + 1;
    int[] rowCount = new int[rows + 1];
    int[] first = new int[n];
    int[] last = new int[n];
    int partoffset = 0;
    int part = 0;
    for (int i = 0; i < n; i++) {
      if (i == partoffset + partSizes[part]) {
        partoffset += partSizes[part];
        part++;
      }
      if (i == partoffset) {
        ind1s[i] = partoffset + partSizes[part] - 1;
        ind2s[i] = partoffset;
      } else {
        ind1s[i] = i - 1;
        ind2s[i] = i;
      }
      double lo = Math.min(ys[ind1s[i]], ys[ind2s[i]]);
      double hi = Math.max(ys[ind1s[i]], ys[ind2s[i]]);
      double from = Math.max(miny, Math.floor(lo - 0.5) - 1);
      double to = Math.min(maxy, Math.ceil(hi - 0.5) + 1);
      if (!(from <= to)) {
        first[i] = 0;
        last[i] = -1;
        continue;
      }
      first[i] = (int) from - miny;
      last[i] = (int) to - miny;
      for (int r = first[i]; r <= last[i]; r++) {
        rowCount[r + 1]++;
      }
    }
    for (int r = 0; r < rows; r++) {
      rowCount[r + 1] += rowCount[r];
    }
    int[] fill = java.util.Arrays.copyOf(rowCount, rows);
    int[] edges = new int[rowCount[rows]];
    for (int i = 0; i < n; i++) {
      for (int r = first[i]; r <= last[i]; r++) {
        edges[fill[r]++] = i;
      }
    }
    for (int y = miny; y <= maxy; y++) {
      double dy = y + 0.5;
      int ints = 0;
      for (int k = rowCount[y - miny]; k < rowCount[y - miny + 1]; k++) {
        int i = edges[k];
        int ind1 = ind1s[i];
        int ind2 = ind2s[i];
        double dy1 = ys[ind1];
        double dy2 = ys[ind2];
        if ((dy1 < dy && dy2 < dy) || (dy1 > dy && dy2 > dy)) {
          continue;
        }
        double dx1;
        double dx2;
        if (dy1 < dy2) {
          dx1 = xs[ind1];
          dx2 = xs[ind2];
        } else if (dy1 > dy2) {
          double t = dy1;
          dy1 = dy2;
          dy2 = t;
          dx2 = xs[ind1];
          dx1 = xs[ind2];
        } else {
          if (xs[ind1] > xs[ind2]) {
            int hx1 = (int) Math.floor(xs[ind2] + 0.5);
            int hx2 = (int) Math.floor(xs[ind1] + 0.5);
            if (hx1 > maxx || hx2 <= minx) {
              continue;
            }
            sink.run(y, hx1, hx2 - 1);
          }
          continue;
        }
        if (dy < dy2 && dy >= dy1) {
          double intersect = (dy - dy1) * (dx2 - dx1) / (dy2 - dy1) + dx1;
          polyInts[ints++] = (int) Math.floor(intersect + 0.5);
        }
      }
      java.util.Arrays.sort(polyInts, 0, ints);
      for (int i = 0; i + 1 < ints; i += 2) {
        if (polyInts[i] <= maxx && polyInts[i + 1] > minx) {
          sink.run(y, polyInts[i], polyInts[i + 1] - 1);
        }
      }
    }
  }

  /**
   * The all-touched outline of a polygon ({@code GDALdllImageLineAllTouched} as GDAL calls it for
   * polygons: replace mode, "intersect only"): every pixel a ring's segment passes through, except
   * segments that run along pixel edges (both ends within 0.01 pixel of a grid line), which burn
   * nothing. Burnt on top of {@link #fillPolygon}, this is gdal_rasterize's {@code -at}.
   */
  public static void outlineAllTouched(
      int width, int height, int[] partSizes, double[] xs, double[] ys, Sink sink) {
    int n = 0;
    for (int part : partSizes) {
      for (int j = 1; j < part; j++) {
        segmentAllTouched(width, height, xs[n + j - 1], ys[n + j - 1], xs[n + j], ys[n + j], sink);
      }
      n += part;
    }
  }

  private static void segmentAllTouched(
      int width, int height, double dfX, double dfY, double dfXEnd, double dfYEnd, Sink sink) {
    if ((dfY < 0 && dfYEnd < 0)
        || (dfY > height && dfYEnd > height)
        || (dfX < 0 && dfXEnd < 0)
        || (dfX > width && dfXEnd > width)) {
      return;
    }
    if (dfX > dfXEnd) {
      double t = dfX;
      dfX = dfXEnd;
      dfXEnd = t;
      t = dfY;
      dfY = dfYEnd;
      dfYEnd = t;
    }
    if (Math.floor(dfX) == Math.floor(dfXEnd) || Math.abs(dfX - dfXEnd) < .01) {
      if (Math.abs(dfX - Math.rint(dfX)) < 0.01 && Math.abs(dfXEnd - Math.rint(dfXEnd)) < 0.01) {
        return;
      }
      if (dfYEnd < dfY) {
        double t = dfY;
        dfY = dfYEnd;
        dfYEnd = t;
      }
      int iX = (int) Math.floor(dfXEnd);
      int iY = (int) Math.floor(dfY);
      int iYEnd = (int) Math.floor(dfYEnd);
      if (iX < 0 || iX >= width) {
        return;
      }
      if (iY < 0) {
        iY = 0;
      }
      if (iYEnd >= height) {
        iYEnd = height - 1;
      }
      for (; iY <= iYEnd; iY++) {
        sink.pixel(iY, iX);
      }
      return;
    }
    if (Math.floor(dfY) == Math.floor(dfYEnd) || Math.abs(dfY - dfYEnd) < .01) {
      if (Math.abs(dfY - Math.rint(dfY)) < 0.01 && Math.abs(dfYEnd - Math.rint(dfYEnd)) < 0.01) {
        return;
      }
      int iX = (int) Math.floor(dfX);
      int iY = (int) Math.floor(dfY);
      int iXEnd = (int) Math.floor(dfXEnd);
      if (iY < 0 || iY >= height) {
        return;
      }
      if (iX < 0) {
        iX = 0;
      }
      if (iXEnd >= width) {
        iXEnd = width - 1;
      }
      for (; iX <= iXEnd; iX++) {
        sink.pixel(iY, iX);
      }
      return;
    }
    double dfSlope = (dfYEnd - dfY) / (dfXEnd - dfX);
    if (dfXEnd > width) {
      dfYEnd -= (dfXEnd - width) * dfSlope;
      dfXEnd = width;
    }
    if (dfX < 0.0) {
      dfY += (0.0 - dfX) * dfSlope;
      dfX = 0.0;
    }
    if (dfYEnd > dfY) {
      if (dfY < 0.0) {
        double dfDiffX = (0.0 - dfY) / dfSlope;
        dfX += dfDiffX;
        dfY = 0.0;
      }
      if (dfYEnd >= height) {
        dfXEnd += (dfYEnd - height) / dfSlope;
        if (dfXEnd > width) {
          dfXEnd = width;
        }
      }
    } else {
      if (dfY >= height) {
        double dfDiffX = (height - dfY) / dfSlope;
        dfX += dfDiffX;
        dfY = height;
      }
      if (dfYEnd < 0.0) {
        dfXEnd -= (dfYEnd - 0) / dfSlope;
      }
    }
    while (dfX >= 0.0 && dfX < dfXEnd) {
      int iX = (int) Math.floor(dfX);
      int iY = (int) Math.floor(dfY);
      if (iY >= 0 && iY < height) {
        sink.pixel(iY, iX);
      }
      double dfStepX = Math.floor(dfX + 1.0) - dfX;
      double dfStepY = dfStepX * dfSlope;
      if ((int) Math.floor(dfY + dfStepY) == iY) {
        dfX += dfStepX;
        dfY += dfStepY;
      } else if (dfSlope < 0) {
        dfStepY = iY - dfY;
        if (dfStepY > -0.000000001) {
          dfStepY = -0.000000001;
        }
        dfStepX = dfStepY / dfSlope;
        dfX += dfStepX;
        dfY += dfStepY;
      } else {
        dfStepY = (iY + 1) - dfY;
        if (dfStepY < 0.000000001) {
          dfStepY = 0.000000001;
        }
        dfStepX = dfStepY / dfSlope;
        dfX += dfStepX;
        dfY += dfStepY;
      }
    }
  }
}

package dev.landcover.pixels;

/**
 * A rectangle of pixels, half-open: columns {@code [x, x + width)} and rows {@code [y, y +
 * height)}. The origin may be negative and the window may reach past a raster's edge; what that
 * means is up to the reader of the window (see the geo module, which fills the outside with
 * nodata).
 *
 * @param x first column (inclusive)
 * @param y first row (inclusive)
 * @param width number of columns, at least 1
 * @param height number of rows, at least 1
 */
public record PixelWindow(int x, int y, int width, int height) {

  /** Checks that the window is not empty. */
  public PixelWindow {
    if (width <= 0 || height <= 0) {
      throw new IllegalArgumentException(
          "A pixel window needs a positive size: width=" + width + ", height=" + height);
    }
  }

  /** Column just past the window (exclusive). */
  public int endX() {
    return x + width;
  }

  /** Row just past the window (exclusive). */
  public int endY() {
    return y + height;
  }

  /** Number of pixels in the window. */
  public long area() {
    return (long) width * height;
  }

  /** Whether the pixel (column, row) lies inside this window. */
  public boolean contains(int column, int row) {
    return column >= x && column < endX() && row >= y && row < endY();
  }

  /** Whether {@code other} lies entirely inside this window. */
  public boolean contains(PixelWindow other) {
    return other.x >= x && other.y >= y && other.endX() <= endX() && other.endY() <= endY();
  }

  /**
   * The pixels this window shares with {@code other}, or {@code null} when they share none.
   *
   * @param other the other window
   * @return the common window, or null
   */
  public PixelWindow intersection(PixelWindow other) {
    int x0 = Math.max(x, other.x);
    int y0 = Math.max(y, other.y);
    int x1 = Math.min(endX(), other.endX());
    int y1 = Math.min(endY(), other.endY());
    return (x1 > x0 && y1 > y0) ? new PixelWindow(x0, y0, x1 - x0, y1 - y0) : null;
  }

  /** This window moved by (dx, dy) pixels. */
  public PixelWindow translate(int dx, int dy) {
    return new PixelWindow(x + dx, y + dy, width, height);
  }

  @Override
  public String toString() {
    return "[x=" + x + ", y=" + y + ", " + width + "x" + height + "]";
  }
}

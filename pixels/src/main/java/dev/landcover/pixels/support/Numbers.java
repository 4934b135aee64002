package dev.landcover.pixels.support;

/** How Landcover writes numbers in files and messages. */
public final class Numbers {
  private Numbers() {}

  /**
   * A value as GDAL writes a nodata value: integers without a decimal point ({@code 255}, {@code
   * -9999}), {@code nan} for NaN, otherwise Java's shortest representation that reads back exactly
   * ({@code 0.1}, {@code 1.0E20}).
   */
  public static String compact(double value) {
    if (Double.isNaN(value)) {
      return "nan";
    }
    if (value == Math.rint(value) && Math.abs(value) < 1e15) {
      return Long.toString((long) value);
    }
    return Double.toString(value);
  }
}

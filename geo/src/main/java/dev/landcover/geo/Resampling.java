package dev.landcover.geo;

import java.util.Locale;

/**
 * How {@link RasterAligner} computes an output pixel from the source pixels around the point its
 * centre maps to, with gdalwarp's rules (pixel centres at half-integer positions; source pixels
 * holding nodata take no part).
 */
public enum Resampling {
  /** The source pixel containing the point (gdalwarp {@code -r near}): for classes and labels. */
  NEAREST,
  /** Distance-weighted mean of the 2 x 2 nearest pixel centres ({@code -r bilinear}). */
  BILINEAR,
  /** Keys cubic convolution (a = -0.5) on the 4 x 4 nearest centres ({@code -r cubic}). */
  CUBIC,
  /**
   * Mean of the source pixels under the output pixel, weighted by the fraction of each that the
   * output pixel's footprint covers ({@code -r average}).
   */
  AVERAGE,
  /** The most frequent value among the source pixels under the output pixel ({@code -r mode}). */
  MODE;

  /** The method of a name as gdalwarp spells it ({@code nearest} or {@code near}, ...). */
  public static Resampling parse(String name) {
    String n = name.trim().toLowerCase(Locale.ROOT);
    return switch (n) {
      case "nearest", "near" -> NEAREST;
      case "bilinear" -> BILINEAR;
      case "cubic" -> CUBIC;
      case "average" -> AVERAGE;
      case "mode" -> MODE;
      default ->
          throw new IllegalArgumentException(
              "Unknown resampling '" + name + "': use nearest, bilinear, cubic, average or mode");
    };
  }

  /** The name as gdalwarp spells it. */
  public String gdalName() {
    return this == NEAREST ? "near" : name().toLowerCase(Locale.ROOT);
  }
}

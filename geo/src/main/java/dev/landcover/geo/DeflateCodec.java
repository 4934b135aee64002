package dev.landcover.geo;

import dev.landcover.geo.internal.tiff.NativeDeflate;

/**
 * The Deflate codec this process decodes and encodes GeoTIFF blocks with: libdeflate (the codec of
 * GDAL's libtiff) where the system library loads, else the JDK's zlib. The system property {@code
 * landcover.deflate} (or the environment variable {@code LANDCOVER_DEFLATE}) chooses: {@code auto}
 * (the default), {@code libdeflate} or {@code jdk}. Both decode every block to the same bytes and
 * refuse the same corrupt blocks; the Deflate bytes they write differ, the pixels do not.
 */
public final class DeflateCodec {
  private DeflateCodec() {}

  /**
   * One line naming the codec in use, e.g. {@code libdeflate (/usr/lib/.../libdeflate.so.0)} or
   * {@code JDK zlib (libdeflate did not load: ...)}.
   *
   * @throws IllegalArgumentException when the property or variable has another value, or asks for
   *     libdeflate and it did not load
   */
  public static String description() {
    return NativeDeflate.description();
  }
}

package dev.landcover.geo;

import java.awt.image.ComponentSampleModel;
import java.awt.image.DataBuffer;
import java.awt.image.DataBufferByte;
import java.awt.image.DataBufferDouble;
import java.awt.image.DataBufferFloat;
import java.awt.image.DataBufferInt;
import java.awt.image.DataBufferShort;
import java.awt.image.DataBufferUShort;
import java.awt.image.Raster;
import java.awt.image.WritableRaster;

/**
 * Fast copies between Java rasters by direct array access, where the generic {@code
 * getSamples}/{@code setSamples} path costs a virtual call per sample.
 */
final class Rasters {
  private Rasters() {}

  /** The primitive array behind bank {@code bank} of a data buffer. */
  static Object bankData(DataBuffer buffer, int bank) {
    if (buffer instanceof DataBufferByte b) {
      return b.getData(bank);
    } else if (buffer instanceof DataBufferUShort b) {
      return b.getData(bank);
    } else if (buffer instanceof DataBufferShort b) {
      return b.getData(bank);
    } else if (buffer instanceof DataBufferInt b) {
      return b.getData(bank);
    } else if (buffer instanceof DataBufferFloat b) {
      return b.getData(bank);
    } else if (buffer instanceof DataBufferDouble b) {
      return b.getData(bank);
    }
    return null;
  }

  /**
   * Copies a rectangle of one band of {@code src} (any component layout: pixel or band interleaved)
   * into band {@code dstBand} of {@code dst}, a raster made by {@link RasterWindow#createRaster}
   * (banded, origin 0, no offset). Coordinates are in each raster's own space ({@code src} may be
   * translated).
   *
   * @return false when the layouts do not allow the fast path (nothing was copied)
   */
  static boolean copyBand(
      Raster src,
      int srcBand,
      int srcX,
      int srcY,
      WritableRaster dst,
      int dstBand,
      int dstX,
      int dstY,
      int width,
      int height) {
    if (!(src.getSampleModel() instanceof ComponentSampleModel sm)
        || src.getDataBuffer().getDataType() != dst.getDataBuffer().getDataType()
        || dst.getMinX() != 0
        || dst.getMinY() != 0) {
      return false;
    }
    Object from = bankData(src.getDataBuffer(), sm.getBankIndices()[srcBand]);
    Object to = bankData(dst.getDataBuffer(), dstBand);
    if (from == null || to == null) {
      return false;
    }
    int pixelStride = sm.getPixelStride();
    int scanline = sm.getScanlineStride();
    int base =
        src.getDataBuffer().getOffsets()[sm.getBankIndices()[srcBand]]
            + sm.getBandOffsets()[srcBand];
    int tx = srcX - src.getSampleModelTranslateX();
    int ty = srcY - src.getSampleModelTranslateY();
    int dstWidth = dst.getWidth();
    for (int r = 0; r < height; r++) {
      int s = base + (ty + r) * scanline + tx * pixelStride;
      int d = (dstY + r) * dstWidth + dstX;
      if (pixelStride == 1) {
        System.arraycopy(from, s, to, d, width);
      } else {
        copyStrided(from, s, pixelStride, to, d, width);
      }
    }
    return true;
  }

  /**
   * Copies {@code n} samples {@code stride} apart in {@code from} to consecutive ones in {@code
   * to}.
   */
  static void copyStrided(Object from, int s, int stride, Object to, int d, int n) {
    if (from instanceof byte[] a) {
      byte[] b = (byte[]) to;
      for (int i = 0; i < n; i++, s += stride) {
        b[d + i] = a[s];
      }
    } else if (from instanceof short[] a) {
      short[] b = (short[]) to;
      for (int i = 0; i < n; i++, s += stride) {
        b[d + i] = a[s];
      }
    } else if (from instanceof int[] a) {
      int[] b = (int[]) to;
      for (int i = 0; i < n; i++, s += stride) {
        b[d + i] = a[s];
      }
    } else if (from instanceof float[] a) {
      float[] b = (float[]) to;
      for (int i = 0; i < n; i++, s += stride) {
        b[d + i] = a[s];
      }
    } else {
      double[] a = (double[]) from;
      double[] b = (double[]) to;
      for (int i = 0; i < n; i++, s += stride) {
        b[d + i] = a[s];
      }
    }
  }
}

package dev.landcover.geo.internal;

import dev.landcover.geo.SampleType;
import java.awt.image.BandedSampleModel;
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
 * The banded Java rasters Landcover reads into and writes from, and fast copies between Java
 * rasters by direct array access, where the generic {@code getSamples}/{@code setSamples} path
 * costs a virtual call per sample.
 */
public final class Rasters {
  private Rasters() {}

  /**
   * An empty banded raster (one bank per band, origin (0, 0), no offsets) of {@code bandCount}
   * bands of {@code width x height} zeros of {@code type}: the layout of read windows and of the
   * tiles given to writers.
   */
  public static WritableRaster createBanded(SampleType type, int width, int height, int bandCount) {
    return Raster.createWritableRaster(
        new BandedSampleModel(type.dataBufferType(), width, height, bandCount), null);
  }

  /** The primitive array behind bank {@code bank} of a data buffer, or null for other buffers. */
  public static Object bankData(DataBuffer buffer, int bank) {
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
   * into band {@code dstBand} of {@code dst}, a raster made by {@link #createBanded} (banded,
   * origin 0, no offset). Coordinates are in each raster's own space ({@code src} may be
   * translated).
   *
   * @return false when the layouts do not allow the fast path (nothing was copied)
   */
  public static boolean copyBand(
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
  public static void copyStrided(Object from, int s, int stride, Object to, int d, int n) {
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

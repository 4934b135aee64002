package dev.landcover.geo;

import dev.landcover.geo.internal.tiff.BlockDecoder;
import dev.landcover.geo.internal.tiff.GdalMetadata;
import dev.landcover.geo.internal.tiff.TiffDirectory;
import dev.landcover.pixels.PixelWindow;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The mask of a GeoTIFF besides its nodata value, found as GDAL's {@code GetMaskBand()} finds it,
 * in GDAL's order of precedence:
 *
 * <ol>
 *   <li>an internal mask: an IFD with NewSubfileType 4 (mask, full resolution), as {@code
 *       GDAL_TIFF_INTERNAL_MASK=YES} and {@code gdal_translate -mask} write it (1-bit, Deflate),
 *       with one sample (per dataset) or one per band;
 *   <li>an external mask, the file {@code FILE.msk} beside it (8-bit, one band per dataset or one
 *       per band);
 *   <li>an alpha band (ExtraSamples 1, associated, or 2, unassociated, unless a COLORINTERP item of
 *       GDAL_METADATA says otherwise; or a COLORINTERP item saying Alpha): only as GDAL uses one,
 *       the last of 2 or 4 bands of 8 or 16 bits in a file without nodata (GDAL's nodata mask
 *       wins), masking the other bands (GDAL's {@code GMF_ALPHA | GMF_PER_DATASET}); the alpha band
 *       itself is unmasked.
 * </ol>
 *
 * A mask value of 0 masks the pixel; any other value (partial transparency included) leaves it. A
 * mask GDAL would use that cannot be read exactly (another size, type or band count, an undecodable
 * encoding) is refused at open, never ignored.
 */
final class RasterMask {
  private static final int TAG_NEW_SUBFILE_TYPE = 254;
  private static final int TAG_EXTRA_SAMPLES = 338;

  /** IFDs walked at most when looking for the mask. */
  private static final int MAX_DIRECTORIES = 1024;

  private final String description;
  private final BlockDecoder internal;
  private final GeoTiffRaster external;
  private final int maskBands;
  private final int alphaBand;
  private final BlockDecoder image;

  private RasterMask(
      String description,
      BlockDecoder internal,
      GeoTiffRaster external,
      int maskBands,
      int alphaBand,
      BlockDecoder image) {
    this.description = description;
    this.image = image;
    this.internal = internal;
    this.external = external;
    this.maskBands = maskBands;
    this.alphaBand = alphaBand;
  }

  /**
   * Finds the mask of the raster whose first IFD is {@code dir}.
   *
   * @param bands the raster's band count
   * @return the mask, or empty when GDAL would find none
   * @throws GeoTiffException when a mask exists but cannot be read exactly
   */
  static Optional<RasterMask> find(
      TiffDirectory dir,
      FileChannel channel,
      BlockDecoder image,
      int width,
      int height,
      boolean hasNoData)
      throws IOException {
    Path file = dir.file();
    int bands = image.bandCount();
    TiffDirectory d = dir;
    for (int i = 0; i < MAX_DIRECTORIES; i++) {
      Optional<TiffDirectory> next;
      try {
        next = d.next();
      } catch (GeoTiffException e) {
        // A broken chain after the image: libtiff stops reading directories there, and GDAL
        // finds no mask beyond it.
        break;
      }
      if (next.isEmpty()) {
        break;
      }
      d = next.get();
      long subfile = d.first(TAG_NEW_SUBFILE_TYPE, 0);
      if ((subfile & 4) == 0 || (subfile & 1) != 0) {
        continue;
      }
      BlockDecoder mask;
      try {
        mask = BlockDecoder.open(d, channel);
      } catch (GeoTiffException e) {
        throw new GeoTiffException(
            file,
            "its internal mask cannot be read: " + e.getMessage(),
            "drop it with: gdal_translate -b mask,none ... or convert the mask to nodata with"
                + " gdalwarp -dstnodata VALUE in.tif out.tif",
            e);
      }
      long mw = d.first(TiffDirectory.TAG_IMAGE_WIDTH, 0);
      long mh = d.first(TiffDirectory.TAG_IMAGE_LENGTH, 0);
      check(
          file,
          "internal mask",
          mw == width && mh == height,
          mask.sampleType(),
          mask.bandCount(),
          bands,
          mw + "x" + mh);
      return Optional.of(
          new RasterMask(
              "internal mask ("
                  + (mask.bandCount() == 1 ? "per dataset" : "per band")
                  + ", "
                  + TiffDirectory.compressionName(d.first(TiffDirectory.TAG_COMPRESSION, 1))
                  + ")",
              mask,
              null,
              mask.bandCount(),
              0,
              image));
    }
    Path msk = file.resolveSibling(file.getFileName() + ".msk");
    if (!Files.exists(msk)) {
      msk = file.resolveSibling(file.getFileName() + ".MSK");
    }
    if (Files.exists(msk)) {
      GeoTiffRaster m;
      try {
        m = GeoTiffRaster.open(msk);
      } catch (GeoTiffException e) {
        throw new GeoTiffException(
            file,
            "its external mask " + msk.getFileName() + " cannot be read: " + e.getMessage(),
            "remove or repair " + msk,
            e);
      }
      try {
        check(
            file,
            "external mask " + msk.getFileName(),
            m.width() == width && m.height() == height,
            m.sampleType(),
            m.bandCount(),
            bands,
            m.width() + "x" + m.height());
      } catch (GeoTiffException e) {
        m.close();
        throw e;
      }
      return Optional.of(
          new RasterMask(
              "external mask "
                  + msk.getFileName()
                  + " ("
                  + (m.bandCount() == 1 ? "per dataset" : "per band")
                  + ")",
              null,
              m,
              m.bandCount(),
              0,
              image));
    }
    long[] extra = dir.unsignedIntegers(TAG_EXTRA_SAMPLES);
    SampleType type = image.sampleType();
    boolean declared =
        extra.length > 0 && (extra[extra.length - 1] == 1 || extra[extra.length - 1] == 2);
    // GDAL_METADATA's COLORINTERP item of the last band overrides what the TIFF tags imply
    String override =
        GdalMetadata.parse(dir.ascii(TiffDirectory.TAG_GDAL_METADATA))
            .bandValue(bands - 1, "colorinterp");
    boolean alpha = override == null ? declared : override.equalsIgnoreCase("Alpha");
    if ((bands == 2 || bands == 4)
        && alpha
        && !hasNoData
        && (type == SampleType.UINT8 || type == SampleType.UINT16)) {
      return Optional.of(
          new RasterMask(
              "alpha band "
                  + bands
                  + " ("
                  + (!declared
                      ? "COLORINTERP"
                      : extra[extra.length - 1] == 1 ? "associated" : "unassociated")
                  + "), per dataset",
              null,
              null,
              0,
              bands,
              image));
    }
    return Optional.empty();
  }

  private static void check(
      Path file,
      String what,
      boolean sameSize,
      SampleType type,
      int maskBands,
      int bands,
      String size)
      throws GeoTiffException {
    if (!sameSize || type != SampleType.UINT8 || (maskBands != 1 && maskBands != bands)) {
      throw new GeoTiffException(
          file,
          "its "
              + what
              + " ("
              + size
              + ", "
              + maskBands
              + " band(s) of "
              + type
              + ") is not a mask Landcover can apply: expected the image's size, 8 bits or fewer,"
              + " 1 band or one per band ("
              + bands
              + ")",
          "turn the mask into nodata with: gdalwarp -dstnodata VALUE in.tif out.tif");
    }
  }

  /** What the mask is, for {@code landcover info}. */
  String description() {
    return description;
  }

  /** The alpha band that serves as the mask (1-based), or 0. */
  int alphaBand() {
    return alphaBand;
  }

  /**
   * Clears {@code valid} (row-major over {@code window}) where the mask of one of {@code bands}
   * holds 0 inside {@code inside}.
   *
   * @return {@code masked}: true where the mask cleared a pixel (row-major over {@code window})
   */
  boolean[] apply(PixelWindow inside, PixelWindow window, int[] bands, boolean[] valid)
      throws IOException {
    boolean[] masked = new boolean[valid.length];
    if (inside == null) {
      return masked;
    }
    int[] sources = maskSources(bands);
    for (int source : sources) {
      byte[] values = new byte[(int) window.area()];
      if (internal != null) {
        internal.copy(inside, window, new int[] {source}, new Object[] {values}, 0);
      } else if (external != null) {
        RasterWindow w = external.read(window, source);
        for (int r = 0; r < window.height(); r++) {
          for (int c = 0; c < window.width(); c++) {
            values[r * window.width() + c] = (byte) (w.sample(0, c, r) == 0 ? 0 : 1);
          }
        }
      } else {
        // the alpha band: 8 or 16 bits, any non-zero value leaves the pixel
        Object bank = alphaBank(inside, window, source, valid.length, values);
        if (bank != values) {
          short[] s = (short[]) bank;
          for (int i = 0; i < s.length; i++) {
            values[i] = (byte) (s[i] == 0 ? 0 : 1);
          }
        }
      }
      int w = window.width();
      for (int r = inside.y() - window.y(); r < inside.endY() - window.y(); r++) {
        for (int c = inside.x() - window.x(); c < inside.endX() - window.x(); c++) {
          int i = r * w + c;
          if (values[i] == 0) {
            valid[i] = false;
            masked[i] = true;
          }
        }
      }
    }
    return masked;
  }

  private Object alphaBank(
      PixelWindow inside, PixelWindow window, int band, int length, byte[] bytes)
      throws IOException {
    Object bank = image.sampleType() == SampleType.UINT8 ? bytes : new short[length];
    image.copy(inside, window, new int[] {band}, new Object[] {bank}, 0);
    return bank;
  }

  /** The mask bands to read for {@code bands}: none for an alpha band read alone. */
  private int[] maskSources(int[] bands) {
    if (alphaBand > 0) {
      for (int b : bands) {
        if (b != alphaBand) {
          return new int[] {alphaBand};
        }
      }
      return new int[0];
    }
    if (maskBands == 1) {
      return new int[] {1};
    }
    return java.util.Arrays.stream(bands).distinct().toArray();
  }

  /**
   * Drops the decoded mask blocks above row {@code y} (see {@link SceneRaster#releaseRowsAbove}).
   */
  void releaseRowsAbove(int y) {
    if (internal != null) {
      internal.releaseRowsAbove(y);
    }
    if (external != null) {
      external.releaseRowsAbove(y);
    }
  }

  /** Closes an external mask. */
  void close() throws GeoTiffException {
    if (internal != null) {
      internal.close();
    }
    if (external != null) {
      external.close();
    }
  }
}

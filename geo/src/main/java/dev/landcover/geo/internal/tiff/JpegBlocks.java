package dev.landcover.geo.internal.tiff;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;

/**
 * Decodes the 8-bit baseline or progressive JPEG tiles and strips of TIFF compression 7 with the
 * JDK's JPEG reader (the IJG libjpeg 6b inside the JDK), as libtiff does with libjpeg:
 *
 * <ul>
 *   <li>the shared JPEGTables stream (quantization and Huffman tables) is put in front of each
 *       block's abbreviated stream;
 *   <li>samples are taken as coded, without ImageIO's colour conversion ({@code readRaster});
 *   <li>YCbCr blocks (photometric 6) are converted to RGB with libjpeg's own fixed-point tables
 *       ({@code jdcolor.c}), the conversion GDAL asks libtiff for (JPEGCOLORMODE=RGB), after
 *       libjpeg's default ("fancy") chroma upsampling.
 * </ul>
 *
 * The inverse DCT is libjpeg's accurate integer one in both the JDK and GDAL's libjpeg-turbo, so
 * the samples are expected to equal GDAL's; the encoding matrix test measures it.
 */
final class JpegBlocks {
  private static final int SCALE_BITS = 16;
  private static final int ONE_HALF = 1 << (SCALE_BITS - 1);
  private static final int[] CR_R = new int[256];
  private static final int[] CB_B = new int[256];
  private static final int[] CR_G = new int[256];
  private static final int[] CB_G = new int[256];

  static {
    for (int i = 0; i < 256; i++) {
      int x = i - 128;
      CR_R[i] = (fix(1.40200) * x + ONE_HALF) >> SCALE_BITS;
      CB_B[i] = (fix(1.77200) * x + ONE_HALF) >> SCALE_BITS;
      CR_G[i] = -fix(0.71414) * x;
      CB_G[i] = -fix(0.34414) * x + ONE_HALF;
    }
  }

  private JpegBlocks() {}

  private static int fix(double x) {
    return (int) (x * (1 << SCALE_BITS) + 0.5);
  }

  /**
   * Decodes one block to pixel-interleaved 8-bit samples, {@code width * rows * samples} of them.
   *
   * @param tables the JPEGTables tag's stream (SOI, tables, EOI), or null
   * @param data the block's stream as stored in the file
   * @param width the block's width in pixels (the JPEG image's width)
   * @param height the block's height (tiles) or rows (strips): the JPEG image's height
   * @param rows the rows wanted, at most {@code height}
   * @param samples samples per pixel in the block
   * @param ycbcr whether the block holds YCbCr to convert to RGB
   * @param sampling the horizontal and vertical sampling factors the first component must have (the
   *     TIFF's YCbCrSubsampling for YCbCr, else 1, 1); the others must have 1, 1, as libtiff
   *     requires
   */
  static byte[] decode(
      byte[] tables,
      byte[] data,
      int width,
      int height,
      int rows,
      int samples,
      boolean ycbcr,
      int[] sampling)
      throws IOException {
    if (data.length < 4 || (data[0] & 0xFF) != 0xFF || (data[1] & 0xFF) != 0xD8) {
      throw new IOException("JPEG block does not start with a JPEG start-of-image marker");
    }
    byte[] stream = data;
    if (tables != null && tables.length >= 4) {
      stream = new byte[tables.length - 2 + data.length - 2];
      System.arraycopy(tables, 0, stream, 0, tables.length - 2);
      System.arraycopy(data, 2, stream, tables.length - 2, data.length - 2);
    }
    checkFrame(stream, sampling);
    ImageReader reader = jdkReader();
    java.awt.image.Raster raster;
    try (ImageInputStream in = new MemoryCacheImageInputStream(new ByteArrayInputStream(stream))) {
      reader.setInput(in, true, true);
      List<String> warnings = new ArrayList<>();
      reader.addIIOReadWarningListener((source, warning) -> warnings.add(warning));
      int w = reader.getWidth(0);
      int h = reader.getHeight(0);
      if (w != width || h < rows || h > height) {
        throw new IOException(
            "JPEG block of "
                + w
                + "x"
                + h
                + " pixels where the TIFF declares "
                + width
                + "x"
                + height);
      }
      raster = reader.readRaster(0, null);
      if (!warnings.isEmpty()) {
        // libjpeg's warnings on corrupt data: decoders differ in what they make of such data
        throw new IOException("corrupt JPEG data: " + warnings.get(0));
      }
    } catch (RuntimeException e) {
      throw new IOException("corrupt JPEG data: " + e, e);
    } finally {
      reader.dispose();
    }
    if (raster.getNumBands() != samples) {
      throw new IOException(
          "JPEG block has "
              + raster.getNumBands()
              + " components where the TIFF declares "
              + samples
              + " samples per pixel");
    }
    int[] pixels = raster.getPixels(0, 0, width, rows, (int[]) null);
    byte[] out = new byte[pixels.length];
    if (ycbcr && samples == 3) {
      for (int i = 0; i < pixels.length; i += 3) {
        int y = pixels[i];
        int cb = pixels[i + 1];
        int cr = pixels[i + 2];
        out[i] = clamp(y + CR_R[cr]);
        out[i + 1] = clamp(y + ((CB_G[cb] + CR_G[cr]) >> SCALE_BITS));
        out[i + 2] = clamp(y + CB_B[cb]);
      }
    } else {
      for (int i = 0; i < pixels.length; i++) {
        out[i] = (byte) pixels[i];
      }
    }
    return out;
  }

  /**
   * Checks the frame header (SOF): 8-bit samples and the sampling factors libtiff requires (see
   * {@link #decode}).
   */
  private static void checkFrame(byte[] s, int[] sampling) throws IOException {
    int p = 2;
    while (p + 4 <= s.length) {
      if ((s[p] & 0xFF) != 0xFF) {
        throw new IOException("corrupt JPEG data: no marker at byte " + p);
      }
      int marker = s[p + 1] & 0xFF;
      if (marker == 0xFF) {
        p++;
        continue;
      }
      int length = ((s[p + 2] & 0xFF) << 8) | (s[p + 3] & 0xFF);
      boolean frame =
          marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC;
      if (frame) {
        if (p + 10 > s.length || s[p + 4] != 8) {
          throw new IOException("JPEG frame is not 8-bit (supported: 8-bit JPEG)");
        }
        int components = s[p + 9] & 0xFF;
        for (int c = 0; c < components && p + 12 + 3 * c < s.length; c++) {
          int factors = s[p + 11 + 3 * c] & 0xFF;
          int h = factors >> 4;
          int v = factors & 15;
          int wantH = c == 0 ? sampling[0] : 1;
          int wantV = c == 0 ? sampling[1] : 1;
          if (h != wantH || v != wantV) {
            throw new IOException(
                "JPEG component "
                    + c
                    + " has sampling factors "
                    + h
                    + "x"
                    + v
                    + " where the TIFF declares "
                    + wantH
                    + "x"
                    + wantV);
          }
        }
        return;
      }
      if (marker == 0xDA || length < 2) {
        break;
      }
      p += 2 + length;
    }
    throw new IOException("corrupt JPEG data: no frame header");
  }

  private static byte clamp(int v) {
    return (byte) (v < 0 ? 0 : Math.min(v, 255));
  }

  /** A new instance of the JDK's own JPEG reader (not one a plugin on the class path adds). */
  private static ImageReader jdkReader() throws IOException {
    ImageReader any = null;
    for (Iterator<ImageReader> it = ImageIO.getImageReadersByFormatName("jpeg"); it.hasNext(); ) {
      ImageReader r = it.next();
      if (r.getClass().getName().startsWith("com.sun.imageio.")) {
        return r;
      }
      any = any == null ? r : any;
    }
    if (any == null) {
      throw new IOException("this Java runtime has no JPEG reader");
    }
    return any;
  }
}

package dev.landcover.geo;

import dev.landcover.geo.internal.Rasters;
import dev.landcover.pixels.PixelWindow;
import java.awt.image.DataBuffer;
import java.awt.image.DataBufferByte;
import java.awt.image.DataBufferDouble;
import java.awt.image.DataBufferFloat;
import java.awt.image.DataBufferInt;
import java.awt.image.DataBufferShort;
import java.awt.image.DataBufferUShort;
import java.awt.image.Raster;
import java.awt.image.WritableRaster;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.OptionalDouble;

/**
 * Pixels of some bands of a raster inside a window, in the raster's own sample type, with a
 * validity mask.
 *
 * <p>Pixel (0, 0) of this object is pixel ({@code window().x()}, {@code window().y()}) of the
 * source raster. Where the window reaches past the source, samples hold the band's nodata value (0
 * when the band has none). A pixel is <em>valid</em> when it lies inside the source raster, no band
 * holds its nodata value there, no floating-point band holds NaN, and the source's mask (if any,
 * see {@link #isMasked}) does not mask it.
 */
public final class RasterWindow {
  private final PixelWindow window;
  private final int[] bands;
  private final SampleType sampleType;
  private final double[] noData;
  private volatile Samples samples;
  private final boolean[] valid;
  private final boolean[] masked;
  private final int maskOffset;
  private final int maskScanline;
  private int validCount = -1;

  /**
   * Where this window's samples are: a raster made by {@link Rasters#createBanded} (banded, origin
   * 0, no offsets) whose pixel ({@code x}, {@code y}) is this window's pixel (0, 0). A window made
   * by {@link #crop} of a strip the {@link ChipGenerator} read shares the strip's raster.
   */
  private record Samples(WritableRaster raster, int x, int y) {
    int offset() {
      return y * raster.getWidth() + x;
    }
  }

  RasterWindow(
      PixelWindow window,
      int[] bands,
      SampleType sampleType,
      double[] noData,
      WritableRaster raster,
      boolean[] valid) {
    this(window, bands, sampleType, noData, raster, valid, null);
  }

  RasterWindow(
      PixelWindow window,
      int[] bands,
      SampleType sampleType,
      double[] noData,
      WritableRaster raster,
      boolean[] valid,
      boolean[] masked) {
    this(
        window,
        bands,
        sampleType,
        noData,
        new Samples(raster, 0, 0),
        valid,
        masked,
        0,
        window.width(),
        -1);
  }

  private RasterWindow(
      PixelWindow window,
      int[] bands,
      SampleType sampleType,
      double[] noData,
      Samples samples,
      boolean[] valid,
      boolean[] masked,
      int maskOffset,
      int maskScanline,
      int validCount) {
    this.masked = masked;
    this.window = window;
    this.bands = bands;
    this.sampleType = sampleType;
    this.noData = noData;
    this.samples = samples;
    this.valid = valid;
    this.maskOffset = maskOffset;
    this.maskScanline = maskScanline;
    this.validCount = validCount;
  }

  /**
   * New pixels to fill and write: {@code bandCount} bands of {@code width x height} zeros of {@code
   * type} at window (0, 0), bands numbered 1 to {@code bandCount}, no nodata, every pixel valid.
   * Fill them through {@link #writableRaster()}.
   */
  public static RasterWindow create(SampleType type, int width, int height, int bandCount) {
    int[] bands = new int[bandCount];
    double[] noData = new double[bandCount];
    for (int b = 0; b < bandCount; b++) {
      bands[b] = b + 1;
      noData[b] = Double.NaN;
    }
    boolean[] valid = new boolean[width * height];
    java.util.Arrays.fill(valid, true);
    return new RasterWindow(
        new PixelWindow(0, 0, width, height),
        bands,
        type,
        noData,
        Rasters.createBanded(type, width, height, bandCount),
        valid);
  }

  /** The window in source pixel coordinates. */
  public PixelWindow window() {
    return window;
  }

  /** The source band numbers (1-based, as GDAL numbers them) of this window's bands, in order. */
  public int[] bands() {
    return bands.clone();
  }

  public int bandCount() {
    return bands.length;
  }

  public SampleType sampleType() {
    return sampleType;
  }

  /** The nodata value of band {@code index} (0-based in this window), or NaN when it has none. */
  public double noData(int index) {
    return noData[index];
  }

  /**
   * The samples as a Java raster of the source type, one bank per band (banded layout), origin (0,
   * 0). Unsigned 32-bit samples are stored with Java's sign: use {@link #sample} for their values.
   * Callers must not modify it.
   */
  public Raster raster() {
    return dense().raster();
  }

  /**
   * The samples, writable: for windows made by {@link #create} (changing a window read from a file
   * changes nothing in the file).
   */
  public WritableRaster writableRaster() {
    return dense().raster();
  }

  /**
   * The samples in a raster of this window's own size: those of a window {@link #view} made are
   * copied out of the shared raster the first time they are asked for this way.
   */
  private Samples dense() {
    Samples s = samples;
    if (s.x() == 0
        && s.y() == 0
        && s.raster().getWidth() == window.width()
        && s.raster().getHeight() == window.height()) {
      return s;
    }
    s = new Samples(copySamples(), 0, 0);
    samples = s;
    return s;
  }

  /** A copy of this window's samples in a raster of its own size. */
  private WritableRaster copySamples() {
    Samples s = samples;
    int w = window.width();
    int h = window.height();
    WritableRaster copy = Rasters.createBanded(sampleType, w, h, bands.length);
    for (int b = 0; b < bands.length; b++) {
      if (!Rasters.copyBand(s.raster(), b, s.x(), s.y(), copy, b, 0, 0, w, h)) {
        copy.setRect(-s.x(), -s.y(), s.raster());
        break;
      }
    }
    return copy;
  }

  /**
   * The primitive array of band {@code index} (0-based), in which this window's pixel ({@code
   * column}, {@code row}) is at {@link #sampleOffset()} {@code + row * }{@link #scanline()} {@code
   * + column}; for writers that encode straight from it. Callers must not modify it.
   */
  Object bank(int index) {
    return Rasters.bankData(samples.raster().getDataBuffer(), index);
  }

  /**
   * The raster and validity array of a window read whole (not a view of another window), when they
   * fit a window of {@code width x height} with {@code bandCount} bands of {@code type}: a raster
   * reads into them again instead of allocating new ones ({@link SceneRaster#read(PixelWindow,
   * int[], RasterWindow)}); null otherwise.
   */
  Storage storageFor(int width, int height, int bandCount, SampleType type) {
    Samples s = samples;
    WritableRaster r = s.raster();
    boolean whole =
        s.x() == 0
            && s.y() == 0
            && r.getWidth() == width
            && r.getHeight() == height
            && r.getNumBands() == bandCount
            && type == sampleType
            && valid.length == width * height
            && maskOffset == 0
            && maskScanline == width;
    return whole ? new Storage(r, valid) : null;
  }

  /** A window's samples and validity array, to be written anew by a read. */
  record Storage(WritableRaster raster, boolean[] valid) {}

  /** Index of pixel (0, 0) in each {@link #bank}. */
  int sampleOffset() {
    return samples.offset();
  }

  /** Distance between rows in each {@link #bank}, in samples. */
  int scanline() {
    return samples.raster().getWidth();
  }

  /** The value of band {@code index} (0-based) at ({@code column}, {@code row}) of the window. */
  public double sample(int index, int column, int row) {
    Samples s = samples;
    return sampleType.fromStored(s.raster().getSampleDouble(s.x() + column, s.y() + row, index));
  }

  /** Whether the pixel at ({@code column}, {@code row}) of the window holds real data. */
  public boolean isValid(int column, int row) {
    return valid[maskOffset + row * maskScanline + column];
  }

  /**
   * Whether the source's mask (GDAL's mask band: an internal mask, a {@code .msk} file or an alpha
   * band) masks the pixel; such pixels are also invalid (their samples keep the file's values).
   */
  public boolean isMasked(int column, int row) {
    return masked != null && masked[maskOffset + row * maskScanline + column];
  }

  /** The validity mask, row-major, {@code width * height} entries (a copy). */
  public boolean[] validMask() {
    return rowsOf(valid);
  }

  /** The rows of this window in a mask laid out as {@link #valid} is, as a mask of its own. */
  private boolean[] rowsOf(boolean[] mask) {
    int w = window.width();
    if (maskOffset == 0 && maskScanline == w && mask.length == window.area()) {
      return mask.clone();
    }
    boolean[] copy = new boolean[(int) window.area()];
    for (int r = 0; r < window.height(); r++) {
      System.arraycopy(mask, maskOffset + r * maskScanline, copy, r * w, w);
    }
    return copy;
  }

  /** Number of valid pixels. */
  public int validCount() {
    if (validCount < 0) {
      int n = 0;
      for (int r = 0; r < window.height(); r++) {
        int from = maskOffset + r * maskScanline;
        for (int i = from; i < from + window.width(); i++) {
          if (valid[i]) {
            n++;
          }
        }
      }
      validCount = n;
    }
    return validCount;
  }

  /** Fraction of the window's pixels that are not valid, from 0 to 1. */
  public double noDataFraction() {
    return 1.0 - (double) validCount() / window.area();
  }

  /**
   * The samples as float, channels first: index {@code (band * height + row) * width + column}.
   * Values are converted exactly for 8- and 16-bit types and rounded to float otherwise.
   */
  public float[] toFloatChw() {
    int w = window.width();
    int h = window.height();
    int plane = w * h;
    float[] out = new float[bands.length * plane];
    DataBuffer buffer = dense().raster().getDataBuffer();
    for (int b = 0; b < bands.length; b++) {
      toFloat(buffer, b, 0, out, b * plane, plane);
    }
    return out;
  }

  /**
   * Samples {@code [column, column + count)} of row {@code row} of band {@code index} (0-based) as
   * float, converted as {@link #toFloatChw()} converts them, into {@code out} from {@code offset}:
   * for readers that take a few columns of a wide window at a time instead of a float copy of all
   * of it.
   */
  public void rowToFloat(int index, int row, int column, int count, float[] out, int offset) {
    if (index < 0
        || index >= bands.length
        || row < 0
        || row >= window.height()
        || column < 0
        || count < 0
        || column + count > window.width()) {
      throw new IndexOutOfBoundsException(
          "Band "
              + index
              + ", row "
              + row
              + ", columns "
              + column
              + " + "
              + count
              + " outside a window of "
              + bands.length
              + " bands, "
              + window.width()
              + " x "
              + window.height());
    }
    Samples s = samples;
    int from = (s.y() + row) * s.raster().getWidth() + s.x() + column;
    toFloat(s.raster().getDataBuffer(), index, from, out, offset, count);
  }

  /**
   * Converts {@code count} samples of bank {@code bank} of a banded buffer from {@code from} to
   * float: exactly for 8- and 16-bit types, rounded otherwise.
   */
  private void toFloat(DataBuffer buffer, int bank, int from, float[] out, int offset, int count) {
    switch (sampleType) {
      case UINT8 -> {
        byte[] d = ((DataBufferByte) buffer).getData(bank);
        for (int i = 0; i < count; i++) {
          out[offset + i] = d[from + i] & 0xFF;
        }
      }
      case UINT16 -> {
        short[] d = ((DataBufferUShort) buffer).getData(bank);
        for (int i = 0; i < count; i++) {
          out[offset + i] = d[from + i] & 0xFFFF;
        }
      }
      case INT16 -> {
        short[] d = ((DataBufferShort) buffer).getData(bank);
        for (int i = 0; i < count; i++) {
          out[offset + i] = d[from + i];
        }
      }
      case UINT32 -> {
        int[] d = ((DataBufferInt) buffer).getData(bank);
        for (int i = 0; i < count; i++) {
          out[offset + i] = Integer.toUnsignedLong(d[from + i]);
        }
      }
      case INT32 -> {
        int[] d = ((DataBufferInt) buffer).getData(bank);
        for (int i = 0; i < count; i++) {
          out[offset + i] = d[from + i];
        }
      }
      case FLOAT32 ->
          System.arraycopy(((DataBufferFloat) buffer).getData(bank), from, out, offset, count);
      case FLOAT64 -> {
        double[] d = ((DataBufferDouble) buffer).getData(bank);
        for (int i = 0; i < count; i++) {
          out[offset + i] = (float) d[from + i];
        }
      }
      default -> throw new AssertionError(sampleType);
    }
  }

  /**
   * The samples as bytes: band after band, each band row after row (row-major, upper-left pixel
   * first), each sample in this window's sample type, little-endian; {@code bandCount * width *
   * height * bits / 8} bytes. The layout of GDAL's {@code ReadRaster} (band-sequential) on a
   * little-endian machine; read back with {@link #fromLittleEndianBytes}.
   */
  public byte[] toLittleEndianBytes() {
    int plane = window.width() * window.height();
    ByteBuffer out =
        ByteBuffer.allocate(bands.length * plane * (sampleType.bits() / 8))
            .order(ByteOrder.LITTLE_ENDIAN);
    Samples s = samples;
    DataBuffer buffer = s.raster().getDataBuffer();
    int w = window.width();
    int scanline = s.raster().getWidth();
    int bytes = sampleType.bits() / 8;
    int step = plane * bytes;
    for (int b = 0; b < bands.length; b++) {
      Object bank = Rasters.bankData(buffer, b);
      for (int r = 0; r < window.height(); r++) {
        ByteBuffer row =
            out.slice(b * step + r * w * bytes, w * bytes).order(ByteOrder.LITTLE_ENDIAN);
        int from = s.offset() + r * scanline;
        if (bank instanceof byte[] d) {
          row.put(d, from, w);
        } else if (bank instanceof short[] d) {
          row.asShortBuffer().put(d, from, w);
        } else if (bank instanceof int[] d) {
          row.asIntBuffer().put(d, from, w);
        } else if (bank instanceof float[] d) {
          row.asFloatBuffer().put(d, from, w);
        } else if (bank instanceof double[] d) {
          row.asDoubleBuffer().put(d, from, w);
        } else {
          throw new AssertionError(sampleType);
        }
      }
    }
    return out.array();
  }

  /**
   * Pixels from samples laid out as {@link #toLittleEndianBytes} writes them, as a GeoTIFF of that
   * sample type and nodata would read: window (0, 0, width, height), bands numbered 1 to {@code
   * bandCount}, each with nodata {@code noData}, and a pixel valid when no band holds {@code
   * noData} and no floating-point band holds NaN.
   *
   * @param noData the bands' nodata value, NaN for none
   * @throws IllegalArgumentException when {@code samples} does not hold {@code bandCount * width *
   *     height} samples of {@code type}
   */
  public static RasterWindow fromLittleEndianBytes(
      SampleType type, int width, int height, int bandCount, double noData, byte[] samples) {
    int plane = width * height;
    long expected = (long) bandCount * plane * (type.bits() / 8);
    if (samples.length != expected) {
      throw new IllegalArgumentException(
          "Expected "
              + expected
              + " bytes of "
              + type.gdalName()
              + " for "
              + bandCount
              + " bands of "
              + width
              + " x "
              + height
              + ": got "
              + samples.length);
    }
    WritableRaster raster = Rasters.createBanded(type, width, height, bandCount);
    DataBuffer buffer = raster.getDataBuffer();
    ByteBuffer in = ByteBuffer.wrap(samples).order(ByteOrder.LITTLE_ENDIAN);
    int step = plane * (type.bits() / 8);
    for (int b = 0; b < bandCount; b++) {
      ByteBuffer band = in.slice(b * step, step).order(ByteOrder.LITTLE_ENDIAN);
      Object bank = Rasters.bankData(buffer, b);
      if (bank instanceof byte[] d) {
        band.get(d, 0, plane);
      } else if (bank instanceof short[] d) {
        band.asShortBuffer().get(d, 0, plane);
      } else if (bank instanceof int[] d) {
        band.asIntBuffer().get(d, 0, plane);
      } else if (bank instanceof float[] d) {
        band.asFloatBuffer().get(d, 0, plane);
      } else if (bank instanceof double[] d) {
        band.asDoubleBuffer().get(d, 0, plane);
      } else {
        throw new AssertionError(type);
      }
    }
    boolean[] valid = new boolean[plane];
    Arrays.fill(valid, true);
    double stored = GeoTiffRaster.noDataToMatch(type, noData);
    if (!Double.isNaN(stored) || type.isFloatingPoint()) {
      for (int b = 0; b < bandCount; b++) {
        GeoTiffRaster.markInvalid(Rasters.bankData(buffer, b), type, 0, plane, stored, valid);
      }
    }
    int[] bands = new int[bandCount];
    double[] noDatas = new double[bandCount];
    for (int b = 0; b < bandCount; b++) {
      bands[b] = b + 1;
      noDatas[b] = noData;
    }
    return new RasterWindow(
        new PixelWindow(0, 0, width, height), bands, type, noDatas, raster, valid);
  }

  /**
   * The nodata value that marks, in a file GDAL reads, this window's pixels outside {@code inside}
   * (the part of the window inside its source, in source pixel coordinates): {@code noData} when
   * GDAL's nodata mask matches it in this sample type (see {@link GeoTiffRaster}); else NaN for
   * floating-point samples; else, for integers, the first of the type's largest value, its
   * smallest, and the values below the largest in turn, that no band holds at any pixel inside.
   * Empty when the pixels inside hold every value of the type.
   */
  public OptionalDouble paddingNoData(PixelWindow inside, OptionalDouble noData) {
    if (noData.isPresent()
        && !Double.isNaN(GeoTiffRaster.noDataToMatch(sampleType, noData.getAsDouble()))) {
      return noData;
    }
    if (sampleType.isFloatingPoint()) {
      return OptionalDouble.of(Double.NaN);
    }
    int x0 = inside.x() - window.x();
    int y0 = inside.y() - window.y();
    long[] held = new long[(int) inside.area() * bands.length];
    int n = 0;
    for (int b = 0; b < bands.length; b++) {
      for (int r = 0; r < inside.height(); r++) {
        for (int c = 0; c < inside.width(); c++) {
          held[n++] = (long) sample(b, x0 + c, y0 + r);
        }
      }
    }
    Arrays.sort(held);
    long max = (long) sampleType.maxValue();
    long min = (long) sampleType.minValue();
    if (Arrays.binarySearch(held, max) < 0) {
      return OptionalDouble.of(max);
    }
    if (Arrays.binarySearch(held, min) < 0) {
      return OptionalDouble.of(min);
    }
    for (long v = max - 1; v > min; v--) {
      if (Arrays.binarySearch(held, v) < 0) {
        return OptionalDouble.of(v);
      }
    }
    return OptionalDouble.empty();
  }

  /**
   * A copy of this window whose samples outside {@code inside} (in source pixel coordinates) hold
   * {@code value}, which becomes every band's nodata value; validity is this window's.
   */
  public RasterWindow withOutside(PixelWindow inside, double value) {
    WritableRaster copy = copySamples();
    double stored = GeoTiffRaster.toStored(sampleType, value);
    for (int r = 0; r < window.height(); r++) {
      for (int c = 0; c < window.width(); c++) {
        if (!inside.contains(window.x() + c, window.y() + r)) {
          for (int b = 0; b < bands.length; b++) {
            copy.setSample(c, r, b, stored);
          }
        }
      }
    }
    double[] nd = new double[bands.length];
    Arrays.fill(nd, value);
    int w = window.width();
    return new RasterWindow(
        window,
        bands,
        sampleType,
        nd,
        new Samples(copy, 0, 0),
        rowsOf(valid),
        masked == null ? null : rowsOf(masked),
        0,
        w,
        validCount);
  }

  /**
   * The part of this window that lies inside {@code sub} (given in source pixel coordinates), as a
   * window of its own with copied samples. {@code sub} must lie inside this window.
   */
  public RasterWindow crop(PixelWindow sub) {
    RasterWindow view = view(sub, -1);
    return new RasterWindow(
        sub,
        bands,
        sampleType,
        noData,
        new Samples(view.copySamples(), 0, 0),
        view.rowsOf(valid),
        masked == null ? null : view.rowsOf(masked),
        0,
        sub.width(),
        -1);
  }

  /**
   * The part of this window inside {@code sub}, as {@link #crop} gives it but sharing this window's
   * samples and masks instead of copying them: cheap to make, but it keeps all of this window's
   * pixels in memory for as long as it is held. The samples are copied out only when {@link
   * #raster()} or {@link #writableRaster()} is asked for.
   *
   * @param validCount its number of valid pixels when the caller knows it, else -1
   */
  RasterWindow view(PixelWindow sub, int validCount) {
    if (!window.contains(sub)) {
      throw new IllegalArgumentException(sub + " is not inside " + window);
    }
    int dx = sub.x() - window.x();
    int dy = sub.y() - window.y();
    Samples s = samples;
    return new RasterWindow(
        sub,
        bands,
        sampleType,
        noData,
        new Samples(s.raster(), s.x() + dx, s.y() + dy),
        valid,
        masked,
        maskOffset + dy * maskScanline + dx,
        maskScanline,
        validCount);
  }

  /**
   * Valid pixels per column: entry {@code c} counts the valid pixels of column {@code c} of the
   * window, over all its rows. A chip as tall as a strip has as many valid pixels as the sum of its
   * columns' counts.
   */
  int[] validPerColumn() {
    int w = window.width();
    int[] counts = new int[w];
    for (int r = 0; r < window.height(); r++) {
      int from = maskOffset + r * maskScanline;
      for (int c = 0; c < w; c++) {
        if (valid[from + c]) {
          counts[c]++;
        }
      }
    }
    return counts;
  }

  /**
   * Band {@code index} (0-based) as whole numbers, row-major, {@code width * height} entries (as
   * {@link Raster#getSamples} gives them).
   */
  int[] samplesAsInt(int index) {
    Samples s = samples;
    return s.raster()
        .getSamples(s.x(), s.y(), window.width(), window.height(), index, (int[]) null);
  }

  @Override
  public String toString() {
    return "RasterWindow[" + window + ", bands " + Arrays.toString(bands) + ", " + sampleType + "]";
  }
}

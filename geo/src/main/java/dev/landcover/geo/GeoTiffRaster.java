package dev.landcover.geo;

import dev.landcover.geo.internal.Rasters;
import dev.landcover.geo.internal.sis.GeoKeyCrs;
import dev.landcover.geo.internal.tiff.BlockDecoder;
import dev.landcover.geo.internal.tiff.GdalMetadata;
import dev.landcover.geo.internal.tiff.GeoTiffTags;
import dev.landcover.geo.internal.tiff.TiffDirectory;
import dev.landcover.pixels.PixelWindow;
import java.awt.image.DataBuffer;
import java.awt.image.Raster;
import java.awt.image.WritableRaster;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import org.opengis.referencing.crs.CoordinateReferenceSystem;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A GeoTIFF file opened for reading windows of pixels. Opening reads only the file's header and
 * directory; pixels are decoded tile by tile when a window needs them, so scenes of any size can be
 * opened and windowed without loading the whole image.
 *
 * <p>Band numbers are 1-based, as in GDAL. Windows are in pixel coordinates, half-open (see {@link
 * PixelWindow}), and may reach past the raster's edges.
 *
 * <p><b>Threads:</b> instances are safe for use by several threads: concurrent reads of one
 * instance run in parallel, and one read decodes its tiles in parallel.
 *
 * <p>Pixels are decoded by Landcover's block decoder (internal {@code BlockDecoder}), the
 * geotransform and GeoKeys by Landcover's tag reader; Apache SIS decodes the CRS, only when
 * something first asks the grid for it (see {@link RasterGrid#crs()}). Supported: no compression,
 * LZW, Deflate, PackBits, ZSTD, LZMA and 8-bit JPEG (YCbCr converted to RGB as GDAL does);
 * predictors none, horizontal and floating point; tiled or striped, pixel or band interleaved,
 * classic TIFF and BigTIFF; unsigned integers of 1 to 16 and 32 bits, signed integers of 8, 16 and
 * 32 bits, 64-bit integers within +-2^53, floats of 16, 32 and 64 bits. Samples GDAL reads as a
 * type Landcover has no Java storage for are widened without loss: 1 to 7 bits to UINT8, 9 to 15
 * bits to UINT16, signed 8-bit to INT16, 16-bit floats to FLOAT32, 64-bit integers to FLOAT64.
 * Anything else is refused at {@link #open} with a {@link GeoTiffException} that says how to
 * convert the file.
 *
 * <p><b>Masks:</b> a GDAL mask (an internal mask IFD, an external {@code .msk} file, or an alpha
 * band as GDAL uses one: the last of 2 or 4 bands; see {@link #mask()}) makes the pixels it masks
 * (mask value 0) invalid in {@link #read} (their samples keep the file's values, as GDAL reads
 * them). An alpha band stays a band, numbered as in GDAL, but is left out of {@link #dataBands()}.
 */
public final class GeoTiffRaster implements SceneRaster {
  private static final Logger LOG = LoggerFactory.getLogger(GeoTiffRaster.class);

  private static final String CONVERT =
      "convert it with: gdal_translate -co COMPRESS=DEFLATE -co TILED=YES in.tif out.tif";

  private final Path file;
  private final RasterGrid grid;
  private final SampleType sampleType;
  private final int bandCount;
  private final OptionalDouble noData;
  private final String compression;
  private final boolean bigTiff;
  private final FileChannel channel;
  private final BlockDecoder decoder;
  private List<String> bandDescriptions = List.of();
  private RasterMask mask;

  private GeoTiffRaster(
      Path file,
      RasterGrid grid,
      SampleType sampleType,
      int bandCount,
      OptionalDouble noData,
      String compression,
      boolean bigTiff,
      FileChannel channel,
      BlockDecoder decoder) {
    this.file = file;
    this.grid = grid;
    this.sampleType = sampleType;
    this.bandCount = bandCount;
    this.noData = noData;
    this.compression = compression;
    this.bigTiff = bigTiff;
    this.channel = channel;
    this.decoder = decoder;
  }

  /**
   * Opens a GeoTIFF file.
   *
   * @param file the file
   * @return the open raster, to be closed
   * @throws GeoTiffException when the file is missing, not a TIFF, broken or uses an unsupported
   *     encoding; the message names the file and what to do
   */
  public static GeoTiffRaster open(Path file) throws GeoTiffException {
    if (!Files.exists(file)) {
      throw new GeoTiffException(file, "no such file", null);
    }
    if (Files.isDirectory(file)) {
      throw new GeoTiffException(file, "is a directory where a GeoTIFF file was expected", null);
    }
    if (!Files.isReadable(file)) {
      throw new GeoTiffException(file, "cannot be read (permission denied)", null);
    }
    TiffDirectory dir;
    try {
      dir = TiffDirectory.read(file);
    } catch (GeoTiffException e) {
      throw e;
    } catch (IOException e) {
      throw new GeoTiffException(file, "cannot be read: " + e.getMessage(), null, e);
    }
    dir.checkGeoKeys();
    GeoKeys keys;
    GeoTransform transform;
    try {
      keys = GeoTiffTags.geoKeys(dir);
      transform = GeoTiffTags.transform(dir, keys);
    } catch (RuntimeException e) {
      throw new GeoTiffException(
          file, "its georeferencing cannot be decoded: " + describe(e), null, e);
    }
    FileChannel channel = null;
    try {
      channel = FileChannel.open(file, StandardOpenOption.READ);
      BlockDecoder decoder = BlockDecoder.open(dir, channel);
      SampleType type = decoder.sampleType();
      int width = (int) dir.first(TiffDirectory.TAG_IMAGE_WIDTH, 0);
      int height = (int) dir.first(TiffDirectory.TAG_IMAGE_LENGTH, 0);
      GeoKeys geoKeys = keys;
      RasterGrid grid =
          RasterGrid.ofGeoTiff(
              width,
              height,
              transform == null ? GeoTransform.IDENTITY : transform,
              keys,
              () -> decodeCrs(file, geoKeys));
      String nodataText = dir.ascii(TiffDirectory.TAG_GDAL_NODATA);
      OptionalDouble noData = parseNoData(file, nodataText, type);
      String compression =
          TiffDirectory.compressionName(dir.first(TiffDirectory.TAG_COMPRESSION, 1));
      if (compression.equals("JPEG") && dir.first(TiffDirectory.TAG_PHOTOMETRIC, 1) == 6) {
        compression = "YCbCr JPEG"; // as gdalinfo says
      }
      GeoTiffRaster raster =
          new GeoTiffRaster(
              file,
              grid,
              type,
              decoder.bandCount(),
              noData,
              compression,
              dir.isBigTiff(),
              channel,
              decoder);
      try {
        raster.mask =
            RasterMask.find(dir, channel, decoder, width, height, noData.isPresent()).orElse(null);
      } catch (IOException | RuntimeException e) {
        closeQuietly(channel);
        throw e;
      }
      // Decode the first block now, so that undecodable data fails here rather than mid-run.
      raster.read(new PixelWindow(0, 0, 1, 1), 1);
      raster.bandDescriptions =
          GdalMetadata.parse(dir.ascii(TiffDirectory.TAG_GDAL_METADATA))
              .bandDescriptions(raster.bandCount());
      return raster;
    } catch (GeoTiffException e) {
      closeQuietly(channel);
      throw e;
    } catch (IOException e) {
      closeQuietly(channel);
      throw new GeoTiffException(file, "cannot be read: " + describe(e), null, e);
    } catch (RuntimeException e) {
      closeQuietly(channel);
      throw new GeoTiffException(file, "cannot be decoded: " + describe(e), CONVERT, e);
    }
  }

  private static void closeQuietly(FileChannel channel) {
    try {
      if (channel != null) {
        channel.close();
      }
    } catch (IOException | RuntimeException e) {
      LOG.debug("closing {}", channel, e);
    }
  }

  private static String describe(Throwable e) {
    StringBuilder sb = new StringBuilder();
    for (Throwable t = e; t != null && sb.length() < 300; t = t.getCause()) {
      String m = t.getMessage();
      if (m != null) {
        // a wrapper's message is often its cause's toString(): keep the text, not the class name
        m = m.replaceAll("^([a-z][a-z0-9_]*\\.)+[A-Z]\\w*(Exception|Error): ", "");
      }
      if (m != null && !m.isBlank() && sb.indexOf(m) < 0) {
        if (sb.length() > 0) {
          sb.append(": ");
        }
        sb.append(m.replace('\n', ' '));
      }
    }
    if (sb.length() > 300) {
      sb.setLength(300);
      sb.append("...");
    }
    return sb.length() == 0 ? e.getClass().getSimpleName() : sb.toString();
  }

  /** Parses the GDAL_NODATA text as GDAL does; empty when absent or not applicable. */
  private static OptionalDouble parseNoData(Path file, String text, SampleType type)
      throws GeoTiffException {
    if (text == null) {
      return OptionalDouble.empty();
    }
    // the white space C's strtod skips (String.trim would also drop other control characters)
    String t =
        text.replaceAll("^[ \\t\\n\\x0B\\f\\r]+|[ \\t\\n\\x0B\\f\\r]+$", "")
            .toLowerCase(Locale.ROOT);
    double v;
    if (t.equals("nan") || t.equals("-nan")) {
      v = Double.NaN;
    } else if (t.equals("inf") || t.equals("+inf")) {
      v = Double.POSITIVE_INFINITY;
    } else if (t.equals("-inf")) {
      v = Double.NEGATIVE_INFINITY;
    } else {
      try {
        if (!t.matches("[+-]?([0-9]+\\.?[0-9]*|\\.[0-9]+)(e[+-]?[0-9]+)?")) {
          throw new NumberFormatException(t);
        }
        v = Double.parseDouble(t);
      } catch (NumberFormatException e) {
        throw new GeoTiffException(
            file,
            "its nodata value (tag GDAL_NODATA, 42113) \""
                + text.substring(0, Math.min(40, text.length())).replaceAll("[^ -~]", "?")
                + "\" is not a number",
            "set it with: gdal_edit.py -a_nodata VALUE in.tif, or remove it with gdal_edit.py"
                + " -unsetnodata in.tif");
      }
    }
    if (!type.isFloatingPoint() && (Double.isNaN(v) || Double.isInfinite(v))) {
      return OptionalDouble.empty();
    }
    if (type == SampleType.FLOAT32 && !Double.isNaN(v)) {
      v = (float) v;
    }
    return OptionalDouble.of(v);
  }

  /**
   * The CRS of {@code keys}, the GeoKeys that {@link #open} read from {@code file}, decided by the
   * rules of {@link GeoKeyCrs} with Apache SIS's reading of the file as one source. Called when the
   * grid's CRS is first needed: opening, chipping and mapping on the file's own grid never do, and
   * so never start SIS's GeoTIFF reader or the EPSG database. A CRS that the keys describe but that
   * cannot be decoded is a warning (outputs still carry the keys).
   *
   * @throws UncheckedIOException wrapping a {@link GeoTiffException} naming the file when it can no
   *     longer be read, has other keys than when it was opened, or SIS cannot read it
   */
  private static GeoKeyCrs.Decoded decodeCrs(Path file, GeoKeys keys) {
    try {
      GeoKeys now = GeoTiffTags.geoKeys(TiffDirectory.read(file));
      if (!Objects.equals(keys, now)) {
        throw new GeoTiffException(
            file, "has changed since it was opened: its GeoTIFF keys differ", null);
      }
      CoordinateReferenceSystem sisCrs =
          GeoKeyCrs.readBySis(file, warning -> LOG.debug("{}: {}", file, warning));
      GeoKeyCrs.Decoded crs = GeoKeyCrs.decode(keys, sisCrs);
      if (crs.crs() == null && keys != null) {
        OptionalInt code = crs.epsg() == null ? OptionalInt.empty() : OptionalInt.of(crs.epsg());
        LOG.warn(
            "{}: its CRS ({}) cannot be decoded by Apache SIS: outputs carry the file's GeoTIFF"
                + " keys unchanged, but nothing can be reprojected from or to it",
            file,
            RasterGrid.label(null, code, keys)
                + RasterGrid.name(null, keys).map(n -> ", " + n).orElse(""));
      }
      return crs;
    } catch (GeoTiffException e) {
      throw new UncheckedIOException(e);
    } catch (IOException | RuntimeException e) {
      throw new UncheckedIOException(
          new GeoTiffException(file, "its CRS cannot be decoded: " + describe(e), null, e));
    }
  }

  /** The file this raster reads. */
  public Path file() {
    return file;
  }

  /** Size, transform and CRS. */
  public RasterGrid grid() {
    return grid;
  }

  public int width() {
    return grid.width();
  }

  public int height() {
    return grid.height();
  }

  public int bandCount() {
    return bandCount;
  }

  public SampleType sampleType() {
    return sampleType;
  }

  /**
   * The nodata value of band {@code band} (1-based), when the file declares one. GeoTIFF stores a
   * single value for all bands (the GDAL_NODATA tag), so all bands report the same.
   */
  public OptionalDouble noData(int band) {
    checkBand(band);
    return noData;
  }

  /**
   * Band descriptions as GDAL reads them from the GDAL_METADATA tag ({@code <Item
   * name="DESCRIPTION" sample="i" role="description">}), one per band in band order, "" where a
   * band has none; empty when the file has none at all. Descriptions in a {@code .aux.xml} file are
   * not read.
   */
  public List<String> bandDescriptions() {
    return bandDescriptions;
  }

  /** The compression as gdalinfo names it: NONE, LZW, DEFLATE, PACKBITS. */
  public String compression() {
    return compression;
  }

  /** Whether the file is a BigTIFF. */
  public boolean isBigTiff() {
    return bigTiff;
  }

  private void checkBand(int band) {
    if (band < 1 || band > bandCount) {
      throw new IllegalArgumentException(
          "Band " + band + " does not exist in " + file + ": it has bands 1 to " + bandCount);
    }
  }

  /** All band numbers, 1 to {@link #bandCount()}. */
  public int[] allBands() {
    int[] all = new int[bandCount];
    for (int i = 0; i < bandCount; i++) {
      all[i] = i + 1;
    }
    return all;
  }

  /**
   * Reads the pixels of some bands inside a window. Parts of the window outside the raster are
   * filled with the nodata value (0 without one) and marked invalid.
   *
   * @param window the window in pixel coordinates; may reach past the edges
   * @param bands 1-based band numbers, in the order wanted (repeats allowed)
   * @return the pixels, in this raster's sample type
   * @throws GeoTiffException when the file's data cannot be decoded
   * @throws IllegalArgumentException for a band number out of range
   */
  public RasterWindow read(PixelWindow window, int... bands) throws GeoTiffException {
    return read(window, bands, null);
  }

  @Override
  public RasterWindow read(PixelWindow window, int[] bands, RasterWindow recycled)
      throws GeoTiffException {
    for (int band : bands) {
      checkBand(band);
    }
    if (bands.length == 0) {
      throw new IllegalArgumentException("No band requested from " + file);
    }
    RasterWindow.Storage storage =
        recycled == null
            ? null
            : recycled.storageFor(window.width(), window.height(), bands.length, sampleType);
    WritableRaster out =
        storage != null
            ? storage.raster()
            : Rasters.createBanded(sampleType, window.width(), window.height(), bands.length);
    double fill = noData.orElse(sampleType.isFloatingPoint() ? Double.NaN : 0);
    boolean outside = !new PixelWindow(0, 0, width(), height()).contains(window);
    // New arrays hold zeros; reused ones are filled outside the raster whatever the value.
    if (outside && (fill != 0 || storage != null)) {
      double stored = toStored(fill);
      DataBuffer buf = out.getDataBuffer();
      for (int b = 0; b < bands.length; b++) {
        for (int i = 0; i < window.area(); i++) {
          buf.setElemDouble(b, i, stored);
        }
      }
    }
    PixelWindow inside = window.intersection(new PixelWindow(0, 0, width(), height()));
    if (inside != null) {
      try {
        Object[] banks = new Object[bands.length];
        for (int b = 0; b < bands.length; b++) {
          banks[b] = Rasters.bankData(out.getDataBuffer(), b);
        }
        decoder.copy(inside, window, bands, banks, noData.orElse(0));
      } catch (IOException | RuntimeException e) {
        throw new GeoTiffException(
            file, "pixels of window " + inside + " cannot be decoded: " + describe(e), CONVERT, e);
      }
    }
    double[] nd = new double[bands.length];
    Arrays.fill(nd, noData.orElse(Double.NaN));
    boolean[] valid =
        validity(window, inside, out, bands.length, storage == null ? null : storage.valid());
    boolean[] masked = null;
    if (mask != null) {
      try {
        masked = mask.apply(inside, window, bands, valid);
      } catch (IOException | RuntimeException e) {
        throw new GeoTiffException(
            file,
            "the mask of window " + inside + " cannot be decoded: " + describe(e),
            CONVERT,
            e);
      }
    }
    return new RasterWindow(window, bands.clone(), sampleType, nd, out, valid, masked);
  }

  private double toStored(double value) {
    return toStored(sampleType, value);
  }

  /** A nodata value as a raster of {@code type} stores it (unsigned 32-bit with Java's sign). */
  static double toStored(SampleType type, double value) {
    return switch (type) {
      case UINT32 -> (int) (long) value;
      default -> value;
    };
  }

  /**
   * Validity of a window read into {@code out}, in {@code reuse} (written anew) or a new array when
   * null.
   */
  private boolean[] validity(
      PixelWindow window, PixelWindow inside, Raster out, int bands, boolean[] reuse) {
    int w = window.width();
    boolean[] valid = reuse != null ? reuse : new boolean[(int) window.area()];
    if (reuse != null && (inside == null || !inside.equals(window))) {
      Arrays.fill(valid, false);
    }
    if (inside == null) {
      return valid;
    }
    int r0 = inside.y() - window.y();
    int r1 = inside.endY() - window.y();
    int c0 = inside.x() - window.x();
    int c1 = inside.endX() - window.x();
    for (int r = r0; r < r1; r++) {
      java.util.Arrays.fill(valid, r * w + c0, r * w + c1, true);
    }
    double stored = noDataToMatch(sampleType, noData.orElse(Double.NaN));
    if (Double.isNaN(stored) && !sampleType.isFloatingPoint()) {
      return valid;
    }
    DataBuffer buf = out.getDataBuffer();
    for (int b = 0; b < bands; b++) {
      Object bank = Rasters.bankData(buf, b);
      for (int r = r0; r < r1; r++) {
        int from = r * w + c0;
        int to = r * w + c1;
        markInvalid(bank, sampleType, from, to, stored, valid);
      }
    }
    return valid;
  }

  /**
   * The stored value that samples of {@code type} holding the nodata value {@code noData} equal
   * (see {@link #toStored}), or NaN when there is none: no nodata (NaN), or a value outside the
   * range GDAL's nodata mask ({@code GDALNoDataMaskBand}, GDAL 3.6) compares in: that of the type
   * for Byte, UInt32 and Int32, of UInt32 for UInt16 and of Int32 for Int16 (GDAL's working types),
   * every value for floating-point types (cast to the type: 1e300 is Float32's infinity). Integer
   * values are compared after truncation toward zero, as a C cast does: nodata 1.5 matches 1, and
   * 65535.9 matches 65535 in a UInt16 band, while -1 there matches nothing (not 65535).
   */
  static double noDataToMatch(SampleType type, double noData) {
    if (Double.isNaN(noData)) {
      return Double.NaN;
    }
    boolean compared =
        switch (type) {
          case UINT8 -> noData >= 0 && noData <= 255;
          case UINT16, UINT32 -> noData >= 0 && noData <= 4294967295.0;
          case INT16, INT32 -> noData >= Integer.MIN_VALUE && noData <= Integer.MAX_VALUE;
          case FLOAT32, FLOAT64 -> true;
        };
    return compared ? toStored(type, noData) : Double.NaN;
  }

  /**
   * Marks invalid the samples of {@code bank[from, to)}, of {@code type}, equal to {@code stored}
   * (a value of {@link #noDataToMatch}, truncated toward zero for integer types; NaN matches no
   * integer sample) or NaN.
   */
  static void markInvalid(
      Object bank, SampleType type, int from, int to, double stored, boolean[] valid) {
    if (bank instanceof float[] a) {
      float v = (float) stored;
      for (int i = from; i < to; i++) {
        if (a[i] == v || a[i] != a[i]) {
          valid[i] = false;
        }
      }
    } else if (bank instanceof double[] a) {
      for (int i = from; i < to; i++) {
        if (a[i] == stored || a[i] != a[i]) {
          valid[i] = false;
        }
      }
    } else if (bank instanceof byte[] a) {
      int v = (int) stored;
      for (int i = from; i < to; i++) {
        if ((a[i] & 0xFF) == v) {
          valid[i] = false;
        }
      }
    } else if (bank instanceof short[] a) {
      int v = (int) stored;
      boolean unsigned = type == SampleType.UINT16;
      for (int i = from; i < to; i++) {
        if ((unsigned ? a[i] & 0xFFFF : a[i]) == v) {
          valid[i] = false;
        }
      }
    } else if (bank instanceof int[] a) {
      int v = (int) stored;
      for (int i = from; i < to; i++) {
        if (a[i] == v) {
          valid[i] = false;
        }
      }
    }
  }

  /**
   * What masks this raster's pixels besides its nodata value, as GDAL's {@code GetMaskBand()} finds
   * it: an internal mask, an external {@code .msk} file or an alpha band (see the class comment);
   * empty when nothing does.
   */
  public Optional<String> mask() {
    return Optional.ofNullable(mask).map(RasterMask::description);
  }

  /**
   * The bands that hold data: all bands but an alpha band that serves as the mask (see the class
   * comment), 1-based. Chips and training use these by default, so that a 3-band model fits an RGBA
   * orthophoto; band numbers stay GDAL's.
   */
  @Override
  public int[] dataBands() {
    int alpha = mask == null ? 0 : mask.alphaBand();
    return java.util.Arrays.stream(allBands()).filter(b -> b != alpha).toArray();
  }

  @Override
  public void releaseRowsAbove(int row) {
    decoder.releaseRowsAbove(row);
    if (mask != null) {
      mask.releaseRowsAbove(row);
    }
  }

  @Override
  public void close() throws GeoTiffException {
    decoder.close();
    if (mask != null) {
      mask.close();
    }
    try {
      channel.close();
    } catch (IOException e) {
      throw new GeoTiffException(file, "cannot be closed: " + describe(e), null, e);
    }
  }

  @Override
  public String toString() {
    return "GeoTiffRaster["
        + file
        + ", "
        + bandCount
        + " bands "
        + sampleType
        + ", "
        + grid.describe()
        + "]";
  }
}

package dev.landcover.geo;

import dev.landcover.geo.internal.Rasters;
import dev.landcover.geo.internal.sis.EsriCrs;
import dev.landcover.geo.internal.sis.SisGrids;
import dev.landcover.geo.internal.tiff.BlockDecoder;
import dev.landcover.geo.internal.tiff.TiffDirectory;
import dev.landcover.pixels.PixelWindow;
import java.awt.Rectangle;
import java.awt.image.DataBuffer;
import java.awt.image.Raster;
import java.awt.image.RenderedImage;
import java.awt.image.WritableRaster;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.OptionalDouble;
import org.apache.sis.coverage.grid.GridGeometry;
import org.apache.sis.coverage.grid.PixelInCell;
import org.apache.sis.referencing.CRS;
import org.apache.sis.referencing.operation.transform.MathTransforms;
import org.apache.sis.storage.DataStoreException;
import org.apache.sis.storage.GridCoverageResource;
import org.apache.sis.storage.RasterLoadingStrategy;
import org.apache.sis.storage.StorageConnector;
import org.apache.sis.storage.event.WarningEvent;
import org.apache.sis.storage.geotiff.GeoTiffStore;
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
 * <p><b>Threads:</b> instances are safe for use by several threads. Uncompressed and Deflate files
 * (nearly all scenes, and Landcover's own outputs) are decoded by Landcover's own block decoder:
 * concurrent reads of one instance run in parallel, and one read decodes its tiles in parallel.
 * Files that Apache SIS decodes (LZW, PackBits and a few uncommon layouts) are read one window at a
 * time per instance, as SIS decodes one tile at a time per file: open one instance per thread to
 * read those in parallel.
 *
 * <p>Supported: uncompressed, LZW, Deflate and PackBits compression, tiled or striped, pixel or
 * band interleaved, 8-, 16-, 32-bit integer and 32-, 64-bit float samples, classic TIFF and
 * BigTIFF. Anything else is refused at {@link #open} with a {@link GeoTiffException} that says how
 * to convert the file.
 */
public final class GeoTiffRaster implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(GeoTiffRaster.class);

  private static final String CONVERT =
      "convert it with: gdal_translate -co COMPRESS=DEFLATE -co TILED=YES in.tif out.tif";

  private final Path file;
  private final GeoTiffStore store;
  private final RenderedImage image;
  private final RasterGrid grid;
  private final SampleType sampleType;
  private final int bandCount;
  private final OptionalDouble noData;
  private final String compression;
  private final boolean bigTiff;
  private final FileChannel channel;
  private final BlockDecoder decoder;
  private List<String> bandDescriptions = List.of();

  private GeoTiffRaster(
      Path file,
      GeoTiffStore store,
      RenderedImage image,
      RasterGrid grid,
      SampleType sampleType,
      int bandCount,
      OptionalDouble noData,
      String compression,
      boolean bigTiff,
      FileChannel channel,
      BlockDecoder decoder) {
    this.file = file;
    this.store = store;
    this.image = image;
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
    return open(file, true);
  }

  /**
   * Opens a GeoTIFF file.
   *
   * @param blockDecoder whether uncompressed and Deflate files are decoded by {@link BlockDecoder}
   *     (false: by Apache SIS, for tests that compare the two)
   */
  static GeoTiffRaster open(Path file, boolean blockDecoder) throws GeoTiffException {
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
    SampleType type = checkSupported(dir);
    GeoTiffStore store = null;
    FileChannel channel = null;
    try {
      var connector = new StorageConnector(file);
      store = new GeoTiffStore(null, connector);
      store.addListener(WarningEvent.class, e -> LOG.debug("{}: {}", file, e.getDescription()));
      List<GridCoverageResource> images = store.components();
      if (images.isEmpty()) {
        throw new GeoTiffException(file, "contains no image", null);
      }
      GridCoverageResource resource = images.get(0);
      resource.setLoadingStrategy(RasterLoadingStrategy.AT_GET_TILE_TIME);
      GridGeometry gg = resource.getGridGeometry();
      // Packed values: SIS would otherwise turn float nodata values into NaN.
      RenderedImage image = resource.read(null).forConvertedValues(false).render(null);
      int bands = image.getSampleModel().getNumBands();
      if (image.getSampleModel().getDataType() != type.dataBufferType()) {
        throw new GeoTiffException(
            file,
            "the decoder gives Java data type "
                + image.getSampleModel().getDataType()
                + " for "
                + type.gdalName()
                + " samples",
            CONVERT);
      }
      RasterGrid grid = gridOf(file, gg, image.getWidth(), image.getHeight(), dir);
      // Decode the first tile now, so that undecodable data fails here rather than mid-run.
      image.getTile(image.getMinTileX(), image.getMinTileY());
      String nodataText = dir.ascii(TiffDirectory.TAG_GDAL_NODATA);
      OptionalDouble noData = parseNoData(nodataText, type);
      String compression =
          TiffDirectory.compressionName(dir.first(TiffDirectory.TAG_COMPRESSION, 1));
      channel = FileChannel.open(file, StandardOpenOption.READ);
      BlockDecoder decoder = blockDecoder ? BlockDecoder.of(dir, type, bands, channel) : null;
      GeoTiffRaster raster =
          new GeoTiffRaster(
              file,
              store,
              image,
              grid,
              type,
              bands,
              noData,
              compression,
              dir.isBigTiff(),
              channel,
              decoder);
      raster.bandDescriptions =
          parseBandDescriptions(dir.ascii(TiffDirectory.TAG_GDAL_METADATA), bands);
      return raster;
    } catch (GeoTiffException e) {
      closeQuietly(store, channel);
      throw e;
    } catch (IOException e) {
      closeQuietly(store, channel);
      throw new GeoTiffException(file, "cannot be read: " + e.getMessage(), null, e);
    } catch (DataStoreException | RuntimeException e) {
      closeQuietly(store, channel);
      throw new GeoTiffException(file, "cannot be decoded: " + describe(e), CONVERT, e);
    }
  }

  private static void closeQuietly(GeoTiffStore store, FileChannel channel) {
    try {
      if (channel != null) {
        channel.close();
      }
      if (store != null) {
        store.close();
      }
    } catch (IOException | DataStoreException | RuntimeException e) {
      LOG.debug("closing {}", store, e);
    }
  }

  private static String describe(Throwable e) {
    StringBuilder sb = new StringBuilder();
    for (Throwable t = e; t != null && sb.length() < 300; t = t.getCause()) {
      String m = t.getMessage();
      if (m != null && !m.isBlank() && sb.indexOf(m) < 0) {
        if (sb.length() > 0) {
          sb.append(": ");
        }
        sb.append(m.replace('\n', ' '));
      }
    }
    return sb.length() == 0 ? e.getClass().getSimpleName() : sb.toString();
  }

  /** Refuses what Apache SIS cannot decode, with the reason and a way out. */
  private static SampleType checkSupported(TiffDirectory dir) throws GeoTiffException {
    Path file = dir.file();
    long width = dir.first(TiffDirectory.TAG_IMAGE_WIDTH, 0);
    long height = dir.first(TiffDirectory.TAG_IMAGE_LENGTH, 0);
    if (width <= 0 || height <= 0 || width > Integer.MAX_VALUE || height > Integer.MAX_VALUE) {
      throw new GeoTiffException(
          file, "broken TIFF: image size " + width + "x" + height + " is not valid", null);
    }
    if (!dir.has(TiffDirectory.TAG_COMPRESSION)) {
      throw new GeoTiffException(
          file, "broken TIFF: the Compression tag (259) is missing", CONVERT);
    }
    long compression = dir.first(TiffDirectory.TAG_COMPRESSION, 1);
    if (compression != 1
        && compression != 5
        && compression != 8
        && compression != 32946
        && compression != 32773) {
      throw new GeoTiffException(
          file,
          "unsupported compression "
              + TiffDirectory.compressionName(compression)
              + " (supported: NONE, LZW, DEFLATE, PACKBITS)",
          CONVERT);
    }
    long predictor = dir.first(TiffDirectory.TAG_PREDICTOR, 1);
    if (predictor != 1 && predictor != 2) {
      throw new GeoTiffException(
          file,
          "unsupported predictor "
              + predictor
              + (predictor == 3 ? " (floating point)" : "")
              + " (supported: 1 none, 2 horizontal)",
          "convert it with: gdal_translate -co COMPRESS=DEFLATE -co PREDICTOR=1 in.tif out.tif");
    }
    long photometric = dir.first(TiffDirectory.TAG_PHOTOMETRIC, 1);
    if (photometric >= 5 && photometric != 8) {
      throw new GeoTiffException(
          file,
          "unsupported photometric interpretation "
              + photometric
              + " (CMYK, YCbCr, CIELab or other colour spaces)",
          "convert it to plain bands with: gdal_translate -co COMPRESS=DEFLATE -co PHOTOMETRIC=MINISBLACK in.tif out.tif");
    }
    long[] bits = dir.longs(TiffDirectory.TAG_BITS_PER_SAMPLE);
    long[] formats = dir.longs(TiffDirectory.TAG_SAMPLE_FORMAT);
    long b = bits.length == 0 ? 1 : bits[0];
    long f = formats.length == 0 ? 1 : formats[0];
    for (long x : bits) {
      if (x != b) {
        throw new GeoTiffException(
            file,
            "bands have different bit depths " + Arrays.toString(bits),
            "convert it with: gdal_translate -ot UInt16 -co COMPRESS=DEFLATE in.tif out.tif");
      }
    }
    SampleType type = SampleType.fromTiff((int) b, (int) f);
    if (type == null) {
      throw new GeoTiffException(
          file,
          "unsupported sample type: "
              + b
              + " bits per sample, sample format "
              + f
              + " (supported: 8, 16, 32-bit integers, 32, 64-bit floats)",
          "convert it with: gdal_translate -ot UInt16 (or Float32) -co COMPRESS=DEFLATE in.tif out.tif");
    }
    List<long[]> blocks = dir.blockRanges();
    if (blocks.isEmpty()) {
      throw new GeoTiffException(file, "broken TIFF: no tile or strip offsets", null);
    }
    for (int i = 0; i < blocks.size(); i++) {
      long[] r = blocks.get(i);
      if (r[0] < 0 || r[1] < 0 || r[0] + r[1] > dir.fileSize()) {
        throw new GeoTiffException(
            file,
            "truncated or corrupt TIFF: block "
                + i
                + " spans bytes "
                + r[0]
                + " to "
                + (r[0] + r[1])
                + " but the file has only "
                + dir.fileSize()
                + " bytes",
            "copy the file again from an intact source");
      }
    }
    return type;
  }

  /** Parses the GDAL_NODATA text as GDAL does; empty when absent or not applicable. */
  private static OptionalDouble parseNoData(String text, SampleType type) {
    if (text == null || text.isBlank()) {
      return OptionalDouble.empty();
    }
    String t = text.trim().toLowerCase(Locale.ROOT);
    double v;
    if (t.equals("nan") || t.equals("-nan")) {
      v = Double.NaN;
    } else if (t.equals("inf") || t.equals("+inf")) {
      v = Double.POSITIVE_INFINITY;
    } else if (t.equals("-inf")) {
      v = Double.NEGATIVE_INFINITY;
    } else {
      try {
        v = Double.parseDouble(t);
      } catch (NumberFormatException e) {
        return OptionalDouble.empty();
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

  private static RasterGrid gridOf(
      Path file, GridGeometry gg, int width, int height, TiffDirectory dir)
      throws GeoTiffException {
    try {
      if (gg.getDimension() > 2) {
        gg = gg.selectDimensions(0, 1);
      }
      CoordinateReferenceSystem crs = null;
      if (gg.isDefined(GridGeometry.CRS)) {
        crs = CRS.getHorizontalComponent(gg.getCoordinateReferenceSystem());
        if (crs == null) {
          crs = gg.getCoordinateReferenceSystem();
        }
      } else {
        crs = EsriCrs.fromCitation(dir.ascii(TiffDirectory.TAG_GEO_ASCII_PARAMS));
      }
      GeoTransform transform = GeoTransform.IDENTITY;
      if (gg.isDefined(GridGeometry.GRID_TO_CRS)) {
        transform =
            SisGrids.fromGridToCrs(
                MathTransforms.getMatrix(gg.getGridToCRS(PixelInCell.CELL_CORNER)), crs);
      }
      return RasterGrid.of(width, height, transform, crs);
    } catch (RuntimeException e) {
      throw new GeoTiffException(
          file, "its georeferencing cannot be decoded: " + describe(e), null, e);
    }
  }

  /** Whether pixels are decoded by {@link BlockDecoder} rather than Apache SIS. */
  boolean usesBlockDecoder() {
    return decoder != null;
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

  private static final java.util.regex.Pattern ITEM =
      java.util.regex.Pattern.compile("<Item\\s([^>]*)>([^<]*)</Item>");

  static List<String> parseBandDescriptions(String metadata, int bands) {
    if (metadata == null) {
      return List.of();
    }
    String[] out = new String[bands];
    java.util.Arrays.fill(out, "");
    boolean any = false;
    var m = ITEM.matcher(metadata);
    while (m.find()) {
      String attributes = m.group(1);
      String name = attribute(attributes, "name");
      String role = attribute(attributes, "role");
      String sample = attribute(attributes, "sample");
      if ("DESCRIPTION".equals(name) && "description".equals(role) && sample != null) {
        try {
          int i = Integer.parseInt(sample);
          if (i >= 0 && i < bands) {
            out[i] = unescape(m.group(2)).strip();
            any = true;
          }
        } catch (NumberFormatException e) {
          // not a band item
        }
      }
    }
    return any ? List.of(out) : List.of();
  }

  private static String attribute(String attributes, String name) {
    var m =
        java.util.regex.Pattern.compile("\\b" + name + "\\s*=\\s*\"([^\"]*)\"").matcher(attributes);
    return m.find() ? m.group(1) : null;
  }

  private static String unescape(String s) {
    return s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&apos;", "'")
        .replace("&amp;", "&");
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
    for (int band : bands) {
      checkBand(band);
    }
    if (bands.length == 0) {
      throw new IllegalArgumentException("No band requested from " + file);
    }
    WritableRaster out =
        Rasters.createBanded(sampleType, window.width(), window.height(), bands.length);
    double fill = noData.orElse(sampleType.isFloatingPoint() ? Double.NaN : 0);
    boolean outside = !new PixelWindow(0, 0, width(), height()).contains(window);
    if (outside && fill != 0) {
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
        if (decoder != null) {
          Object[] banks = new Object[bands.length];
          for (int b = 0; b < bands.length; b++) {
            banks[b] = Rasters.bankData(out.getDataBuffer(), b);
          }
          decoder.copy(inside, window, bands, banks, noData.orElse(0));
        } else {
          copyTiles(inside, window, bands, out);
        }
      } catch (IOException | RuntimeException e) {
        throw new GeoTiffException(
            file, "pixels of window " + inside + " cannot be decoded: " + describe(e), CONVERT, e);
      }
    }
    if (decoder == null
        && sampleType.isFloatingPoint()
        && noData.isPresent()
        && !Double.isNaN(noData.getAsDouble())) {
      restoreNoData(out, noData.getAsDouble());
    }
    double[] nd = new double[bands.length];
    Arrays.fill(nd, noData.orElse(Double.NaN));
    boolean[] valid = validity(window, inside, out, bands.length);
    return new RasterWindow(window, bands.clone(), sampleType, nd, out, valid);
  }

  /**
   * Apache SIS turns the nodata value of floating-point files into NaN; this puts the file's value
   * back, as GDAL shows it. (A file holding both NaN and a nodata value reads all of them as the
   * nodata value; both are invalid pixels either way.)
   */
  private static void restoreNoData(WritableRaster out, double value) {
    DataBuffer buf = out.getDataBuffer();
    int n = buf.getSize();
    for (int b = 0; b < buf.getNumBanks(); b++) {
      for (int i = 0; i < n; i++) {
        if (Double.isNaN(buf.getElemDouble(b, i))) {
          buf.setElemDouble(b, i, value);
        }
      }
    }
  }

  private double toStored(double value) {
    return switch (sampleType) {
      case UINT32 -> (int) (long) value;
      default -> value;
    };
  }

  private void copyTiles(PixelWindow inside, PixelWindow window, int[] bands, WritableRaster out) {
    int tw = image.getTileWidth();
    int th = image.getTileHeight();
    int ox = image.getMinX();
    int oy = image.getMinY();
    int gx = image.getTileGridXOffset();
    int gy = image.getTileGridYOffset();
    int tx0 = Math.floorDiv(inside.x() + ox - gx, tw);
    int tx1 = Math.floorDiv(inside.endX() - 1 + ox - gx, tw);
    int ty0 = Math.floorDiv(inside.y() + oy - gy, th);
    int ty1 = Math.floorDiv(inside.endY() - 1 + oy - gy, th);
    int dataType = out.getSampleModel().getDataType();
    int[] ints = null;
    float[] floats = null;
    double[] doubles = null;
    synchronized (this) {
      for (int ty = ty0; ty <= ty1; ty++) {
        for (int tx = tx0; tx <= tx1; tx++) {
          Raster tile = image.getTile(tx, ty);
          Rectangle r =
              tile.getBounds()
                  .intersection(
                      new Rectangle(
                          inside.x() + ox, inside.y() + oy, inside.width(), inside.height()));
          if (r.isEmpty()) {
            continue;
          }
          int n = r.width * r.height;
          int dx = r.x - ox - window.x();
          int dy = r.y - oy - window.y();
          for (int b = 0; b < bands.length; b++) {
            int src = bands[b] - 1;
            if (Rasters.copyBand(tile, src, r.x, r.y, out, b, dx, dy, r.width, r.height)) {
              continue;
            }
            switch (dataType) {
              case DataBuffer.TYPE_FLOAT -> {
                floats = floats == null || floats.length < n ? new float[n] : floats;
                tile.getSamples(r.x, r.y, r.width, r.height, src, floats);
                out.setSamples(dx, dy, r.width, r.height, b, floats);
              }
              case DataBuffer.TYPE_DOUBLE -> {
                doubles = doubles == null || doubles.length < n ? new double[n] : doubles;
                tile.getSamples(r.x, r.y, r.width, r.height, src, doubles);
                out.setSamples(dx, dy, r.width, r.height, b, doubles);
              }
              default -> {
                ints = ints == null || ints.length < n ? new int[n] : ints;
                tile.getSamples(r.x, r.y, r.width, r.height, src, ints);
                out.setSamples(dx, dy, r.width, r.height, b, ints);
              }
            }
          }
        }
      }
    }
  }

  private boolean[] validity(PixelWindow window, PixelWindow inside, Raster out, int bands) {
    int w = window.width();
    boolean[] valid = new boolean[(int) window.area()];
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
    if (noData.isEmpty() && !sampleType.isFloatingPoint()) {
      return valid;
    }
    double stored = noData.isPresent() ? toStored(noData.getAsDouble()) : Double.NaN;
    DataBuffer buf = out.getDataBuffer();
    for (int b = 0; b < bands; b++) {
      Object bank = Rasters.bankData(buf, b);
      for (int r = r0; r < r1; r++) {
        int from = r * w + c0;
        int to = r * w + c1;
        markInvalid(bank, from, to, stored, valid);
      }
    }
    return valid;
  }

  /** Marks invalid the samples of {@code bank[from, to)} equal to {@code stored} or NaN. */
  private static void markInvalid(Object bank, int from, int to, double stored, boolean[] valid) {
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
      boolean unsigned = stored > Short.MAX_VALUE;
      for (int i = from; i < to; i++) {
        if ((unsigned ? a[i] & 0xFFFF : a[i]) == v) {
          valid[i] = false;
        }
      }
    } else if (bank instanceof int[] a) {
      for (int i = from; i < to; i++) {
        if (a[i] == stored) {
          valid[i] = false;
        }
      }
    }
  }

  @Override
  public void close() throws GeoTiffException {
    try {
      channel.close();
      store.close();
    } catch (IOException | DataStoreException e) {
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

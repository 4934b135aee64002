package dev.landcover.geo;

import dev.landcover.geo.internal.Rasters;
import dev.landcover.geo.internal.Xml;
import dev.landcover.geo.internal.sis.SisTiffWriter;
import dev.landcover.geo.internal.sis.TileImage;
import dev.landcover.geo.internal.tiff.CloudOptimizedTiff;
import dev.landcover.geo.internal.tiff.ColumnBlockTiff;
import dev.landcover.geo.internal.tiff.GdalMetadata;
import dev.landcover.geo.internal.tiff.SingleTileTiffWriter;
import dev.landcover.geo.internal.tiff.TiffDirectory;
import dev.landcover.geo.internal.tiff.TiffTagPatcher;
import dev.landcover.pixels.LandcoverClass;
import dev.landcover.pixels.PixelWindow;
import dev.landcover.pixels.support.AtomicFiles;
import dev.landcover.pixels.support.Numbers;
import dev.landcover.pixels.support.Threads;
import java.awt.image.ColorModel;
import java.awt.image.IndexColorModel;
import java.awt.image.WritableRaster;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Writes tiled, Deflate-compressed GeoTIFFs on a given grid: class maps (one band, colour table,
 * class names) and multi-band rasters (chips, probabilities).
 *
 * <p>Pixels are asked for tile by tile ({@link TileFiller}) while the file is written, so outputs
 * of any size stream in little memory; with {@link #threads} above 1, tiles are computed ahead
 * concurrently. Files that may pass 4 GB are written as BigTIFF. The nodata value is stored in the
 * GDAL_NODATA tag, band descriptions in GDAL_METADATA, class names in a {@code .aux.xml} file
 * beside the image, as GDAL does. Every file is written to a temporary file in the target's folder
 * and moved into place only when complete: a failed write leaves nothing at the target path.
 *
 * <pre>{@code
 * GeoTiffWriter.classMap(grid, classes).noData(0).write(path, (tile, raster) -> ...);
 * }</pre>
 */
public final class GeoTiffWriter {
  /** The tile width and height unless {@link #tileSize} says otherwise. */
  public static final int DEFAULT_TILE_SIZE = 256;

  /** Past this many bytes of uncompressed pixels, the file is written as BigTIFF. */
  static final long BIG_TIFF_THRESHOLD = 3_500_000_000L;

  private final RasterGrid grid;
  private final SampleType type;
  private final int bands;
  private final List<LandcoverClass> classes;
  private Double noData;
  private List<String> bandDescriptions = List.of();
  private int tileSize = DEFAULT_TILE_SIZE;
  private int deflateLevel = 6;
  private boolean overwrite;
  private boolean inPlace;
  private boolean huffmanOnly;
  private long bigTiffThreshold = BIG_TIFF_THRESHOLD;
  private int threads = 1;
  private OverviewResampling overviews;
  private int[] columnBlocks = {0};

  private GeoTiffWriter(RasterGrid grid, SampleType type, int bands, List<LandcoverClass> classes) {
    if (bands <= 0) {
      throw new IllegalArgumentException("At least one band must be written: bands=" + bands);
    }
    this.grid = grid;
    this.type = type;
    this.bands = bands;
    this.classes = classes;
  }

  /** A writer of {@code bands} bands of {@code type} on {@code grid}. */
  public static GeoTiffWriter forGrid(RasterGrid grid, SampleType type, int bands) {
    return new GeoTiffWriter(grid, type, bands, List.of());
  }

  /**
   * A writer of a class map: one band, uint8 (uint16 when a class id passes 255), a colour table
   * from the class colours and the class names in the GDAL {@code .aux.xml} file.
   */
  public static GeoTiffWriter classMap(RasterGrid grid, List<LandcoverClass> classes) {
    int max = classes.stream().mapToInt(LandcoverClass::id).max().orElse(0);
    return new GeoTiffWriter(grid, SampleType.unsignedFor(max), 1, List.copyOf(classes));
  }

  /** The nodata value stored for all bands (none by default). */
  public GeoTiffWriter noData(double value) {
    this.noData = value;
    return this;
  }

  /** Band descriptions GDAL and QGIS show (such as "blue", "forest probability"). */
  public GeoTiffWriter bandDescriptions(List<String> descriptions) {
    if (!descriptions.isEmpty() && descriptions.size() != bands) {
      throw new IllegalArgumentException(
          descriptions.size() + " band descriptions given for " + bands + " bands");
    }
    this.bandDescriptions = List.copyOf(descriptions);
    return this;
  }

  /** Tile width and height, a multiple of 16 (256 by default). */
  public GeoTiffWriter tileSize(int size) {
    if (size <= 0 || size % 16 != 0) {
      throw new IllegalArgumentException("Tile size must be a positive multiple of 16: " + size);
    }
    this.tileSize = size;
    return this;
  }

  /** Deflate level, 1 (fast) to 9 (small), or 0 for no compression; 6 by default. */
  public GeoTiffWriter deflateLevel(int level) {
    if (level < 0 || level > 9) {
      throw new IllegalArgumentException("Deflate level must be 0 to 9: " + level);
    }
    this.deflateLevel = level;
    return this;
  }

  /**
   * Threads that compute tiles ahead of the writer (1 by default: each tile is computed when the
   * writer needs it, on the calling thread). With more than one, the {@link TileFiller} is called
   * concurrently from these threads and must be safe for that.
   */
  public GeoTiffWriter threads(int threads) {
    if (threads < 1) {
      throw new IllegalArgumentException("Threads must be at least 1: " + threads);
    }
    this.threads = threads;
    return this;
  }

  /**
   * Deflate with Huffman coding only, no string matching: on imagery as small as Deflate level 1
   * and about twice as fast, on class maps much larger. Applies to images written in one tile
   * (chips); larger images use the deflate level.
   */
  public GeoTiffWriter huffmanOnly(boolean huffmanOnly) {
    this.huffmanOnly = huffmanOnly;
    return this;
  }

  /**
   * Writes a Cloud-Optimized GeoTIFF (COG) with internal overviews computed by {@code resampling},
   * or, with null (the default), a plain tiled GeoTIFF without overviews.
   *
   * <p>A COG has the layout of GDAL's COG driver, checked by GDAL's {@code
   * validate_cloud_optimized_geotiff.py}: GDAL's structural metadata after the header, every
   * directory (full resolution, then overviews halving down to one tile) before the pixels, the
   * tiles of the smallest overview first and the full resolution last, each tile with its size
   * before it and its last 4 bytes repeated after it. Overviews equal GDAL's {@code gdaladdo -r
   * mode}, {@code -r nearest} or {@code -r average} of the full resolution ({@link
   * OverviewResampling}). The full resolution is written as for a plain file (same tiles, GeoKeys
   * and tags) to a temporary file beside the target, then the overviews are computed from it one
   * tile row at a time.
   */
  public GeoTiffWriter cloudOptimized(OverviewResampling resampling) {
    this.overviews = resampling;
    return this;
  }

  /**
   * Asks for the tiles one column block at a time (by default one block, the whole width): every
   * tile row of the first block top to bottom, then of the next, so that a filler computing pixels
   * in column blocks (to keep its memory independent of the image's width) can hand them over as
   * they come. Each block is written as a file of its own beside the target, and the blocks are
   * then joined into the file a single pass would have written (same tiles, GeoKeys and tags).
   *
   * @param starts the first column of each block: 0 first, increasing, each a multiple of the tile
   *     size, and every block (the last up to the image's width) wider than one tile
   */
  public GeoTiffWriter columnBlocks(int[] starts) {
    if (starts.length == 0 || starts[0] != 0) {
      throw new IllegalArgumentException(
          "Column blocks must begin at column 0: " + java.util.Arrays.toString(starts));
    }
    checkColumnBlocks(starts);
    this.columnBlocks = starts.clone();
    return this;
  }

  /** Checks column block starts against the grid and the tile size (which may be set later). */
  private void checkColumnBlocks(int[] starts) {
    if (starts.length == 1) {
      return;
    }
    for (int k = 0; k < starts.length; k++) {
      int end = k + 1 < starts.length ? starts[k + 1] : grid.width();
      if (starts[k] % tileSize != 0 || end - starts[k] <= tileSize) {
        throw new IllegalArgumentException(
            "Column blocks must start at multiples of the tile size ("
                + tileSize
                + " px) and be wider than one tile: "
                + java.util.Arrays.toString(starts)
                + " across "
                + grid.width()
                + " px");
      }
    }
  }

  /** Whether an existing file at the target may be replaced (false by default). */
  public GeoTiffWriter overwrite(boolean overwrite) {
    this.overwrite = overwrite;
    return this;
  }

  /**
   * Whether to write straight to the target instead of to a temporary file moved into place (false
   * by default). Only for files in a folder that is itself staged and moved into place whole, such
   * as a chip folder: there the temporary file and its rename are one file creation and one folder
   * update too many per file. A failed write deletes what it wrote at the target.
   */
  public GeoTiffWriter inPlace(boolean inPlace) {
    this.inPlace = inPlace;
    return this;
  }

  /** Writes BigTIFF past this many bytes of uncompressed pixels (for tests). */
  GeoTiffWriter bigTiffThreshold(long bytes) {
    this.bigTiffThreshold = bytes;
    return this;
  }

  public SampleType sampleType() {
    return type;
  }

  /**
   * Writes pixels already in memory, such as a chip. The window's size must be the grid's size and
   * its sample type this writer's.
   */
  public void write(Path target, RasterWindow data) throws IOException {
    PixelWindow w = data.window();
    if (w.width() != grid.width() || w.height() != grid.height() || data.bandCount() != bands) {
      throw new IllegalArgumentException(
          "Data of "
              + w.width()
              + "x"
              + w.height()
              + "x"
              + data.bandCount()
              + " does not fit a grid of "
              + grid.width()
              + "x"
              + grid.height()
              + "x"
              + bands);
    }
    if (data.sampleType() != type) {
      throw new IllegalArgumentException(
          "Data of type " + data.sampleType() + " given to a writer of " + type);
    }
    if (classes.isEmpty() && overviews == null && SingleTileTiffWriter.fits(grid, bands, type)) {
      Object[] banks = new Object[bands];
      for (int b = 0; b < bands; b++) {
        banks[b] = data.bank(b);
      }
      writeAtomically(
          target,
          tmp ->
              SingleTileTiffWriter.write(
                  tmp,
                  grid,
                  banks,
                  data.sampleOffset(),
                  data.scanline(),
                  type,
                  tags(),
                  deflateLevel,
                  huffmanOnly));
      return;
    }
    WritableRaster source = data.writableRaster();
    write(
        target,
        (tile, raster) -> {
          PixelWindow part = tile.intersection(new PixelWindow(0, 0, w.width(), w.height()));
          for (int b = 0; b < bands; b++) {
            if (part == null
                || !Rasters.copyBand(
                    source,
                    b,
                    part.x(),
                    part.y(),
                    raster,
                    b,
                    part.x() - tile.x(),
                    part.y() - tile.y(),
                    part.width(),
                    part.height())) {
              raster.setRect(-tile.x(), -tile.y(), source);
              return;
            }
          }
        });
  }

  /**
   * Writes the file, asking {@code filler} for each tile.
   *
   * @throws GeoTiffException when the target exists and overwriting was not allowed, or the file
   *     cannot be written; nothing is left at the target then
   * @throws IOException what {@code filler} throws
   */
  public void write(Path target, TileFiller filler) throws IOException {
    writeAtomically(
        target,
        tmp -> {
          if (overviews == null) {
            writeTiles(tmp, filler);
            TiffTagPatcher.addAsciiTags(tmp, tags());
            return;
          }
          Path plain = AtomicFiles.temporary(target);
          try {
            writeTiles(plain, filler);
            TiffTagPatcher.addAsciiTags(plain, tags());
            CloudOptimizedTiff.write(plain, tmp, type, overviews, noData, deflateLevel, tileSize);
          } finally {
            Files.deleteIfExists(plain);
          }
        });
  }

  /** GDAL_NODATA and GDAL_METADATA, where there is something to say. */
  private Map<Integer, String> tags() {
    Map<Integer, String> tags = new LinkedHashMap<>();
    if (noData != null) {
      tags.put(TiffDirectory.TAG_GDAL_NODATA, Numbers.compact(noData));
    }
    if (!bandDescriptions.isEmpty()) {
      tags.put(TiffDirectory.TAG_GDAL_METADATA, GdalMetadata.ofBandDescriptions(bandDescriptions));
    }
    return tags;
  }

  /**
   * Writes to a temporary file beside {@code target} (and the class names to a temporary {@code
   * .aux.xml}), then moves them into place; on failure deletes them. {@link #inPlace} writes the
   * target itself (when there are no class names).
   */
  private void writeAtomically(Path target, AtomicFiles.Content content) throws IOException {
    Path dir = target.toAbsolutePath().getParent();
    if (Files.exists(target)) {
      if (!overwrite) {
        throw new GeoTiffException(target, "already exists", "allow overwriting to replace it");
      }
      if (Files.isDirectory(target)) {
        throw new GeoTiffException(
            target, "is a directory where an output file was expected", null);
      }
    }
    try {
      if (!Files.isDirectory(dir)) {
        Files.createDirectories(dir);
      }
    } catch (IOException e) {
      throw new GeoTiffException(target, "its folder cannot be created: " + e, null, e);
    }
    if (inPlace && classes.isEmpty()) {
      writeInPlace(target, content);
      return;
    }
    Path aux = target.resolveSibling(target.getFileName() + ".aux.xml");
    Path tmp = AtomicFiles.temporary(target);
    Path auxTmp = classes.isEmpty() ? null : AtomicFiles.temporary(aux);
    boolean moved = false;
    try {
      content.writeTo(tmp);
      if (auxTmp != null) {
        Files.writeString(auxTmp, categoryNames(classes), StandardCharsets.UTF_8);
      }
      AtomicFiles.move(tmp, target, overwrite);
      moved = true;
      if (auxTmp != null) {
        AtomicFiles.move(auxTmp, aux, overwrite);
      } else if (overwrite) {
        Files.deleteIfExists(aux);
      }
    } catch (FileAlreadyExistsException e) {
      throw new GeoTiffException(target, "already exists", "allow overwriting to replace it", e);
    } finally {
      // after the move the temporary file is gone: no need to ask (one call less per chip)
      if (!moved) {
        Files.deleteIfExists(tmp);
      }
      if (auxTmp != null) {
        Files.deleteIfExists(auxTmp);
      }
    }
  }

  private void writeInPlace(Path target, AtomicFiles.Content content) throws IOException {
    boolean written = false;
    try {
      if (overwrite) {
        Files.deleteIfExists(target);
      }
      content.writeTo(target);
      written = true;
    } finally {
      if (!written) {
        Files.deleteIfExists(target);
      }
    }
    if (overwrite) {
      Files.deleteIfExists(target.resolveSibling(target.getFileName() + ".aux.xml"));
    }
  }

  private void writeTiles(Path tmp, TileFiller filler) throws IOException {
    if (columnBlocks.length == 1) {
      writeTiles(tmp, grid, filler);
      return;
    }
    checkColumnBlocks(columnBlocks);
    List<Path> blocks = new ArrayList<>();
    try {
      for (int k = 0; k < columnBlocks.length; k++) {
        int x0 = columnBlocks[k];
        int end = k + 1 < columnBlocks.length ? columnBlocks[k + 1] : grid.width();
        Path block = AtomicFiles.temporary(tmp);
        blocks.add(block);
        writeTiles(
            block,
            grid.window(new PixelWindow(x0, 0, end - x0, grid.height())),
            (tile, raster) ->
                filler.fill(
                    new PixelWindow(tile.x() + x0, tile.y(), tile.width(), tile.height()), raster));
      }
      ColumnBlockTiff.join(blocks, tmp);
    } finally {
      for (Path block : blocks) {
        Files.deleteIfExists(block);
      }
    }
  }

  /** Writes the tiles of {@code part} (this writer's grid or a column block of it) to a file. */
  private void writeTiles(Path tmp, RasterGrid part, TileFiller filler) throws IOException {
    // An image narrower than one tile is written as one tile of its own size: Apache SIS
    // misplaces rows when a single tile column is wider than the image.
    int tileWidth = part.width() <= tileSize ? part.width() : tileSize;
    int tileHeight = part.width() <= tileSize ? Math.min(part.height(), tileSize) : tileSize;
    ColorModel cm = classes.isEmpty() ? null : palette(classes, type);
    ExecutorService pool =
        threads > 1
            ? Executors.newFixedThreadPool(threads, Threads.daemon("landcover-tile"))
            : null;
    TileImage image =
        new TileImage(
            part.width(),
            part.height(),
            tileWidth,
            tileHeight,
            type,
            bands,
            cm,
            filler::fill,
            pool,
            threads * 2);
    // Blocks of one image are all BigTIFF or none, as the whole image would be.
    long bytes = (long) grid.width() * grid.height() * bands * (type.bits() / 8);
    try {
      SisTiffWriter.write(tmp, image, part, deflateLevel, bytes > bigTiffThreshold);
    } finally {
      image.cancelPending();
      if (pool != null) {
        pool.shutdownNow();
      }
    }
  }

  /** The colour table: class colours at their ids, black elsewhere. */
  static IndexColorModel palette(List<LandcoverClass> classes, SampleType type) {
    int size = type == SampleType.UINT8 ? 256 : 65536;
    byte[] r = new byte[size];
    byte[] g = new byte[size];
    byte[] b = new byte[size];
    for (LandcoverClass c : classes) {
      r[c.id()] = (byte) c.red();
      g[c.id()] = (byte) c.green();
      b[c.id()] = (byte) c.blue();
    }
    int bits = type == SampleType.UINT8 ? 8 : 16;
    return new IndexColorModel(bits, size, r, g, b);
  }

  /** GDAL's PAM file with the category names of band 1, indexed by pixel value. */
  private static String categoryNames(List<LandcoverClass> classes) {
    int max = classes.stream().mapToInt(LandcoverClass::id).max().orElse(0);
    List<String> names = new ArrayList<>();
    for (int i = 0; i <= max; i++) {
      names.add("");
    }
    for (LandcoverClass c : classes) {
      names.set(c.id(), c.name());
    }
    StringBuilder sb = new StringBuilder("<PAMDataset>\n  <PAMRasterBand band=\"1\">\n");
    sb.append("    <CategoryNames>\n");
    for (String n : names) {
      sb.append("      <Category>").append(Xml.escape(n)).append("</Category>\n");
    }
    return sb.append("    </CategoryNames>\n  </PAMRasterBand>\n</PAMDataset>\n").toString();
  }
}

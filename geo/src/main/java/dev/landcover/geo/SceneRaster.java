package dev.landcover.geo;

import dev.landcover.pixels.PixelWindow;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.OptionalDouble;

/**
 * The bands of a scene opened for reading windows of pixels, whatever files hold them: one GeoTIFF
 * ({@link GeoTiffRaster}), a GDAL VRT of bands ({@code gdalbuildvrt -separate}), or a {@link
 * BandStack} of files. Windows are read lazily, so scenes of any size can be opened.
 *
 * <p>Band numbers are 1-based, as in GDAL. Windows are in pixel coordinates of {@link #grid()},
 * half-open (see {@link PixelWindow}), and may reach past the raster's edges: parts outside hold
 * each band's nodata value (0 without one) and are invalid. All bands share one {@link
 * #sampleType()}. Instances are safe for use by several threads.
 */
public interface SceneRaster extends AutoCloseable {

  /**
   * Opens a GeoTIFF, or a GDAL VRT when the name ends with {@code .vrt} (see {@link BandStack} for
   * what a VRT may hold).
   *
   * @throws GeoTiffException when the file (or a file a VRT names) is missing, unreadable or uses
   *     something Landcover does not read; the message names the file and what to do
   */
  static SceneRaster open(Path file) throws GeoTiffException {
    if (file.getFileName() != null
        && file.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".vrt")) {
      return StackedRaster.openVrt(file);
    }
    return GeoTiffRaster.open(file);
  }

  /** The file that names this raster in messages: the GeoTIFF, the VRT, or a stack's first file. */
  Path file();

  /** Size, transform and CRS of the pixels windows address. */
  RasterGrid grid();

  default int width() {
    return grid().width();
  }

  default int height() {
    return grid().height();
  }

  int bandCount();

  /** The type of every band's samples. */
  SampleType sampleType();

  /** The nodata value of band {@code band} (1-based), when it has one. */
  OptionalDouble noData(int band);

  /**
   * Band descriptions (GDAL's), one per band in band order, "" where a band has none; empty when no
   * band has one.
   */
  List<String> bandDescriptions();

  /** All band numbers, 1 to {@link #bandCount()}. */
  default int[] allBands() {
    int[] all = new int[bandCount()];
    for (int i = 0; i < all.length; i++) {
      all[i] = i + 1;
    }
    return all;
  }

  /**
   * The bands that hold data, 1-based: all bands, except in a GeoTIFF whose alpha band serves as
   * its mask ({@link GeoTiffRaster#dataBands()}). Chips and training use these by default.
   */
  default int[] dataBands() {
    return allBands();
  }

  /**
   * Reads the pixels of some bands inside a window.
   *
   * @param window the window in pixel coordinates; may reach past the edges
   * @param bands 1-based band numbers, in the order wanted (repeats allowed)
   * @return the pixels, in {@link #sampleType()}; a pixel is valid when it lies inside the raster,
   *     every band read holds data there and none holds its nodata value or NaN
   * @throws GeoTiffException when a file's data cannot be decoded
   * @throws IllegalArgumentException for a band number out of range
   */
  RasterWindow read(PixelWindow window, int... bands) throws GeoTiffException;

  /**
   * As {@link #read(PixelWindow, int...)}, reading into the arrays of {@code recycled} (null: none)
   * when they fit: a window this raster read earlier, of the same size and bands, that nobody uses
   * any more (its views included), since its samples and validity are overwritten. Spares a
   * top-down pass allocating (and the collector clearing) one strip per row. Rasters that cannot
   * reuse arrays read into new ones.
   */
  default RasterWindow read(PixelWindow window, int[] bands, RasterWindow recycled)
      throws GeoTiffException {
    return read(window, bands);
  }

  /**
   * Tells the raster that a top-down pass (chip rows, prediction strips) will not read rows above
   * {@code row} (0-based, exclusive) again, so that decoded blocks kept for them can be dropped and
   * the memory held stays that of the rows ahead, whatever the scene's height. Reading those rows
   * later stays correct (they are decoded again); nothing happens where nothing is kept.
   */
  default void releaseRowsAbove(int row) {}

  @Override
  void close() throws GeoTiffException;
}

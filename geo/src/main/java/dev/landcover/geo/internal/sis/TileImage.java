package dev.landcover.geo.internal.sis;

import dev.landcover.geo.SampleType;
import dev.landcover.geo.internal.Rasters;
import dev.landcover.pixels.PixelWindow;
import dev.landcover.pixels.support.Threads;
import java.awt.Rectangle;
import java.awt.image.BandedSampleModel;
import java.awt.image.ColorModel;
import java.awt.image.Raster;
import java.awt.image.RenderedImage;
import java.awt.image.SampleModel;
import java.awt.image.WritableRaster;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.Map;
import java.util.Vector;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;

/**
 * A rendered image whose tiles are computed when asked for and not kept, so that a writer pulling
 * tiles one at a time streams an image of any size. With a thread pool, the next tiles are computed
 * ahead on the pool's threads while the writer encodes the current one.
 *
 * <p>A tile computation that throws an {@link IOException} surfaces from {@link #getTile} as an
 * {@link UncheckedIOException} wrapping it, for the caller to unwrap.
 */
public final class TileImage implements RenderedImage {
  /** Computes the pixels of one tile. */
  @FunctionalInterface
  public interface Filler {
    /**
     * Fills {@code target} with the pixels of {@code tile}.
     *
     * @param tile the tile's window in image pixel coordinates (may reach past the image's right
     *     and bottom edges)
     * @param target a banded raster of the tile's size, origin (0, 0) standing for the tile's
     *     upper-left pixel
     */
    void fill(PixelWindow tile, WritableRaster target) throws IOException;
  }

  private final int width;
  private final int height;
  private final int tileWidth;
  private final int tileHeight;
  private final SampleType type;
  private final int bands;
  private final ColorModel colorModel;
  private final Filler filler;
  private final SampleModel sampleModel;
  private final ExecutorService pool;
  private final int lookahead;
  private final Map<Integer, Future<Raster>> pending = new HashMap<>();

  /**
   * An image of {@code width x height} pixels in tiles of {@code tileWidth x tileHeight}, banded.
   *
   * @param colorModel the colour model (a palette), or null
   * @param pool threads that compute the next tiles ahead of the writer, or null to compute each
   *     tile when asked for, on the caller's thread; with a pool, {@code filler} is called
   *     concurrently from the pool's threads and must be safe for that
   * @param lookahead how many tiles, from the one asked for on, are computed ahead with a pool
   */
  public TileImage(
      int width,
      int height,
      int tileWidth,
      int tileHeight,
      SampleType type,
      int bands,
      ColorModel colorModel,
      Filler filler,
      ExecutorService pool,
      int lookahead) {
    this.width = width;
    this.height = height;
    this.tileWidth = tileWidth;
    this.tileHeight = tileHeight;
    this.type = type;
    this.bands = bands;
    this.colorModel = colorModel;
    this.filler = filler;
    this.sampleModel = new BandedSampleModel(type.dataBufferType(), tileWidth, tileHeight, bands);
    this.pool = pool;
    this.lookahead = lookahead;
  }

  @Override
  public Raster getTile(int tileX, int tileY) {
    if (pool == null) {
      return computeTile(tileX, tileY);
    }
    int columns = getNumXTiles();
    int total = columns * getNumYTiles();
    int index = tileY * columns + tileX;
    Future<Raster> future;
    synchronized (pending) {
      for (int i = index; i < Math.min(total, index + lookahead); i++) {
        if (!pending.containsKey(i)) {
          int tx = i % columns;
          int ty = i / columns;
          pending.put(i, pool.submit(() -> computeTile(tx, ty)));
        }
      }
      future = pending.remove(index);
    }
    try {
      return Threads.await(future, "computing tiles");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Cancels tiles computed ahead that nobody will ask for (after a failure). */
  public void cancelPending() {
    synchronized (pending) {
      pending.values().forEach(f -> f.cancel(true));
      pending.clear();
    }
  }

  private Raster computeTile(int tileX, int tileY) {
    PixelWindow window =
        new PixelWindow(tileX * tileWidth, tileY * tileHeight, tileWidth, tileHeight);
    WritableRaster raster = Rasters.createBanded(type, tileWidth, tileHeight, bands);
    try {
      filler.fill(window, raster);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return raster.createTranslatedChild(window.x(), window.y());
  }

  @Override
  public Raster getData() {
    return getData(new Rectangle(0, 0, width, height));
  }

  @Override
  public Raster getData(Rectangle rect) {
    WritableRaster out =
        Rasters.createBanded(type, rect.width, rect.height, bands)
            .createWritableTranslatedChild(rect.x, rect.y);
    copyData(out);
    return out;
  }

  @Override
  public WritableRaster copyData(WritableRaster target) {
    Rectangle r = target.getBounds().intersection(new Rectangle(0, 0, width, height));
    if (r.isEmpty()) {
      return target;
    }
    for (int ty = r.y / tileHeight; ty <= (r.y + r.height - 1) / tileHeight; ty++) {
      for (int tx = r.x / tileWidth; tx <= (r.x + r.width - 1) / tileWidth; tx++) {
        Raster tile = getTile(tx, ty);
        Rectangle common = tile.getBounds().intersection(r);
        target.setRect(
            tile.createChild(
                common.x, common.y, common.width, common.height, common.x, common.y, null));
      }
    }
    return target;
  }

  @Override
  public Vector<RenderedImage> getSources() {
    return null;
  }

  @Override
  public Object getProperty(String name) {
    return java.awt.Image.UndefinedProperty;
  }

  @Override
  public String[] getPropertyNames() {
    return null;
  }

  @Override
  public ColorModel getColorModel() {
    return colorModel;
  }

  @Override
  public SampleModel getSampleModel() {
    return sampleModel;
  }

  @Override
  public int getWidth() {
    return width;
  }

  @Override
  public int getHeight() {
    return height;
  }

  @Override
  public int getMinX() {
    return 0;
  }

  @Override
  public int getMinY() {
    return 0;
  }

  @Override
  public int getNumXTiles() {
    return (width + tileWidth - 1) / tileWidth;
  }

  @Override
  public int getNumYTiles() {
    return (height + tileHeight - 1) / tileHeight;
  }

  @Override
  public int getMinTileX() {
    return 0;
  }

  @Override
  public int getMinTileY() {
    return 0;
  }

  @Override
  public int getTileWidth() {
    return tileWidth;
  }

  @Override
  public int getTileHeight() {
    return tileHeight;
  }

  @Override
  public int getTileGridXOffset() {
    return 0;
  }

  @Override
  public int getTileGridYOffset() {
    return 0;
  }
}

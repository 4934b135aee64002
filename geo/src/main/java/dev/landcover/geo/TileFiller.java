package dev.landcover.geo;

import dev.landcover.pixels.PixelWindow;
import java.awt.image.WritableRaster;
import java.io.IOException;

/**
 * Computes the pixels of one output tile when the writer needs it.
 *
 * <p>The tile may reach past the image's right and bottom edges (tiles have a fixed size); what is
 * written there is ignored.
 *
 * <p><b>Threads:</b> by default ({@link GeoTiffWriter#threads threads(1)}) tiles are asked for one
 * at a time, row by row, on the thread that called {@link GeoTiffWriter#write(java.nio.file.Path,
 * TileFiller) write}. When the writer computes tiles ahead on several threads ({@code threads(n)}
 * with {@code n > 1}), {@link #fill} is called concurrently, from those threads, for different
 * tiles and in no guaranteed order: the filler must then be safe for concurrent calls (each call
 * gets its own {@code target}).
 */
@FunctionalInterface
public interface TileFiller {
  /**
   * Fills {@code target} with the pixels of {@code tile}.
   *
   * @param tile the tile's window in image pixel coordinates (half-open)
   * @param target a banded raster of the tile's size and the output's sample type, origin (0, 0)
   *     standing for pixel ({@code tile.x()}, {@code tile.y()})
   * @throws IOException when the pixels cannot be computed; the write fails and leaves nothing
   */
  void fill(PixelWindow tile, WritableRaster target) throws IOException;
}

package dev.landcover.geo.internal.tiff;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.landcover.geo.GeoTiffWriter;
import dev.landcover.geo.GeoTransform;
import dev.landcover.geo.OverviewResampling;
import dev.landcover.geo.RasterGrid;
import dev.landcover.geo.SampleType;
import dev.landcover.pixels.PixelWindow;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link BlockDecoder#releaseRowsAbove}: a top-down pass that releases the rows it has passed keeps
 * only the tile rows of its current strip in the cache, whatever the raster's height, and rows
 * released are decoded again, equal, when read later.
 */
class BlockCacheReleaseTest {
  private static final int WIDTH = 64;
  private static final int HEIGHT = 320;
  private static final int TILE = 16;
  private static final int BANDS = 2;

  @TempDir Path dir;

  private static int value(int x, int y, int band) {
    return (x * 31 + y * 17 + band * 1009) & 0xFFFF;
  }

  /**
   * A Cloud-Optimized write reads its temporary full-resolution file back to compute the overviews:
   * none of that file's blocks stay in the process's cache afterwards (in a batch they piled up
   * scene after scene, up to the cache's budget).
   */
  @Test
  void aCloudOptimizedWriteLeavesNoBlocksCached() throws IOException {
    long before = BlockCache.totalBytes();
    GeoTiffWriter.forGrid(
            RasterGrid.of(WIDTH, HEIGHT, GeoTransform.IDENTITY, null), SampleType.UINT16, BANDS)
        .tileSize(TILE)
        .cloudOptimized(OverviewResampling.AVERAGE)
        .write(
            dir.resolve("cog.tif"),
            (tile, target) -> {
              for (int b = 0; b < BANDS; b++) {
                for (int y = 0; y < tile.height(); y++) {
                  for (int x = 0; x < tile.width(); x++) {
                    target.setSample(x, y, b, value(tile.x() + x, tile.y() + y, b));
                  }
                }
              }
            });
    assertEquals(before, BlockCache.totalBytes());
  }

  @Test
  void aTopDownPassKeepsOnlyItsStripsTileRows() throws IOException {
    Path file = dir.resolve("tall.tif");
    GeoTiffWriter.forGrid(
            RasterGrid.of(WIDTH, HEIGHT, GeoTransform.IDENTITY, null), SampleType.UINT16, BANDS)
        .tileSize(TILE)
        .write(
            file,
            (tile, target) -> {
              for (int b = 0; b < BANDS; b++) {
                for (int y = 0; y < tile.height(); y++) {
                  for (int x = 0; x < tile.width(); x++) {
                    target.setSample(x, y, b, value(tile.x() + x, tile.y() + y, b));
                  }
                }
              }
            });
    TiffDirectory d = TiffDirectory.read(file);
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      BlockDecoder decoder = BlockDecoder.open(d, ch);
      try {
        int strip = 40;
        int stride = 24;
        long tileRowBytes = (long) WIDTH * TILE * BANDS * 2;
        for (int y = 0; y + strip <= HEIGHT; y += stride) {
          check(decoder, y, strip);
          decoder.releaseRowsAbove(y);
          long rowsKept = (y + strip - 1) / TILE - y / TILE + 1;
          assertTrue(
              decoder.cachedBytes() <= rowsKept * tileRowBytes,
              "at row " + y + ": " + decoder.cachedBytes() + " bytes kept");
        }
        assertTrue(decoder.cachedBytes() > 0);
        check(decoder, 0, strip);
      } finally {
        decoder.close();
      }
      assertEquals(0, decoder.cachedBytes());
    }
  }

  private static void check(BlockDecoder decoder, int y0, int rows) throws IOException {
    PixelWindow window = new PixelWindow(0, y0, WIDTH, rows);
    short[][] out = new short[BANDS][WIDTH * rows];
    decoder.copy(window, window, new int[] {1, 2}, out, 0);
    for (int b = 0; b < BANDS; b++) {
      for (int y = 0; y < rows; y++) {
        for (int x = 0; x < WIDTH; x++) {
          assertEquals(
              value(x, y0 + y, b), out[b][y * WIDTH + x] & 0xFFFF, "x " + x + " y " + (y0 + y));
        }
      }
    }
  }
}

package dev.landcover.geo;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.landcover.pixels.PixelWindow;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Opening and windowing a big scene never loads the whole image: a JVM limited to 64 MB of heap
 * opens a 10980 x 10980 x 4 uint16 tiled Deflate scene (964 MB of pixels) and reads windows at its
 * corners and centre, and they hold the values written there.
 */
class LazyReadTest {

  /** Run in the child JVM. */
  public static void main(String[] args) throws IOException {
    try (GeoTiffRaster r = GeoTiffRaster.open(Path.of(args[0]))) {
      long sum = 0;
      int[] bands = r.allBands();
      for (int[] xy :
          List.of(
              new int[] {0, 0},
              new int[] {r.width() - 512, r.height() - 512},
              new int[] {r.width() / 2, r.height() / 2})) {
        RasterWindow w = r.read(new PixelWindow(xy[0], xy[1], 512, 512), bands);
        for (int b = 0; b < bands.length; b++) {
          sum += (long) w.sample(b, 100, 100);
        }
      }
      System.out.println("read " + r.width() + "x" + r.height() + "x" + r.bandCount() + " " + sum);
    }
  }

  /** The value of every band at (x, y): a constant per 256 x 256 tile, cheap to write. */
  static int value(int x, int y, int band) {
    return (x / 256 * 7 + y / 256 * 13 + band * 1000) & 0xFFFF;
  }

  @Test
  void aHugeSceneIsWindowedInASmallHeap(@TempDir Path dir) throws Exception {
    Path big = dir.resolve("big.tif");
    int n = 10980;
    RasterGrid grid =
        RasterGrid.ofEpsg(n, n, new GeoTransform(300000, 10, 0, 5000000, 0, -10), 32633);
    GeoTiffWriter.forGrid(grid, SampleType.UINT16, 4)
        .deflateLevel(1)
        .threads(2)
        .write(
            big,
            (tile, raster) -> {
              for (int b = 0; b < 4; b++) {
                short[] bank =
                    ((java.awt.image.DataBufferUShort) raster.getDataBuffer()).getData(b);
                java.util.Arrays.fill(bank, (short) value(tile.x(), tile.y(), b));
              }
            });
    long expected = 0;
    for (int[] xy :
        List.of(new int[] {0, 0}, new int[] {n - 512, n - 512}, new int[] {n / 2, n / 2})) {
      for (int b = 0; b < 4; b++) {
        expected += value(xy[0] + 100, xy[1] + 100, b);
      }
    }
    Process p =
        ChildJvm.builder(LazyReadTest.class, List.of("-Xmx64m"), big.toString())
            .redirectErrorStream(true)
            .start();
    String output = new String(p.getInputStream().readAllBytes());
    p.waitFor(120, TimeUnit.SECONDS);
    assertEquals(0, p.exitValue(), output);
    assertEquals(true, output.contains("read 10980x10980x4 " + expected), output);
  }
}

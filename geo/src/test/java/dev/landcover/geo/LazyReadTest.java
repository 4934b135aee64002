package dev.landcover.geo;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.landcover.core.chip.PixelWindow;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Opening and windowing a big scene never loads the whole image: a JVM limited to 64 MB of heap
 * opens the 20480 x 20480 x 4 BigTIFF of the corpus (1.6 GB of pixels) and reads windows at its
 * corners and centre.
 */
class LazyReadTest {

  /** Run in the child JVM. */
  public static void main(String[] args) throws IOException {
    try (GeoTiffRaster r = GeoTiffRaster.open(Path.of(args[0]))) {
      long sum = 0;
      for (int[] xy :
          List.of(
              new int[] {0, 0},
              new int[] {r.width() - 512, r.height() - 512},
              new int[] {r.width() / 2, r.height() / 2})) {
        RasterWindow w = r.read(new PixelWindow(xy[0], xy[1], 512, 512), r.allBands());
        sum += (long) w.sample(0, 100, 100);
      }
      System.out.println("read " + r.width() + "x" + r.height() + "x" + r.bandCount() + " " + sum);
    }
  }

  @Test
  void aHugeSceneIsWindowedInASmallHeap() throws Exception {
    Path sparse = Gdal.sharedData().resolve("corpus/cogeotiff/packages_core_data_sparse.tiff");
    Process p =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx64m",
                "-Dderby.stream.error.file=/dev/null",
                "-cp",
                System.getProperty("java.class.path"),
                LazyReadTest.class.getName(),
                sparse.toString())
            .redirectErrorStream(true)
            .start();
    String output = new String(p.getInputStream().readAllBytes());
    p.waitFor(120, TimeUnit.SECONDS);
    assertEquals(0, p.exitValue(), output);
    assertEquals(true, output.contains("read 20480x20480x4"), output);
  }
}

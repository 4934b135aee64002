package dev.landcover.app;

import dev.landcover.core.chip.PixelWindow;
import dev.landcover.geo.GeoTiffRaster;
import dev.landcover.geo.RasterWindow;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code landcover bench read}: timed window reads, for the benchmark script that compares them
 * with GDAL on the same windows (see docs/benchmarks.md). Not a unit test.
 */
@Command(
    name = "bench",
    mixinStandardHelpOptions = true,
    description = "Measurements for docs/benchmarks.md (run by bench/*.sh).",
    subcommands = {BenchCommand.Read.class})
final class BenchCommand implements Runnable {
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /** Reads the windows listed in a file, all bands, and prints the throughput. */
  @Command(
      name = "read",
      mixinStandardHelpOptions = true,
      description = "Read windows (lines 'x y width height') of all bands; print MB/s.")
  static final class Read implements Callable<Integer> {
    @Option(names = "--image", required = true)
    Path image;

    @Option(names = "--windows", required = true, description = "File of 'x y width height' lines.")
    Path windows;

    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
      List<PixelWindow> list = new ArrayList<>();
      for (String line : Files.readAllLines(windows)) {
        String[] f = line.trim().split("\\s+");
        if (f.length == 4) {
          list.add(
              new PixelWindow(
                  Integer.parseInt(f[0]),
                  Integer.parseInt(f[1]),
                  Integer.parseInt(f[2]),
                  Integer.parseInt(f[3])));
        }
      }
      long bytes = 0;
      long checksum = 0;
      long t0;
      double seconds;
      try (GeoTiffRaster r = GeoTiffRaster.open(image)) {
        int[] bands = r.allBands();
        t0 = System.nanoTime(); // like GDAL's timing: reads only, after opening
        for (PixelWindow w : list) {
          RasterWindow data = r.read(w, bands);
          bytes += w.area() * bands.length * (r.sampleType().bits() / 8);
          checksum += (long) data.sample(0, w.width() / 2, w.height() / 2);
        }
        seconds = (System.nanoTime() - t0) / 1e9;
      }
      PrintWriter out = spec.commandLine().getOut();
      out.printf(
          Locale.ROOT,
          "windows=%d bytes=%d seconds=%.3f MBps=%.1f checksum=%d%n",
          list.size(),
          bytes,
          seconds,
          bytes / 1e6 / seconds,
          checksum);
      return ExitCodes.OK;
    }
  }
}

package dev.landcover.app;

import dev.landcover.geo.GeoTiffRaster;
import dev.landcover.geo.RasterWindow;
import dev.landcover.networks.ModelSummary;
import dev.landcover.networks.SegmentationModel;
import dev.landcover.networks.UNetConfig;
import dev.landcover.pixels.InvalidInputException;
import dev.landcover.pixels.PixelWindow;
import dev.landcover.pixels.support.ProcessMemory;
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
    subcommands = {BenchCommand.Read.class, BenchCommand.Forward.class})
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
      List<String> lines = Files.readAllLines(windows);
      for (int i = 0; i < lines.size(); i++) {
        String[] f = lines.get(i).trim().split("\\s+");
        if (f.length == 4) {
          try {
            list.add(
                new PixelWindow(
                    Integer.parseInt(f[0]),
                    Integer.parseInt(f[1]),
                    Integer.parseInt(f[2]),
                    Integer.parseInt(f[3])));
          } catch (IllegalArgumentException e) {
            throw new InvalidInputException(
                windows
                    + ", line "
                    + (i + 1)
                    + ": '"
                    + lines.get(i).trim()
                    + "' is not 'x y width height' in whole pixels");
          }
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

  /** Times forward passes of a UNet or a TorchScript model on random chips. */
  @Command(
      name = "forward",
      mixinStandardHelpOptions = true,
      description = "Time forward passes (inference mode) and print chips/s, GFLOP/s, native RSS.")
  static final class Forward implements Callable<Integer> {
    @Option(names = "--preset", defaultValue = "geo-course")
    String preset;

    @Option(names = "--weights", description = "Canonical .npz weights (default: random).")
    Path weights;

    @Option(names = "--torchscript", description = "Time this TorchScript file instead.")
    Path torchscript;

    @Option(names = "--bands", defaultValue = "4")
    int bands;

    @Option(names = "--classes", defaultValue = "10")
    int classes;

    @Option(names = "--input", defaultValue = "256")
    int input;

    @Option(names = "--batch", defaultValue = "8")
    int batch;

    @Option(names = "--warmup", defaultValue = "3")
    int warmup;

    @Option(names = "--iterations", defaultValue = "10")
    int iterations;

    @Option(names = "--rss-every", defaultValue = "0", description = "Print RSS every N passes.")
    int rssEvery;

    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
      Checks.atLeast("--batch", batch, 1);
      Checks.atLeast("--input", input, 1);
      Checks.atLeast("--iterations", iterations, 1);
      Checks.atLeast("--warmup", warmup, 0);
      Checks.atLeast("--bands", bands, 1);
      Checks.atLeast("--classes", classes, 1);
      UNetConfig config = UNetConfig.preset(preset).withBandsAndClasses(bands, classes);
      Checks.fits("--input", input, config);
      double flops = 2.0 * ModelSummary.of(config, batch, input).multAdds();
      float[] x = new float[batch * bands * input * input];
      java.util.Random r = new java.util.Random(1);
      for (int i = 0; i < x.length; i++) {
        x[i] = (float) r.nextGaussian();
      }
      PrintWriter out = spec.commandLine().getOut();
      try (SegmentationModel model =
          torchscript != null
              ? SegmentationModel.torchScript(torchscript)
              : SegmentationModel.unet(config, weights)) {
        for (int i = 0; i < warmup; i++) {
          model.predict(x, batch, bands, input, input);
        }
        long rss0 = ProcessMemory.residentKb();
        long t0 = System.nanoTime();
        double checksum = 0;
        for (int i = 0; i < iterations; i++) {
          checksum += model.predict(x, batch, bands, input, input).values()[0];
          if (rssEvery > 0 && (i + 1) % rssEvery == 0) {
            out.printf(Locale.ROOT, "passes=%d rss_kb=%d%n", i + 1, ProcessMemory.residentKb());
            out.flush();
          }
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        out.printf(
            Locale.ROOT,
            "model=%s iterations=%d seconds=%.3f chips_per_s=%.2f gflops=%.2f rss_before_kb=%d"
                + " rss_after_kb=%d checksum=%.4f%n",
            torchscript != null ? "torchscript" : "djl-unet",
            iterations,
            seconds,
            iterations * batch / seconds,
            iterations * flops / seconds / 1e9,
            rss0,
            ProcessMemory.residentKb(),
            checksum);
      }
      return ExitCodes.OK;
    }
  }
}

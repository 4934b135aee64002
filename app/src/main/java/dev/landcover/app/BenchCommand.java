package dev.landcover.app;

import dev.landcover.geo.GeoTiffRaster;
import dev.landcover.geo.RasterWindow;
import dev.landcover.networks.InferenceOptions;
import dev.landcover.networks.ModelBundle;
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
      long c0;
      double seconds;
      double cpuSeconds;
      try (GeoTiffRaster r = GeoTiffRaster.open(image)) {
        int[] bands = r.allBands();
        t0 = System.nanoTime(); // like GDAL's timing: reads only, after opening
        c0 = processCpuNanos();
        for (PixelWindow w : list) {
          RasterWindow data = r.read(w, bands);
          bytes += w.area() * bands.length * (r.sampleType().bits() / 8);
          checksum += (long) data.sample(0, w.width() / 2, w.height() / 2);
        }
        seconds = (System.nanoTime() - t0) / 1e9;
        cpuSeconds = (processCpuNanos() - c0) / 1e9;
      }
      PrintWriter out = spec.commandLine().getOut();
      out.printf(
          Locale.ROOT,
          "windows=%d bytes=%d seconds=%.3f cpu_seconds=%.3f MBps=%.1f checksum=%d%n",
          list.size(),
          bytes,
          seconds,
          cpuSeconds,
          bytes / 1e6 / seconds,
          checksum);
      return ExitCodes.OK;
    }
  }

  /**
   * Times forward passes of a UNet, a model bundle or a TorchScript model on random chips: one or
   * more variants of the same model (batch normalization folded or not, ...) timed interleaved, a
   * pass of each in turn, so that load from other processes falls on all alike; wall and process
   * CPU time, GFLOP/s against the CPU's peak, and each variant's logits against the first's.
   */
  @Command(
      name = "forward",
      mixinStandardHelpOptions = true,
      description =
          "Time forward passes (inference mode) of model variants, interleaved; print chips/s,"
              + " GFLOP/s against the CPU's peak, native RSS.")
  static final class Forward implements Callable<Integer> {
    @Option(names = "--preset", defaultValue = "geo-course")
    String preset;

    @Option(names = "--weights", description = "Canonical .npz weights (default: random).")
    Path weights;

    @Option(
        names = "--model",
        description = "A model bundle (folder, .zip or built-in name) instead of --preset.")
    Path model;

    @Option(names = "--torchscript", description = "Time this TorchScript file instead.")
    Path torchscript;

    @Option(
        names = "--variant",
        split = ",",
        description =
            "Variants to time, interleaved, the first the reference: folded (the default:"
                + " batch normalization folded), as-trained.")
    List<String> variants = List.of("folded");

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

    @Option(
        names = "--fma-units",
        defaultValue = "2",
        description = "FMA units per core for the peak (2: Xeon Gold/Platinum; 1: Silver).")
    int fmaUnits;

    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
      Checks.atLeast("--batch", batch, 1);
      Checks.atLeast("--input", input, 1);
      Checks.atLeast("--iterations", iterations, 1);
      Checks.atLeast("--warmup", warmup, 0);
      Checks.atLeast("--bands", bands, 1);
      Checks.atLeast("--classes", classes, 1);
      Checks.atLeast("--fma-units", fmaUnits, 1);
      List<InferenceOptions> options = new ArrayList<>();
      for (String v : variants) {
        options.add(
            switch (v) {
              case "folded" -> InferenceOptions.DEFAULT;
              case "as-trained" -> InferenceOptions.AS_TRAINED;
              default ->
                  throw new IllegalArgumentException(
                      "--variant " + v + ": expected folded or as-trained");
            });
      }
      PrintWriter out = spec.commandLine().getOut();
      Path scratch = Files.createTempDirectory("landcover-bench");
      List<SegmentationModel> models = new ArrayList<>();
      try {
        double flops;
        String name;
        if (model != null) {
          ModelBundle.Loaded loaded = ModelBundle.load(model, scratch);
          ModelBundle b = loaded.bundle();
          bands = b.bands().size();
          name = model.toString();
          flops =
              b.config() != null
                  ? 2.0 * ModelSummary.of(b.config(), batch, input).multAdds()
                  : b.graph() != null ? 2.0 * batch * b.graph().multAdds(input, input) : Double.NaN;
          for (InferenceOptions o : options) {
            models.add(loaded.open(null, o));
          }
        } else if (torchscript != null) {
          UNetConfig config = UNetConfig.preset(preset).withBandsAndClasses(bands, classes);
          flops = 2.0 * ModelSummary.of(config, batch, input).multAdds();
          name = "torchscript";
          models.add(SegmentationModel.torchScript(torchscript));
        } else {
          UNetConfig config = UNetConfig.preset(preset).withBandsAndClasses(bands, classes);
          Checks.fits("--input", input, config);
          flops = 2.0 * ModelSummary.of(config, batch, input).multAdds();
          name = "djl-unet";
          for (InferenceOptions o : options) {
            // the same random weights for every variant when --weights is not given
            ai.djl.engine.Engine.getEngine("PyTorch").setRandomSeed(1);
            models.add(SegmentationModel.unet(config, weights, null, o));
          }
        }
        time(out, name, models, flops);
      } finally {
        models.forEach(SegmentationModel::close);
        dev.landcover.pixels.support.AtomicFiles.deleteTree(scratch);
      }
      return ExitCodes.OK;
    }

    private void time(PrintWriter out, String name, List<SegmentationModel> models, double flops)
        throws java.io.IOException {
      float[] x = new float[batch * bands * input * input];
      java.util.Random r = new java.util.Random(1);
      for (int i = 0; i < x.length; i++) {
        x[i] = (float) r.nextGaussian();
      }
      CpuPeak peak = CpuPeak.read(fmaUnits);
      if (peak != null) {
        out.println("peak: " + peak.describe());
      }
      out.printf(Locale.ROOT, "model=%s GFLOP per chip=%.3f%n", name, flops / batch / 1e9);
      int n = models.size();
      float[][] first = new float[n][];
      for (int v = 0; v < n; v++) {
        first[v] = models.get(v).predict(x, batch, bands, input, input).values();
        for (int i = 1; i < warmup; i++) {
          models.get(v).predict(x, batch, bands, input, input);
        }
      }
      long rss0 = ProcessMemory.residentKb();
      double[] wall = new double[n];
      double[] cpu = new double[n];
      double[] checksum = new double[n];
      for (int i = 0; i < iterations; i++) {
        for (int v = 0; v < n; v++) {
          long c0 = processCpuNanos();
          long t0 = System.nanoTime();
          checksum[v] += models.get(v).predict(x, batch, bands, input, input).values()[0];
          wall[v] += (System.nanoTime() - t0) / 1e9;
          cpu[v] += (processCpuNanos() - c0) / 1e9;
        }
        if (rssEvery > 0 && (i + 1) % rssEvery == 0) {
          out.printf(Locale.ROOT, "passes=%d rss_kb=%d%n", i + 1, ProcessMemory.residentKb());
          out.flush();
        }
      }
      for (int v = 0; v < n; v++) {
        double gflops = iterations * flops / wall[v] / 1e9;
        out.printf(
            Locale.ROOT,
            "model=%s variant=%s iterations=%d seconds=%.3f cpu_seconds=%.3f chips_per_s=%.2f"
                + " gflops=%.2f%s gflops_per_cpu_second=%.2f%s wall_ratio=%.3f cpu_ratio=%.3f max_abs_diff=%.3g"
                + " argmax_agreement=%.6f rss_before_kb=%d rss_after_kb=%d checksum=%.4f%n",
            name,
            torchscript != null ? "as-is" : variants.get(v),
            iterations,
            wall[v],
            cpu[v],
            iterations * batch / wall[v],
            gflops,
            peak == null ? "" : String.format(Locale.ROOT, " of_peak=%.3f", gflops / peak.gflops()),
            iterations * flops / cpu[v] / 1e9,
            peak == null
                ? ""
                : String.format(
                    Locale.ROOT,
                    " of_core_peak=%.3f",
                    iterations * flops / cpu[v] / 1e9 / (peak.gflops() / peak.cores())),
            wall[0] / wall[v],
            cpu[0] / cpu[v],
            maxAbsDiff(first[0], first[v]),
            argmaxAgreement(first[0], first[v]),
            rss0,
            ProcessMemory.residentKb(),
            checksum[v]);
      }
    }

    private double argmaxAgreement(float[] a, float[] b) {
      int pixels = batch * input * input;
      int classesOut = a.length / pixels;
      long same = 0;
      for (int i = 0; i < batch; i++) {
        for (int p = 0; p < input * input; p++) {
          int ka = 0;
          int kb = 0;
          for (int k = 1; k < classesOut; k++) {
            int at = (i * classesOut + k) * input * input + p;
            if (a[at] > a[(i * classesOut + ka) * input * input + p]) {
              ka = k;
            }
            if (b[at] > b[(i * classesOut + kb) * input * input + p]) {
              kb = k;
            }
          }
          same += ka == kb ? 1 : 0;
        }
      }
      return (double) same / pixels;
    }

    private static double maxAbsDiff(float[] a, float[] b) {
      double max = 0;
      for (int i = 0; i < a.length; i++) {
        max = Math.max(max, Math.abs(a[i] - b[i]));
      }
      return max;
    }
  }

  /** CPU time of all this process's threads (decoder pool, GC and JIT included), in nanoseconds. */
  static long processCpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean)
            java.lang.management.ManagementFactory.getOperatingSystemMXBean())
        .getProcessCpuTime();
  }
}

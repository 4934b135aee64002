package dev.landcover.app;

import dev.landcover.testdata.SyntheticScene;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code landcover testdata ...}: generators of synthetic data. */
@Command(
    name = "testdata",
    mixinStandardHelpOptions = true,
    description = "Generate synthetic data for tests, benchmarks and demos.",
    subcommands = {TestdataCommand.Scene.class})
final class TestdataCommand implements Runnable {
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /** {@code landcover testdata scene --size N --out DIR}. */
  @Command(
      name = "scene",
      mixinStandardHelpOptions = true,
      description = {
        "Write a synthetic landscape: DIR/scene.tif (4 bands uint16: blue, green, red, nir;"
            + " nodata 0; EPSG:32633, 10 m) and DIR/labels.tif (1 fields, 2 forest, 3 grassland,"
            + " 4 water, 5 built-up, 6 roads; 0 nodata)."
      })
  static final class Scene implements Callable<Integer> {
    @Option(
        names = "--size",
        required = true,
        description = "Width in pixels (and height unless --height).")
    int size;

    @Option(names = "--height", description = "Height in pixels (default: --size).")
    Integer height;

    @Option(
        names = "--seed",
        defaultValue = "42",
        description = "Seed (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--out", required = true, description = "Output folder.")
    Path out;

    @Option(names = "--overwrite", description = "Replace existing scene.tif and labels.tif.")
    boolean overwrite;

    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
      int h = height == null ? size : height;
      if (size <= 0 || h <= 0) {
        throw new IllegalArgumentException(
            "--size and --height must be positive: " + size + "x" + h);
      }
      if (!overwrite
          && (Files.exists(out.resolve("scene.tif")) || Files.exists(out.resolve("labels.tif")))) {
        throw new IllegalArgumentException(
            out + " already holds scene.tif or labels.tif: pass --overwrite to replace them");
      }
      long t0 = System.nanoTime();
      new SyntheticScene(size, h, seed).write(out, overwrite);
      spec.commandLine()
          .getOut()
          .printf(
              "Wrote %s and %s (%d x %d, seed %d) in %.1f s%n",
              out.resolve("scene.tif"),
              out.resolve("labels.tif"),
              size,
              h,
              seed,
              (System.nanoTime() - t0) / 1e9);
      return ExitCodes.OK;
    }
  }
}

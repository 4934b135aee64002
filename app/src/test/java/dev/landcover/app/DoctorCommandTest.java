package dev.landcover.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import dev.landcover.networks.EngineReport;
import dev.landcover.testdata.SyntheticScene;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code landcover doctor} and {@code --device} on a machine without a usable GPU (this one, and
 * CI): the report names the CPU libtorch and why there is no GPU; {@code --device gpu} is a
 * one-line usage error with that diagnosis; {@code --device auto} runs on the CPU and says so.
 */
class DoctorCommandTest {
  @TempDir static Path dir;
  static Path scene;
  private static final Path DEMO = Path.of("..", "testdata", "demo-model");

  @BeforeAll
  static void prepare() throws Exception {
    assumeFalse(EngineReport.probe().gpuUsable(), "this machine has a usable GPU");
    new SyntheticScene(64, 48, 5).write(dir.resolve("s"), false);
    scene = dir.resolve("s/scene.tif");
  }

  @Test
  void doctorNamesTheCpuLibtorchAndWhyThereIsNoGpu() {
    Cli r = Cli.run("doctor");
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().contains("Engine: PyTorch 2.7.1"), r.out());
    assertTrue(r.out().contains("libtorch: 2.7.1 cpu"), r.out());
    assertTrue(r.out().contains("libtorch folder: "), r.out());
    assertTrue(r.out().contains("GPUs: 0"), r.out());
    assertTrue(r.out().contains("Threads: intra-op "), r.out());
    assertTrue(r.out().contains("JVM heap: max "), r.out());
    assertTrue(r.out().contains("GPU: not usable: "), r.out());
    if (System.getProperty("landcover.deflate") == null
        && System.getenv("LANDCOVER_DEFLATE") == null
        && Files.exists(Path.of("/usr/lib/x86_64-linux-gnu/libdeflate.so.0"))) {
      assertTrue(r.out().contains("Deflate codec: libdeflate (/usr/lib/"), r.out());
    } else {
      assertTrue(r.out().contains("Deflate codec: "), r.out());
    }
    if (System.getenv("PYTORCH_LIBRARY_PATH") == null) {
      assertTrue(r.out().contains("Flavour selected by the environment: cpu"), r.out());
      assertTrue(r.out().contains("PYTORCH_LIBRARY_PATH is not set"), r.out());
    }
  }

  @Test
  void deviceGpuIsAOneLineUsageErrorWithTheDiagnosis() {
    Path out = dir.resolve("gpu-out");
    Cli r =
        Cli.run(
            "predict",
            "--model",
            DEMO.toString(),
            scene.toString(),
            "--out",
            out.toString(),
            "--device",
            "gpu");
    assertEquals(ExitCodes.USAGE_ERROR, r.code(), r.err());
    String[] lines = r.err().strip().split("\n");
    assertEquals(1, lines.length, r.err());
    assertTrue(lines[0].startsWith("landcover: --device gpu(0): no usable GPU: "), r.err());
    assertTrue(lines[0].contains("docs/gpu.md"), r.err());
    assertTrue(lines[0].contains(EngineReport.probe().whyNoGpu()), r.err());
    assertTrue(Files.notExists(out), "a refused run writes nothing");
  }

  @Test
  void deviceAutoRunsOnTheCpuAndSaysSo() {
    Path out = dir.resolve("auto-out");
    Cli r =
        Cli.run(
            "predict",
            "--model",
            DEMO.toString(),
            scene.toString(),
            "--out",
            out.toString(),
            "--device",
            "auto");
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().contains("No usable GPU, running on the CPU: "), r.out());
    assertTrue(r.out().contains("on cpu()"), r.out());
  }

  @Test
  void sparkPredictDeviceGpuIsRefusedBeforeAnyWorkLikePredict() {
    Path out = dir.resolve("spark-gpu-out");
    Cli r =
        Cli.run(
            "spark",
            "predict",
            "--model",
            DEMO.toString(),
            "--out",
            out.toString(),
            "--device",
            "gpu",
            scene.toString());
    assertEquals(ExitCodes.USAGE_ERROR, r.code(), r.err());
    String[] lines = r.err().strip().split("\n");
    assertEquals(1, lines.length, r.err());
    assertTrue(lines[0].startsWith("landcover: --device gpu(0): no usable GPU: "), r.err());
    assertTrue(lines[0].contains(EngineReport.probe().whyNoGpu()), r.err());
    assertTrue(Files.notExists(out), "a refused run writes nothing");
    Cli bad =
        Cli.run(
            "spark",
            "predict",
            "--model",
            DEMO.toString(),
            "--out",
            out.toString(),
            "--device",
            "tpu",
            scene.toString());
    assertEquals(ExitCodes.USAGE_ERROR, bad.code(), bad.err());
    assertTrue(bad.err().contains("--device must be cpu, gpu or gpu:N: got tpu"), bad.err());
  }

  /**
   * {@code ai.djl.pytorch.cudnn_benchmark} is set (before the device check loads the engine) only
   * for a GPU run with a fixed chip: not on the CPU, not for {@code auto} without a GPU set-up, not
   * when the chip is chosen per scene; {@code doctor} says whether it is on.
   */
  @Test
  void cudnnAutotuningIsTurnedOnOnlyForAGpuRunWithAFixedChip() {
    String key = "ai.djl.pytorch.cudnn_benchmark";
    try {
      System.clearProperty(key);
      assertTrue(Cli.run("doctor").out().contains("cuDNN autotuning (" + key + "): off"));
      Path out = dir.resolve("bench-out");
      String[] base = {"predict", "--model", DEMO.toString(), scene.toString(), "--out"};
      Cli cpu = Cli.run(concat(base, out + "-cpu", "--device", "cpu", "--chip", "64"));
      assertEquals(0, cpu.code(), cpu.err());
      assertEquals(null, System.getProperty(key), "--device cpu");
      Cli auto = Cli.run(concat(base, out + "-auto", "--device", "auto", "--chip", "64"));
      assertEquals(0, auto.code(), auto.err());
      assertEquals(null, System.getProperty(key), "--device auto without a GPU set-up");
      Cli chosen = Cli.run(concat(base, out + "-chosen", "--device", "gpu"));
      assertEquals(ExitCodes.USAGE_ERROR, chosen.code(), chosen.err());
      assertEquals(null, System.getProperty(key), "--device gpu with the chip chosen per scene");
      Cli fixed = Cli.run(concat(base, out + "-fixed", "--device", "gpu", "--chip", "64"));
      assertEquals(ExitCodes.USAGE_ERROR, fixed.code(), fixed.err());
      assertEquals("true", System.getProperty(key), "--device gpu --chip 64");
      assertTrue(Cli.run("doctor").out().contains("cuDNN autotuning (" + key + "): on"));
    } finally {
      System.clearProperty(key);
    }
  }

  private static String[] concat(String[] a, String... b) {
    String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}

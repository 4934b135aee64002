package dev.landcover.app;

import ai.djl.Device;
import dev.landcover.geo.DeflateCodec;
import dev.landcover.networks.EngineReport;
import dev.landcover.networks.GpuSetup;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Spec;

/**
 * {@code landcover doctor}: what the deep-learning engine runs on (DJL, libtorch version, flavour
 * and folder, CUDA, cuDNN, GPUs, threads, memory) and, when no GPU is usable, why; and the Deflate
 * codec of GeoTIFF blocks (libdeflate, or the JDK's zlib and why).
 */
@Command(
    name = "doctor",
    mixinStandardHelpOptions = true,
    description =
        "Report the engine, libtorch flavour, CUDA, cuDNN, GPUs, threads and memory, why no GPU"
            + " is usable when none is (set-up: docs/gpu.md), and the Deflate codec (libdeflate"
            + " or the JDK's zlib).")
final class DoctorCommand implements Callable<Integer> {
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    EngineReport.probe().lines().forEach(out::println);
    out.println("Deflate codec: " + deflateCodec());
    out.flush();
    return ExitCodes.OK;
  }

  private static String deflateCodec() {
    try {
      return DeflateCodec.description();
    } catch (IllegalArgumentException e) {
      return e.getMessage();
    }
  }

  /**
   * The {@code --device} value checked against the engine: a GPU that is not usable is a usage
   * error naming why; {@code auto} (null) with no usable GPU prints one line to {@code out} (with
   * the other progress lines) and stays on the CPU. First, before anything loads the engine, cuDNN
   * autotuning is turned on for a GPU run whose chips all have one size ({@link
   * GpuSetup#enableCudnnBenchmark}).
   *
   * @param fixedChip whether every forward pass has the same chip size
   */
  static Device checkDevice(Device device, boolean fixedChip, PrintWriter out) {
    GpuSetup.enableCudnnBenchmark(
        device,
        fixedChip,
        GpuSetup.diagnose(EngineReport.engineEnvironment(), EngineReport.SYSTEM_LIBRARY_FOLDERS));
    if (device != null && !device.isGpu()) {
      return device;
    }
    try {
      return EngineReport.probe().requireDevice(device, m -> out.println(m));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("--device " + device + ": " + e.getMessage(), e);
    }
  }
}

package dev.landcover.networks;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.engine.StandardCapabilities;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.pytorch.jni.LibUtils;
import ai.djl.util.cuda.CudaUtils;
import dev.landcover.networks.internal.GlibcMalloc;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * What the deep-learning engine of this process runs on: DJL and libtorch versions, the libtorch
 * flavour and folder, CUDA, cuDNN, GPUs, threads and memory. Every probe that fails becomes a line
 * saying what failed; nothing here throws except {@link #requireDevice}.
 */
public final class EngineReport {
  private final List<String> lines;
  private final int gpuCount;
  private final boolean cudaLibtorch;
  private final GpuSetup.Diagnosis diagnosis;

  private EngineReport(
      List<String> lines, int gpuCount, boolean cudaLibtorch, GpuSetup.Diagnosis diagnosis) {
    this.lines = List.copyOf(lines);
    this.gpuCount = gpuCount;
    this.cudaLibtorch = cudaLibtorch;
    this.diagnosis = diagnosis;
  }

  /** The default folders of the Linux dynamic loader searched for libcudart. */
  public static final List<Path> SYSTEM_LIBRARY_FOLDERS =
      List.of(
          Path.of("/usr/local/cuda/lib64"),
          Path.of("/usr/lib/x86_64-linux-gnu"),
          Path.of("/usr/lib64"),
          Path.of("/usr/lib"),
          Path.of("/lib/x86_64-linux-gnu"));

  /** The variables DJL reads, from the environment or, as DJL does, from system properties. */
  public static Map<String, String> engineEnvironment() {
    Map<String, String> env = new HashMap<>();
    for (String key :
        List.of("PYTORCH_LIBRARY_PATH", "PYTORCH_VERSION", "PYTORCH_FLAVOR", "LD_LIBRARY_PATH")) {
      String v = System.getenv(key);
      if (v == null) {
        v = System.getProperty(key);
      }
      if (v != null) {
        env.put(key, v);
      }
    }
    return env;
  }

  /** Probes this process's engine (loading it if needed). */
  public static EngineReport probe() {
    List<String> out = new ArrayList<>();
    GpuSetup.Diagnosis d = GpuSetup.diagnose(engineEnvironment(), SYSTEM_LIBRARY_FOLDERS);
    probe(out, "DJL", () -> Engine.getDjlVersion());
    Engine engine = null;
    try {
      engine = Engine.getInstance();
      out.add("Engine: " + engine.getEngineName() + " " + engine.getVersion());
    } catch (RuntimeException | LinkageError e) {
      out.add("Engine: failed to load: " + why(e));
    }
    boolean cudaLibtorch = false;
    if (engine != null) {
      try {
        Path lib = Path.of(LibUtils.getLibtorchPath());
        cudaLibtorch = Files.isRegularFile(lib.resolve("libtorch_cuda.so"));
        out.add("libtorch: " + LibUtils.getVersion() + " " + (cudaLibtorch ? "CUDA" : "cpu"));
        out.add("libtorch folder: " + lib);
      } catch (RuntimeException | LinkageError e) {
        out.add("libtorch: unknown: " + why(e));
      }
    }
    out.add("Flavour selected by the environment: " + d.flavour());
    Engine e = engine;
    out.add(
        "libcudart on the loader path: "
            + (d.cudaRuntime() == null ? "none" : d.cudaRuntime().toString()));
    probe(
        out,
        "CUDA runtime",
        () ->
            CudaUtils.getCudaVersion() > 0
                ? "CUDA "
                    + CudaUtils.getCudaVersion() / 1000
                    + "."
                    + CudaUtils.getCudaVersion() % 1000 / 10
                : "not loaded (no libcudart that DJL can open)");
    if (e != null) {
      probe(
          out, "CUDA in libtorch", () -> e.hasCapability(StandardCapabilities.CUDA) ? "yes" : "no");
      probe(
          out,
          "cuDNN in libtorch",
          () -> e.hasCapability(StandardCapabilities.CUDNN) ? "yes" : "no");
    }
    out.add(
        "cuDNN autotuning ("
            + GpuSetup.CUDNN_BENCHMARK
            + "): "
            + (Boolean.getBoolean(GpuSetup.CUDNN_BENCHMARK) ? "on" : "off")
            + " (predict, spark predict and train turn it on for a GPU run with a fixed chip"
            + " size)");
    int gpus = 0;
    try {
      gpus = CudaUtils.getGpuCount();
      out.add(
          "GPUs: " + gpus + (gpus == 0 ? " (CUDA counts none: no libcudart, driver or GPU)" : ""));
      for (int i = 0; i < gpus; i++) {
        int g = i;
        probe(
            out,
            "  gpu(" + i + ")",
            () -> {
              MemoryUsage m = CudaUtils.getGpuMemory(Device.gpu(g));
              return "compute capability "
                  + CudaUtils.getComputeCapability(g)
                  + ", "
                  + m.getMax() / (1 << 20)
                  + " MiB, "
                  + m.getUsed() / (1 << 20)
                  + " MiB used";
            });
      }
    } catch (RuntimeException | LinkageError ex) {
      out.add("GPUs: unknown: " + why(ex));
    }
    if (e != null) {
      probe(
          out,
          "Threads",
          () ->
              "intra-op "
                  + JniUtils.getNumThreads()
                  + ", inter-op "
                  + JniUtils.getNumInteropThreads());
    }
    probe(out, "CPU cores", () -> String.valueOf(Runtime.getRuntime().availableProcessors()));
    probe(
        out,
        "JVM heap",
        () ->
            "max "
                + Runtime.getRuntime().maxMemory() / (1 << 20)
                + " MiB, initial "
                + java.lang.management.ManagementFactory.getMemoryMXBean()
                        .getHeapMemoryUsage()
                        .getInit()
                    / (1 << 20)
                + " MiB");
    probe(
        out,
        "Machine memory",
        () -> {
          var os =
              (com.sun.management.OperatingSystemMXBean)
                  ManagementFactory.getOperatingSystemMXBean();
          return os.getTotalMemorySize() / (1 << 20)
              + " MiB, "
              + os.getFreeMemorySize() / (1 << 20)
              + " MiB free";
        });
    probe(
        out,
        "Huge pages for tensors",
        () ->
            GlibcMalloc.hugePages(
                GlibcMalloc.version(),
                System.getenv("GLIBC_TUNABLES"),
                GlibcMalloc.transparentHugePages()));
    probe(
        out,
        "Malloc arenas",
        () -> {
          String arenas = System.getenv("MALLOC_ARENA_MAX");
          return arenas != null
              ? "MALLOC_ARENA_MAX=" + arenas
              : "MALLOC_ARENA_MAX unset: glibc may keep an arena for every thread that allocated"
                  + " natively (the landcover launcher sets 2)";
        });
    EngineReport report = new EngineReport(out, gpus, cudaLibtorch, d);
    List<String> all = new ArrayList<>(out);
    all.add(report.gpuUsable() ? "GPU: usable" : "GPU: not usable: " + report.whyNoGpu());
    return new EngineReport(all, gpus, cudaLibtorch, d);
  }

  /** The report, one {@code name: value} line per probe. */
  public List<String> lines() {
    return lines;
  }

  /** True when libtorch is a CUDA build and CUDA counts at least one GPU. */
  public boolean gpuUsable() {
    return gpuCount > 0 && cudaLibtorch;
  }

  /** The number of GPUs CUDA counts (0 when libcudart is not loadable). */
  public int gpuCount() {
    return gpuCount;
  }

  /** The set-up diagnosis from the environment. */
  public GpuSetup.Diagnosis diagnosis() {
    return diagnosis;
  }

  /** Why no GPU is usable, in one line; empty when one is. */
  public String whyNoGpu() {
    if (gpuUsable()) {
      return "";
    }
    List<String> why = new ArrayList<>(diagnosis.problems());
    if (why.isEmpty()) {
      why.add(
          gpuCount == 0
              ? "CUDA counts no GPU on this machine"
              : "the loaded libtorch is not a CUDA build");
    }
    return String.join("; ", why);
  }

  /**
   * Checks a requested device against this report.
   *
   * @param requested a device, or null for the engine's choice
   * @param messages receives one line when {@code requested} is null and no GPU is usable (the
   *     engine then runs on the CPU)
   * @return {@code requested}
   * @throws IllegalArgumentException when {@code requested} is a GPU that is not usable, naming why
   *     and where the recipe is
   */
  public Device requireDevice(Device requested, Consumer<String> messages) {
    if (requested == null) {
      if (!gpuUsable()) {
        messages.accept("No usable GPU, running on the CPU: " + whyNoGpu());
      }
      return null;
    }
    if (requested.isGpu()) {
      if (!gpuUsable()) {
        throw new IllegalArgumentException(
            "no usable GPU: "
                + whyNoGpu()
                + " (run 'landcover doctor'; GPU set-up: "
                + GpuSetup.RECIPE
                + ")");
      }
      if (requested.getDeviceId() >= gpuCount) {
        throw new IllegalArgumentException(
            "no " + requested + ": CUDA counts " + gpuCount + " GPU(s), numbered from 0");
      }
    }
    return requested;
  }

  private interface Probe {
    String value() throws Exception;
  }

  private static void probe(List<String> out, String name, Probe p) {
    try {
      out.add(name + ": " + p.value());
    } catch (Exception | LinkageError e) {
      out.add(name + ": failed: " + why(e));
    }
  }

  private static String why(Throwable e) {
    String m = e.getMessage();
    return e.getClass().getSimpleName()
        + (m == null ? "" : ": " + m.lines().findFirst().orElse(""));
  }
}

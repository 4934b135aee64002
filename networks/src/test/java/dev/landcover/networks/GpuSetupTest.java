package dev.landcover.networks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The GPU set-up diagnosis on fake pip wheel folders (empty files with the right names). */
class GpuSetupTest {
  @TempDir Path dir;

  /** A fake site-packages with torch/lib (CUDA build or not) and nvidia/cuda_runtime/lib. */
  private Path wheel(String version, boolean cuda) throws IOException {
    Path lib = Files.createDirectories(dir.resolve("site-packages/torch/lib"));
    Files.createFile(lib.resolve("libtorch.so"));
    if (cuda) {
      Files.createFile(lib.resolve("libtorch_cuda.so"));
    }
    Files.writeString(lib.resolve("../version.py"), "__version__ = '" + version + "'\n");
    Path rt = Files.createDirectories(dir.resolve("site-packages/nvidia/cuda_runtime/lib"));
    Files.createFile(rt.resolve("libcudart.so.12"));
    return lib;
  }

  private Map<String, String> recipe(Path lib) {
    Map<String, String> env = new HashMap<>();
    env.put("PYTORCH_LIBRARY_PATH", lib.toString());
    env.put("PYTORCH_VERSION", "2.7.1");
    env.put("PYTORCH_FLAVOR", "cu128");
    env.put("LD_LIBRARY_PATH", dir.resolve("site-packages/nvidia/cuda_runtime/lib").toString());
    return env;
  }

  private static String problems(GpuSetup.Diagnosis d) {
    return String.join("\n", d.problems());
  }

  @Test
  void theDocumentedRecipeHasNoProblem() throws IOException {
    GpuSetup.Diagnosis d = GpuSetup.diagnose(recipe(wheel("2.7.1+cu128", true)), List.of());
    assertEquals(List.of(), d.problems());
    assertEquals("cu128", d.flavour());
    assertTrue(d.cudaRuntime().endsWith("libcudart.so.12"));
  }

  @Test
  void aCudaRuntimeOfAnotherMajorVersionIsNamedWithTheOneTheFlavourNeeds() throws IOException {
    Map<String, String> env = recipe(wheel("2.7.1+cu128", true));
    Path cuda11 = Files.createDirectories(dir.resolve("cuda-11.8/lib64"));
    Files.createFile(cuda11.resolve("libcudart.so.11.8.89"));
    Files.createSymbolicLink(cuda11.resolve("libcudart.so"), Path.of("libcudart.so.11.8.89"));
    env.put("LD_LIBRARY_PATH", cuda11.toString());
    GpuSetup.Diagnosis d = GpuSetup.diagnose(env, List.of());
    assertEquals(1, d.problems().size(), problems(d));
    String p = d.problems().get(0);
    assertTrue(p.startsWith("the CUDA runtime found is not CUDA 12: flavour cu128 needs"), p);
    assertTrue(p.contains("libcudart.so.12"), p);
    assertTrue(p.contains(cuda11.resolve("libcudart.so") + " (CUDA 11)"), p);
    assertTrue(p.contains(cuda11.resolve("libcudart.so.11.8.89") + " (CUDA 11)"), p);
    // The CUDA 12 runtime later on the path is the one the loader takes for libtorch_cuda.so.
    Path cuda12 = dir.resolve("site-packages/nvidia/cuda_runtime/lib");
    env.put("LD_LIBRARY_PATH", cuda11 + ":" + cuda12);
    d = GpuSetup.diagnose(env, List.of());
    assertEquals(List.of(), d.problems());
    assertEquals(cuda12.resolve("libcudart.so.12"), d.cudaRuntime());
    // A bare libcudart.so whose version cannot be told is named as such.
    Path bare = Files.createDirectories(dir.resolve("bare"));
    Files.createFile(bare.resolve("libcudart.so"));
    env.put("LD_LIBRARY_PATH", bare.toString());
    d = GpuSetup.diagnose(env, List.of());
    assertTrue(problems(d).contains("(CUDA version unknown)"), problems(d));
    assertEquals(12, GpuSetup.cudaMajor("cu128"));
    assertEquals(11, GpuSetup.cudaMajor("cu118"));
    assertEquals(null, GpuSetup.cudaMajor("cpu"));
  }

  @Test
  void cudnnAutotuningIsForAGpuRunWithOneChipSize() throws IOException {
    GpuSetup.Diagnosis ready = GpuSetup.diagnose(recipe(wheel("2.7.1+cu128", true)), List.of());
    GpuSetup.Diagnosis none = GpuSetup.diagnose(Map.of(), List.of());
    String key = GpuSetup.CUDNN_BENCHMARK;
    try {
      System.clearProperty(key);
      assertTrue(!GpuSetup.enableCudnnBenchmark(ai.djl.Device.cpu(), true, ready));
      assertTrue(!GpuSetup.enableCudnnBenchmark(ai.djl.Device.gpu(), false, ready));
      assertTrue(!GpuSetup.enableCudnnBenchmark(null, true, none));
      assertEquals(null, System.getProperty(key));
      assertTrue(GpuSetup.enableCudnnBenchmark(null, true, ready), "auto with a GPU set-up");
      assertEquals("true", System.getProperty(key));
      System.clearProperty(key);
      assertTrue(GpuSetup.enableCudnnBenchmark(ai.djl.Device.gpu(1), true, none));
      assertEquals("true", System.getProperty(key));
    } finally {
      System.clearProperty(key);
    }
  }

  @Test
  void noLibraryPathMeansTheBundledCpuLibtorch() {
    GpuSetup.Diagnosis d = GpuSetup.diagnose(Map.of(), List.of(dir));
    assertEquals("cpu", d.flavour());
    assertTrue(problems(d).contains("PYTORCH_LIBRARY_PATH is not set"), problems(d));
    assertTrue(problems(d).contains("no libcudart.so*"), problems(d));
  }

  @Test
  void missingFlavourNamesTheGuessAndTheFix() throws IOException {
    Map<String, String> env = recipe(wheel("2.7.1+cu128", true));
    env.remove("PYTORCH_FLAVOR");
    GpuSetup.Diagnosis d = GpuSetup.diagnose(env, List.of());
    assertEquals(1, d.problems().size(), problems(d));
    assertTrue(problems(d).contains("PYTORCH_FLAVOR is not set"), problems(d));
    assertTrue(problems(d).contains("-precxx11"), problems(d));
    assertTrue(problems(d).contains("set PYTORCH_FLAVOR=cu128"), problems(d));
  }

  @Test
  void precxx11FlavourIsRefused() throws IOException {
    Map<String, String> env = recipe(wheel("2.7.1+cu128", true));
    env.put("PYTORCH_FLAVOR", "cu128-precxx11");
    GpuSetup.Diagnosis d = GpuSetup.diagnose(env, List.of());
    assertEquals(
        List.of(
            "PYTORCH_FLAVOR=cu128-precxx11: 2.7.1 has no -precxx11 flavour (set PYTORCH_FLAVOR=cu128)"),
        d.problems());
  }

  @Test
  void flavourMustMatchTheWheelAndTheJniJar() throws IOException {
    Map<String, String> env = recipe(wheel("2.7.1+cu126", true));
    GpuSetup.Diagnosis d = GpuSetup.diagnose(env, List.of());
    assertEquals(
        List.of("PYTORCH_FLAVOR=cu128 but the library folder holds torch 2.7.1+cu126"),
        d.problems());
    env.put("PYTORCH_FLAVOR", "cu126");
    d = GpuSetup.diagnose(env, List.of());
    assertTrue(problems(d).contains("not one of the flavours of the pytorch-jni jar"), problems(d));
  }

  @Test
  void wrongOrMissingVersion() throws IOException {
    Map<String, String> env = recipe(wheel("2.5.1+cu124", true));
    env.put("PYTORCH_VERSION", "2.5.1");
    env.put("PYTORCH_FLAVOR", "cu128");
    GpuSetup.Diagnosis d = GpuSetup.diagnose(env, List.of());
    assertTrue(
        problems(d).contains("PYTORCH_VERSION=2.5.1 but the pytorch-jni jar is built for 2.7.1"),
        problems(d));
    env.remove("PYTORCH_VERSION");
    d = GpuSetup.diagnose(env, List.of());
    assertTrue(problems(d).contains("PYTORCH_VERSION is not set (expected 2.7.1)"), problems(d));
  }

  @Test
  void cpuOnlyLibraryFolder() throws IOException {
    GpuSetup.Diagnosis d = GpuSetup.diagnose(recipe(wheel("2.7.1+cu128", false)), List.of());
    assertEquals(1, d.problems().size(), problems(d));
    assertTrue(problems(d).contains("has no libtorch_cuda.so"), problems(d));
  }

  @Test
  void libraryPathThatIsNotLibtorch() throws IOException {
    Map<String, String> env = recipe(dir.resolve("nowhere"));
    assertTrue(problems(GpuSetup.diagnose(env, List.of())).contains("nowhere is not a folder"));
    Files.createDirectories(dir.resolve("empty"));
    env = recipe(dir.resolve("empty"));
    assertTrue(problems(GpuSetup.diagnose(env, List.of())).contains("has no libtorch.so"));
  }

  @Test
  void cudartInTheWheelButNotOnTheLoaderPathIsPointedAt() throws IOException {
    Map<String, String> env = recipe(wheel("2.7.1+cu128", true));
    env.remove("LD_LIBRARY_PATH");
    GpuSetup.Diagnosis d = GpuSetup.diagnose(env, List.of(dir.resolve("site-packages")));
    assertEquals(1, d.problems().size(), problems(d));
    assertTrue(
        problems(d).contains("nvidia/cuda_runtime/lib has one: add it to LD_LIBRARY_PATH"),
        problems(d));
    d = GpuSetup.diagnose(env, List.of(dir.resolve("site-packages/nvidia/cuda_runtime/lib")));
    assertEquals(List.of(), d.problems());
  }
}

package dev.landcover.networks;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Checks the set-up that DJL's PyTorch engine needs to run on a GPU, as a pure function of the
 * environment variables and the files in the folders they name (nothing is loaded).
 *
 * <p>The supported recipe (docs/gpu.md): the {@code torch/lib} folder of a pip {@code
 * torch==2.7.1+cu128} wheel in {@code PYTORCH_LIBRARY_PATH}, {@code PYTORCH_VERSION=2.7.1}, {@code
 * PYTORCH_FLAVOR=cu128} (the pytorch-jni 2.7.1 jar carries the JNI library for the flavours {@code
 * cpu} and {@code cu128} only; without {@code PYTORCH_FLAVOR} DJL guesses {@code cu128-precxx11},
 * which does not exist for 2.7.1), and {@code libcudart.so*} in a folder of {@code LD_LIBRARY_PATH}
 * or of the system's library folders, so that DJL counts the GPUs, of the CUDA major version the
 * flavour is built for ({@code cu128}: {@code libcudart.so.12}; the version is read from the file's
 * name once links are followed).
 */
public final class GpuSetup {
  /** The libtorch version the pytorch-jni jar on the class path is built for. */
  public static final String LIBTORCH_VERSION = "2.7.1";

  /** The flavours whose JNI library the pytorch-jni jar carries for linux-x86_64. */
  public static final List<String> JNI_FLAVOURS = List.of("cpu", "cu128");

  /** Where the recipe is documented, for messages. */
  public static final String RECIPE = "docs/gpu.md";

  /**
   * The system property that makes DJL turn on cuDNN's autotuning ({@code
   * torch.backends.cudnn.benchmark}) when it loads the PyTorch engine.
   */
  public static final String CUDNN_BENCHMARK = "ai.djl.pytorch.cudnn_benchmark";

  private static final Pattern TORCH_VERSION =
      Pattern.compile("__version__\\s*=\\s*['\"]([^'\"]+)['\"]");

  private GpuSetup() {}

  /**
   * What the environment sets up.
   *
   * @param flavour the libtorch flavour the environment selects: {@code cpu} for DJL's bundled CPU
   *     libtorch, otherwise {@code PYTORCH_FLAVOR} or the flavour read from the library folder
   * @param libraryFolder {@code PYTORCH_LIBRARY_PATH}, or null when not set
   * @param cudaRuntime the first {@code libcudart.so*} found of the CUDA major version the flavour
   *     needs, else the first found, or null
   * @param problems why this set-up cannot run on a GPU, one sentence each; empty when it can
   */
  public record Diagnosis(
      String flavour, Path libraryFolder, Path cudaRuntime, List<String> problems) {
    public Diagnosis {
      problems = List.copyOf(problems);
    }

    /** True when nothing stops a GPU run (a GPU must still be present). */
    public boolean gpuReady() {
      return problems.isEmpty();
    }
  }

  /**
   * Diagnoses a set-up.
   *
   * @param env the variables DJL reads ({@code PYTORCH_LIBRARY_PATH}, {@code PYTORCH_VERSION},
   *     {@code PYTORCH_FLAVOR}) and {@code LD_LIBRARY_PATH}; missing keys are unset variables
   * @param systemLibraryFolders folders searched for {@code libcudart.so*} after {@code
   *     LD_LIBRARY_PATH} (the dynamic loader's default folders)
   */
  public static Diagnosis diagnose(Map<String, String> env, List<Path> systemLibraryFolders) {
    List<String> problems = new ArrayList<>();
    String libraryPath = blankToNull(env.get("PYTORCH_LIBRARY_PATH"));
    String version = blankToNull(env.get("PYTORCH_VERSION"));
    String flavour = blankToNull(env.get("PYTORCH_FLAVOR"));
    Path folder = null;
    String effectiveFlavour = "cpu";
    if (libraryPath == null) {
      problems.add(
          "PYTORCH_LIBRARY_PATH is not set, so DJL runs the CPU libtorch bundled on the class path");
    } else {
      folder = toPath(libraryPath);
      if (folder == null || !Files.isDirectory(folder)) {
        problems.add("PYTORCH_LIBRARY_PATH=" + libraryPath + " is not a folder");
      } else if (!Files.isRegularFile(folder.resolve("libtorch.so"))) {
        problems.add("PYTORCH_LIBRARY_PATH=" + libraryPath + " has no libtorch.so");
      } else {
        Optional<String> wheelVersion = wheelVersion(folder);
        boolean cudaBuild = Files.isRegularFile(folder.resolve("libtorch_cuda.so"));
        if (!cudaBuild) {
          problems.add(
              "PYTORCH_LIBRARY_PATH="
                  + libraryPath
                  + " has no libtorch_cuda.so: it is a CPU-only libtorch");
        }
        String base = wheelVersion.map(v -> v.replaceFirst("\\+.*", "")).orElse(null);
        String local =
            wheelVersion
                .filter(v -> v.contains("+"))
                .map(v -> v.substring(v.indexOf('+') + 1))
                .orElse(null);
        if (version == null) {
          problems.add(
              "PYTORCH_VERSION is not set (expected "
                  + LIBTORCH_VERSION
                  + "), so DJL cannot match the JNI library to this libtorch");
        } else if (!version.equals(LIBTORCH_VERSION)) {
          problems.add(
              "PYTORCH_VERSION="
                  + version
                  + " but the pytorch-jni jar is built for "
                  + LIBTORCH_VERSION);
        } else if (base != null && !base.equals(version)) {
          problems.add(
              "PYTORCH_VERSION="
                  + version
                  + " but the library folder holds torch "
                  + wheelVersion.get());
        }
        if (flavour == null) {
          problems.add(
              "PYTORCH_FLAVOR is not set, so DJL guesses a -precxx11 flavour that "
                  + LIBTORCH_VERSION
                  + " does not have (set PYTORCH_FLAVOR="
                  + (local != null && local.startsWith("cu") ? local : "cu128")
                  + ")");
          effectiveFlavour = local != null ? local : "unknown";
        } else {
          effectiveFlavour = flavour;
          if (flavour.endsWith("-precxx11")) {
            problems.add(
                "PYTORCH_FLAVOR="
                    + flavour
                    + ": "
                    + LIBTORCH_VERSION
                    + " has no -precxx11 flavour (set PYTORCH_FLAVOR="
                    + flavour.replace("-precxx11", "")
                    + ")");
          } else if (!JNI_FLAVOURS.contains(flavour)) {
            problems.add(
                "PYTORCH_FLAVOR="
                    + flavour
                    + " is not one of the flavours of the pytorch-jni jar "
                    + JNI_FLAVOURS);
          } else if (flavour.equals("cpu")) {
            problems.add("PYTORCH_FLAVOR=cpu selects the CPU build");
          } else if (local != null && !local.equals(flavour)) {
            problems.add(
                "PYTORCH_FLAVOR="
                    + flavour
                    + " but the library folder holds torch "
                    + wheelVersion.get());
          }
        }
      }
    }
    List<Path> searched = new ArrayList<>();
    String ld = env.get("LD_LIBRARY_PATH");
    if (ld != null) {
      for (String part : ld.split(":")) {
        Path p = part.isBlank() ? null : toPath(part);
        if (p != null) {
          searched.add(p);
        }
      }
    }
    searched.addAll(systemLibraryFolders);
    List<Path> runtimes = new ArrayList<>();
    for (Path p : searched) {
      runtimes.addAll(findCudarts(p));
    }
    Path cudart = runtimes.isEmpty() ? null : runtimes.get(0);
    Integer needed = cudaMajor(effectiveFlavour);
    if (needed != null && !runtimes.isEmpty()) {
      Path matching = null;
      List<String> found = new ArrayList<>();
      for (Path r : runtimes) {
        Integer major = runtimeMajor(r);
        if (major != null && major.equals(needed)) {
          matching = r;
          break;
        }
        found.add(r + (major == null ? " (CUDA version unknown)" : " (CUDA " + major + ")"));
      }
      if (matching != null) {
        cudart = matching;
      } else {
        problems.add(
            "the CUDA runtime found is not CUDA "
                + needed
                + ": flavour "
                + effectiveFlavour
                + " needs libcudart.so."
                + needed
                + " (the CUDA "
                + needed
                + " runtime libtorch_cuda.so is linked against), found "
                + String.join(", ", found)
                + "; put the wheel's nvidia/cuda_runtime/lib or a CUDA "
                + needed
                + " installation's lib64 first in LD_LIBRARY_PATH");
      }
    }
    if (cudart == null) {
      String hint = "";
      if (folder != null) {
        Path wheelCudart = folder.resolve("../../nvidia/cuda_runtime/lib").normalize();
        if (findCudart(wheelCudart) != null) {
          hint = " (the wheel's " + wheelCudart + " has one: add it to LD_LIBRARY_PATH)";
        }
      }
      problems.add(
          "no libcudart.so* in LD_LIBRARY_PATH or the system library folders, so DJL counts no GPU"
              + hint);
    }
    return new Diagnosis(effectiveFlavour, folder, cudart, problems);
  }

  /**
   * Sets {@link #CUDNN_BENCHMARK} to {@code true} when a run will be on a GPU and feed the network
   * one input size: cuDNN then times its convolution algorithms once for that shape and keeps the
   * fastest (with sizes that change, it would time them again for each). It must be called before
   * the engine loads (DJL reads the property once, then); afterwards it changes nothing for this
   * process. Nothing is set otherwise (a CPU run, or chips whose size is chosen per scene).
   *
   * @param device the requested device: a GPU, the CPU, or null for automatic, which counts as a
   *     GPU when {@code setup} is {@link Diagnosis#gpuReady() ready} (decided without loading the
   *     engine)
   * @param fixedChip whether every forward pass has the same chip size (a requested chip, or
   *     training's chips)
   * @param setup this process's set-up, from {@link #diagnose}
   * @return whether the property was set
   */
  public static boolean enableCudnnBenchmark(
      ai.djl.Device device, boolean fixedChip, Diagnosis setup) {
    boolean gpu = device == null ? setup.gpuReady() : device.isGpu();
    if (!gpu || !fixedChip) {
      return false;
    }
    System.setProperty(CUDNN_BENCHMARK, "true");
    return true;
  }

  /** The torch version of a pip wheel's {@code torch/lib} folder, from {@code torch/version.py}. */
  static Optional<String> wheelVersion(Path libFolder) {
    Path versionFile = libFolder.resolve("../version.py").normalize();
    try {
      if (Files.isRegularFile(versionFile)) {
        Matcher m = TORCH_VERSION.matcher(Files.readString(versionFile));
        if (m.find()) {
          return Optional.of(m.group(1));
        }
      }
    } catch (IOException e) {
      return Optional.empty();
    }
    return Optional.empty();
  }

  /**
   * The CUDA major version a flavour's libtorch is built for: {@code cu128} is CUDA 12.8, so 12
   * (the last digit is the minor version); null for {@code cpu} and other names.
   */
  static Integer cudaMajor(String flavour) {
    Matcher m = Pattern.compile("cu(\\d+)\\d").matcher(flavour == null ? "" : flavour);
    return m.matches() ? Integer.valueOf(m.group(1)) : null;
  }

  /**
   * The CUDA major version of a {@code libcudart.so*} file, from its name once links are followed
   * ({@code libcudart.so.12.8.57} and {@code libcudart.so.12} are 12); null when the name has none.
   */
  static Integer runtimeMajor(Path cudart) {
    Path real = cudart;
    try {
      real = cudart.toRealPath();
    } catch (IOException e) {
      // A dangling link: its own name is all there is.
    }
    for (Path p : List.of(real, cudart)) {
      Matcher m = Pattern.compile("libcudart\\.so\\.(\\d+).*").matcher(p.getFileName().toString());
      if (m.matches()) {
        return Integer.valueOf(m.group(1));
      }
    }
    return null;
  }

  /** The {@code libcudart.so*} files of a folder, by name. */
  private static List<Path> findCudarts(Path folder) {
    List<Path> found = new ArrayList<>();
    if (!Files.isDirectory(folder)) {
      return found;
    }
    try (DirectoryStream<Path> files = Files.newDirectoryStream(folder, "libcudart.so*")) {
      files.forEach(found::add);
    } catch (IOException e) {
      return found;
    }
    found.sort(null);
    return found;
  }

  private static Path findCudart(Path folder) {
    if (!Files.isDirectory(folder)) {
      return null;
    }
    try (DirectoryStream<Path> files = Files.newDirectoryStream(folder, "libcudart.so*")) {
      for (Path f : files) {
        return f;
      }
    } catch (IOException e) {
      return null;
    }
    return null;
  }

  private static Path toPath(String text) {
    try {
      return Path.of(text);
    } catch (InvalidPathException e) {
      return null;
    }
  }

  private static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s.trim();
  }
}

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
 * or of the system's library folders, so that DJL counts the GPUs.
 */
public final class GpuSetup {
  /** The libtorch version the pytorch-jni jar on the class path is built for. */
  public static final String LIBTORCH_VERSION = "2.7.1";

  /** The flavours whose JNI library the pytorch-jni jar carries for linux-x86_64. */
  public static final List<String> JNI_FLAVOURS = List.of("cpu", "cu128");

  /** Where the recipe is documented, for messages. */
  public static final String RECIPE = "docs/gpu.md";

  private static final Pattern TORCH_VERSION =
      Pattern.compile("__version__\\s*=\\s*['\"]([^'\"]+)['\"]");

  private GpuSetup() {}

  /**
   * What the environment sets up.
   *
   * @param flavour the libtorch flavour the environment selects: {@code cpu} for DJL's bundled CPU
   *     libtorch, otherwise {@code PYTORCH_FLAVOR} or the flavour read from the library folder
   * @param libraryFolder {@code PYTORCH_LIBRARY_PATH}, or null when not set
   * @param cudaRuntime the first {@code libcudart.so*} found, or null
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
    Path cudart = null;
    for (Path p : searched) {
      cudart = findCudart(p);
      if (cudart != null) {
        break;
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

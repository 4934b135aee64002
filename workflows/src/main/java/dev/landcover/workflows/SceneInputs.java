package dev.landcover.workflows;

import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/** The scenes a batch names: files, folders and glob patterns. */
public final class SceneInputs {
  private SceneInputs() {}

  /**
   * Files, folders (their {@code .tif}/{@code .tiff} files, sorted, maps written by Landcover left
   * out) and glob patterns ({@code *} and {@code ?} in the file name), in order, without repeats.
   */
  public static List<Path> expand(List<String> inputs) throws IOException {
    Map<String, Path> found = new TreeMap<>();
    List<Path> ordered = new ArrayList<>();
    for (String in : inputs) {
      if (in.isBlank()) {
        throw new IllegalArgumentException(
            "An INPUT is empty: expected a scene file, a folder or a pattern");
      }
      Path p = Path.of(in);
      if (Files.isDirectory(p)) {
        try (Stream<Path> s = Files.list(p)) {
          s.filter(f -> f.getFileName().toString().matches("(?i).*\\.tiff?$"))
              .filter(f -> !f.getFileName().toString().contains("_landcover"))
              .sorted()
              .forEach(ordered::add);
        }
      } else if (in.contains("*") || in.contains("?")) {
        Path dir = p.getParent() == null ? Path.of(".") : p.getParent();
        PathMatcher matcher = FileSystems.getDefault().getPathMatcher("glob:" + p.getFileName());
        try (Stream<Path> s = Files.list(dir)) {
          s.filter(f -> matcher.matches(f.getFileName())).sorted().forEach(ordered::add);
        }
      } else {
        ordered.add(p);
      }
    }
    List<Path> out = new ArrayList<>();
    for (Path p : ordered) {
      if (found.putIfAbsent(p.toAbsolutePath().normalize().toString(), p) == null) {
        out.add(p);
      }
    }
    return out;
  }
}

package dev.landcover.pixels.support;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Stream;

/**
 * Files that appear complete or not at all: content is written to a hidden temporary file beside
 * the target ({@code .NAME.RANDOM.tmp}, same folder so the move is atomic), then moved into place;
 * when writing fails, the temporary file is deleted and the target is left as it was.
 */
public final class AtomicFiles {
  /** Writes content to a path (the temporary file). */
  @FunctionalInterface
  public interface Content {
    void writeTo(Path tmp) throws IOException;
  }

  private AtomicFiles() {}

  /**
   * Writes {@code target} through a temporary file, replacing an existing target.
   *
   * @throws IOException what {@code content} throws, or the move's failure; the target is then
   *     unchanged
   */
  public static void write(Path target, Content content) throws IOException {
    write(target, content, true);
  }

  /**
   * Writes {@code target} through a temporary file.
   *
   * @param replace whether an existing target is replaced; when not, the move fails with {@link
   *     FileAlreadyExistsException} if the target appeared meanwhile
   */
  public static void write(Path target, Content content, boolean replace) throws IOException {
    Path tmp = temporary(target);
    try {
      content.writeTo(tmp);
      move(tmp, target, replace);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  /** Writes {@code text} (UTF-8) to {@code target} atomically, replacing it. */
  public static void writeString(Path target, CharSequence text) throws IOException {
    write(target, tmp -> Files.writeString(tmp, text));
  }

  /**
   * A fresh temporary path beside {@code target} (not created; its folder is created): {@code
   * .NAME.RANDOM.tmp}.
   */
  public static Path temporary(Path target) throws IOException {
    Path dir = target.toAbsolutePath().getParent();
    Files.createDirectories(dir);
    String suffix = "." + Long.toHexString(ThreadLocalRandom.current().nextLong()) + ".tmp";
    return dir.resolve("." + target.getFileName() + suffix);
  }

  /** Moves {@code from} onto {@code to} atomically, replacing it or not. */
  public static void move(Path from, Path to, boolean replace) throws IOException {
    if (replace) {
      Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } else {
      Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
    }
  }

  /** Deletes a folder and everything in it; nothing when it does not exist. */
  public static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}

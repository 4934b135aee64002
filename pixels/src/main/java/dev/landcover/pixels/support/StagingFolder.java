package dev.landcover.pixels.support;

import java.io.IOException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A hidden folder beside an output where a run writes everything it makes, moved into place only
 * when the run has succeeded, so that a failed or killed run leaves every output path as it found
 * it.
 *
 * <p>The folder is named {@code .NAME.landcover-PID-RANDOM.partial} ({@code NAME}: the output's
 * file name; {@code PID}: the writing process). A folder whose process is no longer alive is the
 * remains of a killed run: {@link #create} deletes such folders of the same output before it makes
 * a new one, so a rerun after {@code kill -9} just works. A folder of a live process is another run
 * writing the same output at the same time: {@link #create} refuses to start beside it.
 */
public final class StagingFolder implements AutoCloseable {
  private static final Pattern NAME =
      Pattern.compile("\\.(.+)\\.landcover-(\\d+)-[0-9a-f]+\\.partial");

  private final Path target;
  private final Path dir;
  private final Path createdParent;
  private boolean committed;

  private StagingFolder(Path target, Path dir, Path createdParent) {
    this.target = target;
    this.dir = dir;
    this.createdParent = createdParent;
  }

  /**
   * Makes a staging folder for {@code target} (a file or folder, which need not exist) beside it,
   * creating the missing parent folders (removed again by {@link #close} when nothing was
   * committed), after deleting the staging folders of killed runs for the same target.
   *
   * @throws IllegalArgumentException when a live process is writing {@code target}
   */
  public static StagingFolder create(Path target) throws IOException {
    Path absolute = target.toAbsolutePath().normalize();
    Path parent = absolute.getParent();
    Path missing = null;
    for (Path p = parent; p != null && !Files.exists(p); p = p.getParent()) {
      missing = p;
    }
    Files.createDirectories(parent);
    String name = absolute.getFileName().toString();
    for (Path stale : stagingFolders(parent, name)) {
      long pid = pid(stale).orElse(-1L);
      boolean alive =
          pid == ProcessHandle.current().pid()
              || ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
      if (alive) {
        throw new IllegalArgumentException(
            target
                + " is being written by another run (process "
                + pid
                + ", "
                + stale.getFileName()
                + "): wait for it to end");
      }
      AtomicFiles.deleteTree(stale);
    }
    Path dir =
        parent.resolve(
            "."
                + name
                + ".landcover-"
                + ProcessHandle.current().pid()
                + "-"
                + Long.toHexString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE)
                + ".partial");
    Files.createDirectory(dir);
    return new StagingFolder(absolute, dir, missing);
  }

  /**
   * As {@link #create}, but when a live process (or another thread of this one) is writing {@code
   * target}, waits until it has finished instead of refusing: concurrent runs that produce the same
   * output (overlapping shards of a batch) take turns, and each commits complete files.
   *
   * @throws java.io.InterruptedIOException when interrupted while waiting
   */
  public static StagingFolder createWhenFree(Path target) throws IOException {
    while (true) {
      try {
        return create(target);
      } catch (IllegalArgumentException busy) {
        try {
          Thread.sleep(100);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          var stop = new java.io.InterruptedIOException("interrupted waiting for " + target);
          stop.addSuppressed(busy);
          throw stop;
        }
      }
    }
  }

  /** The staging folders of {@code name} in {@code parent}, of any process. */
  static List<Path> stagingFolders(Path parent, String name) throws IOException {
    List<Path> found = new ArrayList<>();
    if (!Files.isDirectory(parent)) {
      return found;
    }
    try (DirectoryStream<Path> s = Files.newDirectoryStream(parent, ".*.partial")) {
      for (Path p : s) {
        Matcher m = NAME.matcher(p.getFileName().toString());
        if (m.matches() && m.group(1).equals(name) && Files.isDirectory(p)) {
          found.add(p);
        }
      }
    }
    return found;
  }

  private static Optional<Long> pid(Path staging) {
    Matcher m = NAME.matcher(staging.getFileName().toString());
    try {
      return m.matches() ? Optional.of(Long.parseLong(m.group(2))) : Optional.empty();
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
  }

  /** The staging folder. */
  public Path dir() {
    return dir;
  }

  /** The output this folder stages. */
  public Path target() {
    return target;
  }

  /**
   * Moves the staging folder itself onto the target folder, which must not exist: one atomic
   * rename, so the target appears complete or not at all.
   *
   * @throws FileAlreadyExistsException when the target appeared meanwhile (another run)
   */
  public void commitAsFolder() throws IOException {
    if (Files.exists(target)) {
      throw new FileAlreadyExistsException(
          target.toString(), null, "appeared while this run was writing it (another run?)");
    }
    AtomicFiles.move(dir, target, false);
    committed = true;
  }

  /**
   * Moves the given entries of the staging folder into {@code folder}, in order, each in one atomic
   * rename, replacing what is there; the entries named in {@code removed} are taken out of {@code
   * folder}. What is replaced or removed goes into the staging folder and is deleted with it.
   *
   * @param folder where the entries go: the target folder, or the folder of the target file
   * @param names entries of the staging folder to move, the one that marks completion last
   * @param removed entries of {@code folder} to take away (outputs of an earlier run that this run
   *     replaces by nothing)
   */
  public void commitInto(Path folder, List<String> names, List<String> removed) throws IOException {
    Path old = Files.createDirectories(dir.resolve(".replaced"));
    Path target = folder;
    Files.createDirectories(target);
    for (String r : removed) {
      Path t = target.resolve(r);
      if (Files.exists(t)) {
        AtomicFiles.move(t, old.resolve(r.replace('/', '_')), true);
      }
    }
    for (String n : names) {
      Path t = target.resolve(n);
      if (Files.isDirectory(t)) {
        AtomicFiles.move(t, old.resolve(n.replace('/', '_')), true);
      }
      AtomicFiles.move(dir.resolve(n), t, true);
    }
    committed = true;
  }

  /**
   * Deletes the staging folder and whatever is still in it, and the parent folders {@link #create}
   * made when nothing was committed.
   */
  @Override
  public void close() throws IOException {
    AtomicFiles.deleteTree(dir);
    if (!committed && createdParent != null && Files.isDirectory(createdParent)) {
      try (Stream<Path> s = Files.walk(createdParent)) {
        for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
          try {
            Files.deleteIfExists(p);
          } catch (DirectoryNotEmptyException e) {
            // another run's output: kept
          }
        }
      }
    }
  }
}

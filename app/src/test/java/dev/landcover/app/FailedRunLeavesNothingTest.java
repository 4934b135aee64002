package dev.landcover.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.landcover.geo.ChildJvm;
import dev.landcover.geo.Gdal;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fault injection through the command line: a damaged tile mid-run, {@code kill -9} of a child JVM
 * mid-run and a rerun, a full disk (a small tmpfs), a read-only output folder and two runs on the
 * same output at once. Each failed or killed run must leave the output paths as it found them (no
 * output folder, no partial chips, no map without its summary), and a rerun must just work.
 */
class FailedRunLeavesNothingTest {
  private static final Path NAIP = Gdal.sharedData().resolve("scenes/naip-4band-2019.tif");
  private static final Path DEMO = Path.of("..", "testdata", "demo-model");

  @TempDir static Path shared;
  static Path damaged;

  /** A copy of the NAIP scene (4 Deflate tiles of 512 px) whose last tile is garbage. */
  @BeforeAll
  static void damageATile() throws IOException {
    byte[] bytes = Files.readAllBytes(NAIP);
    long[][] tiles = tileOffsetsAndCounts(bytes);
    int last = tiles[0].length - 1;
    int start = (int) tiles[0][last];
    int count = (int) tiles[1][last];
    for (int i = start + count / 4; i < start + count; i++) {
      bytes[i] = (byte) (i * 31);
    }
    damaged = shared.resolve("damaged.tif");
    Files.write(damaged, bytes);
  }

  /** TileOffsets and TileByteCounts of the first directory of a little-endian classic TIFF. */
  static long[][] tileOffsetsAndCounts(byte[] tiff) {
    ByteBuffer b = ByteBuffer.wrap(tiff).order(ByteOrder.LITTLE_ENDIAN);
    int ifd = b.getInt(4);
    int entries = Short.toUnsignedInt(b.getShort(ifd));
    long[][] out = new long[2][];
    for (int e = 0; e < entries; e++) {
      int at = ifd + 2 + 12 * e;
      int tag = Short.toUnsignedInt(b.getShort(at));
      int type = b.getShort(at + 2);
      int n = b.getInt(at + 4);
      if (tag == 324 || tag == 325) {
        int size = type == 3 ? 2 : 4;
        int values = n * size <= 4 ? at + 8 : b.getInt(at + 8);
        long[] v = new long[n];
        for (int i = 0; i < n; i++) {
          v[i] =
              size == 2
                  ? Short.toUnsignedInt(b.getShort(values + 2 * i))
                  : Integer.toUnsignedLong(b.getInt(values + 4 * i));
        }
        out[tag - 324] = v;
      }
    }
    return out;
  }

  /** Everything in {@code dir}, hidden files included, as names. */
  static List<String> contents(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  static long chipFiles(Path out) throws IOException {
    try (Stream<Path> s = Files.list(out.resolve("images"))) {
      return s.count();
    }
  }

  static long indexRows(Path out) throws IOException {
    return Files.readAllLines(out.resolve("chips.csv")).size() - 1;
  }

  @Test
  void chipsFailingOnADamagedTileLeaveNoFolder(@TempDir Path dir) throws IOException {
    Path out = dir.resolve("chips");
    Cli cli =
        Cli.run("chips", "--image", damaged.toString(), "--size", "32", "--out", out.toString());
    assertEquals(1, cli.code(), cli.err());
    assertTrue(cli.errorLines().contains(damaged.toString()), cli.err());
    assertTrue(cli.err().contains("chips: "), "failed before any chip: " + cli.err());
    assertEquals(List.of(), contents(dir), "left behind");
  }

  @Test
  void chipsFailingIntoAnExistingFolderKeepItsChips(@TempDir Path dir) throws IOException {
    Path out = dir.resolve("chips");
    Cli first =
        Cli.run("chips", "--image", NAIP.toString(), "--size", "128", "--out", out.toString());
    assertEquals(0, first.code(), first.err());
    long chips = chipFiles(out);
    String index = Files.readString(out.resolve("chips.csv"));
    Cli again =
        Cli.run(
            "chips",
            "--image",
            damaged.toString(),
            "--size",
            "32",
            "--out",
            out.toString(),
            "--overwrite");
    assertEquals(1, again.code(), again.err());
    assertEquals(chips, chipFiles(out));
    assertEquals(index, Files.readString(out.resolve("chips.csv")));
    assertEquals(List.of("chips"), contents(dir));
  }

  @Test
  void predictFailingOnADamagedTileLeavesNoMap(@TempDir Path dir) throws IOException {
    Path out = dir.resolve("maps");
    Cli cli =
        Cli.run(
            "predict",
            "--model",
            DEMO.toString(),
            "--probabilities",
            "--confidence",
            "--out",
            out.toString(),
            damaged.toString());
    assertEquals(1, cli.code(), cli.err());
    assertEquals(List.of(), contents(dir), "left behind");
  }

  @Test
  void killedChipsRunLeavesNothingAndTheRerunJustWorks(@TempDir Path dir) throws Exception {
    Path out = dir.resolve("chips");
    killMidRun(
        dir,
        20,
        "chips",
        "--image",
        NAIP.toString(),
        "--size",
        "16",
        "--threads",
        "1",
        "--out",
        out.toString());
    assertFalse(Files.exists(out), "a killed run made " + out);
    Cli rerun =
        Cli.run("chips", "--image", NAIP.toString(), "--size", "16", "--out", out.toString());
    assertEquals(0, rerun.code(), rerun.err());
    assertEquals(indexRows(out), chipFiles(out));
    assertEquals(List.of("chips"), contents(dir), "stale staging folder not cleaned");
  }

  @Test
  void killedPredictRunLeavesNoMapAndTheRerunJustWorks(@TempDir Path dir) throws Exception {
    Path out = dir.resolve("maps");
    String[] args = {
      "predict",
      "--model",
      DEMO.toString(),
      "--probabilities",
      "--float",
      "--out",
      out.toString(),
      NAIP.toString()
    };
    killMidRun(dir, 1, args);
    assertTrue(
        contents(out).stream().noneMatch(n -> n.startsWith("naip")), "left: " + contents(out));
    Cli rerun = Cli.run(args);
    assertEquals(0, rerun.code(), rerun.err());
    assertEquals(
        List.of(
            "naip-4band-2019_landcover.json",
            "naip-4band-2019_landcover.png",
            "naip-4band-2019_landcover.qml",
            "naip-4band-2019_landcover.tif",
            "naip-4band-2019_landcover.tif.aux.xml",
            "naip-4band-2019_probabilities.qml",
            "naip-4band-2019_probabilities.tif"),
        contents(out));
  }

  /**
   * Runs the command line in a child JVM, waits until its staging folder in {@code dir} holds
   * {@code files} files, kills it with SIGKILL and checks that the staging folder is what remains.
   */
  private static void killMidRun(Path dir, int files, String... args) throws Exception {
    Process p =
        ChildJvm.builder(Main.class, List.of(), args)
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("child.log").toFile())
            .start();
    try {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
      Path staging = null;
      while (staging == null && p.isAlive() && System.nanoTime() < deadline) {
        staging = stagingWithFiles(dir, files);
        Thread.sleep(50);
      }
      assertTrue(
          staging != null,
          "no staging folder appeared: " + Files.readString(dir.resolve("child.log")));
      assertTrue(p.isAlive(), "the run ended before it could be killed");
    } finally {
      p.destroyForcibly();
      p.waitFor(30, TimeUnit.SECONDS);
      Files.deleteIfExists(dir.resolve("child.log"));
    }
  }

  /** A staging folder anywhere under {@code dir} with at least {@code least} files, or null. */
  private static Path stagingWithFiles(Path dir, int least) throws IOException {
    // The run renames files while they are walked: a file that vanished mid-walk means "look again
    // at the next poll", which Files.walk reports as an UncheckedIOException.
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : s.filter(p -> p.getFileName().toString().endsWith(".partial")).toList()) {
        try (Stream<Path> files = Files.walk(p)) {
          if (files.filter(Files::isRegularFile).count() >= least) {
            return p;
          }
        } catch (IOException | java.io.UncheckedIOException e) {
          // moved meanwhile
        }
      }
    } catch (java.io.UncheckedIOException e) {
      return null;
    }
    return null;
  }

  /** A tmpfs of {@code size} mounted at {@code dir} (root only; the test is skipped otherwise). */
  private static void mount(Path dir, String options) throws Exception {
    Process p =
        new ProcessBuilder("mount", "-t", "tmpfs", "-o", options, "tmpfs", dir.toString())
            .redirectErrorStream(true)
            .start();
    boolean ok = p.waitFor(20, TimeUnit.SECONDS) && p.exitValue() == 0;
    Assumptions.assumeTrue(
        ok, "cannot mount a tmpfs here: " + new String(p.getInputStream().readAllBytes()));
  }

  private static void unmount(Path dir) throws Exception {
    new ProcessBuilder("umount", dir.toString()).inheritIO().start().waitFor(20, TimeUnit.SECONDS);
  }

  @Test
  void fullDiskLeavesNothing(@TempDir Path dir) throws Exception {
    Path disk = Files.createDirectory(dir.resolve("disk"));
    mount(disk, "size=1m");
    try {
      Path chips = disk.resolve("chips");
      Cli c =
          Cli.run(
              "chips",
              "--image",
              NAIP.toString(),
              "--size",
              "64",
              "--compress",
              "none",
              "--out",
              chips.toString());
      assertEquals(1, c.code(), c.err());
      assertEquals(1, c.errorLines().lines().count(), c.err());
      assertEquals(List.of(), contents(disk), "chips left behind on a full disk");
      Path maps = disk.resolve("maps");
      Cli m =
          Cli.run(
              "predict",
              "--model",
              DEMO.toString(),
              "--probabilities",
              "--float",
              "--out",
              maps.toString(),
              NAIP.toString());
      assertEquals(1, m.code(), m.err());
      assertEquals(List.of(), contents(disk), "a map left behind on a full disk");
    } finally {
      unmount(disk);
    }
  }

  @Test
  void readOnlyOutputFolderIsAOneLineError(@TempDir Path dir) throws Exception {
    Path disk = Files.createDirectory(dir.resolve("ro"));
    mount(disk, "ro,size=1m");
    try {
      Cli c =
          Cli.run(
              "chips",
              "--image",
              NAIP.toString(),
              "--size",
              "64",
              "--out",
              disk.resolve("chips").toString());
      assertEquals(1, c.code(), c.err());
      assertEquals(1, c.errorLines().lines().count(), c.err());
      assertFalse(c.err().contains("\tat "), c.err());
      Cli m =
          Cli.run("predict", "--model", DEMO.toString(), "--out", disk.toString(), NAIP.toString());
      assertEquals(1, m.code(), m.err());
      assertEquals(List.of(), contents(disk));
    } finally {
      unmount(disk);
    }
  }

  @Test
  void twoChipsRunsOnOneOutputGiveOneCompleteFolder(@TempDir Path dir) throws Exception {
    Path out = dir.resolve("chips");
    Callable<Cli> run =
        () -> Cli.run("chips", "--image", NAIP.toString(), "--size", "32", "--out", out.toString());
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      Future<Cli> a = pool.submit(run);
      Future<Cli> b = pool.submit(run);
      Cli ra = a.get();
      Cli rb = b.get();
      List<Integer> codes = new ArrayList<>(List.of(ra.code(), rb.code()));
      codes.sort(null);
      assertEquals(0, codes.get(0), ra.err() + rb.err());
      assertTrue(codes.get(1) != 0, "both runs wrote the same folder");
      Cli failed = ra.code() != 0 ? ra : rb;
      assertEquals(1, failed.errorLines().lines().count(), failed.err());
      assertTrue(failed.err().contains(out.toString()), failed.err());
      assertEquals(indexRows(out), chipFiles(out));
      assertEquals(List.of("chips"), contents(dir));
    } finally {
      pool.shutdownNow();
    }
  }
}

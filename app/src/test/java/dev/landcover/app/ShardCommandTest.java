package dev.landcover.app;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.landcover.testdata.SyntheticScene;
import dev.landcover.workflows.TestBundles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code predict --shard i/N}: N runs into one folder write exactly the maps of one run. */
class ShardCommandTest {
  @TempDir static Path dir;
  static Path bundle;
  static Path scenes;
  static List<String> names = new ArrayList<>();

  @BeforeAll
  static void prepare() throws Exception {
    bundle = TestBundles.smallUNet(dir);
    for (int i = 1; i <= 6; i++) {
      names.add("scene_0" + i);
    }
    scenes = SyntheticScene.writeBatch(dir.resolve("scenes"), names);
  }

  private static Cli predict(Path out, String... extra) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "predict", "--model", bundle.toString(), "--chip", "64", "--out", out.toString()));
    args.addAll(List.of(extra));
    args.add(scenes.toString());
    return Cli.run(args.toArray(String[]::new));
  }

  /** The scenes a run printed as done. */
  private static Set<String> done(Cli cli) {
    return cli.out()
        .lines()
        .filter(l -> l.trim().startsWith("done "))
        .map(l -> Path.of(l.trim().split("\\s+")[1]).getFileName().toString())
        .collect(Collectors.toCollection(TreeSet::new));
  }

  /** The scenes a chips run reports as cut or as skipped because another run has cut them. */
  private static Set<String> handled(Cli cli) {
    return cli.out()
        .lines()
        .filter(l -> l.trim().startsWith("done ") || l.trim().startsWith("skipped "))
        .map(l -> Path.of(l.trim().split("\\s+")[1]).getFileName().toString())
        .collect(Collectors.toCollection(TreeSet::new));
  }

  private static Set<String> files(Path folder) throws Exception {
    try (Stream<Path> s = Files.list(folder)) {
      return s.map(p -> p.getFileName().toString()).collect(Collectors.toCollection(TreeSet::new));
    }
  }

  @Test
  void twoShardsTogetherWriteExactlyTheMapsOfOneRun() throws Exception {
    Path whole = dir.resolve("whole");
    Cli one = predict(whole);
    assertEquals(0, one.code(), one.err());
    assertEquals(6, done(one).size(), one.out());

    Path shared = dir.resolve("shared");
    CompletableFuture<Cli> first =
        CompletableFuture.supplyAsync(() -> predict(shared, "--shard", "0/2"));
    CompletableFuture<Cli> second =
        CompletableFuture.supplyAsync(() -> predict(shared, "--shard", "1/2"));
    Cli s0 = first.get();
    Cli s1 = second.get();
    assertEquals(0, s0.code(), s0.err());
    assertEquals(0, s1.code(), s1.err());
    Set<String> union = new HashSet<>(done(s0));
    assertFalse(done(s0).isEmpty() || done(s1).isEmpty(), s0.out() + s1.out());
    for (String scene : done(s1)) {
      assertTrue(union.add(scene), scene + " mapped by both shards");
    }
    assertEquals(
        names.stream().map(n -> n + ".tif").collect(Collectors.toSet()), union, "complete");
    // Shard 0 holds scene_02, 05, 06 by the rule (SHA-256 of the file name, mod 2).
    assertEquals(Set.of("scene_02.tif", "scene_05.tif", "scene_06.tif"), done(s0));

    assertEquals(files(whole), files(shared));
    for (String name : names) {
      for (String suffix :
          new String[] {"_landcover.tif", "_landcover.tif.aux.xml", "_landcover.png"}) {
        if (Files.exists(whole.resolve(name + suffix))) {
          assertArrayEquals(
              Files.readAllBytes(whole.resolve(name + suffix)),
              Files.readAllBytes(shared.resolve(name + suffix)),
              name + suffix);
        }
      }
    }

    Cli rerun = predict(shared, "--shard", "1/2");
    assertEquals(0, rerun.code(), rerun.err());
    assertEquals(done(s1).size(), rerun.out().lines().filter(l -> l.contains("skipped")).count());
  }

  @Test
  void aShardRunTwiceAtOnceLeavesCompleteIdenticalOutputs() throws Exception {
    Path whole = dir.resolve("whole2");
    assertEquals(0, predict(whole, "--shard", "0/1").code());
    Path shared = dir.resolve("twice");
    CompletableFuture<Cli> first =
        CompletableFuture.supplyAsync(() -> predict(shared, "--shard", "1/2", "--overwrite"));
    CompletableFuture<Cli> second =
        CompletableFuture.supplyAsync(() -> predict(shared, "--shard", "1/2", "--overwrite"));
    Cli a = first.get();
    Cli b = second.get();
    assertEquals(0, a.code(), a.err() + a.out());
    assertEquals(0, b.code(), b.err() + b.out());
    assertEquals(done(a), done(b));
    for (String file : files(shared)) {
      assertFalse(file.startsWith("."), "temporary file left: " + file);
      if (file.endsWith(".tif")) {
        assertArrayEquals(
            Files.readAllBytes(whole.resolve(file)),
            Files.readAllBytes(shared.resolve(file)),
            file);
      }
    }
  }

  private static Cli chips(Path out, String... extra) {
    List<String> args =
        new ArrayList<>(
            List.of("chips", "--size", "32", "--overlap", "8", "--out", out.toString()));
    args.addAll(List.of(extra));
    for (String name : names) {
      args.add(scenes.resolve(name + ".tif") + "," + scenes.resolve(name + "/labels.tif"));
    }
    return Cli.run(args.toArray(String[]::new));
  }

  /** Every file under {@code folder}, relative to it, sorted. */
  private static List<Path> tree(Path folder) throws Exception {
    try (Stream<Path> s = Files.walk(folder)) {
      return s.filter(Files::isRegularFile).map(folder::relativize).sorted().toList();
    }
  }

  @Test
  void twoChipShardsTogetherWriteTheChipFoldersOfOneRunAndTrainingReadsThemAll() throws Exception {
    Path whole = dir.resolve("chips-whole");
    Cli one = chips(whole);
    assertEquals(0, one.code(), one.err());
    assertEquals(6, done(one).size(), one.out());

    Path shared = dir.resolve("chips-shared");
    CompletableFuture<Cli> first =
        CompletableFuture.supplyAsync(() -> chips(shared, "--shard", "0/2"));
    CompletableFuture<Cli> second =
        CompletableFuture.supplyAsync(() -> chips(shared, "--shard", "1/2"));
    // A third process cutting every scene at the same time: shards overlapping in time.
    CompletableFuture<Cli> overlapping =
        CompletableFuture.supplyAsync(() -> chips(shared, "--shard", "0/1"));
    Cli s0 = first.get();
    Cli s1 = second.get();
    Cli all = overlapping.get();
    assertEquals(0, s0.code(), s0.err());
    assertEquals(0, s1.code(), s1.err());
    assertEquals(0, all.code(), all.err());
    // Each shard cuts or skips its own scenes; whichever process reaches a scene first cuts it
    // and the others skip it, so every scene is cut exactly once by the three together.
    assertEquals(Set.of("scene_02.tif", "scene_05.tif", "scene_06.tif"), handled(s0));
    assertEquals(Set.of("scene_01.tif", "scene_03.tif", "scene_04.tif"), handled(s1));
    List<String> cut = new ArrayList<>(done(s0));
    cut.addAll(done(s1));
    cut.addAll(done(all));
    assertEquals(6, cut.size(), "each scene cut once: " + cut);
    assertEquals(names.stream().map(n -> n + ".tif").collect(Collectors.toSet()), Set.copyOf(cut));

    List<Path> files = tree(whole);
    assertEquals(files, tree(shared), "the same files, no staging folder left");
    for (Path f : files) {
      assertArrayEquals(
          Files.readAllBytes(whole.resolve(f)),
          Files.readAllBytes(shared.resolve(f)),
          f.toString());
    }

    Cli rerun = chips(shared, "--shard", "1/2");
    assertEquals(0, rerun.code(), rerun.err());
    assertEquals(
        handled(s1).size(),
        rerun.out().lines().filter(l -> l.trim().startsWith("skipped")).count());

    int chipCount = 0;
    for (String name : names) {
      chipCount += Files.readAllLines(shared.resolve(name + "/chips.csv")).size() - 1;
    }
    Cli train =
        Cli.run(
            "train",
            "--chips",
            shared.toString(),
            "--depth",
            "2",
            "--filters",
            "4",
            "--epochs",
            "1",
            "--val-split",
            "random",
            "--out",
            dir.resolve("chips-model").toString());
    assertEquals(0, train.code(), train.err());
    java.util.regex.Matcher m =
        java.util.regex.Pattern.compile(": (\\d+) chips \\((\\d+) for validation")
            .matcher(train.out() + train.err());
    assertTrue(m.find(), train.out() + train.err());
    assertEquals(
        chipCount,
        Integer.parseInt(m.group(1)) + Integer.parseInt(m.group(2)),
        "every scene's chips, for training or validation: " + train.out());
  }

  @Test
  void aParquetChipTableWithoutSparkIsAOneLineError() throws Exception {
    Path table = Files.createDirectories(dir.resolve("no-spark/chips.parquet"));
    Files.writeString(table.resolve("part-00000.snappy.parquet"), "PAR1");
    Cli cli = Cli.run("train", "--chips", table.toString(), "--out", dir.resolve("m").toString());
    assertEquals(2, cli.code(), cli.out() + cli.err());
    assertEquals(1, cli.err().lines().count(), cli.err());
    assertTrue(cli.err().contains(table.toString()) && cli.err().contains("Spark"), cli.err());
  }

  @Test
  void twoScenesOfTheSameNameAreRefusedUpFront() throws Exception {
    Path other = Files.createDirectories(dir.resolve("other"));
    Files.copy(scenes.resolve("scene_01.tif"), other.resolve("scene_01.tif"));
    Path out = dir.resolve("same-name");
    Cli cli =
        Cli.run(
            "predict",
            "--model",
            bundle.toString(),
            "--out",
            out.toString(),
            scenes.resolve("scene_01.tif").toString(),
            other.resolve("scene_01.tif").toString());
    assertEquals(2, cli.code(), cli.out() + cli.err());
    assertEquals(1, cli.err().lines().count(), cli.err());
    assertTrue(
        cli.err().contains("same outputs") && cli.err().contains(other.toString()), cli.err());
    assertFalse(Files.exists(out), "nothing written");
  }

  @Test
  void aBadShardIsAUsageError() {
    Cli cli = predict(dir.resolve("bad"), "--shard", "2/2");
    assertEquals(2, cli.code());
    assertTrue(cli.err().contains("--shard") && cli.err().contains("2/2"), cli.err());
  }
}

package dev.landcover.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.landcover.geo.BandStack;
import dev.landcover.geo.GeoTiffRaster;
import dev.landcover.geo.GeoTiffWriter;
import dev.landcover.pixels.PixelWindow;
import dev.landcover.testdata.SyntheticScene;
import dev.landcover.workflows.ChipExport;
import dev.landcover.workflows.ChipExportRequest;
import dev.landcover.workflows.MappingRequest;
import dev.landcover.workflows.ProgressListener;
import dev.landcover.workflows.SceneMapper;
import dev.landcover.workflows.TestBundles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Spark job in {@code local[2]} (with a second attempt allowed per task) against what {@code
 * landcover predict} (its Java API, {@link SceneMapper#map}) writes for the same scenes.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SparkMappingTest {
  @TempDir static Path dir;
  static Path bundle;
  static Path scenes;
  static Path cliOut;
  static SparkSession spark;
  static final List<String> NAMES = List.of("scene_01", "scene_02", "scene_03", "scene_04");

  @BeforeAll
  static void prepare() throws Exception {
    bundle = TestBundles.smallUNet(dir);
    scenes = SyntheticScene.writeBatch(dir.resolve("scenes"), NAMES);
    Files.writeString(scenes.resolve("broken.tif"), "not a tiff");

    cliOut = dir.resolve("cli");
    List<Path> good = NAMES.stream().map(n -> scenes.resolve(n + ".tif")).toList();
    List<SceneMapper.SceneOutcome> cli =
        SceneMapper.map(
            MappingRequest.builder(bundle, good).outDir(cliOut).chip(64).confidence(true).build(),
            ProgressListener.NONE);
    assertTrue(cli.stream().allMatch(o -> o.status() == SceneMapper.Status.DONE), cli.toString());

    spark =
        SparkSession.builder()
            .master("local[2,2]")
            .appName("landcover-test")
            .config("spark.plugins", LandcoverSparkPlugin.class.getName())
            .config("spark.ui.enabled", "false")
            .config("spark.sql.shuffle.partitions", "2")
            .getOrCreate();
    spark.sparkContext().setLogLevel("WARN");
  }

  @AfterAll
  static void stop() {
    if (spark != null) {
      spark.stop();
    }
  }

  private static SparkPredictRequest request(Path out) {
    return SparkPredictRequest.builder(
            bundle.toString(), List.of(scenes.toString()), out.toString())
        .chip(64)
        .confidence(true)
        .build();
  }

  private static Set<String> files(Path folder) throws Exception {
    try (Stream<Path> s = Files.list(folder)) {
      return s.map(p -> p.getFileName().toString()).collect(Collectors.toCollection(TreeSet::new));
    }
  }

  @Test
  @Order(1)
  void theJobWritesTheCliMapsAndATableOfTheSummariesDespiteAFailedAttempt() throws Exception {
    Path out = dir.resolve("spark");
    AtomicInteger attempts = new AtomicInteger();
    SceneTask.failBeforeSummary =
        scene -> scene.endsWith("scene_02.tif") && attempts.incrementAndGet() == 1;
    List<SceneSummary> rows;
    try {
      rows = SparkMapping.summaries(SparkMapping.predict(spark, request(out)));
    } finally {
      SceneTask.failBeforeSummary = scene -> false;
    }
    assertEquals(2, attempts.get(), "scene_02's task failed once and was retried once");
    assertEquals(1, ExecutorModels.opened(), "one model for every task of the executor");

    assertEquals(5, rows.size(), rows.toString());
    Map<String, SceneSummary> byName = new TreeMap<>();
    rows.forEach(
        r -> byName.put(Path.of(java.net.URI.create(r.scene())).getFileName().toString(), r));
    SceneSummary broken = byName.get("broken.tif");
    assertEquals("FAILED", broken.status());
    assertTrue(broken.error().contains("broken.tif"), broken.error());
    assertNull(broken.map());

    Set<String> written = files(out);
    written.remove("landcover_scenes.parquet");
    assertEquals(files(cliOut), written, "the same files, no temporary ones");
    for (String file : written) {
      if (!file.endsWith(".json")) {
        assertArrayEquals(
            Files.readAllBytes(cliOut.resolve(file)), Files.readAllBytes(out.resolve(file)), file);
      }
    }

    List<SceneSummary> table =
        SparkMapping.summaries(
            spark.read().parquet(out.resolve("landcover_scenes.parquet").toString()));
    assertEquals(rows, table, "the Parquet table holds the rows returned");
    ObjectMapper json = new ObjectMapper();
    for (String name : NAMES) {
      SceneSummary row = byName.get(name + ".tif");
      assertEquals("DONE", row.status(), row.toString());
      JsonNode mine = json.readTree(out.resolve(name + "_landcover.json").toFile());
      JsonNode cli = json.readTree(cliOut.resolve(name + "_landcover.json").toFile());
      assertEquals(cli.get("classes"), mine.get("classes"), name);
      assertEquals(cli.get("classifiedPixels"), mine.get("classifiedPixels"));
      assertEquals(mine.get("seconds").asDouble(), row.seconds());
      assertEquals(mine.get("classifiedPixels").asLong(), row.classifiedPixels());
      assertEquals(mine.get("areaUnit").asText(), row.areaUnit());
      assertEquals(
          out.resolve(name + "_landcover.tif").toUri(),
          java.net.URI.create(mine.get("map").asText()));
      assertEquals(6, row.classes().size());
      for (int c = 0; c < 6; c++) {
        JsonNode k = cli.get("classes").get(c);
        SceneSummary.ClassArea a = row.classes().get(c);
        assertEquals(k.get("id").asInt(), a.id());
        assertEquals(k.get("name").asText(), a.name());
        assertEquals(k.get("pixels").asLong(), a.pixels());
        assertEquals(k.get("area").asDouble(), a.area());
        assertEquals(k.get("percent").asDouble(), a.percent());
      }
    }

    // A rerun skips what is done and tries the broken scene again.
    List<SceneSummary> again = SparkMapping.summaries(SparkMapping.predict(spark, request(out)));
    List<String> statuses = new ArrayList<>();
    again.forEach(r -> statuses.add(r.status()));
    assertEquals(List.of("FAILED", "SKIPPED", "SKIPPED", "SKIPPED", "SKIPPED"), statuses);
    for (int i = 1; i < 5; i++) {
      assertEquals(rows.get(i).classes(), again.get(i).classes());
    }
    assertEquals(1, ExecutorModels.opened(), "the model stays open between jobs");
  }

  @Test
  @Order(2)
  void chipFoldersAreTheCliChipFolders() throws Exception {
    Path out = dir.resolve("chips");
    List<String> inputs = new ArrayList<>();
    for (String name : NAMES.subList(0, 2)) {
      Path image = scenes.resolve(name + ".tif");
      Path labels = scenes.resolve(name + "/labels.tif");
      inputs.add(image + "," + labels);
      ChipExport.run(
          ChipExportRequest.builder(image, 32, dir.resolve("cli-chips/" + name))
              .labels(labels)
              .overlap(8)
              .build(),
          ProgressListener.NONE);
    }
    inputs.add(scenes.resolve("broken.tif").toString());
    SparkChipsRequest request =
        SparkChipsRequest.builder(inputs, 32, out.toString()).overlap(8).build();
    List<ChipSummary> rows = SparkMapping.chipSummaries(SparkMapping.chips(spark, request));
    assertEquals(
        List.of("DONE", "DONE", "FAILED"), rows.stream().map(ChipSummary::status).toList());
    assertTrue(rows.get(2).error().contains("broken.tif"), rows.get(2).error());
    for (int i = 0; i < 2; i++) {
      Path cli = dir.resolve("cli-chips/" + NAMES.get(i));
      Path mine = out.resolve(NAMES.get(i));
      List<Path> files;
      try (Stream<Path> s = Files.walk(cli)) {
        files = s.filter(Files::isRegularFile).map(cli::relativize).sorted().toList();
      }
      try (Stream<Path> s = Files.walk(mine)) {
        assertEquals(files, s.filter(Files::isRegularFile).map(mine::relativize).sorted().toList());
      }
      for (Path f : files) {
        assertArrayEquals(
            Files.readAllBytes(cli.resolve(f)), Files.readAllBytes(mine.resolve(f)), f.toString());
      }
      assertEquals(Files.readAllLines(cli.resolve("chips.csv")).size() - 1, rows.get(i).chips());
      assertTrue(rows.get(i).chips() > 0);
    }
    List<ChipSummary> again = SparkMapping.chipSummaries(SparkMapping.chips(spark, request));
    assertEquals(
        List.of("SKIPPED", "SKIPPED", "FAILED"), again.stream().map(ChipSummary::status).toList());
    assertEquals(rows.get(0).chips(), again.get(0).chips());
  }

  @Test
  @Order(3)
  void scenesThatWouldWriteTheSameOutputsAndTorchScriptFilesAreRefused() throws Exception {
    Path other = Files.createDirectories(dir.resolve("other"));
    Files.copy(scenes.resolve("scene_01.tif"), other.resolve("scene_01.tif"));
    SparkPredictRequest twice =
        SparkPredictRequest.builder(
                bundle.toString(),
                List.of(scenes.resolve("scene_01.tif").toString(), other.toString()),
                dir.resolve("twice").toString())
            .build();
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> SparkMapping.predict(spark, twice));
    assertTrue(e.getMessage().contains("scene_01.tif and file:" + other), e.getMessage());
    assertFalse(Files.exists(dir.resolve("twice")));
    e =
        assertThrows(
            IllegalArgumentException.class,
            () -> SparkPredictRequest.builder("m.pt", List.of("a.tif"), "out").build());
    assertTrue(e.getMessage().contains("m.pt"), e.getMessage());
  }

  @Test
  @Order(3)
  void aBandStackIsMappedAsPredictMapsIt() throws Exception {
    Path bands = Files.createDirectories(dir.resolve("stack"));
    List<Path> files = new ArrayList<>();
    try (GeoTiffRaster scene = GeoTiffRaster.open(scenes.resolve("scene_01.tif"))) {
      PixelWindow all = new PixelWindow(0, 0, scene.width(), scene.height());
      for (int b = 1; b <= scene.bandCount(); b++) {
        Path f = bands.resolve("s01_b" + b + ".tif");
        GeoTiffWriter writer =
            GeoTiffWriter.forGrid(scene.grid(), scene.sampleType(), 1)
                .bandDescriptions(List.of(scene.bandDescriptions().get(b - 1)));
        scene.noData(b).ifPresent(writer::noData);
        writer.write(f, scene.read(all, b));
        files.add(f);
      }
    }
    Path cli = dir.resolve("stack-cli");
    List<SceneMapper.SceneOutcome> expected =
        SceneMapper.map(
            MappingRequest.builder(bundle, List.of())
                .stack(BandStack.of(files))
                .outDir(cli)
                .chip(64)
                .confidence(true)
                .build(),
            ProgressListener.NONE);
    assertEquals(SceneMapper.Status.DONE, expected.get(0).status(), expected.toString());

    Path out = dir.resolve("stack-spark");
    String stack = String.join(",", files.stream().map(Path::toString).toList());
    List<SceneSummary> rows =
        SparkMapping.summaries(
            SparkMapping.predict(
                spark,
                SparkPredictRequest.builder(bundle.toString(), List.of(stack), out.toString())
                    .chip(64)
                    .confidence(true)
                    .build()));
    assertEquals("DONE", rows.get(0).status(), rows.toString());
    Set<String> written = files(out);
    written.remove("landcover_scenes.parquet");
    assertTrue(written.contains("s01_landcover.tif"), written.toString());
    assertTrue(written.contains("s01_confidence.tif"), written.toString());
    assertEquals(files(cli), written, "the files predict writes for the stack");
    for (String file : written) {
      if (!file.endsWith(".json")) {
        assertArrayEquals(
            Files.readAllBytes(cli.resolve(file)), Files.readAllBytes(out.resolve(file)), file);
      }
    }
    ObjectMapper json = new ObjectMapper();
    assertEquals(
        json.readTree(cli.resolve("s01_landcover.json").toFile()).get("classes"),
        json.readTree(out.resolve("s01_landcover.json").toFile()).get("classes"));
  }

  @Test
  @Order(4)
  void theExecutorClosesItsModelWhenItStops() {
    assertEquals(1, ExecutorModels.opened());
    assertEquals(0, ExecutorModels.closed());
    spark.stop();
    spark = null;
    assertEquals(1, ExecutorModels.closed());
    assertFalse(ExecutorModels.opened() > 1);
  }
}

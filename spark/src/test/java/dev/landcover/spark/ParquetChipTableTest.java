package dev.landcover.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.landcover.geo.ChipFolder;
import dev.landcover.geo.Gdal;
import dev.landcover.geo.GeoTiffRaster;
import dev.landcover.geo.RasterWindow;
import dev.landcover.networks.UNetConfig;
import dev.landcover.pixels.PixelWindow;
import dev.landcover.testdata.SyntheticScene;
import dev.landcover.workflows.ChipExport;
import dev.landcover.workflows.ChipExportRequest;
import dev.landcover.workflows.ProgressListener;
import dev.landcover.workflows.Training;
import dev.landcover.workflows.TrainingRequest;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Parquet chip table of {@code spark chips --format parquet} in {@code local[2]} (a second
 * attempt allowed per task): its rows against the chip folders {@code landcover chips} writes (the
 * Java API, {@link ChipExport}), training from it against training from those folders, and a real
 * scene's chips against GDAL.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ParquetChipTableTest {
  @TempDir static Path dir;
  static Path scenes;
  static SparkSession spark;
  static final List<String> NAMES = List.of("scene_01", "scene_02");

  @BeforeAll
  static void prepare() throws Exception {
    scenes = SyntheticScene.writeBatch(dir.resolve("scenes"), NAMES);
    Files.writeString(scenes.resolve("broken.tif"), "not a tiff");
    for (String name : NAMES) {
      ChipExport.run(
          ChipExportRequest.builder(
                  scenes.resolve(name + ".tif"), 32, dir.resolve("folders").resolve(name))
              .labels(scenes.resolve(name + "/labels.tif"))
              .overlap(8)
              .build(),
          ProgressListener.NONE);
    }
    spark =
        SparkSession.builder()
            .master("local[2,2]")
            .appName("landcover-test")
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

  private static SparkChipsRequest request(Path out, boolean overwrite) {
    List<String> inputs = new ArrayList<>();
    for (String name : NAMES) {
      inputs.add(scenes.resolve(name + ".tif") + "," + scenes.resolve(name + "/labels.tif"));
    }
    inputs.add(scenes.resolve("broken.tif").toString());
    return SparkChipsRequest.builder(inputs, 32, out.toString())
        .overlap(8)
        .format(SparkChipsRequest.Format.PARQUET)
        .overwrite(overwrite)
        .build();
  }

  @Test
  @Order(1)
  void theTableHoldsTheFolderChipsOnceDespiteAFailedAttempt() throws Exception {
    Path out = dir.resolve("table");
    AtomicInteger rowsOfScene2 = new AtomicInteger();
    ChipRowsTask.failAfterRow =
        (scene, chip) -> scene.endsWith("scene_02.tif") && rowsOfScene2.incrementAndGet() == 3;
    List<ChipSummary> results;
    try {
      results = SparkMapping.chipSummaries(SparkMapping.chips(spark, request(out, false)));
    } finally {
      ChipRowsTask.failAfterRow = (scene, chip) -> false;
    }
    assertEquals(
        List.of("DONE", "DONE", "FAILED"), results.stream().map(ChipSummary::status).toList());
    assertTrue(results.get(2).error().contains("broken.tif"), results.get(2).error());

    List<Row> rows = spark.read().parquet(out.resolve("chips.parquet").toString()).collectAsList();
    assertTrue(rowsOfScene2.get() > 3, "scene_02's task failed after 3 rows and ran again");
    Set<String> seen = new HashSet<>();
    for (Row r : rows) {
      assertTrue(
          seen.add(r.getString(0) + "#" + r.getInt(2)), "chip in the table twice: " + r.get(2));
    }
    int total = 0;
    for (int s = 0; s < NAMES.size(); s++) {
      ChipFolder folder = ChipFolder.read(dir.resolve("folders").resolve(NAMES.get(s)));
      String scene = "file:" + scenes.resolve(NAMES.get(s) + ".tif").toAbsolutePath();
      assertEquals(folder.entries().size(), results.get(s).chips());
      total += folder.entries().size();
      for (ChipFolder.Entry e : folder.entries()) {
        Row r =
            rows.stream()
                .filter(x -> x.getString(0).equals(scene) && x.getInt(2) == e.id())
                .findFirst()
                .orElseThrow(() -> new AssertionError("no row for chip " + e.id()));
        assertEquals(
            e.window(), new PixelWindow(r.getInt(3), r.getInt(4), r.getInt(5), r.getInt(6)));
        try (GeoTiffRaster img = GeoTiffRaster.open(folder.imageFile(e));
            GeoTiffRaster lbl = GeoTiffRaster.open(folder.labelFile(e))) {
          RasterWindow pixels = img.read(new PixelWindow(0, 0, 32, 32), img.allBands());
          assertEquals(4, r.getInt(7));
          assertEquals("UInt16", r.getString(8));
          assertArrayEquals(pixels.toLittleEndianBytes(), (byte[]) r.getAs(9), "chip " + e.id());
          assertEquals(0.0, r.getDouble(10));
          assertArrayEquals(
              lbl.read(new PixelWindow(0, 0, 32, 32), 1).toLittleEndianBytes(),
              (byte[]) r.getAs(12));
          assertEquals("Byte", r.getString(11));
          assertEquals(0.0, r.getDouble(13));
          assertEquals(img.grid().crsWkt(), r.getString(14));
          assertEquals(
              List.of(
                  img.grid().transform().toGdal()[0],
                  img.grid().transform().toGdal()[1],
                  img.grid().transform().toGdal()[2],
                  img.grid().transform().toGdal()[3],
                  img.grid().transform().toGdal()[4],
                  img.grid().transform().toGdal()[5]),
              r.getList(15));
          assertEquals(e.noDataFraction(), r.getDouble(16), 1e-6);
          Map<Integer, Integer> counts = r.getJavaMap(17);
          assertEquals(e.classCounts(), new java.util.TreeMap<>(counts));
        }
      }
    }
    assertEquals(total, rows.size(), "every chip once, nothing of the failed attempt");

    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class, () -> SparkMapping.chips(spark, request(out, false)));
    assertTrue(e.getMessage().contains("--overwrite"), e.getMessage());
    SparkMapping.chips(spark, request(out, true));
    assertEquals(total, spark.read().parquet(out.resolve("chips.parquet").toString()).count());
    try (var s = Files.list(out)) {
      assertEquals(
          List.of("chips.parquet", "landcover_chips.parquet"),
          s.map(p -> p.getFileName().toString()).sorted().toList(),
          "no temporary folder left");
    }
  }

  @Test
  @Order(2)
  void trainingFromTheTableEqualsTrainingFromTheFolders() throws Exception {
    Path table = dir.resolve("table/chips.parquet");
    Path fromTable = train(TrainingRequest.builder(dir.resolve("model-table")).chipFolder(table));
    TrainingRequest.Builder b = TrainingRequest.builder(dir.resolve("model-folders"));
    for (String name : NAMES) {
      b.chipFolder(dir.resolve("folders").resolve(name));
    }
    Path fromFolders = train(b);
    Map<String, byte[]> expected = entries(fromFolders.resolve("weights.npz"));
    Map<String, byte[]> actual = entries(fromTable.resolve("weights.npz"));
    assertEquals(expected.keySet(), actual.keySet());
    for (String name : expected.keySet()) {
      assertArrayEquals(
          expected.get(name), actual.get(name), name + ": the same weights, bit for bit");
    }
    ObjectMapper json = new ObjectMapper();
    assertEquals(
        json.readTree(fromFolders.resolve("model.json").toFile()).get("normalization"),
        json.readTree(fromTable.resolve("model.json").toFile()).get("normalization"));
  }

  /** The arrays of an .npz file (a zip, whose entry times differ between runs), by name. */
  private static Map<String, byte[]> entries(Path npz) throws Exception {
    Map<String, byte[]> out = new java.util.TreeMap<>();
    try (java.util.zip.ZipFile zip = new java.util.zip.ZipFile(npz.toFile())) {
      for (var e : java.util.Collections.list(zip.entries())) {
        try (var in = zip.getInputStream(e)) {
          out.put(e.getName(), in.readAllBytes());
        }
      }
    }
    assertTrue(out.size() > 4, out.keySet().toString());
    return out;
  }

  private static Path train(TrainingRequest.Builder b) throws Exception {
    return Training.run(
            b.architecture(UNetConfig.builder().channels(4, 8).build(), null)
                .epochs(2)
                .batch(4)
                .seed(11)
                .build(),
            ProgressListener.NONE)
        .bundle();
  }

  @Test
  @Order(3)
  void aRealScenesChipsAreGdalsReadingOfTheirWindows() throws Exception {
    Path data = Gdal.sharedData();
    Path image = data.resolve("scenes/s2-slovenia-13band.tif");
    Path labels = data.resolve("labels/s2-slovenia-lulc.tif");
    Gdal.assumeAvailable();
    Path out = dir.resolve("real");
    SparkChipsRequest request =
        SparkChipsRequest.builder(List.of(image + "," + labels), 48, out.toString())
            .overlap(16)
            .bands(2, 3, 4, 8)
            .format(SparkChipsRequest.Format.PARQUET)
            .build();
    assertEquals(
        "DONE", SparkMapping.chipSummaries(SparkMapping.chips(spark, request)).get(0).status());
    List<Row> rows = spark.read().parquet(out.resolve("chips.parquet").toString()).collectAsList();
    assertTrue(rows.size() >= 4, rows.size() + " chips");
    List<PixelWindow> windows = new ArrayList<>();
    for (Row r : rows) {
      windows.add(new PixelWindow(r.getInt(3), r.getInt(4), r.getInt(5), r.getInt(6)));
    }
    String wkt = rows.get(0).getString(14);
    Map<Path, Gdal.Reference> gdal =
        Gdal.describe(
            List.of(
                new Gdal.Request(image, windows, wkt), new Gdal.Request(labels, windows, null)));
    Gdal.Reference img = gdal.get(image);
    Gdal.Reference lbl = gdal.get(labels);
    assertTrue(img.ok(), img.error());
    assertTrue(img.crsSame(), img.crsError());
    double[] gt = img.geotransform();
    int[] bands = {2, 3, 4, 8};
    for (int k = 0; k < rows.size(); k++) {
      Row r = rows.get(k);
      PixelWindow w = windows.get(k);
      assertEquals(4, r.getInt(7));
      assertEquals(img.dtype(), r.getString(8));
      double[] all = img.data(k);
      int plane = w.width() * w.height();
      ByteBuffer samples = ByteBuffer.wrap((byte[]) r.getAs(9)).order(ByteOrder.LITTLE_ENDIAN);
      for (int b = 0; b < 4; b++) {
        for (int i = 0; i < plane; i++) {
          assertEquals(
              all[(bands[b] - 1) * plane + i],
              samples.getShort() & 0xFFFF,
              "chip " + r.getInt(2) + " band " + bands[b] + " pixel " + i);
        }
      }
      double[] labelData = lbl.data(k);
      byte[] label = r.getAs(12);
      for (int i = 0; i < plane; i++) {
        assertEquals(labelData[i], label[i] & 0xFF, "label pixel " + i);
      }
      assertEquals(
          img.nodata(1), r.isNullAt(10) ? null : r.getDouble(10), "image nodata as GDAL's");
      assertEquals(lbl.nodata(1), r.isNullAt(13) ? null : r.getDouble(13), "label nodata");
      List<Double> mine = r.getList(15);
      double[] expected = {
        gt[0] + w.x() * gt[1] + w.y() * gt[2], gt[1], gt[2],
        gt[3] + w.x() * gt[4] + w.y() * gt[5], gt[4], gt[5]
      };
      for (int i = 0; i < 6; i++) {
        assertEquals(expected[i], mine.get(i), 1e-6 * Math.abs(expected[i]) + 1e-9, "gt " + i);
      }
    }
  }
}

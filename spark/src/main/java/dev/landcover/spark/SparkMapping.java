package dev.landcover.spark;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.util.CollectionAccumulator;

/**
 * Maps scenes with a Spark job: a Dataset of scene paths, one partition (one task) per scene; each
 * task maps its scene with the model its executor opened once ({@link ExecutorModels}), writes the
 * outputs of {@code landcover predict} through Hadoop's FileSystem API (temporary file, then
 * rename; the summary JSON last) and returns a row of the summary table ({@link #SCHEMA}), which is
 * written as Parquet. A scene that fails is a FAILED row, not a failed job.
 *
 * <p>Register {@link LandcoverSparkPlugin} ({@code spark.plugins}) so that executors close their
 * models when they stop.
 */
public final class SparkMapping {
  /** The class columns of the summary table. */
  public static final StructType CLASS_SCHEMA =
      new StructType(
          new StructField[] {
            DataTypes.createStructField("id", DataTypes.IntegerType, false),
            DataTypes.createStructField("name", DataTypes.StringType, false),
            DataTypes.createStructField("pixels", DataTypes.LongType, false),
            DataTypes.createStructField("area", DataTypes.DoubleType, false),
            DataTypes.createStructField("percent", DataTypes.DoubleType, false)
          });

  /** The summary table: one row per scene, the fields of {@link SceneSummary}. */
  public static final StructType SCHEMA =
      new StructType(
          new StructField[] {
            DataTypes.createStructField("scene", DataTypes.StringType, false),
            DataTypes.createStructField("map", DataTypes.StringType, true),
            DataTypes.createStructField("status", DataTypes.StringType, false),
            DataTypes.createStructField("seconds", DataTypes.DoubleType, false),
            DataTypes.createStructField("classified_pixels", DataTypes.LongType, false),
            DataTypes.createStructField("area_unit", DataTypes.StringType, true),
            DataTypes.createStructField(
                "classes", DataTypes.createArrayType(CLASS_SCHEMA, false), false),
            DataTypes.createStructField("error", DataTypes.StringType, true)
          });

  private SparkMapping() {}

  /**
   * Maps the scenes of {@code request} and writes the summary table to {@link
   * SparkPredictRequest#tablePath()} (replacing it).
   *
   * @return the summary table, one row per scene in the order listed
   * @throws IllegalArgumentException when the inputs hold no scene
   * @throws IOException when the inputs cannot be listed
   */
  public static Dataset<Row> predict(SparkSession spark, SparkPredictRequest request)
      throws IOException {
    return table(spark, request, mapScenes(spark, request));
  }

  /** Runs the job: the summaries, one per scene in the order listed. */
  static List<SceneSummary> mapScenes(SparkSession spark, SparkPredictRequest request)
      throws IOException {
    Configuration conf = spark.sparkContext().hadoopConfiguration();
    List<String> scenes = listScenes(conf, request.inputs());
    if (scenes.isEmpty()) {
      throw new IllegalArgumentException("No scene found in " + request.inputs());
    }
    Map<String, String> byName = new HashMap<>();
    for (String scene : scenes) {
      String other = byName.put(SceneTask.outputName(scene, conf), scene);
      if (other != null) {
        throw new IllegalArgumentException(
            "Two scenes would write the same outputs in "
                + request.out()
                + ": "
                + other
                + " and "
                + scene
                + " (outputs are named after the file name)");
      }
    }
    Map<String, String> hadoopConf = new HashMap<>();
    conf.forEach(e -> hadoopConf.put(e.getKey(), e.getValue()));
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    Dataset<String> paths =
        spark.createDataset(jsc.parallelize(scenes, scenes.size()).rdd(), Encoders.STRING());
    return paths
        .mapPartitions(
            new SceneTask(request, hadoopConf), Encoders.javaSerialization(SceneSummary.class))
        .collectAsList();
  }

  /** The summary table of {@code summaries}, also written as Parquet. */
  static Dataset<Row> table(
      SparkSession spark, SparkPredictRequest request, List<SceneSummary> summaries) {
    List<Row> rows = new ArrayList<>();
    for (SceneSummary s : summaries) {
      Object[] classes =
          s.classes().stream()
              .map(c -> RowFactory.create(c.id(), c.name(), c.pixels(), c.area(), c.percent()))
              .toArray();
      rows.add(
          RowFactory.create(
              s.scene(),
              s.map(),
              s.status(),
              s.seconds(),
              s.classifiedPixels(),
              s.areaUnit(),
              classes,
              s.error()));
    }
    Dataset<Row> table = spark.createDataFrame(rows, SCHEMA);
    table.write().mode(SaveMode.Overwrite).parquet(request.tablePath());
    return table;
  }

  /** The result table of {@link #chips}: one row per scene, the fields of {@link ChipSummary}. */
  public static final StructType CHIP_SCHEMA =
      new StructType(
          new StructField[] {
            DataTypes.createStructField("image", DataTypes.StringType, false),
            DataTypes.createStructField("labels", DataTypes.StringType, true),
            DataTypes.createStructField("folder", DataTypes.StringType, true),
            DataTypes.createStructField("status", DataTypes.StringType, false),
            DataTypes.createStructField("chips", DataTypes.IntegerType, false),
            DataTypes.createStructField("examined", DataTypes.IntegerType, false),
            DataTypes.createStructField("seconds", DataTypes.DoubleType, false),
            DataTypes.createStructField("error", DataTypes.StringType, true)
          });

  /**
   * Cuts the scenes of {@code request}, a task per scene, into one chip folder each ({@code
   * <out>/<image name>/}, as {@code landcover chips --out} writes it) or into one Parquet chip
   * table ({@link SparkChipsRequest#chipTablePath()}, {@link ParquetChipTable}), and writes the
   * result table to {@link SparkChipsRequest#tablePath()} (replacing it).
   *
   * @return the result table, one row per input in order
   * @throws IllegalArgumentException when the chip table exists and the request does not overwrite
   * @throws IOException when the chip table cannot be moved into place
   */
  public static Dataset<Row> chips(SparkSession spark, SparkChipsRequest request)
      throws IOException {
    List<ChipSummary> summaries = cutScenes(spark, request);
    List<Row> rows = new ArrayList<>();
    for (ChipSummary c : summaries) {
      rows.add(
          RowFactory.create(
              c.image(),
              c.labels(),
              c.folder(),
              c.status(),
              c.chips(),
              c.examined(),
              c.seconds(),
              c.error()));
    }
    Dataset<Row> table = spark.createDataFrame(rows, CHIP_SCHEMA);
    table.write().mode(SaveMode.Overwrite).parquet(request.tablePath());
    return table;
  }

  /** Runs the chip job: one result per input, in order. */
  static List<ChipSummary> cutScenes(SparkSession spark, SparkChipsRequest request)
      throws IOException {
    Configuration conf = spark.sparkContext().hadoopConfiguration();
    List<String> inputs = new ArrayList<>();
    Map<String, String> byName = new HashMap<>();
    for (String in : request.inputs()) {
      String[] parts = in.split(",", -1);
      String qualified =
          qualify(conf, parts[0]) + (parts.length > 1 ? "," + qualify(conf, parts[1]) : "");
      String other = byName.put(SceneTask.baseName(new Path(parts[0])), in);
      if (other != null) {
        throw new IllegalArgumentException(
            "Two images would write the same chip folder in "
                + request.out()
                + ": "
                + other
                + " and "
                + in
                + " (folders are named after the image's file name)");
      }
      inputs.add(qualified);
    }
    Map<String, String> hadoopConf = new HashMap<>();
    conf.forEach(e -> hadoopConf.put(e.getKey(), e.getValue()));
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    if (request.format() == SparkChipsRequest.Format.PARQUET) {
      return writeChipTable(spark, request, inputs, hadoopConf);
    }
    return spark
        .createDataset(jsc.parallelize(inputs, inputs.size()).rdd(), Encoders.STRING())
        .mapPartitions(
            new ChipTask(request, hadoopConf), Encoders.javaSerialization(ChipSummary.class))
        .collectAsList();
  }

  /**
   * Writes the Parquet chip table with Spark's Parquet writer into a hidden folder beside it
   * ({@code _chips.parquet.RANDOM.tmp}; the commit protocol keeps the rows of the task attempts
   * that succeeded, once), then renames that folder into place (after deleting the old table when
   * overwriting); a failed job leaves the old table, or none, as it was.
   */
  private static List<ChipSummary> writeChipTable(
      SparkSession spark,
      SparkChipsRequest request,
      List<String> inputs,
      Map<String, String> hadoopConf)
      throws IOException {
    Configuration conf = spark.sparkContext().hadoopConfiguration();
    Path table = new Path(request.chipTablePath());
    FileSystem fs = table.getFileSystem(conf);
    table = fs.makeQualified(table);
    if (fs.exists(table) && !request.overwrite()) {
      throw new IllegalArgumentException(
          "The chip table " + table + " exists: pass --overwrite to replace it");
    }
    Path tmp =
        new Path(
            table.getParent(), "_" + table.getName() + "." + java.util.UUID.randomUUID() + ".tmp");
    CollectionAccumulator<ChipSummary> results =
        spark.sparkContext().collectionAccumulator("landcover chips");
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    try {
      spark
          .createDataFrame(
              jsc.parallelize(inputs, inputs.size())
                  .mapPartitions(new ChipRowsTask(request, hadoopConf, results)),
              ParquetChipTable.SCHEMA)
          .write()
          .mode(SaveMode.ErrorIfExists)
          .parquet(tmp.toString());
      if (fs.exists(table)) {
        fs.delete(table, true);
      }
      if (!fs.rename(tmp, table)) {
        throw new IOException("Cannot move " + tmp + " to " + table);
      }
    } finally {
      if (fs.exists(tmp)) {
        fs.delete(tmp, true);
      }
    }
    Map<String, ChipSummary> byImage = new HashMap<>();
    for (ChipSummary r : results.value()) {
      byImage.put(r.image(), r);
    }
    List<ChipSummary> out = new ArrayList<>();
    for (String in : inputs) {
      String image = in.split(",", -1)[0];
      ChipSummary r = byImage.get(image);
      out.add(
          r != null
              ? r
              : new ChipSummary(image, null, null, "FAILED", 0, -1, 0, "no result from its task"));
    }
    return out;
  }

  private static String qualify(Configuration conf, String path) {
    try {
      Path p = new Path(path);
      return p.getFileSystem(conf).makeQualified(p).toString();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** The rows of a chip result table as records. */
  public static List<ChipSummary> chipSummaries(Dataset<Row> table) {
    List<ChipSummary> out = new ArrayList<>();
    for (Row r : table.collectAsList()) {
      out.add(
          new ChipSummary(
              r.getString(0),
              r.getString(1),
              r.getString(2),
              r.getString(3),
              r.getInt(4),
              r.getInt(5),
              r.getDouble(6),
              r.getString(7)));
    }
    return out;
  }

  /**
   * The scenes {@code inputs} name, qualified ({@code file:/...}): files as they are, folders'
   * {@code .tif}/{@code .tiff} files (sorted, Landcover's {@code _landcover} outputs left out),
   * glob patterns' matches (sorted), band stacks {@code FILE,FILE,...} as the comma list of their
   * qualified files (see {@link SceneTask#isStack}); without repeats, in order.
   */
  public static List<String> listScenes(Configuration conf, List<String> inputs)
      throws IOException {
    Map<String, Boolean> found = new LinkedHashMap<>();
    for (String in : inputs) {
      if (SceneTask.isStack(in, conf)) {
        List<String> files = new ArrayList<>();
        for (String f : in.split(",", -1)) {
          if (f.isBlank()) {
            throw new IllegalArgumentException(
                "Band stack \"" + in + "\" has an empty item: expected FILE,FILE,...");
          }
          files.add(qualify(conf, f.strip()));
        }
        found.putIfAbsent(String.join(",", files), true);
        continue;
      }
      Path p = new Path(in);
      FileSystem fs = p.getFileSystem(conf);
      if (p.getName().matches(".*[*?\\[{].*")) {
        FileStatus[] matches = fs.globStatus(p);
        if (matches != null) {
          Arrays.stream(matches)
              .filter(FileStatus::isFile)
              .map(f -> f.getPath().toString())
              .sorted()
              .forEach(f -> found.putIfAbsent(f, true));
        }
      } else if (fs.exists(p) && fs.getFileStatus(p).isDirectory()) {
        Arrays.stream(fs.listStatus(p))
            .filter(FileStatus::isFile)
            .map(f -> f.getPath())
            .filter(f -> f.getName().toLowerCase(Locale.ROOT).matches(".*\\.tiff?$"))
            .filter(f -> !f.getName().contains("_landcover"))
            .map(Path::toString)
            .sorted()
            .forEach(f -> found.putIfAbsent(f, true));
      } else {
        found.putIfAbsent(fs.makeQualified(p).toString(), true);
      }
    }
    return List.copyOf(found.keySet());
  }

  /** The rows of a summary table as records. */
  public static List<SceneSummary> summaries(Dataset<Row> table) {
    List<SceneSummary> out = new ArrayList<>();
    for (Row r : table.collectAsList()) {
      List<SceneSummary.ClassArea> classes = new ArrayList<>();
      for (Row c : r.<Row>getList(r.fieldIndex("classes"))) {
        classes.add(
            new SceneSummary.ClassArea(
                c.getInt(0), c.getString(1), c.getLong(2), c.getDouble(3), c.getDouble(4)));
      }
      out.add(
          new SceneSummary(
              r.getString(0),
              r.getString(1),
              r.getString(2),
              r.getDouble(3),
              r.getLong(4),
              r.getString(5),
              List.copyOf(classes),
              r.getString(7)));
    }
    return out;
  }
}

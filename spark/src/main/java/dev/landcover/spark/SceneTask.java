package dev.landcover.spark;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.landcover.geo.BandStack;
import dev.landcover.pixels.support.AtomicFiles;
import dev.landcover.workflows.SceneMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.function.MapPartitionsFunction;

/**
 * The task of one scene, on an executor: skip it when its map and summary exist (and the request
 * does not overwrite), else map it with the executor's open model into a local scratch folder, then
 * publish each output to the output folder through a temporary file and a rename, the summary last.
 * A scene that cannot be read or mapped becomes a FAILED row; a failure to publish fails the task,
 * which Spark retries: a retry finds the map without its summary and maps the scene again,
 * replacing what the failed attempt left.
 */
final class SceneTask implements MapPartitionsFunction<String, SceneSummary> {
  private static final long serialVersionUID = 1L;
  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  /**
   * Called with each scene after its map is published and before its summary is: a test makes a
   * task attempt fail there on purpose. Returns whether to fail.
   */
  static volatile Predicate<String> failBeforeSummary = scene -> false;

  private final SparkPredictRequest request;
  private final Map<String, String> hadoopConf;

  SceneTask(SparkPredictRequest request, Map<String, String> hadoopConf) {
    this.request = request;
    this.hadoopConf = hadoopConf;
  }

  @Override
  public Iterator<SceneSummary> call(Iterator<String> scenes) throws IOException {
    Configuration conf = new Configuration(false);
    hadoopConf.forEach(conf::set);
    List<SceneSummary> rows = new ArrayList<>();
    while (scenes.hasNext()) {
      rows.add(map(scenes.next(), conf));
    }
    return rows.iterator();
  }

  /**
   * The name of an image's chip folder, as {@link dev.landcover.workflows.ChipExport#sceneFolder}.
   */
  static String baseName(Path scene) {
    return scene.getName().replaceAll("(?i)\\.tiff?$", "");
  }

  /**
   * Whether {@code input} names a band stack: a comma-separated list of files, unless a file of
   * that very name exists (as {@code landcover predict} decides).
   */
  static boolean isStack(String input, Configuration conf) throws IOException {
    if (!BandStack.isList(input)) {
      return false;
    }
    Path p = new Path(input);
    return !p.getFileSystem(conf).exists(p);
  }

  /**
   * The base name of a scene's outputs, as {@link SceneMapper#mapPath} makes it: for a band stack,
   * its {@link BandStack#name()} (the files' common name prefix); else the file name without {@code
   * .tif}, {@code .tiff} or {@code .vrt}.
   */
  static String outputName(String scene, Configuration conf) throws IOException {
    if (!isStack(scene, conf)) {
      return new Path(scene).getName().replaceAll("(?i)\\.(tiff?|vrt)$", "");
    }
    List<java.nio.file.Path> names = new ArrayList<>();
    for (String f : scene.split(",")) {
      names.add(java.nio.file.Path.of(new Path(f).getName()));
    }
    return BandStack.of(names).name().getFileName().toString();
  }

  private SceneSummary map(String scene, Configuration conf) throws IOException {
    boolean stack = isStack(scene, conf);
    Path outDir = new Path(request.out());
    FileSystem out = HadoopOutputs.fileSystem(outDir, conf);
    outDir = out.makeQualified(outDir);
    String base = outputName(scene, conf);
    Path map = new Path(outDir, base + "_landcover.tif");
    Path summary = new Path(outDir, base + "_landcover.json");
    if (!request.overwrite() && out.exists(map) && out.exists(summary)) {
      try (InputStream in = out.open(summary)) {
        return summary(JSON.readTree(in), scene, map.toString(), "SKIPPED");
      }
    }
    java.nio.file.Path scratch = Files.createTempDirectory("landcover-task");
    try {
      List<java.nio.file.Path> local = new ArrayList<>();
      try {
        String[] files = stack ? scene.split(",") : new String[] {scene};
        for (int i = 0; i < files.length; i++) {
          // each file of a stack in a folder of its own: two files may share a name
          local.add(localFile(new Path(files[i]), conf, scratch.resolve("in" + i)));
        }
      } catch (IOException e) {
        return failed(scene, e.getMessage() == null ? e.toString() : e.getMessage());
      }
      SceneMapper.Worker worker = ExecutorModels.worker(request, conf, local.get(0));
      java.nio.file.Path outputs = Files.createDirectories(scratch.resolve("out"));
      java.nio.file.Path localMap = outputs.resolve(base + "_landcover.tif");
      SceneMapper.SceneOutcome outcome =
          stack
              ? worker.map(
                  new BandStack(local, request.bandResampling(), request.gridBand()), localMap)
              : worker.map(local.get(0), localMap);
      if (outcome.status() == SceneMapper.Status.FAILED) {
        return failed(scene, outcome.detail());
      }
      java.nio.file.Path localSummary = SceneMapper.sibling(localMap, ".json");
      List<java.nio.file.Path> files;
      try (Stream<java.nio.file.Path> s = Files.list(outputs)) {
        files = s.filter(f -> !f.equals(localSummary)).sorted(Comparator.naturalOrder()).toList();
      }
      for (java.nio.file.Path f : files) {
        HadoopOutputs.write(
            out, new Path(outDir, f.getFileName().toString()), o -> Files.copy(f, o));
      }
      if (failBeforeSummary.test(scene)) {
        throw new IOException("Failing the task of " + scene + " on purpose (test)");
      }
      ObjectNode json = (ObjectNode) JSON.readTree(localSummary.toFile());
      json.put("scene", scene);
      json.put("map", map.toString());
      HadoopOutputs.write(out, summary, o -> JSON.writeValue(o, json));
      return summary(json, scene, map.toString(), "DONE");
    } finally {
      AtomicFiles.deleteTree(scratch);
    }
  }

  /**
   * A file as a local file: itself on a local file system, else a copy in {@code scratch}/in (a
   * GDAL VRT is copied alone: its source files must be on a local file system).
   */
  static java.nio.file.Path localFile(Path scene, Configuration conf, java.nio.file.Path scratch)
      throws IOException {
    FileSystem fs = scene.getFileSystem(conf);
    if (fs instanceof LocalFileSystem || "file".equals(fs.getUri().getScheme())) {
      return java.nio.file.Path.of(fs.makeQualified(scene).toUri());
    }
    java.nio.file.Path copy =
        Files.createDirectories(scratch.resolve("in")).resolve(scene.getName());
    fs.copyToLocalFile(false, scene, new Path(copy.toUri()), true);
    return copy;
  }

  private static SceneSummary failed(String scene, String why) {
    return new SceneSummary(scene, null, "FAILED", 0, 0, null, List.of(), why);
  }

  /** A row from a summary JSON written by {@link SceneMapper}. */
  static SceneSummary summary(JsonNode json, String scene, String map, String status) {
    List<SceneSummary.ClassArea> classes = new ArrayList<>();
    for (JsonNode c : json.get("classes")) {
      classes.add(
          new SceneSummary.ClassArea(
              c.get("id").asInt(),
              c.get("name").asText(),
              c.get("pixels").asLong(),
              c.get("area").asDouble(),
              c.get("percent").asDouble()));
    }
    return new SceneSummary(
        scene,
        map,
        status,
        json.get("seconds").asDouble(),
        json.get("classifiedPixels").asLong(),
        json.get("areaUnit").asText(),
        List.copyOf(classes),
        null);
  }
}

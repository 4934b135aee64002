package dev.landcover.spark;

import ai.djl.Device;
import dev.landcover.pixels.BlendWindow;
import dev.landcover.pixels.support.AtomicFiles;
import dev.landcover.workflows.MappingRequest;
import dev.landcover.workflows.SceneMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Path;

/**
 * The models open in this JVM (a Spark executor, or the driver in local mode): each model and
 * prediction setting is loaded once, on the first task that needs it, shared by the tasks that run
 * in the executor afterwards (they take turns on the model's thread), and closed by {@link
 * LandcoverSparkPlugin} when the executor stops.
 */
final class ExecutorModels {
  /** What makes two tasks' models the same. */
  private record Key(
      String model,
      Integer chip,
      Integer overlap,
      BlendWindow blend,
      int batch,
      String device,
      boolean confidence,
      MappingRequest.Probabilities probabilities,
      MappingRequest.TestTimeAugmentation tta,
      MappingRequest.NoDataRule noDataRule) {
    static Key of(SparkPredictRequest r) {
      return new Key(
          r.model(),
          r.chip(),
          r.overlap(),
          r.blend(),
          r.batch(),
          r.device(),
          r.confidence(),
          r.probabilities(),
          r.tta(),
          r.noDataRule());
    }
  }

  private record Open(SceneMapper.Worker worker, java.nio.file.Path copy) {}

  private static final Map<Key, Open> OPEN = new HashMap<>();
  private static final AtomicInteger OPENED = new AtomicInteger();
  private static final AtomicInteger CLOSED = new AtomicInteger();

  private ExecutorModels() {}

  /**
   * The open model of {@code request}, opened now if no earlier task of this JVM opened it. A model
   * that is not on a local file system is copied to local disk first.
   *
   * @param scene a scene of the task (a mapping request names at least one; it is not mapped)
   */
  static synchronized SceneMapper.Worker worker(
      SparkPredictRequest request, Configuration conf, java.nio.file.Path scene)
      throws IOException {
    Key key = Key.of(request);
    Open open = OPEN.get(key);
    if (open != null) {
      return open.worker();
    }
    Path model = new Path(request.model());
    FileSystem fs = model.getFileSystem(conf);
    java.nio.file.Path copy = null;
    java.nio.file.Path local;
    if (fs instanceof LocalFileSystem || "file".equals(fs.getUri().getScheme())) {
      local = java.nio.file.Path.of(fs.makeQualified(model).toUri());
    } else {
      copy = Files.createTempDirectory("landcover-bundle");
      local = copy.resolve(model.getName());
      fs.copyToLocalFile(false, model, new Path(local.toUri()), true);
    }
    MappingRequest mapping =
        MappingRequest.builder(local, List.of(scene))
            .chip(request.chip())
            .overlap(request.overlap())
            .blend(request.blend())
            .batch(request.batch())
            .device(device(request.device()))
            .confidence(request.confidence())
            .probabilities(request.probabilities())
            .tta(request.tta())
            .noDataRule(request.noDataRule())
            .build();
    SceneMapper.Worker worker;
    try {
      worker = SceneMapper.open(mapping);
    } catch (IOException | RuntimeException e) {
      if (copy != null) {
        AtomicFiles.deleteTree(copy);
      }
      throw e;
    }
    OPEN.put(key, new Open(worker, copy));
    OPENED.incrementAndGet();
    return worker;
  }

  private static Device device(String name) {
    if (name == null) {
      return null;
    }
    if (name.equals("cpu")) {
      return Device.cpu();
    }
    if (name.equals("gpu")) {
      return Device.gpu();
    }
    return Device.gpu(Integer.parseInt(name.substring(4)));
  }

  /** Closes every open model (the executor is stopping). */
  static synchronized void closeAll() throws IOException {
    IOException failure = null;
    for (Open open : OPEN.values()) {
      try {
        open.worker().close();
        CLOSED.incrementAndGet();
        if (open.copy() != null) {
          AtomicFiles.deleteTree(open.copy());
        }
      } catch (IOException e) {
        failure = e;
      }
    }
    OPEN.clear();
    if (failure != null) {
      throw failure;
    }
  }

  /** Models opened in this JVM so far. */
  static int opened() {
    return OPENED.get();
  }

  /** Models closed in this JVM so far. */
  static int closed() {
    return CLOSED.get();
  }
}

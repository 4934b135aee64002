package dev.landcover.app;

import ai.djl.Device;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.landcover.core.inference.SegmentationModel;
import dev.landcover.core.model.LandcoverClass;
import dev.landcover.core.model.ModelBundle;
import dev.landcover.core.stitch.BlendWindow;
import dev.landcover.geo.GeoTiffRaster;
import dev.landcover.geo.GeoTiffWriter;
import dev.landcover.geo.GeoTransform;
import dev.landcover.geo.ScenePredictor;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code landcover predict}: landcover maps of scenes, stitched without seams. */
@Command(
    name = "predict",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Classify every pixel of each INPUT scene with a model bundle (or a TorchScript file) and"
          + " write DIR/<scene>_landcover.tif (class map on the scene's grid, colour table, class"
          + " names, nodata) and DIR/<scene>_landcover.json (pixels, area and share per class).",
      "Existing outputs are skipped (an interrupted batch resumes) unless --overwrite; a scene"
          + " that fails is reported and the batch goes on; the exit code is 1 if any failed."
    })
final class PredictCommand implements Callable<Integer> {
  @Option(
      names = "--model",
      required = true,
      description = "A model bundle (folder or .zip) or a TorchScript .pt file.")
  Path modelPath;

  @Option(
      names = "--bands",
      split = ",",
      description = "With a TorchScript file: scene bands fed to the model, 1-based.")
  int[] bands;

  @Option(names = "--classes", description = "With a TorchScript file: number of classes.")
  Integer classCount;

  @Option(
      names = "--mean",
      split = ",",
      description = "With a TorchScript file: per-band means (with --std).")
  double[] mean;

  @Option(names = "--std", split = ",", description = "Per-band standard deviations.")
  double[] std;

  @Option(names = "--chip", description = "Model input size (default: the bundle's, or 256).")
  Integer chip;

  @Option(
      names = "--overlap",
      description = "Output pixels shared by neighbouring chips (default: a quarter of the chip).")
  Integer overlap;

  @Option(
      names = "--blend",
      defaultValue = "hann",
      description = "hann, linear or crop (default: ${DEFAULT-VALUE}).")
  String blend;

  @Option(
      names = "--batch",
      defaultValue = "8",
      description = "Chips per forward pass (default: ${DEFAULT-VALUE}).")
  int batch;

  @Option(
      names = "--device",
      defaultValue = "auto",
      description = "auto, cpu, gpu or gpu:N (default: ${DEFAULT-VALUE}).")
  String device;

  @Option(
      names = "--confidence",
      description =
          "Also write <scene>_confidence.tif: the winning class's probability, 0-100 (uint8, nodata 255).")
  boolean confidence;

  @Option(
      names = "--probabilities",
      description =
          "Also write <scene>_probabilities.tif: one band per class, probability scaled to 0-254 (uint8, nodata 255), or float32 0-1 with --float (nodata NaN).")
  boolean probabilities;

  @Option(names = "--float", description = "Probabilities as float32.")
  boolean floatProbabilities;

  @Option(
      names = "--tta",
      description =
          "Test-time augmentation: 'flips' averages the chip, its left-right, top-bottom and both flips (4 forward passes a chip).")
  String tta;

  @Option(
      names = "--nodata-rule",
      defaultValue = "any",
      description = "A pixel is nodata when 'any' band is nodata (default) or only when 'all' are.")
  String nodataRule;

  @Option(names = "--out", description = "Output folder (default: beside each scene).")
  Path out;

  @Option(
      names = "--output",
      description = "The class map's path, for a single INPUT (instead of --out).")
  Path output;

  @Option(names = "--overwrite", description = "Replace existing outputs.")
  boolean overwrite;

  @Parameters(
      paramLabel = "INPUT",
      arity = "1..*",
      description = "Scene files, folders (their .tif files) or glob patterns.")
  List<String> inputs;

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  /** Progress over all scenes, in pixels; null for a single scene. */
  private Progress batchProgress;

  private long batchPixels;
  private long pixelsBefore;

  private record Outcome(Path scene, String status, String detail) {}

  /**
   * The thread that runs the model for every scene of a batch: libtorch's allocations stay in one
   * malloc arena instead of a new one per scene's thread.
   */
  private static final java.util.concurrent.ExecutorService PREDICTION =
      java.util.concurrent.Executors.newSingleThreadExecutor(
          runnable -> {
            Thread t = new Thread(runnable, "landcover-predict");
            t.setDaemon(true);
            return t;
          });

  @Override
  public Integer call() throws Exception {
    PrintWriter stdout = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    BlendWindow window;
    try {
      window = BlendWindow.valueOf(blend.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new ExitCodes.UsageException("--blend must be hann, linear or crop: " + blend);
    }
    if (tta != null && !tta.equals("flips")) {
      throw new ExitCodes.UsageException("--tta must be flips: " + tta);
    }
    if (!nodataRule.equals("any") && !nodataRule.equals("all")) {
      throw new ExitCodes.UsageException("--nodata-rule must be any or all: " + nodataRule);
    }
    List<Path> scenes = expand(inputs);
    if (scenes.isEmpty()) {
      throw new ExitCodes.UsageException("No scene found in " + inputs);
    }
    if (output != null && (out != null || scenes.size() != 1)) {
      throw new ExitCodes.UsageException(
          "--output names the map of a single scene, without --out; got "
              + scenes.size()
              + " scenes");
    }
    Path scratch = Files.createTempDirectory("landcover-model");
    List<Outcome> outcomes = new ArrayList<>();
    long[] sceneAreas = new long[scenes.size()];
    if (scenes.size() > 1) {
      for (int i = 0; i < scenes.size(); i++) {
        try (GeoTiffRaster r = GeoTiffRaster.open(scenes.get(i))) {
          sceneAreas[i] = (long) r.width() * r.height();
        } catch (IOException e) {
          sceneAreas[i] = 0; // reported when the scene's turn comes
        }
        batchPixels += sceneAreas[i];
      }
      batchProgress = new Progress(err, "batch pixels", batchPixels);
    }
    try {
      ModelSetup setup = setup(scratch);
      try (SegmentationModel model = setup.open(parseDevice(device))) {
        stdout.printf("Model %s on %s%n", modelPath, model.device());
        for (int i = 0; i < scenes.size(); i++) {
          Path scene = scenes.get(i);
          Path dir = out != null ? out : scene.toAbsolutePath().getParent();
          String base = scene.getFileName().toString().replaceAll("(?i)\\.tiff?$", "");
          Path map = output != null ? output : dir.resolve(base + "_landcover.tif");
          Path summary = sibling(map, ".json");
          if (Files.exists(map) && Files.exists(summary) && !overwrite) {
            outcomes.add(new Outcome(scene, "skipped", "output exists: " + map));
            continue;
          }
          pixelsBefore = 0;
          for (int k = 0; k < i; k++) {
            pixelsBefore += sceneAreas[k];
          }
          stdout.printf(
              "[scene %d/%d, %d done, %d failed] %s%n",
              i + 1,
              scenes.size(),
              outcomes.stream().filter(o -> !o.status().equals("FAILED")).count(),
              outcomes.stream().filter(o -> o.status().equals("FAILED")).count(),
              scene);
          stdout.flush();
          try {
            // A map without its summary is the remains of an interrupted run: it is replaced.
            boolean replace = overwrite || Files.exists(map);
            String detail = predictScene(model, setup, window, scene, map, err, replace);
            outcomes.add(new Outcome(scene, "done", detail));
          } catch (IOException | RuntimeException e) {
            String why = e.getMessage() == null ? e.toString() : e.getMessage();
            err.println("landcover: " + scene + ": " + why);
            outcomes.add(new Outcome(scene, "FAILED", why));
          }
        }
      }
    } finally {
      ModelCommand.deleteTree(scratch);
    }
    if (batchProgress != null) {
      batchProgress.finish();
    }
    stdout.println("Scene results:");
    for (Outcome o : outcomes) {
      stdout.printf("  %-8s %s  %s%n", o.status(), o.scene(), o.detail());
    }
    return outcomes.stream().anyMatch(o -> o.status().equals("FAILED"))
        ? ExitCodes.DATA_ERROR
        : ExitCodes.OK;
  }

  /** {@code auto} (null: let the engine choose), {@code cpu}, {@code gpu} or {@code gpu:N}. */
  static Device parseDevice(String text) {
    String d = text.toLowerCase(Locale.ROOT);
    if (d.equals("auto")) {
      return null;
    }
    if (d.equals("cpu")) {
      return Device.cpu();
    }
    if (d.equals("gpu")) {
      return Device.gpu();
    }
    if (d.matches("gpu:\\d+")) {
      return Device.gpu(Integer.parseInt(d.substring(4)));
    }
    throw new ExitCodes.UsageException("--device must be auto, cpu, gpu or gpu:N: " + text);
  }

  /** What a model needs around it: bands, normalization, classes, sizes. */
  private record ModelSetup(
      ModelBundle bundle,
      Path weights,
      int[] bands,
      ScenePredictor.Normalizer normalizer,
      List<LandcoverClass> classes,
      int chip,
      int halo,
      int alignment,
      int nodataClass) {
    SegmentationModel open(Device device) throws IOException {
      if (bundle != null && bundle.config() != null) {
        return SegmentationModel.unet(bundle.config(), weights, device);
      }
      return SegmentationModel.torchScript(weights, device);
    }
  }

  private ModelSetup setup(Path scratch) throws IOException {
    if (Files.isRegularFile(modelPath) && modelPath.toString().endsWith(".pt")) {
      if (bands == null || classCount == null) {
        throw new ExitCodes.UsageException("A TorchScript model needs --bands and --classes");
      }
      ScenePredictor.Normalizer norm = (b, v) -> v;
      if (mean != null || std != null) {
        if (mean == null
            || std == null
            || mean.length != bands.length
            || std.length != bands.length) {
          throw new ExitCodes.UsageException(
              "--mean and --std need one value per band (" + bands.length + ")");
        }
        norm = (b, v) -> (float) ((v - mean[b]) / std[b]);
      }
      List<LandcoverClass> classes = new ArrayList<>();
      for (int c = 0; c < classCount; c++) {
        int g = (c * 97) % 256;
        classes.add(new LandcoverClass(c, "class " + c, g, 255 - g, (c * 53) % 256));
      }
      return new ModelSetup(
          null, modelPath, bands, norm, classes, chip == null ? 256 : chip, 0, 32, 255);
    }
    ModelBundle.Loaded loaded = ModelBundle.load(modelPath, scratch);
    ModelBundle b = loaded.bundle();
    int[] sceneBands = b.bands().stream().mapToInt(ModelBundle.Band::index).toArray();
    int size = chip == null ? b.chipSize() : chip;
    int alignment = b.config() == null ? 32 : 1 << b.config().levels();
    int halo = b.config() == null ? 0 : b.config().margin(size);
    return new ModelSetup(
        b,
        loaded.weightsFile(),
        sceneBands,
        b.normalization()::apply,
        b.classes(),
        size,
        halo,
        alignment,
        b.nodataClass());
  }

  private String predictScene(
      SegmentationModel model,
      ModelSetup setup,
      BlendWindow window,
      Path scene,
      Path map,
      PrintWriter err,
      boolean replace)
      throws IOException {
    long t0 = System.nanoTime();
    try (GeoTiffRaster raster = GeoTiffRaster.open(scene)) {
      for (int b : setup.bands()) {
        if (b > raster.bandCount()) {
          throw new IOException(
              "the model needs scene band "
                  + b
                  + " but the scene has "
                  + raster.bandCount()
                  + " bands");
        }
      }
      int width = raster.width();
      int classes = setup.classes().size();
      ScenePredictor predictor =
          new ScenePredictor(
              model,
              setup.bands(),
              setup.normalizer(),
              classes,
              setup.chip(),
              setup.halo(),
              Math.min(
                  overlap != null ? overlap : (setup.chip() - 2 * setup.halo()) / 4,
                  setup.chip() - 2 * setup.halo() - 1),
              setup.alignment(),
              window,
              batch);
      long[] counts = new long[classes];
      int[] ids = setup.classes().stream().mapToInt(LandcoverClass::id).toArray();
      List<RowFeed> feeds = new ArrayList<>();
      RowFeed classFeed = new RowFeed(width, raster.height());
      feeds.add(classFeed);
      RowFeed confidenceFeed = confidence ? new RowFeed(width, raster.height()) : null;
      RowFeed probabilityFeed = probabilities ? new RowFeed(width, raster.height()) : null;
      if (confidenceFeed != null) {
        feeds.add(confidenceFeed);
      }
      if (probabilityFeed != null) {
        feeds.add(probabilityFeed);
      }
      Progress progress = new Progress(err, scene.getFileName() + " chips", 1);
      long sceneArea = (long) width * raster.height();
      java.util.concurrent.Future<?> producer =
          PREDICTION.submit(
              () -> {
                try {
                  float[] p = new float[classes];
                  predictor.predict(
                      raster,
                      (y, logits, valid) -> {
                        int[] row = new int[width];
                        int[] conf = confidenceFeed == null ? null : new int[width];
                        float[] prob = probabilityFeed == null ? null : new float[classes * width];
                        for (int x = 0; x < width; x++) {
                          int best = 0;
                          for (int c = 1; c < classes; c++) {
                            if (logits[c * width + x] > logits[best * width + x]) {
                              best = c;
                            }
                          }
                          if (!valid[x]) {
                            row[x] = setup.nodataClass();
                            if (conf != null) {
                              conf[x] = 255;
                            }
                            if (prob != null) {
                              for (int c = 0; c < classes; c++) {
                                prob[c * width + x] = Float.NaN;
                              }
                            }
                            continue;
                          }
                          row[x] = ids[best];
                          counts[best]++;
                          if (conf != null || prob != null) {
                            double sum = 0;
                            for (int c = 0; c < classes; c++) {
                              p[c] =
                                  (float)
                                      Math.exp(logits[c * width + x] - logits[best * width + x]);
                              sum += p[c];
                            }
                            if (conf != null) {
                              conf[x] = (int) Math.round(100 / sum);
                            }
                            if (prob != null) {
                              for (int c = 0; c < classes; c++) {
                                prob[c * width + x] = (float) (p[c] / sum);
                              }
                            }
                          }
                        }
                        classFeed.put(row);
                        if (confidenceFeed != null) {
                          confidenceFeed.put(conf);
                        }
                        if (probabilityFeed != null) {
                          probabilityFeed.put(prob);
                        }
                      },
                      (done, total) -> {
                        progress.set(done, total);
                        if (batchProgress != null) {
                          batchProgress.set(
                              pixelsBefore + (long) ((double) done / total * sceneArea),
                              batchPixels);
                        }
                      });
                } catch (IOException | RuntimeException e) {
                  feeds.forEach(f -> f.fail(e));
                }
              });
      String base = map.getFileName().toString().replaceAll("(_landcover)?\\.tiff?$", "");
      List<Thread> writers = new ArrayList<>();
      List<Exception> writeErrors = java.util.Collections.synchronizedList(new ArrayList<>());
      if (confidenceFeed != null) {
        Path target = map.resolveSibling(base + "_confidence.tif");
        writers.add(
            writerThread(
                () ->
                    GeoTiffWriter.forGrid(raster.grid(), dev.landcover.geo.SampleType.UINT8, 1)
                        .noData(255)
                        .bandDescriptions(List.of("confidence (%)"))
                        .overwrite(replace)
                        .write(target, confidenceFeed.ints()),
                writeErrors));
      }
      if (probabilityFeed != null) {
        Path target = map.resolveSibling(base + "_probabilities.tif");
        List<String> names = setup.classes().stream().map(LandcoverClass::name).toList();
        writers.add(
            writerThread(
                () ->
                    GeoTiffWriter.forGrid(
                            raster.grid(),
                            floatProbabilities
                                ? dev.landcover.geo.SampleType.FLOAT32
                                : dev.landcover.geo.SampleType.UINT8,
                            classes)
                        .noData(floatProbabilities ? Double.NaN : 255)
                        .bandDescriptions(names)
                        .overwrite(replace)
                        .write(target, probabilityFeed.probabilities(classes, floatProbabilities)),
                writeErrors));
      }
      try {
        GeoTiffWriter.classMap(raster.grid(), setup.classes())
            .noData(setup.nodataClass())
            .overwrite(replace)
            .write(map, classFeed.ints());
        for (Thread t : writers) {
          t.join();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new java.io.InterruptedIOException("interrupted");
      } finally {
        producer.cancel(true);
      }
      if (!writeErrors.isEmpty()) {
        Exception e = writeErrors.get(0);
        throw e instanceof IOException io ? io : new IOException(e.getMessage(), e);
      }
      progress.finish();
      double seconds = (System.nanoTime() - t0) / 1e9;
      Quicklook.write(map, setup.classes(), counts, setup.nodataClass(), sibling(map, ".png"));
      // The summary comes last: a scene counts as done (and is skipped on resume) once it exists.
      writeSummary(map, raster, setup, counts, seconds, model);
      return String.format(
          Locale.ROOT,
          "%s (%.1f s, %.2f Mpx/s)",
          map,
          seconds,
          (double) width * raster.height() / seconds / 1e6);
    }
  }

  /** A GeoTIFF write that may fail. */
  @FunctionalInterface
  private interface Write {
    void run() throws IOException;
  }

  private static Thread writerThread(Write write, List<Exception> errors) {
    Thread t =
        new Thread(
            () -> {
              try {
                write.run();
              } catch (IOException | RuntimeException e) {
                errors.add(e);
              }
            },
            "landcover-writer");
    t.setDaemon(true);
    t.start();
    return t;
  }

  /**
   * Rows handed from the prediction thread to one output writer, which pulls them tile row by tile
   * row: the writer keeps the rows of the current tile row only.
   */
  private static final class RowFeed {
    private final BlockingQueue<Object> queue = new ArrayBlockingQueue<>(1024);
    private final int width;
    private final int height;
    private final List<Object> buffer = new ArrayList<>();
    private int bufferTop;

    RowFeed(int width, int height) {
      this.width = width;
      this.height = height;
    }

    void put(Object row) {
      try {
        queue.put(row);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted", e);
      }
    }

    void fail(Exception e) {
      queue.offer(e);
    }

    /**
     * The rows {@code [tile.y(), tile.endY())} (clipped to the scene), read as they come; rows
     * above the tile are dropped.
     */
    private List<Object> rows(dev.landcover.core.chip.PixelWindow tile) throws IOException {
      int end = Math.min(height, tile.endY());
      while (bufferTop + buffer.size() < end) {
        Object next;
        try {
          next = queue.take();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new java.io.InterruptedIOException("interrupted while predicting");
        }
        if (next instanceof Exception e) {
          throw e instanceof IOException io ? io : new IOException(e.getMessage(), e);
        }
        buffer.add(next);
      }
      while (bufferTop < tile.y()) {
        buffer.remove(0);
        bufferTop++;
      }
      return buffer.subList(0, end - bufferTop);
    }

    /** A tile filler of int rows (class ids, confidence). */
    dev.landcover.geo.TileFiller ints() {
      return (tile, target) -> {
        List<Object> rows = rows(tile);
        int n = Math.min(tile.width(), width - tile.x());
        for (int i = 0; i < rows.size(); i++) {
          int[] row = (int[]) rows.get(i);
          target.setSamples(0, i, n, 1, 0, Arrays.copyOfRange(row, tile.x(), tile.x() + n));
        }
      };
    }

    /** A tile filler of probability rows ([class][x]), as uint8 0-254 or float32. */
    dev.landcover.geo.TileFiller probabilities(int classes, boolean asFloat) {
      return (tile, target) -> {
        List<Object> rows = rows(tile);
        int n = Math.min(tile.width(), width - tile.x());
        for (int i = 0; i < rows.size(); i++) {
          float[] row = (float[]) rows.get(i);
          for (int c = 0; c < classes; c++) {
            for (int x = 0; x < n; x++) {
              float v = row[c * width + tile.x() + x];
              double stored = asFloat ? v : Float.isNaN(v) ? 255 : Math.round(v * 254);
              target.setSample(x, i, c, stored);
            }
          }
        }
      };
    }
  }

  private void writeSummary(
      Path map,
      GeoTiffRaster raster,
      ModelSetup setup,
      long[] counts,
      double seconds,
      SegmentationModel model)
      throws IOException {
    GeoTransform t = raster.grid().transform();
    double pixelArea =
        Math.abs(t.pixelWidth() * t.pixelHeight() - t.rowRotation() * t.columnRotation());
    boolean metres =
        raster
            .grid()
            .crs()
            .map(c -> c.getCoordinateSystem().getAxis(0).getUnit().toString().equals("m"))
            .orElse(false);
    long total = Arrays.stream(counts).sum();
    ObjectMapper m = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    ObjectNode n = m.createObjectNode();
    n.put("scene", raster.file().toString());
    n.put("map", map.toString());
    n.put("model", modelPath.toString());
    n.put("device", model.device().toString());
    n.put("seconds", Math.round(seconds * 100) / 100.0);
    n.put("classifiedPixels", total);
    Runtime rt = Runtime.getRuntime();
    System.gc();
    n.put("processRssMb", BenchCommand.Forward.rssKb() / 1024);
    n.put("heapUsedMb", (rt.totalMemory() - rt.freeMemory()) >> 20);
    n.put("heapCommittedMb", rt.totalMemory() >> 20);
    n.put("areaUnit", metres ? "m2" : "CRS units squared");
    ArrayNode classes = n.putArray("classes");
    for (int c = 0; c < counts.length; c++) {
      LandcoverClass k = setup.classes().get(c);
      ObjectNode o = classes.addObject();
      o.put("id", k.id()).put("name", k.name()).put("pixels", counts[c]);
      o.put("area", counts[c] * pixelArea);
      if (metres) {
        o.put("areaKm2", counts[c] * pixelArea / 1e6);
      }
      o.put("percent", total == 0 ? 0 : 100.0 * counts[c] / total);
    }
    Path json = sibling(map, ".json");
    Path tmp = json.resolveSibling("." + json.getFileName() + ".tmp");
    m.writeValue(tmp.toFile(), n);
    Files.move(tmp, json, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }

  /** The file beside {@code map} with its extension replaced by {@code extension}. */
  private static Path sibling(Path map, String extension) {
    return map.resolveSibling(map.getFileName().toString().replaceAll("\\.tiff?$", "") + extension);
  }

  /** Files, folders (their .tif/.tiff files) and glob patterns, in order, without repeats. */
  static List<Path> expand(List<String> inputs) throws IOException {
    Map<String, Path> found = new TreeMap<>();
    List<Path> ordered = new ArrayList<>();
    for (String in : inputs) {
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

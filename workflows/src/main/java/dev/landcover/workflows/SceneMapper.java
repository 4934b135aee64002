package dev.landcover.workflows;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.landcover.geo.BandStack;
import dev.landcover.geo.GeoTiffWriter;
import dev.landcover.geo.GeoTransform;
import dev.landcover.geo.OverviewResampling;
import dev.landcover.geo.QgisStyle;
import dev.landcover.geo.SampleType;
import dev.landcover.geo.SceneRaster;
import dev.landcover.networks.ClassScores;
import dev.landcover.networks.InputNormalization;
import dev.landcover.networks.ModelBundle;
import dev.landcover.networks.SegmentationModel;
import dev.landcover.pixels.LandcoverClass;
import dev.landcover.pixels.support.AtomicFiles;
import dev.landcover.pixels.support.ProcessMemory;
import dev.landcover.pixels.support.StagingFolder;
import dev.landcover.pixels.support.Threads;
import dev.landcover.vectors.VectorizeRequest;
import dev.landcover.vectors.Vectorizer;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.function.BiConsumer;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Maps scenes with a model: every pixel of each scene classified chip by chip, the chips stitched
 * without seams ({@link ScenePredictor}), and written on the scene's grid.
 *
 * <p>For a scene {@code S.tif}, the outputs are {@code S_landcover.tif} (class map: colour table,
 * class names, nodata), {@code S_landcover.png} (a quicklook with legend), {@code S_landcover.json}
 * (pixels, area and share per class, written last: a scene counts as done once it exists), {@code
 * S_landcover.qml} (the QGIS style: class colours and names; also for confidence and uncertainty),
 * and on request {@code S_confidence.tif}, {@code S_probabilities.tif}, {@code S_uncertainty.tif}
 * and {@code S_landcover.gpkg} (the map's polygons). GeoTIFFs are Cloud-Optimized (overviews: mode
 * for the class map, average for the others) unless the request asks for plain ones. Every file is
 * written to a temporary file and moved into place.
 *
 * <p>A batch resumes: scenes whose map and summary exist are skipped unless the request overwrites;
 * a map without its summary (an interrupted run) is replaced. A scene that fails is reported and
 * the batch goes on. With a {@link Shard}, only the scenes of that share are mapped; several
 * processes may write the same output folder at once (shards, a shard rerun while it still runs):
 * each output is replaced atomically by whichever writer finishes last, so every file is always
 * complete, and maps of the same scene and request are identical whoever wrote them.
 *
 * <p>Threads: one long-lived thread runs the model for every scene (libtorch's allocations stay in
 * one malloc arena), one reads the next strip of the scene ahead, and one writer per output pulls
 * finished rows tile row by tile row.
 */
public final class SceneMapper {
  /**
   * The outcome of one scene of a batch.
   *
   * @param scene the scene
   * @param status what happened
   * @param detail the map and speed, why it was skipped, or why it failed
   * @param map what was written, when it was (null otherwise)
   */
  public record SceneOutcome(Path scene, Status status, String detail, SceneMap map) {}

  /** What happened to a scene of a batch. */
  public enum Status {
    DONE,
    SKIPPED,
    FAILED
  }

  /**
   * A mapped scene.
   *
   * @param map the class map
   * @param classes the classes, in the model's output order
   * @param pixels pixels of each class (same order), nodata pixels left out
   * @param scenePixels width times height of the scene
   * @param seconds time taken
   */
  public record SceneMap(
      Path map, List<LandcoverClass> classes, long[] pixels, long scenePixels, double seconds) {}

  /**
   * The thread that runs the model for every scene of every batch: libtorch's allocations stay in
   * one malloc arena instead of a new one per scene's thread.
   */
  private static final ExecutorService PREDICTION = Threads.singleDaemon("landcover-predict");

  private final MappingRequest request;
  private final ProgressListener listener;
  private final ModelBundle bundle;
  private final int chip;
  private final int halo;
  private final int overlap;

  /**
   * The budget for choosing a UNet's chip and batch, or 0 when the chip is the request's or fixed.
   */
  private final long memory;

  private SceneMapper(MappingRequest request, ProgressListener listener, ModelBundle bundle) {
    this.request = request;
    this.listener = listener;
    this.bundle = bundle;
    this.chip = request.chip() != null ? request.chip() : bundle.chipSize();
    if (bundle.config() != null && !bundle.config().fits(chip)) {
      try {
        bundle.halo(chip);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(
            "--chip " + chip + " does not fit the model " + request.model() + ": " + e.getMessage(),
            e);
      }
    }
    this.halo = bundle.halo(chip);
    int core = chip - 2 * halo;
    boolean chosen = request.chip() == null && bundle.config() != null;
    if (!chosen && request.overlap() != null && request.overlap() >= core) {
      throw new IllegalArgumentException(
          "--overlap "
              + request.overlap()
              + " must be smaller than the chip's output size, "
              + core
              + " px (--chip "
              + chip
              + (halo > 0 ? ", halo " + halo : "")
              + ")");
    }
    this.overlap =
        request.overlap() != null
            ? request.overlap()
            : InferenceGeometry.defaultOverlap(bundle.edgeReach(), bundle.alignment(), core);
    if (chosen) {
      this.memory = request.memory() != null ? request.memory() : InferenceGeometry.defaultMemory();
      InferenceGeometry.checkBudget(
          bundle.config(), bundle.alignment(), memory, request.overlap(), request.batch());
    } else {
      this.memory = 0;
    }
  }

  /**
   * The chip, overlap and batch for a {@code width x height} scene: chosen within the memory budget
   * for a UNet bundle without a requested chip ({@link InferenceGeometry}), else the request's or
   * the bundle's chip and a batch of 8 unless requested.
   */
  private InferenceGeometry geometry(int width, int height) {
    if (memory == 0) {
      return new InferenceGeometry(
          chip, halo, overlap, request.batch() != null ? request.batch() : 8);
    }
    return InferenceGeometry.choose(
        bundle.config(),
        bundle.alignment(),
        width,
        height,
        memory,
        request.overlap(),
        request.batch());
  }

  /**
   * Maps the scenes of {@code request}, in order.
   *
   * @return one outcome per scene; scenes that failed are among them, not thrown
   * @throws IOException when the model cannot be read or run at all
   */
  public static List<SceneOutcome> map(MappingRequest request, ProgressListener listener)
      throws IOException {
    List<Path> scenes = request.scenesToMap();
    if (scenes.isEmpty()) {
      listener.message(
          "Shard " + request.shard() + " holds none of the " + request.scenes().size() + " scenes");
      return List.of();
    }
    if (request.shard() != null) {
      listener.message(
          "Shard "
              + request.shard()
              + ": "
              + scenes.size()
              + " of "
              + request.scenes().size()
              + " scenes");
    }
    Path scratch = Files.createTempDirectory("landcover-model");
    try {
      ModelBundle.Loaded loaded = load(request, scratch);
      if (request.torchScript() != null) {
        checkBandsExist(request);
      }
      try (SegmentationModel model = loaded.open(request.device())) {
        if (loaded.bundle().attribution() != null) {
          listener.message("Attribution: " + loaded.bundle().attribution().replaceAll("\\s+", " "));
        }
        SceneMapper mapper = prepare(request, listener, loaded.bundle(), model);
        listener.message("Model " + request.model() + " on " + model.device());
        return mapper.mapAll(model, scenes);
      }
    } finally {
      AtomicFiles.deleteTree(scratch);
    }
  }

  /**
   * The mapper for {@code model}: a TorchScript or ONNX model is first run once on the request's
   * bands and classes (refused in one line when they do not fit), and the chip alignment of a model
   * whose structure is unknown is probed.
   */
  private static SceneMapper prepare(
      MappingRequest request,
      ProgressListener listener,
      ModelBundle bundle,
      SegmentationModel model)
      throws IOException {
    SceneMapper mapper = new SceneMapper(request, listener, bundle);
    if (request.torchScript() != null) {
      mapper.probe(model);
    }
    if (bundle.isOpaque() && bundle.declaredAlignment() == 0) {
      int probed = model.probeAlignment(bundle.bands().size(), 256, 32);
      listener.message("Model alignment (probed): " + probed + " px");
      mapper = new SceneMapper(request, listener, bundle.withAlignment(probed));
    }
    return mapper;
  }

  /**
   * Opens the model of {@code request} once, for scenes mapped one at a time by {@link Worker#map}
   * (the tasks of a Spark executor, say). Only the request's model and prediction settings are
   * used; its scenes, output folder, shard and overwrite flag are not.
   *
   * @throws IOException when the model cannot be read or opened
   */
  public static Worker open(MappingRequest request) throws IOException {
    Path scratch = Files.createTempDirectory("landcover-model");
    try {
      ModelBundle.Loaded loaded = load(request, scratch);
      SegmentationModel model = loaded.open(request.device());
      try {
        return new Worker(
            prepare(request, ProgressListener.NONE, loaded.bundle(), model), model, scratch);
      } catch (IOException | RuntimeException e) {
        model.close();
        throw e;
      }
    } catch (IOException | RuntimeException e) {
      AtomicFiles.deleteTree(scratch);
      throw e;
    }
  }

  /**
   * An open model that maps scenes one at a time, from any thread: calls from several threads take
   * turns on the model's one thread and write their outputs concurrently. Closing it frees the
   * model's native memory.
   */
  public static final class Worker implements AutoCloseable {
    private final SceneMapper mapper;
    private final SegmentationModel model;
    private final Path scratch;

    private Worker(SceneMapper mapper, SegmentationModel model, Path scratch) {
      this.mapper = mapper;
      this.model = model;
      this.scratch = scratch;
    }

    /**
     * Maps {@code scene} to the class map {@code map} and its siblings (as {@link
     * #map(MappingRequest, ProgressListener)} does, replacing existing files), summary last.
     *
     * @return DONE with what was written, or FAILED with why; never SKIPPED
     */
    public SceneOutcome map(Path scene, Path map) {
      return map(scene, null, map);
    }

    /**
     * Maps the band stack {@code stack} (standing as its {@link BandStack#name()}) as {@link
     * #map(Path, Path)} maps a scene file.
     */
    public SceneOutcome map(BandStack stack, Path map) {
      return map(stack.name(), stack, map);
    }

    private SceneOutcome map(Path scene, BandStack stack, Path map) {
      try {
        SceneMap result = mapper.mapStaged(model, scene, stack, map, (done, all) -> {});
        return new SceneOutcome(scene, Status.DONE, map.toString(), result);
      } catch (IOException | RuntimeException e) {
        String why = e.getMessage() == null ? e.toString() : e.getMessage();
        return new SceneOutcome(scene, Status.FAILED, why, null);
      }
    }

    /** Closes the model and deletes its unpacked files. */
    @Override
    public void close() throws IOException {
      try {
        model.close();
      } finally {
        AtomicFiles.deleteTree(scratch);
      }
    }
  }

  /**
   * The class map's path for {@code scene}: {@code <outDir or scene's
   * folder>/<name>_landcover.tif}, the name without {@code .tif}, {@code .tiff} or {@code .vrt} (a
   * band stack's scene path is its {@link dev.landcover.geo.BandStack#name()}).
   */
  public static Path mapPath(Path scene, Path outDir) {
    Path dir = outDir != null ? outDir : scene.toAbsolutePath().getParent();
    String base = scene.getFileName().toString().replaceAll("(?i)\\.(tiff?|vrt)$", "");
    return dir.resolve(base + "_landcover.tif");
  }

  /** The file beside {@code map} with its extension replaced by {@code extension}. */
  public static Path sibling(Path map, String extension) {
    return map.resolveSibling(map.getFileName().toString().replaceAll("\\.tiff?$", "") + extension);
  }

  /**
   * Whether {@code model} is a bare TorchScript or ONNX file (a {@code .pt} or {@code .onnx} file,
   * which needs {@link MappingRequest.TorchScriptInputs}) rather than a bundle.
   */
  public static boolean isTorchScript(Path model) {
    String name = model.toString().toLowerCase(java.util.Locale.ROOT);
    return Files.isRegularFile(model) && (name.endsWith(".pt") || name.endsWith(".onnx"));
  }

  /**
   * Refuses {@code --bands} that name a band past every readable scene's last band (a usage error,
   * before any work); a scene with fewer bands than others fails on its own turn.
   */
  private static void checkBandsExist(MappingRequest request) {
    int highest = Arrays.stream(request.torchScript().bands()).max().orElse(1);
    int most = -1;
    Path example = null;
    for (Path scene : request.scenes()) {
      try (SceneRaster r = request.openScene(scene)) {
        if (r.bandCount() > most) {
          most = r.bandCount();
          example = scene;
        }
      } catch (IOException e) {
        // reported when the scene's turn comes
      }
    }
    if (most >= 0 && highest > most) {
      throw new IllegalArgumentException(
          "--bands asks for band "
              + highest
              + " but "
              + (request.scenes().size() == 1 ? example : "the scenes")
              + " ha"
              + (request.scenes().size() == 1 ? "s " : "ve at most ")
              + most
              + " bands: expected 1 to "
              + most);
    }
  }

  /**
   * Runs a TorchScript model once on a chip of zeros, so that bands or classes that do not fit it
   * are refused before any scene is read, in one line naming both counts.
   */
  private void probe(SegmentationModel model) {
    MappingRequest.TorchScriptInputs ts = request.torchScript();
    int bands = ts.bands().length;
    SegmentationModel.Logits logits;
    try {
      logits = model.predict(new float[bands * chip * chip], 1, bands, chip, chip);
    } catch (IllegalStateException e) {
      String bandList =
          Arrays.stream(ts.bands()).mapToObj(Integer::toString).collect(Collectors.joining(","));
      java.util.OptionalInt expected = SegmentationModel.expectedBands(e);
      if (expected.isPresent() && expected.getAsInt() != bands) {
        throw new IllegalArgumentException(
            request.model()
                + ": the model takes "
                + expected.getAsInt()
                + " bands but is given "
                + bands
                + " (--bands "
                + bandList
                + ")",
            e);
      }
      throw new IllegalArgumentException(
          request.model()
              + " does not take "
              + bands
              + " bands of "
              + chip
              + " x "
              + chip
              + " px (--bands "
              + bandList
              + ", --chip "
              + chip
              + "): "
              + SegmentationModel.engineReason(e),
          e);
    }
    if (logits.classes() != ts.classes()) {
      throw new IllegalArgumentException(
          "--classes "
              + ts.classes()
              + " but "
              + request.model()
              + " gives "
              + logits.classes()
              + " classes");
    }
  }

  private static ModelBundle.Loaded load(MappingRequest request, Path scratch) throws IOException {
    MappingRequest.TorchScriptInputs ts = request.torchScript();
    Path path = request.model();
    if (isTorchScript(path)) {
      if (ts == null) {
        throw new IllegalArgumentException(
            "A TorchScript or ONNX model needs --bands and --classes");
      }
      InputNormalization norm =
          ts.mean() == null
              ? InputNormalization.identity(ts.bands().length)
              : InputNormalization.meanStd(ts.mean(), ts.std());
      List<ModelBundle.Band> bands = new ArrayList<>();
      for (int b : ts.bands()) {
        bands.add(new ModelBundle.Band(b, "band " + b));
      }
      List<LandcoverClass> classes = new ArrayList<>();
      for (int c = 0; c < ts.classes(); c++) {
        classes.add(LandcoverClass.unnamed(c));
      }
      ModelBundle b =
          ModelBundle.torchScript(
              path.getFileName().toString(), bands, norm, classes, 256, 255, null);
      return new ModelBundle.Loaded(b, path.toAbsolutePath().getParent());
    }
    return ModelBundle.load(path, scratch);
  }

  private List<SceneOutcome> mapAll(SegmentationModel model, List<Path> scenes) {
    long[] areas = new long[scenes.size()];
    long batchPixels = 0;
    if (scenes.size() > 1) {
      for (int i = 0; i < scenes.size(); i++) {
        try (SceneRaster r = request.openScene(scenes.get(i))) {
          areas[i] = (long) r.width() * r.height();
        } catch (IOException e) {
          areas[i] = 0; // reported when the scene's turn comes
        }
        batchPixels += areas[i];
      }
    }
    List<SceneOutcome> outcomes = new ArrayList<>();
    long before = 0;
    for (int i = 0; i < scenes.size(); i++) {
      Path scene = scenes.get(i);
      Path map = request.output() != null ? request.output() : mapPath(scene, request.outDir());
      long sceneBefore = before;
      long area = areas[i];
      before += area;
      if (Files.exists(map) && Files.exists(sibling(map, ".json")) && !request.overwrite()) {
        outcomes.add(new SceneOutcome(scene, Status.SKIPPED, "output exists: " + map, null));
        continue;
      }
      long failed = outcomes.stream().filter(o -> o.status() == Status.FAILED).count();
      listener.message(
          String.format(
              Locale.ROOT,
              "[scene %d/%d, %d done, %d failed] %s",
              i + 1,
              scenes.size(),
              outcomes.size() - failed,
              failed,
              scene));
      long total = batchPixels;
      String task = scene.getFileName() + " chips";
      BiConsumer<Integer, Integer> chipsDone =
          (done, all) -> {
            listener.progress(task, done, all, "");
            if (scenes.size() > 1) {
              listener.progress(
                  "batch pixels", sceneBefore + (long) ((double) done / all * area), total, "");
            }
          };
      try {
        // A scene not done (map or summary missing) is redone; what an earlier run left, or a
        // map another process wrote meanwhile (overlapping shards), is replaced atomically.
        SceneMap result = mapStaged(model, scene, null, map, chipsDone);
        listener.finished(task);
        double px = (double) result.scenePixels() / result.seconds() / 1e6;
        outcomes.add(
            new SceneOutcome(
                scene,
                Status.DONE,
                String.format(Locale.ROOT, "%s (%.1f s, %.2f Mpx/s)", map, result.seconds(), px),
                result));
      } catch (IOException | RuntimeException e) {
        String why = e.getMessage() == null ? e.toString() : e.getMessage();
        listener.warning(scene + ": " + why);
        outcomes.add(new SceneOutcome(scene, Status.FAILED, why, null));
      }
    }
    if (scenes.size() > 1) {
      listener.finished("batch pixels");
    }
    return outcomes;
  }

  /**
   * Maps a scene into a staging folder beside its map, then moves the outputs into place together,
   * the summary last: a failed or killed run leaves the output folder as it found it.
   */
  private SceneMap mapStaged(
      SegmentationModel model,
      Path scene,
      BandStack stack,
      Path map,
      BiConsumer<Integer, Integer> chipsDone)
      throws IOException {
    try (StagingFolder staging = StagingFolder.createWhenFree(map)) {
      Path staged = staging.dir().resolve(map.getFileName());
      SceneMap result = mapScene(model, scene, stack, staged, map, chipsDone);
      List<String> names;
      try (Stream<Path> s = Files.list(staging.dir())) {
        names =
            s.map(p -> p.getFileName().toString())
                .filter(n -> !n.startsWith("."))
                .sorted(
                    Comparator.comparing((String n) -> n.endsWith(".json")).thenComparing(n -> n))
                .toList();
      }
      Path folder = map.toAbsolutePath().getParent();
      List<String> removed = new ArrayList<>();
      for (String n : names) {
        if (n.endsWith(".tif")
            && !names.contains(n + ".aux.xml")
            && Files.exists(folder.resolve(n + ".aux.xml"))) {
          removed.add(n + ".aux.xml");
        }
      }
      staging.commitInto(folder, names, removed);
      return new SceneMap(
          map, result.classes(), result.pixels(), result.scenePixels(), result.seconds());
    }
  }

  /**
   * Maps a scene: {@code map} is where the class map is written (the other outputs beside it),
   * {@code finalMap} where it will lie once moved into place (named in the summary). {@code stack}
   * is the scene's band stack when it is not one of the request's scenes, else null.
   */
  private SceneMap mapScene(
      SegmentationModel model,
      Path scene,
      BandStack stack,
      Path map,
      Path finalMap,
      BiConsumer<Integer, Integer> chipsDone)
      throws IOException {
    long t0 = System.nanoTime();
    List<LandcoverClass> classList = bundle.classes();
    try (SceneRaster raster = stack != null ? stack.open() : request.openScene(scene)) {
      int[] sceneBands =
          BandSelection.choose(
              bundle, request.bands(), scene, raster.bandCount(), raster.bandDescriptions());
      int width = raster.width();
      int classes = classList.size();
      InferenceGeometry geometry = geometry(width, raster.height());
      List<String> why = new ArrayList<>();
      if (request.overlap() == null) {
        why.add(
            InferenceGeometry.overlapSource(
                bundle.edgeReach(), bundle.alignment(), geometry.chip() - 2 * geometry.halo()));
      }
      if (memory != 0) {
        why.add("memory budget " + InferenceGeometry.human(memory));
      }
      ColumnBlocks blocks =
          ColumnBlocks.of(
              width,
              request.blockWidth(),
              GeoTiffWriter.DEFAULT_TILE_SIZE,
              geometry.chip() - 2 * geometry.halo());
      listener.message(
          scene.getFileName()
              + ": chip "
              + geometry.chip()
              + " px, overlap "
              + geometry.overlap()
              + ", batch "
              + geometry.batch()
              + (blocks.count() == 1
                  ? ""
                  : ", " + blocks.count() + " column blocks of " + blocks.start(1) + " px")
              + (why.isEmpty() ? "" : " (" + String.join("; ", why) + ")"));
      ScenePredictor predictor =
          new ScenePredictor(
                  model,
                  sceneBands,
                  bundle.normalization(),
                  classes,
                  geometry.chip(),
                  geometry.halo(),
                  geometry.overlap(),
                  bundle.alignment(),
                  request.blend(),
                  geometry.batch())
              .withAugmentation(request.tta())
              .withNoDataWhenAllBands(request.noDataRule() == MappingRequest.NoDataRule.ALL);
      long[] counts = new long[classes];
      int[] ids = classList.stream().mapToInt(LandcoverClass::id).toArray();
      int nodataClass = bundle.nodataClass();
      int height = raster.height();
      RowFeed classFeed = new RowFeed(blocks, height);
      RowFeed confidenceFeed = request.confidence() ? new RowFeed(blocks, height) : null;
      boolean withProbabilities = request.probabilities() != MappingRequest.Probabilities.NONE;
      boolean floats = request.probabilities() == MappingRequest.Probabilities.FLOAT32;
      RowFeed probabilityFeed = withProbabilities ? new RowFeed(blocks, height) : null;
      MappingRequest.Uncertainty uncertainty = request.uncertainty();
      RowFeed uncertaintyFeed =
          uncertainty != MappingRequest.Uncertainty.NONE ? new RowFeed(blocks, height) : null;
      List<RowFeed> feeds = new ArrayList<>(List.of(classFeed));
      if (confidenceFeed != null) {
        feeds.add(confidenceFeed);
      }
      if (probabilityFeed != null) {
        feeds.add(probabilityFeed);
      }
      if (uncertaintyFeed != null) {
        feeds.add(uncertaintyFeed);
      }
      long sceneArea = (long) width * raster.height();
      Future<?> producer =
          PREDICTION.submit(
              () -> {
                try {
                  float[] p = new float[classes];
                  predictor.predict(
                      raster,
                      blocks,
                      map.toAbsolutePath().getParent(),
                      (x0, y, logits, valid) -> {
                        int n = valid.length;
                        int[] row = new int[n];
                        int[] conf = confidenceFeed == null ? null : new int[n];
                        float[] prob = probabilityFeed == null ? null : new float[classes * n];
                        float[] unc = uncertaintyFeed == null ? null : new float[n];
                        for (int x = 0; x < n; x++) {
                          if (!valid[x]) {
                            row[x] = nodataClass;
                            if (conf != null) {
                              conf[x] = 255;
                            }
                            if (prob != null) {
                              for (int c = 0; c < classes; c++) {
                                prob[c * n + x] = Float.NaN;
                              }
                            }
                            if (unc != null) {
                              unc[x] = Float.NaN;
                            }
                            continue;
                          }
                          int best = ClassScores.argmax(logits, classes, n, x);
                          row[x] = ids[best];
                          counts[best]++;
                          if (conf != null || prob != null || unc != null) {
                            double top = ClassScores.softmax(logits, classes, n, x, p);
                            if (unc != null) {
                              unc[x] =
                                  (float)
                                      (uncertainty == MappingRequest.Uncertainty.ENTROPY
                                          ? ClassScores.entropy(p, classes)
                                          : ClassScores.margin(p, classes));
                            }
                            if (conf != null) {
                              conf[x] = (int) Math.round(100 * top);
                            }
                            if (prob != null) {
                              for (int c = 0; c < classes; c++) {
                                prob[c * n + x] = p[c];
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
                        if (uncertaintyFeed != null) {
                          uncertaintyFeed.put(unc);
                        }
                      },
                      chipsDone);
                } catch (IOException | RuntimeException | Error e) {
                  // Every failure reaches the writers, which wait for rows: an Error (out of
                  // memory) left here would leave them waiting for ever.
                  feeds.forEach(f -> f.fail(e));
                }
              });
      String base = map.getFileName().toString().replaceAll("(_landcover)?\\.tiff?$", "");
      List<Thread> writers = new ArrayList<>();
      List<Exception> writeErrors = Collections.synchronizedList(new ArrayList<>());
      boolean cog = request.format() == MappingRequest.OutputFormat.COG;
      OverviewResampling average = cog ? OverviewResampling.AVERAGE : null;
      if (confidenceFeed != null) {
        Path target = map.resolveSibling(base + "_confidence.tif");
        writers.add(
            writerThread(
                () ->
                    GeoTiffWriter.forGrid(raster.grid(), SampleType.UINT8, 1)
                        .noData(255)
                        .bandDescriptions(List.of("confidence (%)"))
                        .cloudOptimized(average)
                        .columnBlocks(blocks.starts())
                        .overwrite(true)
                        .write(target, confidenceFeed.ints()),
                writeErrors));
      }
      if (probabilityFeed != null) {
        Path target = map.resolveSibling(base + "_probabilities.tif");
        List<String> names = classList.stream().map(LandcoverClass::name).toList();
        writers.add(
            writerThread(
                () ->
                    GeoTiffWriter.forGrid(
                            raster.grid(), floats ? SampleType.FLOAT32 : SampleType.UINT8, classes)
                        .noData(floats ? Double.NaN : 255)
                        .bandDescriptions(names)
                        .cloudOptimized(average)
                        .columnBlocks(blocks.starts())
                        .overwrite(true)
                        .write(target, probabilityFeed.probabilities(classes, floats)),
                writeErrors));
      }
      if (uncertaintyFeed != null) {
        Path target = map.resolveSibling(base + "_uncertainty.tif");
        String what =
            uncertainty == MappingRequest.Uncertainty.ENTROPY
                ? "entropy of class probabilities (nats)"
                : "margin: top probability minus second";
        writers.add(
            writerThread(
                () ->
                    GeoTiffWriter.forGrid(raster.grid(), SampleType.FLOAT32, 1)
                        .noData(Double.NaN)
                        .bandDescriptions(List.of(what))
                        .cloudOptimized(average)
                        .columnBlocks(blocks.starts())
                        .overwrite(true)
                        .write(target, uncertaintyFeed.probabilities(1, true)),
                writeErrors));
      }
      try {
        GeoTiffWriter.classMap(raster.grid(), classList)
            .noData(nodataClass)
            .cloudOptimized(cog ? request.mapOverviews() : null)
            .columnBlocks(blocks.starts())
            .overwrite(true)
            .write(map, classFeed.ints());
        for (Thread t : writers) {
          t.join();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new InterruptedIOException("interrupted");
      } finally {
        producer.cancel(true);
      }
      if (!writeErrors.isEmpty()) {
        throw Threads.rethrow(writeErrors.get(0));
      }
      writeStyles(map, base, classList, uncertainty);
      double seconds = (System.nanoTime() - t0) / 1e9;
      Quicklook.write(map, classList, counts, nodataClass, sibling(map, ".png"));
      if (request.polygons()) {
        Vectorizer.vectorize(
            new VectorizeRequest(map, sibling(map, ".gpkg"), 0, 0, 0, classList, true));
      }
      // The summary comes last: a scene counts as done (and is skipped on resume) once it exists.
      writeSummary(map, finalMap, raster, classList, counts, seconds, model);
      return new SceneMap(map, classList, counts, sceneArea, seconds);
    }
  }

  /**
   * QGIS styles beside the rasters (QGIS applies {@code NAME.qml} when it opens {@code NAME.tif}):
   * class colours and names for the map; red (low) to green (high) ramps for confidence and margin,
   * green (certain) to red for entropy; a viridis probability ramp on band 1 (the first class) of
   * the probabilities.
   */
  private void writeStyles(
      Path map, String base, List<LandcoverClass> classList, MappingRequest.Uncertainty uncertainty)
      throws IOException {
    int red = 0xD7191C;
    int green = 0x1A9641;
    QgisStyle.paletted(classList).write(QgisStyle.beside(map));
    if (request.confidence()) {
      QgisStyle.pseudocolor(0, 100, red, green, "%")
          .write(map.resolveSibling(base + "_confidence.qml"));
    }
    if (request.probabilities() != MappingRequest.Probabilities.NONE) {
      QgisStyle.probability(
              request.probabilities() == MappingRequest.Probabilities.FLOAT32 ? 1 : 254)
          .write(map.resolveSibling(base + "_probabilities.qml"));
    }
    Path uncertaintyStyle = map.resolveSibling(base + "_uncertainty.qml");
    if (uncertainty == MappingRequest.Uncertainty.ENTROPY) {
      QgisStyle.pseudocolor(0, Math.log(Math.max(2, classList.size())), green, red, "nats")
          .write(uncertaintyStyle);
    } else if (uncertainty == MappingRequest.Uncertainty.MARGIN) {
      QgisStyle.pseudocolor(0, 1, red, green, "").write(uncertaintyStyle);
    }
  }

  /** A GeoTIFF write that may fail. */
  @FunctionalInterface
  private interface Write {
    void run() throws IOException;
  }

  private static Thread writerThread(Write write, List<Exception> errors) {
    Thread t =
        Threads.daemon("landcover-writer")
            .newThread(
                () -> {
                  try {
                    write.run();
                  } catch (IOException | RuntimeException e) {
                    errors.add(e);
                  }
                });
    t.start();
    return t;
  }

  private void writeSummary(
      Path map,
      Path finalMap,
      SceneRaster raster,
      List<LandcoverClass> classList,
      long[] counts,
      double seconds,
      SegmentationModel model)
      throws IOException {
    GeoTransform t = raster.grid().transform();
    double pixelArea =
        Math.abs(t.pixelWidth() * t.pixelHeight() - t.rowRotation() * t.columnRotation());
    boolean metres = raster.grid().axesInMetres();
    long total = Arrays.stream(counts).sum();
    ObjectMapper m = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    ObjectNode n = m.createObjectNode();
    n.put("scene", raster.file().toString());
    n.put("map", finalMap.toString());
    n.put("model", request.model().toString());
    n.put("device", model.device().toString());
    n.put("seconds", Math.round(seconds * 100) / 100.0);
    n.put("classifiedPixels", total);
    Runtime rt = Runtime.getRuntime();
    System.gc();
    n.put("processRssMb", ProcessMemory.residentKb() / 1024);
    n.put("heapUsedMb", (rt.totalMemory() - rt.freeMemory()) >> 20);
    n.put("heapCommittedMb", rt.totalMemory() >> 20);
    n.put("areaUnit", metres ? "m2" : "CRS units squared");
    ArrayNode classes = n.putArray("classes");
    for (int c = 0; c < counts.length; c++) {
      LandcoverClass k = classList.get(c);
      ObjectNode o = classes.addObject();
      o.put("id", k.id()).put("name", k.name()).put("pixels", counts[c]);
      o.put("area", counts[c] * pixelArea);
      if (metres) {
        o.put("areaKm2", counts[c] * pixelArea / 1e6);
      }
      o.put("percent", total == 0 ? 0 : 100.0 * counts[c] / total);
    }
    AtomicFiles.write(sibling(map, ".json"), tmp -> m.writeValue(tmp.toFile(), n));
  }
}

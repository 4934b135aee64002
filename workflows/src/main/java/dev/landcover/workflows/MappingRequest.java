package dev.landcover.workflows;

import ai.djl.Device;
import dev.landcover.pixels.BlendWindow;
import java.nio.file.Path;
import java.util.List;

/**
 * What {@link SceneMapper#map} does: which model, which scenes, where the maps go, and how chips
 * are predicted and stitched. Made with {@link #builder(Path, List)}.
 *
 * @param model a model bundle (folder or {@code .zip}) or a TorchScript {@code .pt} file
 * @param torchScript for a {@code .pt} file: its bands, classes and normalization; else null
 * @param scenes the scene GeoTIFFs, mapped in order
 * @param outDir the folder of the outputs, or null for beside each scene
 * @param output the class map's path for a single scene (instead of {@code outDir}), or null
 * @param chip the model's input size, or null for the bundle's (256 for a {@code .pt} file)
 * @param overlap output pixels shared by neighbouring chips, or null for a quarter of the chip
 * @param blend how overlapping chips are weighted
 * @param batch chips per forward pass
 * @param device where the model runs, or null for the engine's choice (a GPU when there is one)
 * @param confidence whether {@code <scene>_confidence.tif} is written (the winning class's
 *     probability, 0-100, uint8, nodata 255)
 * @param probabilities which {@code <scene>_probabilities.tif} is written, if any
 * @param flips test-time augmentation: each chip is also predicted flipped left-right, top-bottom
 *     and both, and the four sets of logits (flipped back) are averaged
 * @param noDataRule which input pixels are nodata (and get the nodata class)
 * @param overwrite whether existing outputs are replaced; if not, scenes already done (map and
 *     summary present) are skipped
 * @param shard the share of {@code scenes} this run maps ({@link Shard}), or null for all of them
 */
public record MappingRequest(
    Path model,
    TorchScriptInputs torchScript,
    List<Path> scenes,
    Path outDir,
    Path output,
    Integer chip,
    Integer overlap,
    BlendWindow blend,
    int batch,
    Device device,
    boolean confidence,
    Probabilities probabilities,
    boolean flips,
    NoDataRule noDataRule,
    boolean overwrite,
    Shard shard) {

  /** Which pixels of the input are nodata. */
  public enum NoDataRule {
    /** A pixel is nodata when any band is nodata (or NaN). */
    ANY,
    /** A pixel is nodata only when all bands are nodata (or NaN). */
    ALL
  }

  /** The class probabilities written beside the map. */
  public enum Probabilities {
    /** None. */
    NONE,
    /** One uint8 band per class, the probability scaled to 0-254, nodata 255. */
    UINT8,
    /** One float32 band per class, 0 to 1, nodata NaN. */
    FLOAT32
  }

  /**
   * What a bare TorchScript file does not say about itself.
   *
   * @param bands the scene bands fed to the model, 1-based, in order
   * @param classes the model's output classes (ids 0 to classes - 1)
   * @param mean per-band means, or null (with std) for raw values
   * @param std per-band standard deviations, or null
   */
  public record TorchScriptInputs(int[] bands, int classes, double[] mean, double[] std) {
    /** Checks that mean and std are both given, one per band, or both absent. */
    public TorchScriptInputs {
      if ((mean == null) != (std == null)
          || (mean != null && (mean.length != bands.length || std.length != bands.length))) {
        throw new IllegalArgumentException(
            "--mean and --std need one value per band (" + bands.length + ")");
      }
      if (classes < 1) {
        throw new IllegalArgumentException("classes must be at least 1: " + classes);
      }
    }
  }

  /** Checks the request. */
  public MappingRequest {
    scenes = List.copyOf(scenes);
    if (scenes.isEmpty()) {
      throw new IllegalArgumentException("No scene to map");
    }
    if (output != null && (outDir != null || scenes.size() != 1)) {
      throw new IllegalArgumentException(
          "--output names the map of a single scene, without --out; got "
              + scenes.size()
              + " scenes");
    }
    if (batch < 1) {
      throw new IllegalArgumentException("batch must be at least 1: " + batch);
    }
    if (shard != null && output != null) {
      throw new IllegalArgumentException(
          "--shard splits a batch written to --out (or beside the scenes), not a single --output");
    }
  }

  /** The scenes this run maps: those of its shard, or all of them. */
  public List<Path> scenesToMap() {
    return shard == null ? scenes : shard.select(scenes);
  }

  /**
   * A request with the defaults: Hann blending, batches of 8, the engine's device, no confidence or
   * probabilities, no test-time augmentation, nodata when any band is, outputs beside each scene,
   * existing outputs kept.
   */
  public static Builder builder(Path model, List<Path> scenes) {
    return new Builder(model, scenes);
  }

  /** Builds a {@link MappingRequest}. */
  public static final class Builder {
    private final Path model;
    private final List<Path> scenes;
    private TorchScriptInputs torchScript;
    private Path outDir;
    private Path output;
    private Integer chip;
    private Integer overlap;
    private BlendWindow blend = BlendWindow.HANN;
    private int batch = 8;
    private Device device;
    private boolean confidence;
    private Probabilities probabilities = Probabilities.NONE;
    private boolean flips;
    private NoDataRule noDataRule = NoDataRule.ANY;
    private boolean overwrite;
    private Shard shard;

    private Builder(Path model, List<Path> scenes) {
      this.model = model;
      this.scenes = scenes;
    }

    public Builder torchScript(TorchScriptInputs inputs) {
      this.torchScript = inputs;
      return this;
    }

    public Builder outDir(Path dir) {
      this.outDir = dir;
      return this;
    }

    public Builder output(Path map) {
      this.output = map;
      return this;
    }

    public Builder chip(Integer size) {
      this.chip = size;
      return this;
    }

    public Builder overlap(Integer pixels) {
      this.overlap = pixels;
      return this;
    }

    public Builder blend(BlendWindow window) {
      this.blend = window;
      return this;
    }

    public Builder batch(int chips) {
      this.batch = chips;
      return this;
    }

    public Builder device(Device device) {
      this.device = device;
      return this;
    }

    public Builder confidence(boolean write) {
      this.confidence = write;
      return this;
    }

    public Builder probabilities(Probabilities which) {
      this.probabilities = which;
      return this;
    }

    public Builder flips(boolean average) {
      this.flips = average;
      return this;
    }

    public Builder noDataRule(NoDataRule rule) {
      this.noDataRule = rule;
      return this;
    }

    public Builder overwrite(boolean replace) {
      this.overwrite = replace;
      return this;
    }

    /** Maps only the scenes of {@code share} (null: all). */
    public Builder shard(Shard share) {
      this.shard = share;
      return this;
    }

    public MappingRequest build() {
      return new MappingRequest(
          model,
          torchScript,
          scenes,
          outDir,
          output,
          chip,
          overlap,
          blend,
          batch,
          device,
          confidence,
          probabilities,
          flips,
          noDataRule,
          overwrite,
          shard);
    }
  }
}

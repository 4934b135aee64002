package dev.landcover.workflows;

import ai.djl.Device;
import dev.landcover.geo.BandStack;
import dev.landcover.geo.GeoTiffException;
import dev.landcover.geo.OverviewResampling;
import dev.landcover.geo.SceneRaster;
import dev.landcover.pixels.BlendWindow;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * What {@link SceneMapper#map} does: which model, which scenes, where the maps go, and how chips
 * are predicted and stitched. Made with {@link #builder(Path, List)}.
 *
 * @param model a model bundle (folder or {@code .zip}) or a TorchScript {@code .pt} file
 * @param torchScript for a {@code .pt} file: its bands, classes and normalization; else null
 * @param scenes the scene GeoTIFFs, mapped in order
 * @param outDir the folder of the outputs, or null for beside each scene
 * @param output the class map's path for a single scene (instead of {@code outDir}), or null
 * @param chip the model's input size, or null to choose: for a UNet bundle the chip that fits
 *     {@code memory} and feeds the model the fewest pixels ({@link InferenceGeometry}), for other
 *     models the bundle's (256 for a {@code .pt} file)
 * @param overlap output pixels shared by neighbouring chips, or null to derive it from the model's
 *     receptive field where the bundle knows it (twice the radius, rounded up to the alignment,
 *     below the output size), else a quarter of the chip's output ({@link
 *     InferenceGeometry#defaultOverlap})
 * @param blend how overlapping chips are weighted
 * @param batch chips per forward pass, or null to choose: for a UNet bundle without {@code chip} as
 *     many as fit {@code memory} (at most one row of chips), else 8
 * @param memory the budget in bytes for the forward pass of a batch when the chip or batch is
 *     chosen, or null for a quarter of the machine's physical memory, at most 2 GiB
 * @param device where the model runs, or null for the engine's choice (a GPU when there is one)
 * @param confidence whether {@code <scene>_confidence.tif} is written (the winning class's
 *     probability, 0-100, uint8, nodata 255)
 * @param probabilities which {@code <scene>_probabilities.tif} is written, if any
 * @param uncertainty which {@code <scene>_uncertainty.tif} is written, if any
 * @param tta test-time augmentation: each chip is also predicted transformed, and the logits
 *     (transformed back) are averaged
 * @param format the layout of the GeoTIFFs written: Cloud-Optimized (with overviews) or plain
 * @param noDataRule which input pixels are nodata (and get the nodata class)
 * @param overwrite whether existing outputs are replaced; if not, scenes already done (map and
 *     summary present) are skipped
 * @param bands for a bundle: the scene bands (1-based) fed to it instead of its own choice, or null
 *     (see {@link BandSelection}: Sentinel-2 bands by description, else the bundle's)
 * @param polygons whether {@code <scene>_landcover.gpkg} is written: the map's polygons, one per
 *     4-connected patch of a class ({@link dev.landcover.vectors.Vectorizer})
 * @param shard the share of {@code scenes} this run maps ({@link Shard}), or null for all of them
 * @param stacks the scenes given as band stacks (or null for none), keyed by the path that stands
 *     for each in {@code scenes}, its {@link BandStack#name()}; other scenes are GeoTIFF or VRT
 *     files
 * @param mapOverviews how the class map's overviews are computed when {@code format} is {@link
 *     OutputFormat#COG} ({@link OverviewResampling#MODE} or {@link OverviewResampling#NEAREST})
 * @param blockWidth the widest column block mapped at a time, in pixels ({@link
 *     #DEFAULT_BLOCK_WIDTH} by default), or 0 for the whole width at once: a wider scene is mapped
 *     block after block, top to bottom each, so that memory stops growing with the scene's width.
 *     The maps are the same (each chip is predicted once, and the chips reaching across a block's
 *     edge are stitched into both blocks in the same order); a block is at least one chip's output
 *     wide and a whole number of the outputs' tiles
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
    Integer batch,
    Long memory,
    Device device,
    boolean confidence,
    Probabilities probabilities,
    Uncertainty uncertainty,
    TestTimeAugmentation tta,
    OutputFormat format,
    NoDataRule noDataRule,
    boolean overwrite,
    int[] bands,
    boolean polygons,
    Shard shard,
    Map<Path, BandStack> stacks,
    OverviewResampling mapOverviews,
    int blockWidth) {
  /**
   * The default widest column block: at 2048 pixels, memory for a scene up to about that wide stays
   * as it was, and wider scenes take no more.
   */
  public static final int DEFAULT_BLOCK_WIDTH = 2048;

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
   * A per-pixel uncertainty raster beside the map: float32, nodata NaN, computed from the class
   * probabilities p (the softmax of the mean logits).
   */
  public enum Uncertainty {
    /** None. */
    NONE,
    /**
     * Shannon entropy of the probabilities in nats, {@code -sum(p ln p)} (terms with p = 0 count
     * 0): 0 when one class has probability 1, up to {@code ln(classes)} when all are equal.
     */
    ENTROPY,
    /**
     * The winning probability minus the second highest, 0 to 1: small where the model hesitates.
     */
    MARGIN
  }

  /** Test-time augmentation: transforms of each chip whose logits are averaged. */
  public enum TestTimeAugmentation {
    /** The chip alone. */
    NONE,
    /** The chip and its left-right, top-bottom and both flips: 4 forward passes a chip. */
    FLIPS,
    /**
     * The 8 symmetries of the square (dihedral group D4): quarter turns 0, 1, 2, 3 of the chip and
     * of its left-right flip: 8 forward passes a chip.
     */
    D4
  }

  /** How the GeoTIFF outputs are laid out. */
  public enum OutputFormat {
    /**
     * Cloud-Optimized GeoTIFF (the default): tiled, internal overviews (mode or nearest for the
     * class map, {@link MappingRequest#mapOverviews}; average for confidence, probabilities and
     * uncertainty), GDAL's COG layout.
     */
    COG,
    /** Plain tiled GeoTIFF without overviews. */
    GTIFF
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
    /**
     * Checks the bands (1-based), the classes, and that mean and std are both given, one finite
     * value per band (std positive), or both absent.
     */
    public TorchScriptInputs {
      if (bands == null || bands.length == 0) {
        throw new IllegalArgumentException("--bands is empty: expected the scene bands, 1-based");
      }
      for (int b : bands) {
        if (b < 1) {
          throw new IllegalArgumentException(
              "--bands " + joined(bands) + ": band " + b + " is not a band, numbers start at 1");
        }
      }
      if ((mean == null) != (std == null)
          || (mean != null && (mean.length != bands.length || std.length != bands.length))) {
        throw new IllegalArgumentException(
            "--mean and --std need one value per band (" + bands.length + ")");
      }
      if (classes < 1) {
        throw new IllegalArgumentException("--classes must be at least 1: " + classes);
      }
      if (mean != null) {
        for (int b = 0; b < bands.length; b++) {
          if (!Double.isFinite(mean[b])) {
            throw new IllegalArgumentException(
                "--mean " + joined(mean) + ": value " + (b + 1) + " is not a finite number");
          }
          if (!(std[b] > 0) || !Double.isFinite(std[b])) {
            throw new IllegalArgumentException(
                "--std " + joined(std) + ": value " + (b + 1) + " is not a positive number");
          }
        }
      }
    }

    private static String joined(int[] values) {
      return Arrays.stream(values).mapToObj(Integer::toString).collect(Collectors.joining(","));
    }

    private static String joined(double[] values) {
      return Arrays.stream(values).mapToObj(Double::toString).collect(Collectors.joining(","));
    }
  }

  /** Checks the request. */
  public MappingRequest {
    scenes = List.copyOf(scenes);
    stacks = stacks == null ? Map.of() : Map.copyOf(stacks);
    if (scenes.isEmpty()) {
      throw new IllegalArgumentException("No scene to map");
    }
    if (output != null && (outDir != null || scenes.size() != 1)) {
      throw new IllegalArgumentException(
          "--output names the map of a single scene, without --out; got "
              + scenes.size()
              + " scenes");
    }
    if (uncertainty == null || tta == null || format == null) {
      throw new IllegalArgumentException(
          "uncertainty, tta and format must be given (NONE, COG...)");
    }
    if (mapOverviews != OverviewResampling.MODE && mapOverviews != OverviewResampling.NEAREST) {
      throw new IllegalArgumentException(
          "--overviews of a class map must be mode or nearest: " + mapOverviews);
    }
    if (blockWidth < 0) {
      throw new IllegalArgumentException(
          "--block-width must be 0 (the whole width) or more: " + blockWidth);
    }
    if (batch != null && batch < 1) {
      throw new IllegalArgumentException("--batch must be at least 1: " + batch);
    }
    if (memory != null && memory < 1) {
      throw new IllegalArgumentException("--memory must be positive: " + memory + " bytes");
    }
    if (chip != null && chip < 1) {
      throw new IllegalArgumentException("--chip must be positive: " + chip);
    }
    if (overlap != null && overlap < 0) {
      throw new IllegalArgumentException("--overlap must be 0 or more: " + overlap);
    }
    if (model == null || model.toString().isEmpty()) {
      throw new IllegalArgumentException("--model is empty: expected a bundle or a .pt file");
    }
    if (outDir != null && outDir.toString().isEmpty()) {
      throw new IllegalArgumentException("--out is empty: expected a folder");
    }
    if (output != null && output.toString().isEmpty()) {
      throw new IllegalArgumentException("--output is empty: expected a file path");
    }
    if (shard != null && output != null) {
      throw new IllegalArgumentException(
          "--shard splits a batch written to --out (or beside the scenes), not a single --output");
    }
    if (outDir != null) {
      checkDistinctOutputs(scenes, outDir);
    }
  }

  /** Refuses two different scenes whose outputs in {@code outDir} would have the same name. */
  private static void checkDistinctOutputs(List<Path> scenes, Path outDir) {
    Map<Path, Path> byMap = new HashMap<>();
    for (Path scene : scenes) {
      Path other = byMap.putIfAbsent(SceneMapper.mapPath(scene, outDir), scene);
      if (other != null
          && !other.toAbsolutePath().normalize().equals(scene.toAbsolutePath().normalize())) {
        throw new IllegalArgumentException(
            "Two scenes would write the same outputs in "
                + outDir
                + ": "
                + other
                + " and "
                + scene
                + " (outputs are named after the file name)");
      }
    }
  }

  /**
   * Opens one of {@link #scenes}: its band stack, else the GeoTIFF or VRT file; close it after use.
   */
  public SceneRaster openScene(Path scene) throws GeoTiffException {
    BandStack stack = stacks.get(scene);
    return stack != null ? stack.open() : SceneRaster.open(scene);
  }

  /** The scenes this run maps: those of its shard, or all of them. */
  public List<Path> scenesToMap() {
    return shard == null ? scenes : shard.select(scenes);
  }

  /**
   * A request with the defaults: chip, overlap and batch chosen within the default memory budget
   * (see {@link MappingRequest}), Hann blending, the engine's device, no confidence, probabilities
   * or uncertainty, no test-time augmentation, Cloud-Optimized GeoTIFFs, nodata when any band is,
   * outputs beside each scene, existing outputs kept.
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
    private Integer batch;
    private Long memory;
    private Device device;
    private boolean confidence;
    private Probabilities probabilities = Probabilities.NONE;
    private Uncertainty uncertainty = Uncertainty.NONE;
    private TestTimeAugmentation tta = TestTimeAugmentation.NONE;
    private OutputFormat format = OutputFormat.COG;
    private int blockWidth = DEFAULT_BLOCK_WIDTH;
    private NoDataRule noDataRule = NoDataRule.ANY;
    private boolean overwrite;
    private int[] bands;
    private boolean polygons;
    private Shard shard;
    private final Map<Path, BandStack> stacks = new LinkedHashMap<>();
    private OverviewResampling mapOverviews = OverviewResampling.MODE;

    private Builder(Path model, List<Path> scenes) {
      this.model = model;
      this.scenes = new ArrayList<>(scenes);
    }

    /**
     * Adds a scene given as a band stack ({@code --image B02.tif,B03.tif,...}): it stands in the
     * scene list as {@link BandStack#name()} (added at the end if not there yet) and its outputs
     * are named after that path.
     */
    public Builder stack(BandStack stack) {
      stacks.put(stack.name(), stack);
      if (!scenes.contains(stack.name())) {
        scenes.add(stack.name());
      }
      return this;
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

    /** Chips per forward pass, or null to choose. */
    public Builder batch(Integer chips) {
      this.batch = chips;
      return this;
    }

    /** The memory budget in bytes for choosing the chip and batch, or null for the default. */
    public Builder memory(Long bytes) {
      this.memory = bytes;
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

    public Builder uncertainty(Uncertainty which) {
      this.uncertainty = which;
      return this;
    }

    public Builder tta(TestTimeAugmentation augmentation) {
      this.tta = augmentation;
      return this;
    }

    public Builder format(OutputFormat layout) {
      this.format = layout;
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

    /** For a bundle: the scene bands fed to the model (1-based, in its order), or null. */
    public Builder bands(int... sceneBands) {
      this.bands = sceneBands == null ? null : sceneBands.clone();
      return this;
    }

    /** Whether the map's polygons are written beside it ({@code <scene>_landcover.gpkg}). */
    public Builder polygons(boolean write) {
      this.polygons = write;
      return this;
    }

    /** Maps only the scenes of {@code share} (null: all). */
    public Builder shard(Shard share) {
      this.shard = share;
      return this;
    }

    /**
     * How the class map's overviews are computed in a COG: {@link OverviewResampling#MODE} (the
     * default) or {@link OverviewResampling#NEAREST}, as {@code gdaladdo -r nearest}.
     */
    public Builder mapOverviews(OverviewResampling resampling) {
      this.mapOverviews = resampling;
      return this;
    }

    /**
     * The widest column block mapped at a time in pixels ({@link #DEFAULT_BLOCK_WIDTH} by default),
     * or 0 to map the whole width at once.
     */
    public Builder blockWidth(int pixels) {
      this.blockWidth = pixels;
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
          memory,
          device,
          confidence,
          probabilities,
          uncertainty,
          tta,
          format,
          noDataRule,
          overwrite,
          bands,
          polygons,
          shard,
          stacks,
          mapOverviews,
          blockWidth);
    }
  }
}

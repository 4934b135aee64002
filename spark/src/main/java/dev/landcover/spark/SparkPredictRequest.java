package dev.landcover.spark;

import dev.landcover.geo.BandStack;
import dev.landcover.geo.Resampling;
import dev.landcover.pixels.BlendWindow;
import dev.landcover.workflows.MappingRequest;
import java.io.Serializable;
import java.util.List;

/**
 * What {@link SparkMapping#predict} maps and where the outputs go. Paths are Hadoop paths or URIs
 * ({@code /data/x.tif}, {@code file:/data/x.tif}, {@code hdfs://nn/data/x.tif}, {@code
 * s3a://bucket/x.tif}), read and written through Hadoop's FileSystem API. Made with {@link
 * #builder}; sent to the executors with each task.
 *
 * @param model a model bundle (folder or {@code .zip}) every executor can read; copied to the
 *     executor's local disk once when it is not on a local file system
 * @param inputs scene files (GeoTIFF or VRT), folders (their {@code .tif}/{@code .tiff} files,
 *     Landcover's maps left out), glob patterns, and band stacks {@code FILE,FILE,...} (one scene
 *     of the files' bands, as {@code landcover predict} takes them: a name with a comma is one file
 *     only if that file exists), whose outputs are named after {@link BandStack#name()}
 * @param out the output folder: {@code <scene>_landcover.tif} etc. as {@code landcover predict
 *     --out} writes them
 * @param table the Parquet table of per-scene summaries, or null for {@code
 *     <out>/landcover_scenes.parquet}
 * @param chip the model's input size, or null for the bundle's
 * @param overlap output pixels shared by neighbouring chips, or null for a quarter of the chip
 * @param blend how overlapping chips are weighted
 * @param batch chips per forward pass
 * @param device {@code cpu}, {@code gpu} or {@code gpu:N}, or null for the engine's choice
 * @param confidence whether {@code <scene>_confidence.tif} is written
 * @param probabilities which {@code <scene>_probabilities.tif} is written, if any
 * @param tta test-time augmentation
 * @param noDataRule which input pixels are nodata
 * @param overwrite whether existing outputs are replaced; if not, scenes whose map and summary
 *     exist are skipped (their row is read from the summary)
 * @param bandResampling how a band stack's bands on another grid are resampled ({@link
 *     BandStack#resampling()})
 * @param gridBand the band stack band (1-based) whose file's grid a stack takes, or 0 for the
 *     finest ({@link BandStack#gridBand()})
 */
public record SparkPredictRequest(
    String model,
    List<String> inputs,
    String out,
    String table,
    Integer chip,
    Integer overlap,
    BlendWindow blend,
    int batch,
    String device,
    boolean confidence,
    MappingRequest.Probabilities probabilities,
    MappingRequest.TestTimeAugmentation tta,
    MappingRequest.NoDataRule noDataRule,
    boolean overwrite,
    Resampling bandResampling,
    int gridBand)
    implements Serializable {
  private static final long serialVersionUID = 1L;

  /** Checks the request. */
  public SparkPredictRequest {
    inputs = List.copyOf(inputs);
    if (inputs.isEmpty()) {
      throw new IllegalArgumentException("No scene to map");
    }
    if (model.endsWith(".pt")) {
      throw new IllegalArgumentException(
          "--model "
              + model
              + ": a Spark job takes a model bundle (folder or .zip); make one from the"
              + " TorchScript file with 'landcover model import'");
    }
    if (out == null) {
      throw new IllegalArgumentException("--out is required: the folder of the maps");
    }
    if (batch < 1) {
      throw new IllegalArgumentException("batch must be at least 1: " + batch);
    }
    if (bandResampling == null) {
      bandResampling = Resampling.NEAREST;
    }
    if (gridBand < 0) {
      throw new IllegalArgumentException("--grid-band must be 1 or more: " + gridBand);
    }
    if (device != null && !device.matches("cpu|gpu|gpu:\\d+")) {
      throw new IllegalArgumentException("--device must be cpu, gpu or gpu:N: got " + device);
    }
  }

  /** The summary table's path. */
  public String tablePath() {
    return table != null ? table : out.replaceAll("/+$", "") + "/landcover_scenes.parquet";
  }

  /**
   * A request with the defaults of {@link MappingRequest#builder}: Hann blending, batches of 8, the
   * engine's device, no confidence or probabilities, no test-time augmentation, nodata when any
   * band is, existing outputs kept.
   */
  public static Builder builder(String model, List<String> inputs, String out) {
    return new Builder(model, inputs, out);
  }

  /** Builds a {@link SparkPredictRequest}. */
  public static final class Builder {
    private final String model;
    private final List<String> inputs;
    private final String out;
    private String table;
    private Integer chip;
    private Integer overlap;
    private BlendWindow blend = BlendWindow.HANN;
    private int batch = 8;
    private String device;
    private boolean confidence;
    private MappingRequest.Probabilities probabilities = MappingRequest.Probabilities.NONE;
    private MappingRequest.TestTimeAugmentation tta = MappingRequest.TestTimeAugmentation.NONE;
    private MappingRequest.NoDataRule noDataRule = MappingRequest.NoDataRule.ANY;
    private boolean overwrite;
    private Resampling bandResampling = Resampling.NEAREST;
    private int gridBand;

    private Builder(String model, List<String> inputs, String out) {
      this.model = model;
      this.inputs = inputs;
      this.out = out;
    }

    public Builder table(String path) {
      this.table = path;
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

    public Builder device(String name) {
      this.device = name;
      return this;
    }

    public Builder confidence(boolean write) {
      this.confidence = write;
      return this;
    }

    public Builder probabilities(MappingRequest.Probabilities which) {
      this.probabilities = which;
      return this;
    }

    public Builder tta(MappingRequest.TestTimeAugmentation augmentation) {
      this.tta = augmentation;
      return this;
    }

    public Builder noDataRule(MappingRequest.NoDataRule rule) {
      this.noDataRule = rule;
      return this;
    }

    public Builder overwrite(boolean replace) {
      this.overwrite = replace;
      return this;
    }

    /**
     * How band stacks among the inputs are put on one grid: the resampling of bands on another grid
     * (default nearest) and the band whose file's grid the stack takes (default 0: the finest).
     */
    public Builder bandStacks(Resampling resampling, int gridBand) {
      this.bandResampling = resampling;
      this.gridBand = gridBand;
      return this;
    }

    public SparkPredictRequest build() {
      return new SparkPredictRequest(
          model,
          inputs,
          out,
          table,
          chip,
          overlap,
          blend,
          batch,
          device,
          confidence,
          probabilities,
          tta,
          noDataRule,
          overwrite,
          bandResampling,
          gridBand);
    }
  }
}

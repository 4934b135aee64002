package dev.landcover.spark;

import dev.landcover.workflows.ChipExportRequest;
import java.io.Serializable;
import java.util.List;

/**
 * What {@link SparkMapping#chips} cuts and where the chips go: {@code landcover chips} for many
 * scenes, as one chip folder per scene ({@code <out>/<image name>/}) or as one Parquet chip table
 * ({@code <out>/chips.parquet}, {@link ParquetChipTable}), both ready for {@code landcover train
 * --chips}. Paths are Hadoop paths or URIs. Made with {@link #builder}.
 *
 * @param inputs {@code IMAGE} or {@code IMAGE,LABELS} (a label raster on the image's grid), one per
 *     scene
 * @param out the folder of the chip folders
 * @param table the Parquet table of per-scene results, or null for {@code
 *     <out>/landcover_chips.parquet}
 * @param size chip width and height in pixels
 * @param stride distance between chip origins, or null
 * @param overlap pixels shared by neighbouring chips, or null
 * @param bands image bands to keep, 1-based, or null for all
 * @param maxNoData chips with a larger nodata fraction are dropped (null: only empty chips)
 * @param requiredClasses keep chips holding one of these label classes, or null for all
 * @param minClassPixels pixels of a class a chip needs to count as holding it
 * @param backgroundKeep share of chips without the classes kept anyway
 * @param seed the seed of that sampling
 * @param compression how chips are compressed
 * @param deflateLevel Deflate level, 1 to 9
 * @param overwrite whether scenes whose chip folder has its index are cut again (else skipped);
 *     with {@link Format#PARQUET}, whether an existing chip table is replaced (else refused)
 * @param format chip folders or a Parquet chip table
 */
public record SparkChipsRequest(
    List<String> inputs,
    String out,
    String table,
    int size,
    Integer stride,
    Integer overlap,
    int[] bands,
    Double maxNoData,
    int[] requiredClasses,
    int minClassPixels,
    double backgroundKeep,
    long seed,
    ChipExportRequest.Compression compression,
    int deflateLevel,
    boolean overwrite,
    Format format)
    implements Serializable {
  private static final long serialVersionUID = 1L;

  /** How the chips are written. */
  public enum Format {
    /** A chip folder per scene, as {@code landcover chips} writes it. */
    FOLDERS,
    /** One Parquet table, a row per chip with its pixels ({@link ParquetChipTable}). */
    PARQUET
  }

  /** Checks the request. */
  public SparkChipsRequest {
    inputs = List.copyOf(inputs);
    if (inputs.isEmpty()) {
      throw new IllegalArgumentException("No scene to cut");
    }
    for (String in : inputs) {
      if (in.split(",", -1).length > 2 || in.startsWith(",") || in.endsWith(",")) {
        throw new IllegalArgumentException("An input is IMAGE or IMAGE,LABELS: got '" + in + "'");
      }
    }
    if (out == null) {
      throw new IllegalArgumentException("--out is required: the folder of the chip folders");
    }
    if (format == null) {
      format = Format.FOLDERS;
    }
  }

  /** The Parquet chip table's path ({@link Format#PARQUET}): {@code <out>/chips.parquet}. */
  public String chipTablePath() {
    return out.replaceAll("/+$", "") + "/chips.parquet";
  }

  /** The {@code landcover chips} request of one scene, on local files. */
  ChipExportRequest exportRequest(
      java.nio.file.Path image, java.nio.file.Path labels, java.nio.file.Path folder) {
    return ChipExportRequest.builder(image, size, folder)
        .labels(labels)
        .stride(stride)
        .overlap(overlap)
        .bands(bands)
        .maxNoData(maxNoData)
        .requiredClasses(requiredClasses, minClassPixels)
        .backgroundKeep(backgroundKeep, seed)
        .compression(compression, deflateLevel)
        .build();
  }

  /** The result table's path. */
  public String tablePath() {
    return table != null ? table : out.replaceAll("/+$", "") + "/landcover_chips.parquet";
  }

  /** A request with the defaults of {@link ChipExportRequest#builder}. */
  public static Builder builder(List<String> inputs, int size, String out) {
    return new Builder(inputs, size, out);
  }

  /** Builds a {@link SparkChipsRequest}. */
  public static final class Builder {
    private final List<String> inputs;
    private final int size;
    private final String out;
    private String table;
    private Integer stride;
    private Integer overlap;
    private int[] bands;
    private Double maxNoData;
    private int[] requiredClasses;
    private int minClassPixels = 1;
    private double backgroundKeep;
    private long seed;
    private ChipExportRequest.Compression compression = ChipExportRequest.Compression.AUTO;
    private int deflateLevel = 6;
    private boolean overwrite;
    private Format format = Format.FOLDERS;

    private Builder(List<String> inputs, int size, String out) {
      this.inputs = inputs;
      this.size = size;
      this.out = out;
    }

    public Builder table(String path) {
      this.table = path;
      return this;
    }

    public Builder stride(Integer stride) {
      this.stride = stride;
      return this;
    }

    public Builder overlap(Integer overlap) {
      this.overlap = overlap;
      return this;
    }

    public Builder bands(int... bands) {
      this.bands = bands == null ? null : bands.clone();
      return this;
    }

    public Builder maxNoData(Double fraction) {
      this.maxNoData = fraction;
      return this;
    }

    public Builder requiredClasses(int[] classes, int minPixels) {
      this.requiredClasses = classes == null ? null : classes.clone();
      this.minClassPixels = minPixels;
      return this;
    }

    public Builder backgroundKeep(double share, long seed) {
      this.backgroundKeep = share;
      this.seed = seed;
      return this;
    }

    public Builder compression(ChipExportRequest.Compression compression, int deflateLevel) {
      this.compression = compression;
      this.deflateLevel = deflateLevel;
      return this;
    }

    public Builder overwrite(boolean overwrite) {
      this.overwrite = overwrite;
      return this;
    }

    /** Chip folders (the default) or a Parquet chip table. */
    public Builder format(Format format) {
      this.format = format;
      return this;
    }

    public SparkChipsRequest build() {
      return new SparkChipsRequest(
          inputs,
          out,
          table,
          size,
          stride,
          overlap,
          bands,
          maxNoData,
          requiredClasses,
          minClassPixels,
          backgroundKeep,
          seed,
          compression,
          deflateLevel,
          overwrite,
          format);
    }
  }
}

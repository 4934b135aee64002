package dev.landcover.workflows;

import dev.landcover.geo.BandStack;
import dev.landcover.geo.GeoTiffException;
import dev.landcover.geo.SceneRaster;
import java.nio.file.Path;

/**
 * What {@link ChipExport#run} cuts and where the chips go. Made with {@link #builder}.
 *
 * @param image the image GeoTIFF or VRT (for a band stack, the stack's {@link BandStack#name()})
 * @param labels a label GeoTIFF, or null; one on another grid (CRS, origin, pixel size or size) is
 *     resampled onto the image's with nearest, as gdalwarp -r near, with a warning
 * @param size chip width and height in pixels
 * @param stride distance between chip origins, or null (then {@code overlap}, or the size)
 * @param overlap pixels shared by neighbouring chips, or null
 * @param bands image bands to keep, 1-based, in order, or null for all
 * @param maxNoData chips with a larger nodata fraction are dropped (null: only empty chips)
 * @param requiredClasses keep chips holding one of these label classes, or null for all chips
 * @param minClassPixels pixels of a class a chip needs to count as holding it
 * @param backgroundKeep share of chips without the classes kept anyway
 * @param seed the seed of that sampling
 * @param compression how chips are compressed
 * @param deflateLevel Deflate level, 1 to 9
 * @param threads threads writing chips
 * @param out the chip folder (see {@link dev.landcover.geo.ChipFolder})
 * @param overwrite whether a non-empty folder may be written into (earlier chips are removed)
 * @param imageStack the image as a band stack ({@code --image B02.tif,B03.tif,...}), or null
 */
public record ChipExportRequest(
    Path image,
    Path labels,
    int size,
    Integer stride,
    Integer overlap,
    int[] bands,
    Double maxNoData,
    int[] requiredClasses,
    int minClassPixels,
    double backgroundKeep,
    long seed,
    Compression compression,
    int deflateLevel,
    int threads,
    Path out,
    boolean overwrite,
    BandStack imageStack) {

  /** How chips are compressed. */
  public enum Compression {
    /**
     * Deflate with Huffman coding only for image chips (as small as Deflate on imagery, several
     * times faster) and Deflate for label chips.
     */
    AUTO,
    /** Deflate at the level given, for both. */
    DEFLATE,
    /** None. */
    NONE
  }

  /** Checks what does not depend on the data. */
  public ChipExportRequest {
    if (size <= 0) {
      throw new IllegalArgumentException("--size must be positive: " + size);
    }
    if (deflateLevel < 1 || deflateLevel > 9) {
      throw new IllegalArgumentException("--deflate-level must be 1 to 9: " + deflateLevel);
    }
    if (requiredClasses == null && (minClassPixels != 1 || backgroundKeep != 0)) {
      throw new IllegalArgumentException("--min-class-pixels and --background-keep need --classes");
    }
    if (requiredClasses != null && labels == null) {
      throw new IllegalArgumentException("--classes needs --labels");
    }
    if (threads < 1) {
      throw new IllegalArgumentException("--threads must be at least 1: " + threads);
    }
    if (stride != null && (stride < 1 || stride > size)) {
      throw new IllegalArgumentException(
          "--stride must be 1 to --size (" + size + "): stride=" + stride);
    }
    if (overlap != null && (overlap < 0 || overlap >= size)) {
      throw new IllegalArgumentException(
          "--overlap must be 0 to --size - 1 (" + (size - 1) + "): overlap=" + overlap);
    }
    if (maxNoData != null && !(maxNoData >= 0 && maxNoData <= 1)) {
      throw new IllegalArgumentException("--max-nodata must be 0 to 1: " + maxNoData);
    }
    if (!(backgroundKeep >= 0 && backgroundKeep <= 1)) {
      throw new IllegalArgumentException("--background-keep must be 0 to 1: " + backgroundKeep);
    }
    if (minClassPixels < 1) {
      throw new IllegalArgumentException(
          "--min-class-pixels must be at least 1: " + minClassPixels);
    }
    if (image == null || image.toString().isEmpty()) {
      throw new IllegalArgumentException("--image is empty: expected a GeoTIFF");
    }
    if (out == null || out.toString().isEmpty()) {
      throw new IllegalArgumentException("--out is empty: expected a folder");
    }
  }

  /** A request with the defaults: all bands, Huffman/Deflate, level 6, a thread per processor. */
  public static Builder builder(Path image, int size, Path out) {
    return new Builder(image, size, out);
  }

  /** A request cutting a band stack, with the defaults of {@link #builder(Path, int, Path)}. */
  public static Builder builder(BandStack image, int size, Path out) {
    Builder b = new Builder(image.name(), size, out);
    b.imageStack = image;
    return b;
  }

  /** Opens the image: the band stack, else the GeoTIFF or VRT file; close it after use. */
  public SceneRaster openImage() throws GeoTiffException {
    return imageStack != null ? imageStack.open() : SceneRaster.open(image);
  }

  /** Builds a {@link ChipExportRequest}. */
  public static final class Builder {
    private final Path image;
    private final int size;
    private final Path out;
    private Path labels;
    private Integer stride;
    private Integer overlap;
    private int[] bands;
    private Double maxNoData;
    private int[] requiredClasses;
    private int minClassPixels = 1;
    private double backgroundKeep;
    private long seed;
    private Compression compression = Compression.AUTO;
    private int deflateLevel = 6;
    private int threads = Runtime.getRuntime().availableProcessors();
    private boolean overwrite;
    private BandStack imageStack;

    private Builder(Path image, int size, Path out) {
      this.image = image;
      this.size = size;
      this.out = out;
    }

    public Builder labels(Path labels) {
      this.labels = labels;
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

    /** Keep chips with at least {@code minPixels} of one of {@code classes}. */
    public Builder requiredClasses(int[] classes, int minPixels) {
      this.requiredClasses = classes == null ? null : classes.clone();
      this.minClassPixels = minPixels;
      return this;
    }

    /** Keep a share of the other chips, sampled from {@code seed}. */
    public Builder backgroundKeep(double share, long seed) {
      this.backgroundKeep = share;
      this.seed = seed;
      return this;
    }

    public Builder compression(Compression compression, int deflateLevel) {
      this.compression = compression;
      this.deflateLevel = deflateLevel;
      return this;
    }

    public Builder threads(int threads) {
      this.threads = threads;
      return this;
    }

    public Builder overwrite(boolean overwrite) {
      this.overwrite = overwrite;
      return this;
    }

    public ChipExportRequest build() {
      return new ChipExportRequest(
          image,
          labels,
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
          threads,
          out,
          overwrite,
          imageStack);
    }
  }
}

package dev.landcover.geo;

import dev.landcover.pixels.ChipPlan;
import dev.landcover.pixels.PixelWindow;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.Map;
import java.util.Queue;
import java.util.SortedMap;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.Consumer;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/**
 * Cuts an image raster, and optionally a label raster on the same grid, into square chips for
 * training or inference.
 *
 * <p>The chips follow a {@link ChipPlan}: the whole raster is covered, the last row and column are
 * shifted back inside, and a raster smaller than one chip yields one chip padded with nodata.
 * {@link #stream()} reads the rasters one row of chips at a time (one window read per row, chips
 * cut from it in memory), so memory holds one strip of the scene whatever its size. A chip's pixels
 * are not copied: they stay in the strip (and its validity mask) until asked for as a {@link
 * RasterWindow#raster() raster}, so a chip held keeps its whole strip in memory; consumers that
 * keep many chips keep {@code chip.image().crop(chip.window())} (a copy) instead.
 *
 * <p>Filters, applied in this order: first the class filter: with required classes, a chip that has
 * fewer than the minimum pixels of every required class is "background" and is kept only with the
 * background-keep probability, decided from the seed and the chip index alone, so a run is
 * reproducible whatever the order or threads; then the nodata filter: chips whose image nodata
 * fraction is above the maximum are dropped (by default only chips with no valid pixel). A chip
 * dropped by the class filter is not checked for nodata, so a chip failing both filters is counted
 * under {@link DropReason#BACKGROUND}, and the image strip of a chip row is read only once a chip
 * of the row passes the class filter.
 *
 * <pre>{@code
 * try (GeoTiffRaster image = GeoTiffRaster.open(img); GeoTiffRaster labels = GeoTiffRaster.open(lbl)) {
 *   ChipGenerator chips = ChipGenerator.builder(image).labels(labels).chipSize(256).overlap(128).build();
 *   chips.stream().forEach(chip -> ...);
 * }
 * }</pre>
 */
public final class ChipGenerator {
  /** Why a chip of the plan was not produced. */
  public enum DropReason {
    /** More nodata than the maximum fraction (or no valid pixel at all). */
    NODATA,
    /** No required class with enough pixels, and not sampled as background to keep. */
    BACKGROUND
  }

  private final SceneRaster image;
  private final SceneRaster labels;
  private final ChipPlan plan;
  private final int[] bands;
  private final double maxNoDataFraction;
  private final int[] requiredClasses;
  private final int minClassPixels;
  private final double backgroundKeep;
  private final long seed;
  private final AtomicLongArray dropped = new AtomicLongArray(DropReason.values().length);

  /** Chips of a {@link #recyclingStream} not yet released, by their image window (identity). */
  private final Map<RasterWindow, StripLease> leases = new ConcurrentHashMap<>();

  /** Image strips whose chips have all been released, to be read into again (a few at most). */
  private final Queue<RasterWindow> freeStrips = new ConcurrentLinkedQueue<>();

  private static final int FREE_STRIPS = 2;

  private ChipGenerator(Builder b) {
    this.image = b.image;
    this.labels = b.labels;
    this.plan = b.plan;
    this.bands = b.bands;
    this.maxNoDataFraction = b.maxNoDataFraction;
    this.requiredClasses = b.requiredClasses;
    this.minClassPixels = b.minClassPixels;
    this.backgroundKeep = b.backgroundKeep;
    this.seed = b.seed;
  }

  /** Starts a generator over {@code image}. */
  public static Builder builder(SceneRaster image) {
    return new Builder(image);
  }

  /** The windows that will be examined. */
  public ChipPlan plan() {
    return plan;
  }

  /** The 1-based image bands each chip holds. */
  public int[] bands() {
    return bands.clone();
  }

  /** Chips dropped so far by this generator's streams, by reason. */
  public Map<DropReason, Long> droppedCounts() {
    Map<DropReason, Long> counts = new EnumMap<>(DropReason.class);
    for (DropReason r : DropReason.values()) {
      counts.put(r, dropped.get(r.ordinal()));
    }
    return counts;
  }

  /**
   * The chips that pass the filters, in plan order, read lazily one row of chips at a time. Read
   * errors surface as {@link UncheckedIOException} wrapping the {@link GeoTiffException}.
   */
  public Stream<Chip> stream() {
    return StreamSupport.stream(new ChipSpliterator(false), false);
  }

  /**
   * As {@link #stream()}, but the image strip of a row of chips is read into the arrays of an
   * earlier strip once every chip cut from that one has been {@link #release released}: for a
   * consumer done with each chip after handling it (a chip writer), this spares allocating, and the
   * collector clearing, one strip per row of chips. The consumer must release each chip once, after
   * its last use of the chip's pixels, since they are overwritten afterwards; a chip never released
   * only keeps its strip from being reused.
   */
  public Stream<Chip> recyclingStream() {
    return StreamSupport.stream(new ChipSpliterator(true), false);
  }

  /**
   * Tells this generator that the consumer of a {@link #recyclingStream()} is done with {@code
   * chip}'s pixels (from any thread). Chips of {@link #stream()} need not be released; releasing
   * one does nothing.
   */
  public void release(Chip chip) {
    StripLease lease = leases.remove(chip.image());
    if (lease != null) {
      lease.releaseOne();
    }
  }

  /**
   * An image strip of a {@link #recyclingStream()} and the holds on it: one per chip handed out and
   * not released, plus the stream's own until it moves to the next row. The last hold released
   * gives the strip back for reuse.
   */
  private final class StripLease {
    private final RasterWindow strip;
    private final AtomicInteger holds = new AtomicInteger(1);

    StripLease(RasterWindow strip) {
      this.strip = strip;
    }

    void hold(RasterWindow chip) {
      holds.incrementAndGet();
      leases.put(chip, this);
    }

    void releaseOne() {
      if (holds.decrementAndGet() == 0 && freeStrips.size() < FREE_STRIPS) {
        freeStrips.offer(strip);
      }
    }
  }

  /** Whether the background chip {@code index} is kept, from the seed and index alone. */
  boolean keepBackground(int index) {
    if (backgroundKeep <= 0) {
      return false;
    }
    long z = seed * 0x9E3779B97F4A7C15L + index;
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    z = z ^ (z >>> 31);
    return (z >>> 11) * 0x1.0p-53 < backgroundKeep;
  }

  private SortedMap<Integer, Integer> countClasses(RasterWindow labelChip) {
    SortedMap<Integer, Integer> counts = new TreeMap<>();
    if (labelChip == null) {
      return counts;
    }
    PixelWindow w = labelChip.window();
    int[] values = labelChip.samplesAsInt(0);
    for (int i = 0; i < values.length; i++) {
      if (labelChip.isValid(i % w.width(), i / w.width())) {
        counts.merge(values[i], 1, Integer::sum);
      }
    }
    return counts;
  }

  private boolean hasRequiredClass(SortedMap<Integer, Integer> counts) {
    if (requiredClasses.length == 0) {
      return true;
    }
    for (int c : requiredClasses) {
      if (counts.getOrDefault(c, 0) >= minClassPixels) {
        return true;
      }
    }
    return false;
  }

  /** Walks the plan row by row, reading one strip of the rasters per row of chips. */
  private final class ChipSpliterator extends Spliterators.AbstractSpliterator<Chip> {
    private final boolean recycling;
    private int next;
    private int stripRow = -1;
    private RasterWindow imageStrip;
    private StripLease lease;
    private int[] imageStripValid;
    private RasterWindow labelStrip;

    ChipSpliterator(boolean recycling) {
      super(plan.size(), Spliterator.ORDERED | Spliterator.NONNULL);
      this.recycling = recycling;
    }

    @Override
    public boolean tryAdvance(Consumer<? super Chip> action) {
      try {
        while (next < plan.size()) {
          int index = next++;
          int row = index / plan.columns();
          if (row != stripRow) {
            readStrip(row);
          }
          PixelWindow window = plan.window(index);
          RasterWindow labelChip = labelStrip == null ? null : labelStrip.view(window, -1);
          SortedMap<Integer, Integer> counts = countClasses(labelChip);
          if (!hasRequiredClass(counts) && !keepBackground(index)) {
            dropped.incrementAndGet(DropReason.BACKGROUND.ordinal());
            continue;
          }
          if (imageStrip == null) {
            imageStrip = image.read(stripWindow(row), bands, recycling ? freeStrips.poll() : null);
            lease = recycling ? new StripLease(imageStrip) : null;
            image.releaseRowsAbove(plan.rowStart(row));
            imageStripValid = imageStrip.validPerColumn();
          }
          int valid = 0;
          for (int c = window.x(); c < window.endX(); c++) {
            valid += imageStripValid[c];
          }
          RasterWindow imageChip = imageStrip.view(window, valid);
          double nodata = imageChip.noDataFraction();
          if (imageChip.validCount() == 0 || nodata > maxNoDataFraction) {
            dropped.incrementAndGet(DropReason.NODATA.ordinal());
            continue;
          }
          if (lease != null) {
            lease.hold(imageChip);
          }
          action.accept(
              new Chip(index, window, image.grid().window(window), imageChip, labelChip, counts));
          return true;
        }
        leaveImageStrip();
        labelStrip = null;
        return false;
      } catch (GeoTiffException e) {
        throw new UncheckedIOException(e);
      }
    }

    private void leaveImageStrip() {
      if (lease != null) {
        lease.releaseOne();
        lease = null;
      }
      imageStrip = null;
      imageStripValid = null;
    }

    private PixelWindow stripWindow(int row) {
      int width = Math.max(plan.rasterWidth(), plan.chipSize());
      return new PixelWindow(0, plan.rowStart(row), width, plan.chipSize());
    }

    /** Reads the labels of a chip row now; the image only once a chip of the row passes. */
    private void readStrip(int row) throws GeoTiffException {
      stripRow = row;
      leaveImageStrip();
      labelStrip = labels == null ? null : labels.read(stripWindow(row), 1);
      if (labels != null) {
        labels.releaseRowsAbove(plan.rowStart(row));
      }
    }
  }

  /** Options of a {@link ChipGenerator}; {@link #chipSize} is required. */
  public static final class Builder {
    private final SceneRaster image;
    private SceneRaster labels;
    private int chipSize;
    private Integer stride;
    private Integer overlap;
    private int[] bands;
    private double maxNoDataFraction = 1.0;
    private int[] requiredClasses = new int[0];
    private int minClassPixels = 1;
    private double backgroundKeep;
    private long seed;
    private ChipPlan plan;

    private Builder(SceneRaster image) {
      this.image = image;
    }

    /** A label raster on the same grid as the image; its band 1 is used. */
    public Builder labels(SceneRaster labels) {
      this.labels = labels;
      return this;
    }

    /** Chip width and height in pixels (required). */
    public Builder chipSize(int size) {
      this.chipSize = size;
      return this;
    }

    /** Distance between chip origins (default: the chip size, no overlap). */
    public Builder stride(int stride) {
      this.stride = stride;
      return this;
    }

    /** Pixels shared by neighbouring chips (the stride is the chip size minus this). */
    public Builder overlap(int overlap) {
      this.overlap = overlap;
      return this;
    }

    /** 1-based image bands to keep, in order (default: all). */
    public Builder bands(int... bands) {
      this.bands = bands.clone();
      return this;
    }

    /** Drop chips with more nodata than this fraction, 0 to 1 (default 1: only empty chips). */
    public Builder maxNoDataFraction(double fraction) {
      if (!(fraction >= 0 && fraction <= 1)) {
        throw new IllegalArgumentException(
            "The maximum nodata fraction must be between 0 and 1: " + fraction);
      }
      this.maxNoDataFraction = fraction;
      return this;
    }

    /** Keep chips with at least {@code minPixels} pixels of one of {@code classes}. */
    public Builder requiredClasses(int[] classes, int minPixels) {
      if (minPixels < 1) {
        throw new IllegalArgumentException(
            "The minimum class pixel count must be at least 1: " + minPixels);
      }
      this.requiredClasses = classes.clone();
      this.minClassPixels = minPixels;
      return this;
    }

    /** Keep this fraction (0 to 1) of the chips without a required class, chosen by seed. */
    public Builder backgroundKeep(double fraction, long seed) {
      if (!(fraction >= 0 && fraction <= 1)) {
        throw new IllegalArgumentException(
            "The background fraction to keep must be between 0 and 1: " + fraction);
      }
      this.backgroundKeep = fraction;
      this.seed = seed;
      return this;
    }

    /**
     * Checks the options and the rasters.
     *
     * @throws IllegalArgumentException for an option out of range, naming it
     * @throws GeoTiffException when the label grid differs from the image grid
     */
    public ChipGenerator build() throws GeoTiffException {
      if (stride != null && overlap != null) {
        throw new IllegalArgumentException("Give a stride or an overlap, not both");
      }
      if (chipSize <= 0) {
        throw new IllegalArgumentException("Chip size must be positive: chipSize=" + chipSize);
      }
      plan =
          overlap != null
              ? ChipPlan.withOverlap(image.width(), image.height(), chipSize, overlap)
              : ChipPlan.withStride(
                  image.width(), image.height(), chipSize, stride == null ? chipSize : stride);
      if (bands == null) {
        bands = image.dataBands();
      }
      if (bands.length == 0) {
        throw new IllegalArgumentException("At least one band is needed");
      }
      for (int b : bands) {
        if (b < 1 || b > image.bandCount()) {
          throw new IllegalArgumentException(
              "Band "
                  + b
                  + " does not exist in "
                  + image.file()
                  + ": it has bands 1 to "
                  + image.bandCount());
        }
      }
      if (requiredClasses.length > 0 && labels == null) {
        throw new IllegalArgumentException("Required classes need a label raster");
      }
      if (labels != null && !labels.grid().sameGrid(image.grid())) {
        RasterGrid g = image.grid();
        GeoTransform t = g.transform();
        throw new GeoTiffException(
            labels.file(),
            "the label grid ("
                + labels.grid().describe()
                + ") differs from the grid of "
                + image.file()
                + " ("
                + g.describe()
                + ")",
            "resample the labels onto the image grid: gdalwarp -r near -t_srs "
                + g.crsLabel()
                + " -te "
                + Math.min(t.worldX(0, 0), t.worldX(g.width(), g.height()))
                + " "
                + Math.min(t.worldY(0, 0), t.worldY(g.width(), g.height()))
                + " "
                + Math.max(t.worldX(0, 0), t.worldX(g.width(), g.height()))
                + " "
                + Math.max(t.worldY(0, 0), t.worldY(g.width(), g.height()))
                + " -ts "
                + g.width()
                + " "
                + g.height()
                + " labels.tif labels_on_image_grid.tif");
      }
      return new ChipGenerator(this);
    }

    @Override
    public String toString() {
      return "ChipGenerator.Builder[chipSize="
          + chipSize
          + ", bands="
          + Arrays.toString(bands)
          + "]";
    }
  }
}

package dev.landcover.geo;

import dev.landcover.pixels.PixelWindow;
import java.util.Collections;
import java.util.SortedMap;

/**
 * One chip cut from a scene: the image bands, the label band when there is one, where it lies, and
 * how much of it is real data. Chips from a {@link ChipGenerator} share the pixels of the strip
 * they were cut from (see there).
 *
 * @param index the chip's number in its {@link dev.landcover.pixels.ChipPlan} (row-major)
 * @param window the chip's window in the source's pixel coordinates (may reach past the source)
 * @param grid the chip's own georeferencing: the source grid shifted to the window
 * @param image the image bands, in the source's sample type
 * @param labels the label band, or null without labels
 * @param classCounts label value to number of pixels, over pixels inside the source that are not
 *     label nodata (empty without labels)
 */
public record Chip(
    int index,
    PixelWindow window,
    RasterGrid grid,
    RasterWindow image,
    RasterWindow labels,
    SortedMap<Integer, Integer> classCounts) {

  /** Makes the class counts unmodifiable. */
  public Chip {
    classCounts = Collections.unmodifiableSortedMap(classCounts);
  }

  /** The image bands as float, channels first (see {@link RasterWindow#toFloatChw()}). */
  public float[] imageChw() {
    return image.toFloatChw();
  }

  /**
   * The label band as int, row-major; pixels outside the source hold the label nodata value (0
   * without one).
   */
  public int[] labelArray() {
    if (labels == null) {
      throw new IllegalStateException("Chip " + index + " has no labels");
    }
    return labels.samplesAsInt(0);
  }

  /** Which pixels are real image data (see {@link RasterWindow#isValid}), row-major. */
  public boolean[] validMask() {
    return image.validMask();
  }

  /** Fraction of the chip's pixels that are not real image data. */
  public double noDataFraction() {
    return image.noDataFraction();
  }
}

package dev.landcover.geo;

/**
 * How the overviews of a Cloud-Optimized GeoTIFF are computed, with GDAL's rules ({@code gdaladdo
 * -r mode} / {@code -r nearest} / {@code -r average}, GDAL 3.6): each level halves the one above
 * (sizes rounded up, {@code ceil(width / 2^k)}), and is computed from the level above, not from
 * full resolution, as gdaladdo does. When a size is odd the source window of an overview pixel is
 * {@code [floor(i * r), ceil((i + 1) * r))} with {@code r = source size / overview size} (a little
 * under 2). Nodata pixels are left out; an overview pixel whose sources are all nodata is nodata.
 */
public enum OverviewResampling {
  /**
   * The most frequent value of the source window (ties go to the value that first reaches the
   * highest count, scanning rows top to bottom, left to right): for class maps. Unlike nearest
   * neighbour, which keeps one source pixel in four, a class present in a window keeps its pixels
   * when it is the majority of that window.
   */
  MODE,
  /**
   * One source pixel per overview pixel, taken from the level above: column {@code (int) (0.5 + i *
   * r)} of row {@code (int) (0.5 + j * r)}, {@code r = source size / overview size} per axis,
   * clamped to the last one (the top left pixel of each 2 x 2 block when sizes are even), as GDAL
   * 3.6's {@code gdaladdo -r nearest}: for class maps, where every overview pixel is a class that
   * is really there, at the cost of small classes flickering in and out between levels.
   */
  NEAREST,
  /**
   * The mean of the source window, source pixels weighted by the part of them inside the window (1
   * when sizes are even); integers rounded half up: for probabilities and confidence.
   */
  AVERAGE
}

package dev.landcover.workflows;

import dev.landcover.geo.BandStack;
import dev.landcover.geo.GeoTiffRaster;
import dev.landcover.geo.RasterAligner;
import dev.landcover.geo.RasterGrid;
import dev.landcover.geo.Resampling;
import dev.landcover.geo.SceneRaster;
import dev.landcover.pixels.InvalidInputException;
import dev.landcover.pixels.PixelWindow;
import dev.landcover.pixels.support.AtomicFiles;
import dev.landcover.pixels.support.Numbers;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Label (or reference) rasters brought onto their image's grid: a raster already on it (same size,
 * geotransform and CRS, {@link RasterGrid#sameGrid}) is used as it is; one on another grid (another
 * CRS, origin, pixel size or size) is resampled onto it by {@link RasterAligner} with {@link
 * Resampling#NEAREST} (gdalwarp {@code -r near}'s rules, as {@code landcover align}) into a
 * temporary GeoTIFF, with a one-line warning to the listener saying what was done; labels that
 * cover no pixel of the image are refused. {@link #close} deletes the temporary files.
 */
final class AlignedLabels implements AutoCloseable {
  private final Path dir;
  private final List<Path> labels;

  private AlignedLabels(Path dir, List<Path> labels) {
    this.dir = dir;
    this.labels = List.copyOf(labels);
  }

  /**
   * Brings {@code labels.get(i)} onto the grid of {@code images.get(i)} (a GeoTIFF or VRT, or the
   * band stack {@code stacks} gives for that path).
   *
   * @param what what the labels are, for the warning ("labels", "reference")
   * @throws IllegalArgumentException when the lists differ in length
   * @throws IOException when a raster cannot be read or the CRSs cannot be related
   */
  static AlignedLabels onImageGrids(
      List<Path> images,
      Map<Path, BandStack> stacks,
      List<Path> labels,
      String what,
      ProgressListener listener)
      throws IOException {
    if (images.size() != labels.size()) {
      throw new IllegalArgumentException(
          images.size()
              + " images but "
              + labels.size()
              + " "
              + what
              + " rasters: give one per image, in the same order");
    }
    Path dir = null;
    List<Path> out = new ArrayList<>();
    try {
      for (int i = 0; i < images.size(); i++) {
        BandStack stack = stacks.get(images.get(i));
        try (SceneRaster image = stack != null ? stack.open() : SceneRaster.open(images.get(i));
            GeoTiffRaster label = GeoTiffRaster.open(labels.get(i))) {
          if (label.grid().sameGrid(image.grid())) {
            out.add(labels.get(i));
            continue;
          }
          if (dir == null) {
            dir = Files.createTempDirectory("landcover-aligned-labels");
          }
          Path target = dir.resolve("aligned-" + i + ".tif");
          RasterAligner.align(label, image.grid(), Resampling.NEAREST, target, false);
          if (!anyValid(target)) {
            throw new InvalidInputException(
                labels.get(i)
                    + ": no "
                    + what
                    + " pixel falls on "
                    + images.get(i)
                    + " (its grid: "
                    + label.grid().describe()
                    + "; the image's: "
                    + image.grid().describe()
                    + "): give the "
                    + what
                    + " of this image");
          }
          listener.warning(note(what, labels.get(i), label.grid(), images.get(i), image.grid()));
          out.add(target);
        }
      }
    } catch (IOException | RuntimeException e) {
      if (dir != null) {
        AtomicFiles.deleteTree(dir);
      }
      throw e;
    }
    return new AlignedLabels(dir, out);
  }

  /** Whether {@code file} holds a valid (not nodata) pixel, read strip by strip. */
  private static boolean anyValid(Path file) throws IOException {
    try (GeoTiffRaster r = GeoTiffRaster.open(file)) {
      for (int y = 0; y < r.height(); y += 256) {
        PixelWindow w = new PixelWindow(0, y, r.width(), Math.min(256, r.height() - y));
        if (r.read(w, 1).validCount() > 0) {
          return true;
        }
      }
    }
    return false;
  }

  private static String note(String what, Path labels, RasterGrid from, Path image, RasterGrid to) {
    return String.format(
        Locale.ROOT,
        "%s %s are on another grid than %s: resampled (nearest, as gdalwarp -r near) from %s,"
            + " %s x %s to %s, %s x %s (%d x %d px)",
        what,
        labels,
        image,
        from.crsLabel(),
        size(from.transform().pixelWidth()),
        size(from.transform().pixelHeight()),
        to.crsLabel(),
        size(to.transform().pixelWidth()),
        size(to.transform().pixelHeight()),
        to.width(),
        to.height());
  }

  /** A pixel size in CRS units, to a thousandth. */
  private static String size(double v) {
    return Numbers.compact(Math.round(Math.abs(v) * 1000) / 1000.0);
  }

  /** The label rasters on their image's grid, one per image, in order. */
  List<Path> labels() {
    return labels;
  }

  /** Deletes the resampled rasters. */
  @Override
  public void close() throws IOException {
    if (dir != null) {
      AtomicFiles.deleteTree(dir);
    }
  }
}

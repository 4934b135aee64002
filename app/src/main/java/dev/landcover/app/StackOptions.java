package dev.landcover.app;

import dev.landcover.geo.BandStack;
import dev.landcover.geo.Resampling;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * Options of band stacks, shared by {@code chips}, {@code train}, {@code predict} and {@code spark
 * predict}: an image or scene given as a comma-separated list of files ({@code
 * B02.tif,B03.tif,...}) is one scene of their bands in order.
 */
final class StackOptions {
  @Option(
      names = "--band-resampling",
      paramLabel = "METHOD",
      description =
          "For a band stack (FILE,FILE,...): how bands on another grid are resampled onto the"
              + " stack's grid, with gdalwarp's rules: nearest (default, as gdalbuildvrt and"
              + " gdalwarp), bilinear, cubic, average or mode.")
  String resampling = "nearest";

  @Option(
      names = "--grid-band",
      paramLabel = "N",
      description =
          "For a band stack: the band (1-based) whose file's grid the stack takes (default: the"
              + " finest grid).")
  int gridBand;

  /**
   * The band stack {@code text} names: a comma-separated list of files, unless a file of that very
   * name exists; null for a single file (a GeoTIFF or VRT).
   */
  BandStack stackOf(String text) {
    if (!BandStack.isList(text) || Files.exists(Path.of(text))) {
      return null;
    }
    return BandStack.parse(text).withResampling(resampling()).withGridBand(gridBand);
  }

  /** The {@code --band-resampling} method. */
  Resampling resampling() {
    return Resampling.parse(resampling);
  }
}

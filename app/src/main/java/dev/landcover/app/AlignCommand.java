package dev.landcover.app;

import dev.landcover.geo.GeoTiffRaster;
import dev.landcover.geo.RasterAligner;
import dev.landcover.geo.Resampling;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code landcover align SRC --like IMAGE --out OUT.tif}: a raster resampled onto a grid. */
@Command(
    name = "align",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Resample a raster onto the grid of another (its CRS, origin, pixel size and size), as"
          + " gdalwarp does: labels onto an image's grid, bands onto a common grid.",
      "The output keeps the source's sample type, bands and nodata; pixels with no source value"
          + " hold the nodata value (0 without one)."
    })
final class AlignCommand implements Callable<Integer> {
  @Parameters(paramLabel = "SRC", description = "The GeoTIFF to resample.")
  Path source;

  @Option(
      names = "--like",
      required = true,
      paramLabel = "IMAGE",
      description = "A GeoTIFF whose grid the output takes.")
  Path like;

  @Option(names = "--out", required = true, paramLabel = "OUT", description = "The output GeoTIFF.")
  Path out;

  @Option(
      names = "--resampling",
      paramLabel = "METHOD",
      defaultValue = "nearest",
      description =
          "nearest (default; classes), bilinear, cubic (not for downsampling), average, or mode"
              + " (classes, downsampling): gdalwarp's -r methods.")
  String resampling;

  @Option(names = "--overwrite", description = "Replace OUT if it exists.")
  boolean overwrite;

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    Resampling method = Resampling.parse(resampling);
    if (out.toString().isBlank()) {
      throw new IllegalArgumentException("--out must name a file");
    }
    if (Files.exists(out) && !overwrite) {
      throw new IllegalArgumentException(out + " already exists: add --overwrite to replace it");
    }
    try (GeoTiffRaster src = GeoTiffRaster.open(source);
        GeoTiffRaster grid = GeoTiffRaster.open(like)) {
      RasterAligner.align(src, grid.grid(), method, out, overwrite);
      spec.commandLine()
          .getOut()
          .printf(
              "Wrote %s: %s resampled (%s) onto the grid of %s (%s)%n",
              out, source, method.gdalName(), like, grid.grid().describe());
    }
    return ExitCodes.OK;
  }
}

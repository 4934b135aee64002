package dev.landcover.app;

import dev.landcover.vectors.LabelRasterizer;
import dev.landcover.vectors.RasterizeRequest;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code landcover labels}: label rasters from other sources. */
@Command(
    name = "labels",
    mixinStandardHelpOptions = true,
    description = "Make label rasters from other sources.",
    subcommands = {LabelsCommand.Rasterize.class})
final class LabelsCommand implements Runnable {
  @Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /** {@code landcover labels rasterize}: polygons to labels on an image's grid. */
  @Command(
      name = "rasterize",
      mixinStandardHelpOptions = true,
      sortOptions = false,
      description = {
        "Burn polygons (GeoPackage or GeoJSON) into a label raster on the grid of an image, as"
            + " gdal_rasterize -a FIELD does: a pixel takes a polygon's value when its centre is"
            + " inside (with --all-touched, also when the outline passes through it); later"
            + " features win. The polygons are reprojected to the image's CRS. Pixels no polygon"
            + " covers are nodata."
      })
  static final class Rasterize implements Callable<Integer> {
    @Option(
        names = "--vector",
        required = true,
        paramLabel = "FILE",
        description = "The polygons: .gpkg or .geojson (a Shapefile: convert it with ogr2ogr).")
    Path vector;

    @Option(names = "--layer", paramLabel = "L", description = "The layer (default: the only one).")
    String layer;

    @Option(
        names = "--field",
        required = true,
        paramLabel = "F",
        description = "The integer attribute holding the class (0 to 65535).")
    String field;

    @Option(
        names = "--like",
        required = true,
        paramLabel = "IMAGE",
        description = "The image whose grid (size, geotransform, CRS) the labels take.")
    Path like;

    @Option(names = "--out", required = true, paramLabel = "LABELS", description = "The labels.")
    Path out;

    @Option(
        names = "--all-touched",
        description =
            "Also burn every pixel a polygon's outline passes through (gdal_rasterize -at).")
    boolean allTouched;

    @Option(
        names = "--nodata",
        paramLabel = "V",
        defaultValue = "0",
        description = "The value of pixels no polygon covers (default: ${DEFAULT-VALUE}).")
    int noData;

    @Spec CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
      LabelRasterizer.Result r =
          LabelRasterizer.rasterize(
              new RasterizeRequest(vector, layer, field, like, out, allTouched, noData));
      spec.commandLine()
          .getOut()
          .printf(
              Locale.ROOT,
              "%s: %,d polygons burnt, %,d of %,d pixels labelled (grid %s)%n",
              r.out(),
              r.features(),
              r.labelledPixels(),
              (long) r.grid().width() * r.grid().height(),
              r.grid().describe());
      return 0;
    }
  }
}

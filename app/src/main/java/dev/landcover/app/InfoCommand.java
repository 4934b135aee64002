package dev.landcover.app;

import dev.landcover.geo.BandStack;
import dev.landcover.geo.GeoTiffRaster;
import dev.landcover.geo.GeoTransform;
import dev.landcover.geo.RasterGrid;
import dev.landcover.geo.SceneRaster;
import dev.landcover.networks.ModelBundle;
import dev.landcover.pixels.support.AtomicFiles;
import dev.landcover.pixels.support.Numbers;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.OptionalDouble;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code landcover info FILE}: what the reader sees in a GeoTIFF, the facts gdalinfo shows. */
@Command(
    name = "info",
    mixinStandardHelpOptions = true,
    description =
        "Describe a GeoTIFF, a GDAL VRT or a band stack FILE,FILE,... (size, bands and their"
            + " descriptions, sample type, nodata, CRS, geotransform) or a model bundle.")
final class InfoCommand implements Callable<Integer> {
  @Parameters(
      paramLabel = "FILE",
      description = "A GeoTIFF, a GDAL VRT, a band stack FILE,FILE,... or a model bundle.")
  Path file;

  @Mixin StackOptions stackOptions;

  @Option(names = "--wkt", description = "Print the CRS as WKT 2.")
  boolean wkt;

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    if (ModelBundle.isBuiltIn(file)
        || Files.isRegularFile(file.resolve("model.json"))
        || file.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".zip")) {
      Path scratch = Files.createTempDirectory("landcover-bundle");
      try {
        out.print(ModelBundle.load(file, scratch).bundle().describe());
      } finally {
        AtomicFiles.deleteTree(scratch);
      }
      return ExitCodes.OK;
    }
    BandStack stack = stackOptions.stackOf(file.toString());
    try (SceneRaster r = stack != null ? stack.open() : SceneRaster.open(file)) {
      RasterGrid g = r.grid();
      GeoTransform t = g.transform();
      out.printf("File:         %s%n", file);
      if (r instanceof GeoTiffRaster tiff) {
        out.printf("Format:       GeoTIFF%s%n", tiff.isBigTiff() ? " (BigTIFF)" : "");
      } else {
        out.printf(
            "Format:       %s%n",
            stack != null ? "band stack of " + stack.files().size() + " files" : "GDAL VRT");
      }
      out.printf(
          "Size:         %d x %d pixels, %d band%s%n",
          r.width(), r.height(), r.bandCount(), r.bandCount() == 1 ? "" : "s");
      out.printf("Sample type:  %s%n", r.sampleType().gdalName());
      if (r instanceof GeoTiffRaster tiff) {
        out.printf("Compression:  %s%n", tiff.compression());
      }
      boolean sameNoData = true;
      for (int b = 2; b <= r.bandCount(); b++) {
        sameNoData &= r.noData(b).equals(r.noData(1));
      }
      OptionalDouble nd = r.noData(1);
      out.printf(
          "NoData:       %s%n",
          !sameNoData
              ? "per band (below)"
              : nd.isPresent() ? Numbers.compact(nd.getAsDouble()) + " (all bands)" : "none");
      if (!r.bandDescriptions().isEmpty() || !sameNoData) {
        out.println("Bands:");
        for (int b = 1; b <= r.bandCount(); b++) {
          String d = r.bandDescriptions().isEmpty() ? "" : r.bandDescriptions().get(b - 1);
          OptionalDouble bandNoData = r.noData(b);
          out.printf(
              "  Band %d: %s%s%n",
              b,
              d.isEmpty() ? "(no description)" : d,
              sameNoData || bandNoData.isEmpty()
                  ? ""
                  : ", nodata " + Numbers.compact(bandNoData.getAsDouble()));
        }
      }
      if (r instanceof GeoTiffRaster tiff) {
        out.printf(
            "Mask:         %s%n",
            tiff.mask().map(m -> m + "; masked pixels are nodata").orElse("none"));
      }
      String name = g.crsName().orElse("");
      out.printf(
          "CRS:          %s%s%n",
          g.crsLabel(), name.isEmpty() || g.crsLabel().equals(name) ? "" : " (" + name + ")");
      out.printf(
          "Origin:       (%s, %s)  upper-left corner of pixel (0, 0)%n",
          format(t.originX()), format(t.originY()));
      out.printf("Pixel size:   (%s, %s)%n", format(t.pixelWidth()), format(t.pixelHeight()));
      out.printf(
          "GeoTransform: %s, %s, %s, %s, %s, %s%n",
          format(t.originX()),
          format(t.pixelWidth()),
          format(t.rowRotation()),
          format(t.originY()),
          format(t.columnRotation()),
          format(t.pixelHeight()));
      out.println("Corner coordinates:");
      corner(out, "Upper left", t, 0, 0);
      corner(out, "Lower left", t, 0, r.height());
      corner(out, "Upper right", t, r.width(), 0);
      corner(out, "Lower right", t, r.width(), r.height());
      corner(out, "Center", t, r.width() / 2.0, r.height() / 2.0);
      if (wkt && g.crs().isPresent()) {
        out.println("Coordinate system:");
        out.println(g.crsWkt());
      }
    }
    return ExitCodes.OK;
  }

  private static void corner(PrintWriter out, String name, GeoTransform t, double c, double r) {
    out.printf("  %-12s (%s, %s)%n", name, format(t.worldX(c, r)), format(t.worldY(c, r)));
  }

  /** A coordinate as gdalinfo prints it: integers with one decimal, others to 9 digits. */
  static String format(double v) {
    if (v == Math.rint(v) && Math.abs(v) < 1e15) {
      return String.format(Locale.ROOT, "%.1f", v);
    }
    return String.format(Locale.ROOT, "%.9g", v).replaceAll("0+$", "").replaceAll("\\.$", ".0");
  }
}

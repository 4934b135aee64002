package dev.landcover.app;

import dev.landcover.vectors.VectorizeRequest;
import dev.landcover.vectors.Vectorizer;
import dev.landcover.workflows.ClassListFile;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code landcover vectorize}: a class map to polygons (GeoPackage or GeoJSON). */
@Command(
    name = "vectorize",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Turn a class map into polygons: one per 4-connected patch of a class (as gdal_polygonize.py),"
          + " or per 8-connected patch with --connectivity 8 (as gdal_polygonize.py -8), with the"
          + " class id and name, in the map's CRS. Nodata pixels are left out.",
      "The map is streamed by strips of rows: memory does not grow with its size (except with"
          + " --simplify, which holds the polygons)."
    })
final class VectorizeCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "MAP", description = "The class map GeoTIFF.")
  Path map;

  @Option(
      names = "--out",
      required = true,
      paramLabel = "FILE",
      description = "The .gpkg or .geojson file to write (one layer named after the file).")
  Path out;

  @Option(
      names = "--min-area",
      paramLabel = "AREA",
      description =
          "Minimum mapping unit in square map units (m² for UTM): smaller patches are merged into"
              + " their largest neighbour first (default: none).")
  double minArea;

  @Option(
      names = "--sieve",
      paramLabel = "N",
      description =
          "The same in pixels: patches of fewer than N pixels are merged (default: none).")
  long sieve;

  @Option(
      names = "--simplify",
      paramLabel = "TOLERANCE",
      description =
          "Simplify the boundaries with this distance tolerance (map units), each shared boundary"
              + " once, keeping a valid coverage: no gaps, no overlaps (default: none, pixel edges).")
  double simplify;

  @Option(
      names = "--connectivity",
      paramLabel = "4|8",
      defaultValue = "4",
      description =
          "4: pixels of a class touching only at a corner are separate polygons (default); 8: they"
              + " are one patch, written as a MultiPolygon of its 4-connected parts (valid OGC"
              + " geometry). --min-area/--sieve count patches and neighbours the same way.")
  int connectivity;

  @Option(
      names = "--classes",
      paramLabel = "FILE",
      description =
          "JSON list of {\"id\", \"name\"}: the class names (default: the map's .aux.xml names, else"
              + " \"class N\").")
  Path classesFile;

  @Option(names = "--overwrite", description = "Replace an existing output file.")
  boolean overwrite;

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    Vectorizer.Result r =
        Vectorizer.vectorize(
            new VectorizeRequest(
                map,
                out,
                minArea,
                sieve,
                simplify,
                classesFile == null ? null : ClassListFile.read(classesFile),
                overwrite,
                connectivity));
    PrintWriter o = spec.commandLine().getOut();
    o.printf(Locale.ROOT, "%s: %,d polygons%n", r.out(), r.polygons());
    if (r.mergedPatches() > 0) {
      o.printf(Locale.ROOT, "Patches merged into a neighbour: %,d%n", r.mergedPatches());
    }
    o.printf(Locale.ROOT, "%-6s %14s %18s%n", "class", "pixels", "polygon area");
    for (Map.Entry<Integer, Long> e : r.pixelsPerClass().entrySet()) {
      o.printf(
          Locale.ROOT,
          "%-6d %,14d %,18.1f%n",
          e.getKey(),
          e.getValue(),
          r.areaPerClass().getOrDefault(e.getKey(), 0.0));
    }
    return 0;
  }
}

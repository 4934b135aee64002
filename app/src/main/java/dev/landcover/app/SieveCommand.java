package dev.landcover.app;

import dev.landcover.vectors.Vectorizer;
import dev.landcover.workflows.ClassListFile;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code landcover sieve}: the raster form of the minimum mapping unit. */
@Command(
    name = "sieve",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Remove small patches from a class map: every 4-connected (or 8-connected) patch of fewer"
          + " than N pixels takes the class of its largest neighbouring patch (smallest patches"
          + " first). Nodata stays. The same rule as vectorize --sieve."
    })
final class SieveCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "MAP", description = "The class map GeoTIFF.")
  Path map;

  @Option(
      names = "--sieve",
      required = true,
      paramLabel = "N",
      description = "Patches of fewer than N pixels are merged.")
  long pixels;

  @Option(
      names = "--out",
      required = true,
      paramLabel = "SIEVED",
      description = "The map to write.")
  Path out;

  @Option(
      names = "--connectivity",
      paramLabel = "4|8",
      defaultValue = "4",
      description =
          "4: pixels touching only at a corner are separate patches (default); 8: pixels of a class"
              + " touching at a corner are one patch, and of different classes neighbours.")
  int connectivity;

  @Option(
      names = "--classes",
      paramLabel = "FILE",
      description = "JSON list of {\"id\", \"name\"}: class names (default: the map's .aux.xml).")
  Path classesFile;

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    long merged =
        Vectorizer.sieve(
            map,
            pixels,
            out,
            classesFile == null ? null : ClassListFile.read(classesFile),
            connectivity);
    spec.commandLine()
        .getOut()
        .printf(Locale.ROOT, "%s: %,d patches merged into a neighbour%n", out, merged);
    return 0;
  }
}

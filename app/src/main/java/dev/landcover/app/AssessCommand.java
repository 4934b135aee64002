package dev.landcover.app;

import dev.landcover.pixels.ConfusionMatrix;
import dev.landcover.workflows.ClassCrosswalk;
import dev.landcover.workflows.ClassListFile;
import dev.landcover.workflows.MapComparison;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code landcover assess}: accuracy of a class map against a reference map. */
@Command(
    name = "assess",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Compare a predicted class map with a reference map: confusion matrix,"
          + " overall accuracy, Cohen's kappa, per-class precision (user's accuracy), recall"
          + " (producer's accuracy), F1 and IoU, macro averages and mean IoU.",
      "Pixels that are nodata in either map are left out. With --out REPORT: REPORT.json,"
          + " REPORT.csv and REPORT.png (the confusion matrix as a heat map)."
    })
final class AssessCommand implements Callable<Integer> {
  @Option(
      names = "--prediction",
      required = true,
      paramLabel = "MAP",
      description = "The predicted class map.")
  Path prediction;

  @Option(
      names = "--reference",
      required = true,
      paramLabel = "REF",
      description =
          "The reference class map; on another grid, it is resampled onto the map's with nearest"
              + " (as gdalwarp -r near), with a note on stderr.")
  Path reference;

  @Option(
      names = "--classes",
      description =
          "JSON list of {\"id\", \"name\"[, \"color\"]}: the classes and their order (default: every value found).")
  Path classesFile;

  @Option(
      names = "--crosswalk",
      paramLabel = "SPEC",
      description =
          "Translate the prediction's class ids onto the reference's first: FROM=TO[,FROM=TO...]"
              + " (e.g. 1=2,4=1,2=3,5=4,6=8: Dynamic World's trees, crops, grass, shrub and scrub,"
              + " built onto the Slovenian labels' forest, cultivated, grassland, shrubland,"
              + " artificial) or a .json file {\"FROM\": TO, ...}. Several predicted classes may"
              + " map onto one; predicted classes not listed count as wrong (named in the report).")
  String crosswalk;

  @Option(
      names = "--out",
      paramLabel = "REPORT",
      description = "Write REPORT.json, REPORT.csv and REPORT.png.")
  Path out;

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    MapComparison.Assessment a =
        MapComparison.compare(
            prediction,
            reference,
            classesFile == null ? null : ClassListFile.read(classesFile),
            crosswalk == null ? null : ClassCrosswalk.parse(crosswalk),
            new ConsoleProgress(spec.commandLine().getOut(), spec.commandLine().getErr()));
    ConfusionMatrix m = a.matrix();
    long outside = a.leftOut();
    int[] classIds = m.classIds();
    PrintWriter o = spec.commandLine().getOut();
    o.printf(
        Locale.ROOT,
        "Pixels compared: %,d%s%n",
        m.total(),
        outside > 0
            ? String.format(Locale.ROOT, " (%,d of unlisted classes left out)", outside)
            : "");
    if (a.crosswalk() != null) {
      o.println("Crosswalk (predicted=reference): " + a.crosswalk());
      if (!a.unmatched().isEmpty()) {
        StringBuilder s = new StringBuilder();
        a.unmatched()
            .forEach(
                (id, n) ->
                    s.append(s.length() == 0 ? "" : ", ")
                        .append(String.format(Locale.ROOT, "%d (%,d px)", id, n)));
        o.println("Predicted classes not in the crosswalk, counted as wrong: " + s);
      }
    }
    o.printf(
        Locale.ROOT,
        "Overall accuracy: %.4f   Kappa: %.4f   Mean IoU: %.4f   Macro F1: %.4f%n",
        m.overallAccuracy(),
        m.kappa(),
        m.meanIou(),
        m.macroF1());
    o.printf(
        Locale.ROOT,
        "%-6s %-18s %10s %10s %10s %10s %12s%n",
        "class",
        "name",
        "precision",
        "recall",
        "F1",
        "IoU",
        "reference px");
    for (int i = 0; i < classIds.length; i++) {
      o.printf(
          Locale.ROOT,
          "%-6d %-18s %10.4f %10.4f %10.4f %10.4f %,12d%n",
          classIds[i],
          a.name(classIds[i]),
          m.precision(i),
          m.recall(i),
          m.f1(i),
          m.iou(i),
          m.support(i));
    }
    o.println("Confusion matrix (rows: reference, columns: prediction):");
    StringBuilder header = new StringBuilder(String.format(Locale.ROOT, "%8s", ""));
    for (int id : classIds) {
      header.append(String.format(Locale.ROOT, "%10d", id));
    }
    if (a.crosswalk() != null) {
      header.append(String.format(Locale.ROOT, "%10s", "unmatched"));
    }
    o.println(header);
    for (int i = 0; i < classIds.length; i++) {
      StringBuilder row = new StringBuilder(String.format(Locale.ROOT, "%8d", classIds[i]));
      for (int j = 0; j < classIds.length; j++) {
        row.append(String.format(Locale.ROOT, "%10d", m.count(i, j)));
      }
      if (a.crosswalk() != null) {
        row.append(String.format(Locale.ROOT, "%10d", m.unmatched(i)));
      }
      o.println(row);
    }
    if (out != null) {
      MapComparison.writeReport(a, out);
      o.println("Wrote " + out + ".json, .csv and .png");
    }
    return ExitCodes.OK;
  }
}

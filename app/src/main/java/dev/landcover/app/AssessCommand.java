package dev.landcover.app;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.landcover.core.chip.PixelWindow;
import dev.landcover.core.metrics.ConfusionMatrix;
import dev.landcover.geo.GeoTiffException;
import dev.landcover.geo.GeoTiffRaster;
import dev.landcover.geo.RasterWindow;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import javax.imageio.ImageIO;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code landcover assess}: accuracy of a class map against a reference on the same grid. */
@Command(
    name = "assess",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Compare a predicted class map with a reference map on the same grid: confusion matrix,"
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
      description = "The reference class map.")
  Path reference;

  @Option(
      names = "--classes",
      description =
          "JSON list of {\"id\", \"name\"[, \"color\"]}: the classes and their order (default: every value found).")
  Path classesFile;

  @Option(
      names = "--out",
      paramLabel = "REPORT",
      description = "Write REPORT.json, REPORT.csv and REPORT.png.")
  Path out;

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    Map<Integer, String> names = new TreeMap<>();
    if (classesFile != null) {
      ModelCommand.readClassesFile(classesFile).forEach(c -> names.put(c.id(), c.name()));
    }
    Map<Long, Long> pairs = new HashMap<>();
    try (GeoTiffRaster p = GeoTiffRaster.open(prediction);
        GeoTiffRaster r = GeoTiffRaster.open(reference)) {
      if (!p.grid().sameGrid(r.grid())) {
        throw new GeoTiffException(
            prediction,
            "its grid ("
                + p.grid().describe()
                + ") differs from the grid of "
                + reference
                + " ("
                + r.grid().describe()
                + ")",
            "resample one onto the other, e.g. gdalwarp -r near with the other's -te, -ts and -t_srs");
      }
      int strip = 256;
      for (int y = 0; y < p.height(); y += strip) {
        PixelWindow w = new PixelWindow(0, y, p.width(), Math.min(strip, p.height() - y));
        RasterWindow a = p.read(w, 1);
        RasterWindow b = r.read(w, 1);
        for (int row = 0; row < w.height(); row++) {
          for (int x = 0; x < w.width(); x++) {
            if (a.isValid(x, row) && b.isValid(x, row)) {
              long key = ((long) b.sample(0, x, row) << 20) | (long) a.sample(0, x, row);
              pairs.merge(key, 1L, Long::sum);
            }
          }
        }
      }
    }
    TreeSet<Integer> ids = new TreeSet<>(names.keySet());
    if (names.isEmpty()) {
      pairs
          .keySet()
          .forEach(
              k -> {
                ids.add((int) (k >> 20));
                ids.add((int) (k & 0xFFFFF));
              });
    }
    ConfusionMatrix m = new ConfusionMatrix(ids.stream().mapToInt(Integer::intValue).toArray());
    long outside = 0;
    for (Map.Entry<Long, Long> e : pairs.entrySet()) {
      int ref = (int) (e.getKey() >> 20);
      int pred = (int) (e.getKey() & 0xFFFFF);
      if (m.hasClass(ref) && m.hasClass(pred)) {
        m.add(ref, pred, e.getValue());
      } else {
        outside += e.getValue();
      }
    }
    if (m.total() == 0) {
      throw new IOException(
          prediction + " and " + reference + " share no valid pixel of the listed classes");
    }
    int[] classIds = m.classIds();
    PrintWriter o = spec.commandLine().getOut();
    o.printf(
        Locale.ROOT,
        "Pixels compared: %,d%s%n",
        m.total(),
        outside > 0
            ? String.format(Locale.ROOT, " (%,d of unlisted classes left out)", outside)
            : "");
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
          names.getOrDefault(classIds[i], "class " + classIds[i]),
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
    o.println(header);
    for (int i = 0; i < classIds.length; i++) {
      StringBuilder row = new StringBuilder(String.format(Locale.ROOT, "%8d", classIds[i]));
      for (int j = 0; j < classIds.length; j++) {
        row.append(String.format(Locale.ROOT, "%10d", m.count(i, j)));
      }
      o.println(row);
    }
    if (out != null) {
      write(m, names, out);
      o.println("Wrote " + out + ".json, .csv and .png");
    }
    return ExitCodes.OK;
  }

  private void write(ConfusionMatrix m, Map<Integer, String> names, Path report)
      throws IOException {
    int[] ids = m.classIds();
    ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    ObjectNode n = mapper.createObjectNode();
    n.put("prediction", prediction.toString());
    n.put("reference", reference.toString());
    n.put("pixels", m.total());
    n.put("overallAccuracy", m.overallAccuracy());
    n.put("kappa", m.kappa());
    n.put("meanIou", m.meanIou());
    n.put("macroPrecision", m.macroPrecision());
    n.put("macroRecall", m.macroRecall());
    n.put("macroF1", m.macroF1());
    ArrayNode classes = n.putArray("classes");
    ArrayNode matrix = n.putArray("confusionMatrix");
    StringBuilder csv = new StringBuilder("class,name,precision,recall,f1,iou,reference_pixels");
    for (int id : ids) {
      csv.append(",predicted_").append(id);
    }
    csv.append('\n');
    for (int i = 0; i < ids.length; i++) {
      String name = names.getOrDefault(ids[i], "class " + ids[i]);
      ObjectNode c = classes.addObject();
      c.put("id", ids[i]).put("name", name);
      putNumber(c, "precision", m.precision(i));
      putNumber(c, "recall", m.recall(i));
      putNumber(c, "f1", m.f1(i));
      putNumber(c, "iou", m.iou(i));
      c.put("referencePixels", m.support(i));
      ArrayNode row = matrix.addArray();
      csv.append(
          String.format(
              Locale.ROOT,
              "%d,%s,%s,%s,%s,%s,%d",
              ids[i],
              name,
              m.precision(i),
              m.recall(i),
              m.f1(i),
              m.iou(i),
              m.support(i)));
      for (int j = 0; j < ids.length; j++) {
        row.add(m.count(i, j));
        csv.append(',').append(m.count(i, j));
      }
      csv.append('\n');
    }
    Path dir = report.toAbsolutePath().getParent();
    Files.createDirectories(dir);
    mapper.writeValue(dir.resolve(report.getFileName() + ".json").toFile(), n);
    Files.writeString(dir.resolve(report.getFileName() + ".csv"), csv, StandardCharsets.UTF_8);
    heatMap(m, names, dir.resolve(report.getFileName() + ".png"));
  }

  private static void putNumber(ObjectNode node, String key, double value) {
    if (Double.isNaN(value)) {
      node.putNull(key);
    } else {
      node.put(key, value);
    }
  }

  /** The confusion matrix as a picture: cells shaded by their share of the reference row. */
  private static void heatMap(ConfusionMatrix m, Map<Integer, String> names, Path png)
      throws IOException {
    int[] ids = m.classIds();
    int cell = 64;
    int margin = 150;
    int size = margin + cell * ids.length + 20;
    BufferedImage image = new BufferedImage(size, size, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = image.createGraphics();
    g.setRenderingHint(
        RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
    g.setColor(Color.WHITE);
    g.fillRect(0, 0, size, size);
    g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
    for (int i = 0; i < ids.length; i++) {
      long row = m.support(i);
      String name = names.getOrDefault(ids[i], "class " + ids[i]);
      g.setColor(Color.BLACK);
      g.drawString(name, 8, margin + cell * i + cell / 2 + 4);
      g.drawString(name, margin + cell * i + 4, margin - 8);
      for (int j = 0; j < ids.length; j++) {
        double share = row == 0 ? 0 : (double) m.count(i, j) / row;
        int shade = (int) Math.round(255 * (1 - share));
        g.setColor(new Color(shade, shade, 255));
        g.fillRect(margin + cell * j, margin + cell * i, cell, cell);
        g.setColor(share > 0.5 ? Color.WHITE : Color.BLACK);
        g.drawString(
            String.format(Locale.ROOT, "%.2f", share),
            margin + cell * j + 16,
            margin + cell * i + cell / 2 + 4);
      }
    }
    g.setColor(Color.BLACK);
    g.drawString("reference (rows) vs prediction (columns), share of each reference class", 8, 16);
    g.dispose();
    ImageIO.write(image, "png", png.toFile());
  }
}

package dev.landcover.workflows;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.landcover.geo.GeoTiffException;
import dev.landcover.geo.GeoTiffRaster;
import dev.landcover.geo.RasterWindow;
import dev.landcover.pixels.ConfusionMatrix;
import dev.landcover.pixels.InvalidInputException;
import dev.landcover.pixels.LandcoverClass;
import dev.landcover.pixels.PixelWindow;
import dev.landcover.pixels.support.AtomicFiles;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import javax.imageio.ImageIO;

/**
 * Compares a predicted class map with a reference map (resampled onto its grid when on another):
 * the confusion matrix of the pixels valid in both (rows: reference, columns: prediction), from
 * which overall accuracy, kappa, per-class precision (user's accuracy), recall (producer's
 * accuracy), F1 and IoU follow.
 *
 * <p>With a {@link ClassCrosswalk}, the prediction's class ids are translated onto the reference's
 * first: a predicted class the crosswalk maps is counted as its target; one it does not list is
 * counted as unmatched ({@link ConfusionMatrix#addUnmatched}): wrong, lowering overall accuracy and
 * the recall and IoU of the reference class it falls on, and not a class of the means.
 */
public final class MapComparison {
  /**
   * A comparison's outcome.
   *
   * @param prediction the predicted map
   * @param reference the reference map
   * @param matrix the confusion matrix over the listed classes (or every value found)
   * @param names class names by id ("class ID" for unnamed ones)
   * @param leftOut pixels valid in both maps whose value (the reference's, or the prediction's
   *     after the crosswalk) is not among the listed classes
   * @param crosswalk the crosswalk applied to the prediction, or null for none
   * @param unmatched with a crosswalk: pixels by predicted class id (before the crosswalk) of the
   *     predicted classes it does not list, counted as wrong; empty without one
   */
  public record Assessment(
      Path prediction,
      Path reference,
      ConfusionMatrix matrix,
      Map<Integer, String> names,
      long leftOut,
      ClassCrosswalk crosswalk,
      Map<Integer, Long> unmatched) {

    /** The name of class {@code id}. */
    public String name(int id) {
      return names.getOrDefault(id, "class " + id);
    }
  }

  private MapComparison() {}

  /**
   * Compares the two maps, as {@link #compare(Path, Path, List, ProgressListener)} without
   * warnings.
   */
  public static Assessment compare(Path prediction, Path reference, List<LandcoverClass> classes)
      throws IOException {
    return compare(prediction, reference, classes, ProgressListener.NONE);
  }

  /**
   * Compares the two maps. A reference on another grid than the prediction's (CRS, origin, pixel
   * size or size) is resampled onto it with nearest (as {@code gdalwarp -r near}, see {@link
   * AlignedLabels}), with a warning to the listener.
   *
   * @param classes the classes and their order, or null for every value found in either map
   * @throws GeoTiffException when the grids' CRSs cannot be related
   * @throws InvalidInputException when no pixel is valid in both maps among the classes
   */
  public static Assessment compare(
      Path prediction, Path reference, List<LandcoverClass> classes, ProgressListener listener)
      throws IOException {
    return compare(prediction, reference, classes, null, listener);
  }

  /**
   * Compares the two maps, the prediction's class ids translated by {@code crosswalk} (see the
   * class comment), as {@link #compare(Path, Path, List, ProgressListener)} otherwise.
   *
   * @param crosswalk predicted class id to reference class id, or null for none
   * @throws IllegalArgumentException when a crosswalk target is not among the listed classes
   */
  public static Assessment compare(
      Path prediction,
      Path reference,
      List<LandcoverClass> classes,
      ClassCrosswalk crosswalk,
      ProgressListener listener)
      throws IOException {
    if (crosswalk != null && classes != null) {
      for (int target : crosswalk.pairs().values()) {
        if (classes.stream().noneMatch(c -> c.id() == target)) {
          throw new IllegalArgumentException(
              "Crosswalk "
                  + crosswalk
                  + ": target class "
                  + target
                  + " is not one of the listed classes");
        }
      }
    }
    try (AlignedLabels aligned =
        AlignedLabels.onImageGrids(
            List.of(prediction), Map.of(), List.of(reference), "reference", listener)) {
      return compareOnGrid(prediction, reference, aligned.labels().get(0), classes, crosswalk);
    }
  }

  private static Assessment compareOnGrid(
      Path prediction,
      Path reference,
      Path referenceOnGrid,
      List<LandcoverClass> classes,
      ClassCrosswalk crosswalk)
      throws IOException {
    Map<Integer, String> names = new TreeMap<>();
    if (classes != null) {
      classes.forEach(c -> names.put(c.id(), c.name()));
    }
    Map<Long, Long> pairs = new HashMap<>();
    try (GeoTiffRaster p = GeoTiffRaster.open(prediction);
        GeoTiffRaster r = GeoTiffRaster.open(referenceOnGrid)) {
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
                int pred = translated((int) (k & 0xFFFFF), crosswalk);
                if (pred >= 0) {
                  ids.add(pred);
                }
              });
    }
    ConfusionMatrix m = new ConfusionMatrix(ids.stream().mapToInt(Integer::intValue).toArray());
    long outside = 0;
    Map<Integer, Long> unmatched = new TreeMap<>();
    for (Map.Entry<Long, Long> e : pairs.entrySet()) {
      int ref = (int) (e.getKey() >> 20);
      int original = (int) (e.getKey() & 0xFFFFF);
      int pred = translated(original, crosswalk);
      if (m.hasClass(ref) && pred < 0) {
        m.addUnmatched(ref, e.getValue());
        unmatched.merge(original, e.getValue(), Long::sum);
      } else if (m.hasClass(ref) && m.hasClass(pred)) {
        m.add(ref, pred, e.getValue());
      } else {
        outside += e.getValue();
      }
    }
    if (m.total() == 0) {
      throw new InvalidInputException(
          prediction + " and " + reference + " share no valid pixel of the listed classes");
    }
    return new Assessment(
        prediction,
        reference,
        m,
        Collections.unmodifiableMap(names),
        outside,
        crosswalk,
        Collections.unmodifiableMap(unmatched));
  }

  /** The predicted class {@code id} through the crosswalk: -1 when it lists no target for it. */
  private static int translated(int id, ClassCrosswalk crosswalk) {
    return crosswalk == null ? id : crosswalk.target(id);
  }

  /**
   * Writes {@code REPORT.json}, {@code REPORT.csv} and {@code REPORT.png} (the confusion matrix as
   * a heat map, cells shaded by their share of the reference row), each atomically.
   */
  public static void writeReport(Assessment a, Path report) throws IOException {
    ConfusionMatrix m = a.matrix();
    int[] ids = m.classIds();
    ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    ObjectNode n = mapper.createObjectNode();
    n.put("prediction", a.prediction().toString());
    n.put("reference", a.reference().toString());
    n.put("pixels", m.total());
    n.put("overallAccuracy", m.overallAccuracy());
    n.put("kappa", m.kappa());
    n.put("meanIou", m.meanIou());
    n.put("macroPrecision", m.macroPrecision());
    n.put("macroRecall", m.macroRecall());
    n.put("macroF1", m.macroF1());
    if (a.crosswalk() != null) {
      n.put("crosswalk", a.crosswalk().toString());
      ObjectNode unmatched = n.putObject("unmatchedPredictedClasses");
      a.unmatched().forEach((id, count) -> unmatched.put(String.valueOf(id), count));
    }
    ArrayNode classes = n.putArray("classes");
    ArrayNode matrix = n.putArray("confusionMatrix");
    StringBuilder csv = new StringBuilder("class,name,precision,recall,f1,iou,reference_pixels");
    for (int id : ids) {
      csv.append(",predicted_").append(id);
    }
    if (a.crosswalk() != null) {
      csv.append(",predicted_unmatched");
    }
    csv.append('\n');
    for (int i = 0; i < ids.length; i++) {
      String name = a.name(ids[i]);
      ObjectNode c = classes.addObject();
      c.put("id", ids[i]).put("name", name);
      putNumber(c, "precision", m.precision(i));
      putNumber(c, "recall", m.recall(i));
      putNumber(c, "f1", m.f1(i));
      putNumber(c, "iou", m.iou(i));
      c.put("referencePixels", m.support(i));
      if (a.crosswalk() != null) {
        c.put("unmatchedPixels", m.unmatched(i));
      }
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
      if (a.crosswalk() != null) {
        csv.append(',').append(m.unmatched(i));
      }
      csv.append('\n');
    }
    Path dir = report.toAbsolutePath().getParent();
    String base = report.getFileName().toString();
    AtomicFiles.write(dir.resolve(base + ".json"), tmp -> mapper.writeValue(tmp.toFile(), n));
    AtomicFiles.writeString(dir.resolve(base + ".csv"), csv);
    BufferedImage heatMap = heatMap(a);
    AtomicFiles.write(
        dir.resolve(base + ".png"), tmp -> ImageIO.write(heatMap, "png", tmp.toFile()));
  }

  private static void putNumber(ObjectNode node, String key, double value) {
    if (Double.isNaN(value)) {
      node.putNull(key);
    } else {
      node.put(key, value);
    }
  }

  private static BufferedImage heatMap(Assessment a) {
    ConfusionMatrix m = a.matrix();
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
      String name = a.name(ids[i]);
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
    return image;
  }
}

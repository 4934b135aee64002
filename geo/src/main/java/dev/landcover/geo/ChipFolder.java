package dev.landcover.geo;

import dev.landcover.pixels.InvalidInputException;
import dev.landcover.pixels.PixelWindow;
import dev.landcover.pixels.support.AtomicFiles;
import java.io.BufferedReader;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * The chip-folder format, the one place that writes and reads it: {@code images/chip_NNNNN.tif}
 * (image chips), {@code labels/chip_NNNNN.tif} (label chips of the same name, when the chips were
 * cut with labels) and the index {@code chips.csv}.
 *
 * <p>{@code chips.csv} has a header and one row per chip, in chip order: {@code id} (the chip's
 * number in the row-major plan of windows, also {@code NNNNN}), {@code file} (the image chip,
 * relative to the folder), {@code x, y, width, height} (the chip's pixel window in the source,
 * half-open, upper-left origin), {@code min_x, min_y, max_x, max_y} (its bounds in the source's
 * CRS), {@code nodata_fraction} (of the image chip), and with labels one {@code class_C} column per
 * label value seen in any chip (label pixels of value C in the chip).
 */
public final class ChipFolder {
  /** The index file's name. */
  public static final String INDEX = "chips.csv";

  /**
   * One row of the index.
   *
   * @param id the chip's number
   * @param file the image chip, relative to the folder
   * @param window the chip's window in the source
   * @param minX western bound, in the source's CRS (NaN when not recorded)
   * @param minY southern bound
   * @param maxX eastern bound
   * @param maxY northern bound
   * @param noDataFraction the image chip's nodata fraction (NaN when not recorded)
   * @param classCounts label pixels per label value (empty without labels)
   */
  public record Entry(
      int id,
      String file,
      PixelWindow window,
      double minX,
      double minY,
      double maxX,
      double maxY,
      double noDataFraction,
      SortedMap<Integer, Integer> classCounts) {

    /** The row of a chip written as {@link ChipFolder#imageFile(Path, int)} names it. */
    public static Entry of(Chip chip) {
      GeoTransform t = chip.grid().transform();
      int w = chip.window().width();
      int h = chip.window().height();
      double[] xs = {t.worldX(0, 0), t.worldX(w, 0), t.worldX(0, h), t.worldX(w, h)};
      double[] ys = {t.worldY(0, 0), t.worldY(w, 0), t.worldY(0, h), t.worldY(w, h)};
      return new Entry(
          chip.index(),
          "images/" + fileName(chip.index()),
          chip.window(),
          Arrays.stream(xs).min().orElseThrow(),
          Arrays.stream(ys).min().orElseThrow(),
          Arrays.stream(xs).max().orElseThrow(),
          Arrays.stream(ys).max().orElseThrow(),
          chip.noDataFraction(),
          chip.classCounts());
    }

    private void appendLine(StringBuilder sb) {
      sb.append(id).append(',').append(file);
      sb.append(',').append(window.x()).append(',').append(window.y());
      sb.append(',').append(window.width()).append(',').append(window.height());
      sb.append(',').append(minX).append(',').append(minY);
      sb.append(',').append(maxX).append(',').append(maxY);
      sb.append(',').append(fixed6(noDataFraction));
    }
  }

  /**
   * {@code value} with 6 decimals, rounded half up from its shortest decimal form, as {@code
   * String.format(Locale.ROOT, "%.6f", value)} writes it (without a {@code Formatter} per row).
   */
  static String fixed6(double value) {
    if (!Double.isFinite(value)) {
      return Double.isNaN(value) ? "NaN" : value > 0 ? "Infinity" : "-Infinity";
    }
    String digits =
        new BigDecimal(Double.toString(Math.abs(value)))
            .setScale(6, RoundingMode.HALF_UP)
            .toPlainString();
    return Math.copySign(1, value) < 0 ? "-" + digits : digits;
  }

  private final Path folder;
  private final List<Entry> entries;

  private ChipFolder(Path folder, List<Entry> entries) {
    this.folder = folder;
    this.entries = List.copyOf(entries);
  }

  /** The file name of chip {@code id}: {@code chip_NNNNN.tif}. */
  public static String fileName(int id) {
    String digits = Integer.toString(id);
    StringBuilder sb = new StringBuilder(14).append("chip_");
    for (int i = digits.length(); i < 5; i++) {
      sb.append('0');
    }
    return sb.append(digits).append(".tif").toString();
  }

  /** Where the image chip {@code id} goes: {@code folder/images/chip_NNNNN.tif}. */
  public static Path imageFile(Path folder, int id) {
    return folder.resolve("images").resolve(fileName(id));
  }

  /** Where the label chip {@code id} goes: {@code folder/labels/chip_NNNNN.tif}. */
  public static Path labelFile(Path folder, int id) {
    return folder.resolve("labels").resolve(fileName(id));
  }

  /**
   * Makes {@code images/} (and {@code labels/}) in {@code folder}; with {@code clear}, first
   * removes the chips and index of an earlier run (files named like chips only; nothing else is
   * touched).
   */
  public static void prepare(Path folder, boolean labels, boolean clear) throws IOException {
    Path images = folder.resolve("images");
    Path labelDir = folder.resolve("labels");
    Files.createDirectories(images);
    if (labels) {
      Files.createDirectories(labelDir);
    }
    if (clear) {
      for (Path dir : List.of(images, labelDir)) {
        if (Files.isDirectory(dir)) {
          try (Stream<Path> s = Files.list(dir)) {
            for (Path p :
                s.filter(p -> p.getFileName().toString().matches("chip_\\d+\\.tif(\\.aux\\.xml)?"))
                    .toList()) {
              Files.delete(p);
            }
          }
        }
      }
      Files.deleteIfExists(folder.resolve(INDEX));
    }
  }

  /**
   * Writes {@code chips.csv} atomically, rows in the given order; with labels, a {@code class_C}
   * column for every label value of any entry.
   */
  public static void writeIndex(Path folder, List<Entry> entries, boolean withLabels)
      throws IOException {
    TreeSet<Integer> classIds = new TreeSet<>();
    entries.forEach(e -> classIds.addAll(e.classCounts().keySet()));
    StringBuilder sb =
        new StringBuilder("id,file,x,y,width,height,min_x,min_y,max_x,max_y,nodata_fraction");
    if (withLabels) {
      classIds.forEach(c -> sb.append(",class_").append(c));
    }
    sb.append('\n');
    for (Entry e : entries) {
      e.appendLine(sb);
      if (withLabels) {
        classIds.forEach(c -> sb.append(',').append(e.classCounts().getOrDefault(c, 0)));
      }
      sb.append('\n');
    }
    AtomicFiles.writeString(folder.resolve(INDEX), sb);
  }

  /**
   * Reads a chip folder's index. Only the columns {@code file, x, y, width, height} are required;
   * the others are read when present.
   *
   * @throws InvalidInputException naming the folder, line and problem when there is no {@code
   *     chips.csv}, a required column is missing or a row is unreadable
   */
  public static ChipFolder read(Path folder) throws IOException {
    Path csv = folder.resolve(INDEX);
    if (!Files.isRegularFile(csv)) {
      throw new InvalidInputException(
          folder + ": no " + INDEX + " (expected a folder written by landcover chips --labels)");
    }
    List<Entry> entries = new ArrayList<>();
    try (BufferedReader in = Files.newBufferedReader(csv, StandardCharsets.UTF_8)) {
      String first = in.readLine();
      if (first == null) {
        throw new InvalidInputException(csv + ": empty (expected a header line)");
      }
      List<String> header = Arrays.asList(first.split(","));
      int file = column(csv, header, "file");
      int x = column(csv, header, "x");
      int y = column(csv, header, "y");
      int width = column(csv, header, "width");
      int height = column(csv, header, "height");
      int id = header.indexOf("id");
      int[] bounds = {
        header.indexOf("min_x"), header.indexOf("min_y"),
        header.indexOf("max_x"), header.indexOf("max_y")
      };
      int noData = header.indexOf("nodata_fraction");
      String line;
      int row = 1;
      while ((line = in.readLine()) != null) {
        row++;
        if (line.isBlank()) {
          continue;
        }
        String[] f = line.split(",");
        try {
          SortedMap<Integer, Integer> counts = new TreeMap<>();
          for (int c = 0; c < header.size() && c < f.length; c++) {
            if (header.get(c).startsWith("class_")) {
              int n = Integer.parseInt(f[c]);
              if (n > 0) {
                counts.put(Integer.parseInt(header.get(c).substring(6)), n);
              }
            }
          }
          entries.add(
              new Entry(
                  id >= 0 ? Integer.parseInt(f[id]) : entries.size(),
                  f[file],
                  new PixelWindow(
                      Integer.parseInt(f[x]),
                      Integer.parseInt(f[y]),
                      Integer.parseInt(f[width]),
                      Integer.parseInt(f[height])),
                  number(f, bounds[0]),
                  number(f, bounds[1]),
                  number(f, bounds[2]),
                  number(f, bounds[3]),
                  number(f, noData),
                  counts));
        } catch (IllegalArgumentException | ArrayIndexOutOfBoundsException e) {
          throw new InvalidInputException(
              csv + " line " + row + ": unreadable row '" + line + "'", e);
        }
      }
    }
    return new ChipFolder(folder, entries);
  }

  private static double number(String[] fields, int column) {
    return column < 0 ? Double.NaN : Double.parseDouble(fields[column]);
  }

  private static int column(Path csv, List<String> header, String name)
      throws InvalidInputException {
    int i = header.indexOf(name);
    if (i < 0) {
      throw new InvalidInputException(csv + ": no '" + name + "' column in " + header);
    }
    return i;
  }

  /** The folder. */
  public Path folder() {
    return folder;
  }

  /** The index's rows, in file order. */
  public List<Entry> entries() {
    return entries;
  }

  /** The image chip of {@code entry}. */
  public Path imageFile(Entry entry) {
    return folder.resolve(entry.file());
  }

  /** The label chip of {@code entry}: the image chip's name in {@code labels/}. */
  public Path labelFile(Entry entry) {
    return folder.resolve("labels").resolve(imageFile(entry).getFileName());
  }
}

package dev.landcover.geo;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A scene made of several raster files stacked band after band, in order (each file's bands in its
 * own order): Sentinel-2 or Landsat bands shipped one file a band. Opened with {@link #open()}, it
 * reads like one multiband raster ({@link SceneRaster}).
 *
 * <p><b>Rules.</b> Every file must be in the same CRS (else the open fails naming the file, with a
 * {@code gdalwarp} command). The stack's grid is the grid of one file: by default the finest (the
 * smallest pixel area, the first such file on ties), or the file holding band {@link #gridBand()}.
 * Bands on another grid are resampled onto it on the fly, window by window, with {@link
 * #resampling()} and gdalwarp's rules ({@link RasterAligner}); a band whose grid differs only by a
 * whole-pixel shift is read without resampling. The default is {@link Resampling#NEAREST}, as
 * {@code gdalbuildvrt} and {@code gdalwarp} do (and as Earth Engine, where the Dynamic World model
 * was trained, does): values stay as the archive holds them. Bilinear and cubic onto a coarser grid
 * are refused (use average). Pixels of the grid that a band does not cover hold that band's nodata
 * (0 without one) and are invalid. Files of different sample types are widened to one type that
 * holds every value exactly (UInt8 and Int16 to Int16, UInt16 and Int16 to Int32, 16-bit integers
 * and Float32 to Float32, 32-bit integers with a float to Float64, ...).
 *
 * <p><b>Band names.</b> A band keeps its file's description (GDAL's); a single-band file without
 * one is named from its file name: the last {@code _}/{@code -}/{@code .}-separated token of the
 * name (extension left out) that looks like a band ({@code B2}, {@code B02}, {@code B8A}, {@code
 * b5}), else what follows the files' common prefix, else the name. So {@code
 * T33UUP_..._B02_10m.tif} is {@code B02} and {@code landsat_b2.tif} is {@code b2}, which bundles
 * matching Sentinel-2 band names select by name.
 *
 * @param files the files, in band order (at least one)
 * @param resampling how bands on another grid are resampled
 * @param gridBand the stack band (1-based) whose file's grid the stack takes, or 0 for the finest
 */
public record BandStack(List<Path> files, Resampling resampling, int gridBand) {
  private static final Pattern BAND_TOKEN = Pattern.compile("(?i)^B\\d{1,2}A?$");

  public BandStack {
    files = List.copyOf(files);
    if (files.isEmpty()) {
      throw new IllegalArgumentException("A band stack needs at least one file");
    }
    if (resampling == null) {
      throw new IllegalArgumentException("A band stack needs a resampling method");
    }
    if (gridBand < 0) {
      throw new IllegalArgumentException(
          "gridBand must be a band number (1-based) or 0 for the finest grid: " + gridBand);
    }
  }

  /** The files stacked, resampled with nearest onto the finest grid. */
  public static BandStack of(List<Path> files) {
    return new BandStack(files, Resampling.NEAREST, 0);
  }

  /**
   * The stack of a comma-separated list of files ({@code B02.tif,B03.tif,...}), as the command line
   * takes it.
   *
   * @throws IllegalArgumentException when an item is empty
   */
  public static BandStack parse(String commaList) {
    List<Path> files = new ArrayList<>();
    for (String item : commaList.split(",", -1)) {
      if (item.isBlank()) {
        throw new IllegalArgumentException(
            "Band stack \"" + commaList + "\" has an empty item: expected FILE,FILE,...");
      }
      files.add(Path.of(item.strip()));
    }
    return of(files);
  }

  /** Whether {@code text} names a band stack (a comma-separated list) rather than one file. */
  public static boolean isList(String text) {
    return text.contains(",");
  }

  /** This stack with another resampling method. */
  public BandStack withResampling(Resampling method) {
    return new BandStack(files, method, gridBand);
  }

  /** This stack on the grid of the file holding band {@code band} (1-based; 0 for the finest). */
  public BandStack withGridBand(int band) {
    return new BandStack(files, resampling, band);
  }

  /**
   * The path that stands for the stack where a scene path is expected (outputs are named after it):
   * in the first file's folder, the files' common name prefix cut after its last {@code _}, {@code
   * -} or {@code .} separator (that separator left out), so {@code LC08_..._SR_B2.TIF,...} gives
   * {@code LC08_..._SR} and {@code landsat_b2.tif,landsat_b3.tif} gives {@code landsat}; the first
   * file's name without extension when the prefix holds no separator, or for a single file.
   */
  public Path name() {
    Path first = files.get(0).toAbsolutePath().normalize();
    String firstStem = stem(first);
    String prefix = firstStem;
    for (Path f : files) {
      prefix = commonPrefix(prefix, stem(f));
    }
    String name = firstStem;
    if (files.size() > 1) {
      int cut = lastSeparator(prefix);
      if (cut > 0) {
        name = prefix.substring(0, cut);
      }
    }
    return first.resolveSibling(name);
  }

  /** Opens the stack; close it after use. */
  public SceneRaster open() throws GeoTiffException {
    return StackedRaster.openStack(this);
  }

  /**
   * The name of the band of a single-band file without description (see the class comment), from
   * the file's name and the stack files' common name prefix.
   */
  static String bandName(Path file, String commonPrefix) {
    String stem = stem(file);
    String[] tokens = stem.split("[_.\\-]");
    for (int i = tokens.length - 1; i >= 0; i--) {
      if (BAND_TOKEN.matcher(tokens[i]).matches()) {
        return tokens[i];
      }
    }
    if (stem.length() > commonPrefix.length() && stem.startsWith(commonPrefix)) {
      String rest = stem.substring(commonPrefix.length()).replaceAll("^[_.\\-]+", "");
      if (!rest.isEmpty()) {
        return rest;
      }
    }
    return stem;
  }

  /** The common prefix of the files' names without extension. */
  String commonPrefix() {
    String prefix = stem(files.get(0));
    for (Path f : files) {
      prefix = commonPrefix(prefix, stem(f));
    }
    return files.size() > 1 ? prefix : "";
  }

  static String stem(Path file) {
    String n = file.getFileName().toString();
    int dot = n.lastIndexOf('.');
    return dot > 0 ? n.substring(0, dot) : n;
  }

  private static String commonPrefix(String a, String b) {
    int n = Math.min(a.length(), b.length());
    int i = 0;
    while (i < n && a.charAt(i) == b.charAt(i)) {
      i++;
    }
    return a.substring(0, i);
  }

  private static int lastSeparator(String s) {
    Matcher m = Pattern.compile("[_.\\-]").matcher(s);
    int last = -1;
    while (m.find()) {
      last = m.start();
    }
    return last;
  }

  @Override
  public String toString() {
    return String.join(",", files.stream().map(Path::toString).toList())
        + (resampling == Resampling.NEAREST ? "" : " (" + resampling.gdalName() + ")")
        + (gridBand == 0 ? "" : " on band " + gridBand + "'s grid");
  }
}

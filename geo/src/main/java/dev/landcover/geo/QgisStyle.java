package dev.landcover.geo;

import dev.landcover.geo.internal.Xml;
import dev.landcover.pixels.LandcoverClass;
import dev.landcover.pixels.support.AtomicFiles;
import dev.landcover.pixels.support.Numbers;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * A QGIS layer style ({@code .qml}) for a single-band raster. QGIS applies {@code NAME.qml} to
 * {@code NAME.tif} when it opens the raster (its "default style"), so a class map opens with its
 * class colours and a legend of class names, a confidence map with a colour ramp, and a class
 * probabilities raster with a probability ramp on its first class's band.
 *
 * <pre>{@code
 * QgisStyle.paletted(classes).write(map.resolveSibling("scene_landcover.qml"));
 * }</pre>
 */
public final class QgisStyle {
  private final String renderer;

  private QgisStyle(String renderer) {
    this.renderer = renderer;
  }

  /**
   * A "paletted / unique values" renderer of band 1: each class id drawn in its class colour, the
   * legend listing the class names. Values that are no class (nodata) are not drawn.
   */
  public static QgisStyle paletted(List<LandcoverClass> classes) {
    StringBuilder sb = new StringBuilder();
    sb.append(
        "    <rasterrenderer type=\"paletted\" band=\"1\" opacity=\"1\" alphaBand=\"-1\""
            + " nodataColor=\"\">\n");
    sb.append("      <rasterTransparency/>\n");
    sb.append("      <colorPalette>\n");
    for (LandcoverClass c : classes) {
      sb.append(
          String.format(
              Locale.ROOT,
              "        <paletteEntry value=\"%d\" color=\"%s\" alpha=\"255\" label=\"%s\"/>\n",
              c.id(),
              hex(c.red(), c.green(), c.blue()),
              Xml.escape(c.name())));
    }
    sb.append("      </colorPalette>\n");
    sb.append("    </rasterrenderer>\n");
    return new QgisStyle(sb.toString());
  }

  /**
   * A "singleband pseudocolor" renderer of band 1: colours interpolated linearly from {@code
   * lowColour} at {@code min} through yellow at the middle to {@code highColour} at {@code max}
   * (values outside are clamped to the ends); the legend shows the ramp with {@code unit} after the
   * values.
   *
   * @param lowColour {@code 0xRRGGBB} at {@code min}
   * @param highColour {@code 0xRRGGBB} at {@code max}
   */
  public static QgisStyle pseudocolor(
      double min, double max, int lowColour, int highColour, String unit) {
    if (!(max > min)) {
      throw new IllegalArgumentException("max must be above min: min=" + min + ", max=" + max);
    }
    double mid = (min + max) / 2;
    double[] values = {min, mid, max};
    String[] labels = new String[3];
    for (int i = 0; i < 3; i++) {
      labels[i] = Numbers.compact(values[i]) + (unit.isEmpty() ? "" : " " + unit);
    }
    return ramp(values, new int[] {lowColour, 0xFFFFBF, highColour}, labels);
  }

  /**
   * A "singleband pseudocolor" renderer of band 1 of a class probabilities raster (one band per
   * class, named after it): viridis (dark violet at probability 0 through teal to yellow at 1,
   * perceptually uniform and readable by colour-blind users), interpolated linearly between five
   * stops at probabilities 0, 0.25, 0.5, 0.75 and 1; the legend labels the stops as probabilities.
   * The ramp names no class, so it stays right when the analyst picks another band (QGIS lists the
   * bands by their names).
   *
   * @param one the stored value of probability 1 (254 for the uint8 raster, 1 for float32); values
   *     are taken as probability {@code value / one}
   */
  public static QgisStyle probability(double one) {
    if (!(one > 0) || Double.isInfinite(one)) {
      throw new IllegalArgumentException("the value of probability 1 must be > 0: " + one);
    }
    double[] values = new double[VIRIDIS.length];
    String[] labels = new String[VIRIDIS.length];
    for (int i = 0; i < VIRIDIS.length; i++) {
      double p = i / (double) (VIRIDIS.length - 1);
      values[i] = p * one;
      labels[i] = Numbers.compact(p);
    }
    return ramp(values, VIRIDIS, labels);
  }

  /** Viridis (matplotlib's) at 0, 0.25, 0.5, 0.75 and 1, as {@code 0xRRGGBB}. */
  private static final int[] VIRIDIS = {0x440154, 0x3B528B, 0x21918C, 0x5EC962, 0xFDE725};

  /** A singleband pseudocolour renderer of band 1, interpolated between the stops. */
  private static QgisStyle ramp(double[] values, int[] colours, String[] labels) {
    String min = Numbers.compact(values[0]);
    String max = Numbers.compact(values[values.length - 1]);
    StringBuilder sb = new StringBuilder();
    sb.append(
        String.format(
            Locale.ROOT,
            "    <rasterrenderer type=\"singlebandpseudocolor\" band=\"1\" opacity=\"1\""
                + " alphaBand=\"-1\" classificationMin=\"%s\" classificationMax=\"%s\""
                + " nodataColor=\"\">\n",
            min,
            max));
    sb.append("      <rasterTransparency/>\n");
    sb.append("      <minMaxOrigin>\n");
    sb.append("        <limits>None</limits>\n");
    sb.append("        <extent>WholeRaster</extent>\n");
    sb.append("        <statAccuracy>Estimated</statAccuracy>\n");
    sb.append("        <cumulativeCutLower>0.02</cumulativeCutLower>\n");
    sb.append("        <cumulativeCutUpper>0.98</cumulativeCutUpper>\n");
    sb.append("        <stdDevFactor>2</stdDevFactor>\n");
    sb.append("      </minMaxOrigin>\n");
    sb.append("      <rastershader>\n");
    sb.append(
        String.format(
            Locale.ROOT,
            "        <colorrampshader colorRampType=\"INTERPOLATED\" classificationMode=\"1\""
                + " clip=\"0\" minimumValue=\"%s\" maximumValue=\"%s\" labelPrecision=\"2\">\n",
            min,
            max));
    for (int i = 0; i < values.length; i++) {
      sb.append(
          String.format(
              Locale.ROOT,
              "          <item value=\"%s\" color=\"%s\" alpha=\"255\" label=\"%s\"/>\n",
              Numbers.compact(values[i]),
              hex(colours[i]),
              Xml.escape(labels[i])));
    }
    sb.append("        </colorrampshader>\n");
    sb.append("      </rastershader>\n");
    sb.append("    </rasterrenderer>\n");
    return new QgisStyle(sb.toString());
  }

  /** The style as QGIS writes it ({@code <qgis>} document with one raster pipe). */
  public String toXml() {
    return "<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n"
        + "<qgis version=\"3.22.16\" styleCategories=\"AllStyleCategories\">\n"
        + "  <pipe>\n"
        + "    <provider>\n"
        + "      <resampling enabled=\"false\" maxOversampling=\"2\""
        + " zoomedInResamplingMethod=\"nearestNeighbour\""
        + " zoomedOutResamplingMethod=\"nearestNeighbour\"/>\n"
        + "    </provider>\n"
        + renderer
        + "    <brightnesscontrast brightness=\"0\" contrast=\"0\" gamma=\"1\"/>\n"
        + "    <huesaturation saturation=\"0\" grayscaleMode=\"0\" colorizeOn=\"0\""
        + " colorizeRed=\"255\" colorizeGreen=\"128\" colorizeBlue=\"128\""
        + " colorizeStrength=\"100\" invertColors=\"0\"/>\n"
        + "    <rasterresampler maxOversampling=\"2\"/>\n"
        + "    <resamplingStage>resamplingFilter</resamplingStage>\n"
        + "  </pipe>\n"
        + "  <blendMode>0</blendMode>\n"
        + "</qgis>\n";
  }

  /** Writes the style to {@code target} (UTF-8), through a temporary file. */
  public void write(Path target) throws IOException {
    AtomicFiles.writeString(target, toXml());
  }

  /**
   * The style file QGIS loads by default for {@code raster}: the same name with {@code .qml} in
   * place of its extension.
   */
  public static Path beside(Path raster) {
    String name = raster.getFileName().toString().replaceAll("(?i)\\.tiff?$", "");
    return raster.resolveSibling(name + ".qml");
  }

  private static String hex(int r, int g, int b) {
    return String.format(Locale.ROOT, "#%02x%02x%02x", r, g, b);
  }

  private static String hex(int rgb) {
    return hex((rgb >> 16) & 0xFF, (rgb >> 8) & 0xFF, rgb & 0xFF);
  }
}

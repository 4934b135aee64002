package dev.landcover.geo.internal.vrt;

import dev.landcover.geo.GeoTiffException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.xml.sax.SAXException;

/**
 * A GDAL VRT of bands, as {@code gdalbuildvrt -separate} writes it: a {@code VRTDataset} whose
 * {@code VRTRasterBand}s each have one {@code SimpleSource} or {@code ComplexSource} (without
 * scaling, LUT or colour-table expansion) reading one band of a file, a source rectangle ({@code
 * SrcRect}) placed into a destination rectangle ({@code DstRect}) of the VRT's pixels. Everything
 * else (warped and pansharpened VRTs, derived bands and pixel functions, kernel-filtered and
 * averaged sources, mask bands, mosaics of several sources per band, sources in {@code /vsi} paths)
 * is refused by name with a {@code gdal_translate} command that materializes what GDAL reads.
 *
 * @param file the VRT
 * @param width raster width in pixels ({@code rasterXSize})
 * @param height raster height in pixels ({@code rasterYSize})
 * @param geoTransform GDAL's six geotransform coefficients, or null when absent
 * @param srs the SRS text (WKT as GDAL writes it), or null when absent
 * @param bands the bands, in band order
 */
public record VrtFile(
    Path file, int width, int height, double[] geoTransform, String srs, List<Band> bands) {

  /**
   * One band and its source.
   *
   * @param dataType GDAL's name of the band's type ({@code UInt16}, ...)
   * @param noData the band's {@code NoDataValue}, or null
   * @param description the band's {@code Description}, "" when absent
   * @param source the source file, resolved against the VRT's folder when {@code relativeToVRT}
   * @param sourceBand the source band, 1-based
   * @param srcRect the source rectangle (x offset, y offset, width, height in source pixels), or
   *     null for the whole source
   * @param dstRect the destination rectangle in VRT pixels, or null for the whole VRT
   * @param resampling the source's {@code resampling} attribute (lower case), or null for GDAL's
   *     default (nearest)
   * @param sourceNoData the {@code NODATA} of a {@code ComplexSource}, or null
   */
  public record Band(
      String dataType,
      Double noData,
      String description,
      Path source,
      int sourceBand,
      double[] srcRect,
      double[] dstRect,
      String resampling,
      Double sourceNoData) {}

  private static final String CONVERT = "materialize it with: gdal_translate in.vrt out.tif";

  private static final Set<String> BAND_CHILDREN_IGNORED =
      Set.of(
          "ColorInterp",
          "ColorTable",
          "CategoryNames",
          "UnitType",
          "Offset",
          "Scale",
          "Metadata",
          "Histograms",
          "Overview",
          "HideNoDataValue");

  private static final Set<String> SOURCE_CHILDREN =
      Set.of(
          "SourceFilename",
          "SourceBand",
          "SourceProperties",
          "SrcRect",
          "DstRect",
          "NODATA",
          "UseMaskBand");

  /**
   * Parses a VRT.
   *
   * @throws GeoTiffException naming the file and the element or attribute refused
   */
  public static VrtFile read(Path file) throws GeoTiffException {
    if (!Files.isRegularFile(file)) {
      throw new GeoTiffException(
          file, Files.exists(file) ? "is not a regular file" : "no such file", null);
    }
    Element root;
    try (InputStream in = Files.newInputStream(file)) {
      DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
      f.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
      f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
      f.setExpandEntityReferences(false);
      f.setNamespaceAware(false);
      root = f.newDocumentBuilder().parse(in).getDocumentElement();
    } catch (SAXException e) {
      throw new GeoTiffException(
          file, "is not a readable VRT (XML error: " + e.getMessage() + ")", null, e);
    } catch (IOException e) {
      throw new GeoTiffException(file, "cannot be read: " + e.getMessage(), null, e);
    } catch (ParserConfigurationException e) {
      throw new IllegalStateException(e);
    }
    if (!root.getTagName().equals("VRTDataset")) {
      throw new GeoTiffException(
          file, "is not a GDAL VRT: its root element is <" + root.getTagName() + ">", null);
    }
    String subClass = root.getAttribute("subClass");
    if (!subClass.isEmpty()) {
      throw refuse(
          file,
          "is a "
              + subClass
              + " (only VRTs of bands are read, such as gdalbuildvrt"
              + " -separate makes)");
    }
    int width = positive(file, root, "rasterXSize");
    int height = positive(file, root, "rasterYSize");
    double[] geoTransform = null;
    String srs = null;
    List<Band> bands = new ArrayList<>();
    for (Element e : children(root)) {
      switch (e.getTagName()) {
        case "GeoTransform" -> geoTransform = numbers(file, e, 6);
        case "SRS" -> srs = e.getTextContent().strip();
        case "VRTRasterBand" -> bands.add(band(file, e, bands.size() + 1));
        case "Metadata", "OverviewList" -> {
          // no effect on pixels
        }
        default ->
            throw refuse(
                file, "has a <" + e.getTagName() + "> element, which Landcover" + " does not read");
      }
    }
    if (bands.isEmpty()) {
      throw new GeoTiffException(file, "has no VRTRasterBand", null);
    }
    return new VrtFile(file, width, height, geoTransform, srs, List.copyOf(bands));
  }

  private static Band band(Path file, Element e, int number) throws GeoTiffException {
    String where = "band " + number;
    String band = e.getAttribute("band");
    if (!band.isEmpty() && !band.equals(Integer.toString(number))) {
      throw new GeoTiffException(
          file, where + " is numbered " + band + " (bands must be in order)", CONVERT);
    }
    String subClass = e.getAttribute("subClass");
    if (!subClass.isEmpty()) {
      throw refuse(
          file,
          where
              + " is a "
              + subClass
              + (subClass.equals("VRTDerivedRasterBand") ? " (a pixel function)" : ""));
    }
    String dataType = e.getAttribute("dataType");
    if (dataType.isEmpty()) {
      dataType = "Byte";
    }
    Double noData = null;
    String description = "";
    Element source = null;
    for (Element c : children(e)) {
      String tag = c.getTagName();
      switch (tag) {
        case "NoDataValue" -> noData = number(file, c);
        case "Description" -> description = c.getTextContent().strip();
        case "SimpleSource", "ComplexSource" -> {
          if (source != null) {
            throw refuse(file, where + " has more than one source (a mosaic)");
          }
          source = c;
        }
        default -> {
          if (!BAND_CHILDREN_IGNORED.contains(tag)) {
            throw refuse(file, where + " has a <" + tag + ">, which Landcover does not read");
          }
        }
      }
    }
    if (source == null) {
      throw refuse(file, where + " has no SimpleSource or ComplexSource");
    }
    Path path = null;
    int sourceBand = 1;
    double[] srcRect = null;
    double[] dstRect = null;
    Double sourceNoData = null;
    for (Element c : children(source)) {
      String tag = c.getTagName();
      if (!SOURCE_CHILDREN.contains(tag)) {
        throw refuse(
            file,
            where
                + "'s "
                + source.getTagName()
                + " has a <"
                + tag
                + "> (scaling, LUTs and colour-table expansion are not read)");
      }
      switch (tag) {
        case "SourceFilename" -> path = sourcePath(file, c, where);
        case "SourceBand" -> {
          String text = c.getTextContent().strip();
          try {
            sourceBand = Integer.parseInt(text);
          } catch (NumberFormatException x) {
            throw refuse(file, where + " reads source band \"" + text + "\" (a mask band)");
          }
          if (sourceBand < 1) {
            throw new GeoTiffException(file, where + " reads source band " + sourceBand, null);
          }
        }
        case "SrcRect" -> srcRect = rect(file, c);
        case "DstRect" -> dstRect = rect(file, c);
        case "NODATA" -> sourceNoData = number(file, c);
        case "UseMaskBand" -> {
          if (!c.getTextContent().strip().equalsIgnoreCase("false")) {
            throw refuse(file, where + "'s source uses the source's mask band");
          }
        }
        default -> {
          // SourceProperties: GDAL's cache of the source's size and type
        }
      }
    }
    if (path == null) {
      throw new GeoTiffException(file, where + "'s source has no SourceFilename", null);
    }
    String resampling = source.getAttribute("resampling");
    resampling = resampling.isEmpty() ? null : resampling.toLowerCase(Locale.ROOT);
    return new Band(
        dataType,
        noData,
        description,
        path,
        sourceBand,
        srcRect,
        dstRect,
        resampling,
        sourceNoData);
  }

  private static Path sourcePath(Path file, Element e, String where) throws GeoTiffException {
    String name = e.getTextContent().strip();
    if (name.startsWith("/vsi") || name.contains("://") || name.startsWith("<")) {
      throw refuse(file, where + "'s source \"" + name + "\" is not a local file");
    }
    boolean relative = e.getAttribute("relativeToVRT").equals("1");
    Path p = Path.of(name);
    if (relative) {
      Path dir = file.toAbsolutePath().getParent();
      p = dir.resolve(p).normalize();
    }
    return p;
  }

  private static double[] rect(Path file, Element e) throws GeoTiffException {
    double[] r = new double[4];
    String[] names = {"xOff", "yOff", "xSize", "ySize"};
    for (int i = 0; i < 4; i++) {
      String v = e.getAttribute(names[i]);
      try {
        r[i] = Double.parseDouble(v);
      } catch (NumberFormatException x) {
        throw new GeoTiffException(
            file,
            "<" + e.getTagName() + "> has " + names[i] + "=\"" + v + "\", not a number",
            null);
      }
    }
    if (!(r[2] > 0 && r[3] > 0) || !Double.isFinite(r[0] + r[1] + r[2] + r[3])) {
      throw new GeoTiffException(
          file, "<" + e.getTagName() + "> has an empty or non-finite rectangle", null);
    }
    return r;
  }

  private static GeoTiffException refuse(Path file, String problem) {
    return new GeoTiffException(file, problem, CONVERT);
  }

  private static int positive(Path file, Element e, String attribute) throws GeoTiffException {
    String v = e.getAttribute(attribute);
    try {
      int n = Integer.parseInt(v.strip());
      if (n > 0) {
        return n;
      }
    } catch (NumberFormatException x) {
      // refused below
    }
    throw new GeoTiffException(
        file, attribute + " is \"" + v + "\" where a positive integer was expected", null);
  }

  private static Double number(Path file, Element e) throws GeoTiffException {
    String t = e.getTextContent().strip();
    String lower = t.toLowerCase(Locale.ROOT);
    if (lower.equals("nan") || lower.equals("-nan")) {
      return Double.NaN;
    }
    try {
      return Double.parseDouble(t);
    } catch (NumberFormatException x) {
      throw new GeoTiffException(
          file, "<" + e.getTagName() + "> holds \"" + t + "\", not a number", null);
    }
  }

  private static double[] numbers(Path file, Element e, int count) throws GeoTiffException {
    String[] parts = e.getTextContent().strip().split("\\s*,\\s*");
    if (parts.length != count) {
      throw new GeoTiffException(
          file, "<" + e.getTagName() + "> holds " + parts.length + " numbers, not " + count, null);
    }
    double[] v = new double[count];
    for (int i = 0; i < count; i++) {
      try {
        v[i] = Double.parseDouble(parts[i]);
      } catch (NumberFormatException x) {
        throw new GeoTiffException(
            file, "<" + e.getTagName() + "> holds \"" + parts[i] + "\", not a number", null);
      }
    }
    return v;
  }

  private static List<Element> children(Element e) {
    List<Element> out = new ArrayList<>();
    for (Node n = e.getFirstChild(); n != null; n = n.getNextSibling()) {
      if (n instanceof Element c) {
        out.add(c);
      }
    }
    return out;
  }
}

package dev.landcover.geo;

import dev.landcover.pixels.InvalidInputException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;
import org.xml.sax.SAXException;

/**
 * The class names GDAL keeps beside a raster: the {@code <CategoryNames>} of band 1 in {@code
 * FILE.aux.xml} (what {@link GeoTiffWriter#classMap} writes and QGIS shows), indexed by pixel
 * value.
 */
public final class CategoryNames {
  private CategoryNames() {}

  /**
   * The non-empty category names of band 1 by pixel value; empty when there is no {@code .aux.xml}
   * or it has no category names.
   *
   * @throws InvalidInputException when the {@code .aux.xml} exists but is not readable XML
   */
  public static Map<Integer, String> read(Path raster) throws IOException {
    Path aux = raster.resolveSibling(raster.getFileName() + ".aux.xml");
    Map<Integer, String> names = new TreeMap<>();
    if (!Files.isRegularFile(aux)) {
      return names;
    }
    try {
      DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
      factory.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
      factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
      var doc = factory.newDocumentBuilder().parse(aux.toFile());
      NodeList bands = doc.getElementsByTagName("PAMRasterBand");
      for (int b = 0; b < bands.getLength(); b++) {
        Element band = (Element) bands.item(b);
        String number = band.getAttribute("band");
        if (!number.isEmpty() && !"1".equals(number)) {
          continue;
        }
        NodeList lists = band.getElementsByTagName("CategoryNames");
        if (lists.getLength() == 0) {
          continue;
        }
        NodeList categories = ((Element) lists.item(0)).getElementsByTagName("Category");
        for (int i = 0; i < categories.getLength(); i++) {
          String name = categories.item(i).getTextContent().trim();
          if (!name.isEmpty()) {
            names.put(i, name);
          }
        }
      }
    } catch (ParserConfigurationException | SAXException e) {
      throw new InvalidInputException(
          aux + ": not readable GDAL PAM XML (" + e.getMessage() + ")", e);
    }
    return names;
  }
}

package dev.landcover.geo.internal.sis;

import org.apache.sis.referencing.CRS;
import org.opengis.referencing.crs.CoordinateReferenceSystem;
import org.opengis.util.FactoryException;

/**
 * The CRS that ArcGIS stores as an "ESRI PE String" inside a GeoTIFF citation, which GDAL reads and
 * Apache SIS does not. A vertical CRS that ArcGIS nests inside the horizontal one is dropped: only
 * the horizontal CRS places pixels.
 */
public final class EsriCrs {
  private static final String MARKER = "ESRI PE String = ";

  private EsriCrs() {}

  /** The CRS of the citation text, or null when it has none that can be parsed. */
  public static CoordinateReferenceSystem fromCitation(String citation) {
    if (citation == null) {
      return null;
    }
    int start = citation.indexOf(MARKER);
    if (start < 0) {
      return null;
    }
    String wkt = citation.substring(start + MARKER.length());
    int bar = wkt.indexOf('|');
    if (bar >= 0) {
      wkt = wkt.substring(0, bar);
    }
    wkt = removeElement(wkt, ",VERTCS[");
    try {
      return CRS.fromWKT(wkt);
    } catch (FactoryException | RuntimeException e) {
      return null;
    }
  }

  /** Removes the bracketed element that starts with {@code opening}, brackets balanced. */
  private static String removeElement(String wkt, String opening) {
    int i = wkt.indexOf(opening);
    if (i < 0) {
      return wkt;
    }
    int depth = 0;
    for (int j = i + opening.length() - 1; j < wkt.length(); j++) {
      char c = wkt.charAt(j);
      if (c == '[') {
        depth++;
      } else if (c == ']' && --depth == 0) {
        return wkt.substring(0, i) + wkt.substring(j + 1);
      }
    }
    return wkt;
  }
}

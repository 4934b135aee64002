package dev.landcover.geo.internal;

/** XML text for the files the geo module writes ({@code .aux.xml}, {@code .qml}, GDAL_METADATA). */
public final class Xml {
  private Xml() {}

  /** {@code s} with {@code & < > "} as entities: usable as element text and as attribute value. */
  public static String escape(String s) {
    return s.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace("\"", "&quot;");
  }
}

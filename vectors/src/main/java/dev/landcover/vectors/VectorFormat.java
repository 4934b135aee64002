package dev.landcover.vectors;

import dev.landcover.pixels.InvalidInputException;
import java.nio.file.Path;
import java.util.Locale;

/** The vector file formats Landcover reads and writes, known by file extension. */
public enum VectorFormat {
  /** OGC GeoPackage ({@code .gpkg}). */
  GEOPACKAGE,
  /** GeoJSON ({@code .geojson} or {@code .json}). */
  GEOJSON;

  /**
   * The format of a file to read, from its extension.
   *
   * @throws InvalidInputException for a Shapefile (no well-kept Shapefile reader is on Maven
   *     Central: the message gives the {@code ogr2ogr} command that converts it) or another format
   */
  public static VectorFormat ofInput(Path file) throws InvalidInputException {
    String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
    if (name.endsWith(".gpkg")) {
      return GEOPACKAGE;
    }
    if (name.endsWith(".geojson") || name.endsWith(".json")) {
      return GEOJSON;
    }
    String stem = stem(file);
    if (name.endsWith(".shp")) {
      throw new InvalidInputException(
          file
              + ": Shapefiles are not read; convert it to a GeoPackage with: ogr2ogr -f GPKG "
              + stem
              + ".gpkg "
              + file);
    }
    throw new InvalidInputException(
        file
            + ": unknown vector format, expected .gpkg or .geojson (convert with: ogr2ogr -f GPKG "
            + stem
            + ".gpkg "
            + file
            + ")");
  }

  /**
   * The format to write to a path, from its extension.
   *
   * @throws IllegalArgumentException for an extension other than {@code .gpkg}, {@code .geojson} or
   *     {@code .json}
   */
  public static VectorFormat ofOutput(Path file) {
    String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
    if (name.endsWith(".gpkg")) {
      return GEOPACKAGE;
    }
    if (name.endsWith(".geojson") || name.endsWith(".json")) {
      return GEOJSON;
    }
    throw new IllegalArgumentException(
        "Output " + file + ": expected a .gpkg or .geojson file name");
  }

  /** The file name without its extension: the layer name Landcover writes. */
  static String stem(Path file) {
    String name = file.getFileName().toString();
    int dot = name.lastIndexOf('.');
    return dot > 0 ? name.substring(0, dot) : name;
  }
}

package dev.landcover.vectors;

import dev.landcover.pixels.InvalidInputException;
import dev.landcover.vectors.internal.GeoJsonFile;
import dev.landcover.vectors.internal.GeoPackageFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.locationtech.jts.geom.Geometry;
import org.opengis.referencing.crs.CoordinateReferenceSystem;

/**
 * The features of one layer of a GeoPackage or GeoJSON file, with one attribute, in the file's
 * order (GeoPackage: by feature id, as GDAL reads them).
 *
 * <p>Coordinates are as stored: east/north order (longitude, latitude in degrees for geographic
 * CRSs), in {@link #crs()}.
 */
public final class VectorLayer {
  /** One feature: its geometry (null when it has none) and the attribute's value (or null). */
  public record Feature(long fid, Geometry geometry, Object value) {}

  private final Path file;
  private final String name;
  private final CoordinateReferenceSystem crs;
  private final List<Feature> features;

  private VectorLayer(
      Path file, String name, CoordinateReferenceSystem crs, List<Feature> features) {
    this.file = file;
    this.name = name;
    this.crs = crs;
    this.features = features;
  }

  /**
   * Reads a layer.
   *
   * @param layer the layer name, or null for the file's only layer (a GeoJSON file has one, named
   *     after the file)
   * @param field the attribute to read with each feature, or null
   * @throws InvalidInputException for unreadable files, unsupported formats (Shapefile: the message
   *     gives the conversion command)
   * @throws IllegalArgumentException for a layer or field the file does not have
   */
  public static VectorLayer read(Path file, String layer, String field) throws IOException {
    VectorFormat format = VectorFormat.ofInput(file);
    if (!Files.isRegularFile(file)) {
      throw new NoSuchFileException(file.toString(), null, "no such vector file");
    }
    GeoPackageFile.Layer read;
    if (format == VectorFormat.GEOPACKAGE) {
      read = GeoPackageFile.read(file, layer, field);
    } else {
      String stem = VectorFormat.stem(file);
      if (layer != null && !layer.equals(stem)) {
        throw new IllegalArgumentException(
            file + " has one layer, '" + stem + "': no layer '" + layer + "'");
      }
      read = GeoJsonFile.read(file, stem, field);
    }
    List<Feature> features = new ArrayList<>(read.rows().size());
    for (GeoPackageFile.Row row : read.rows()) {
      features.add(new Feature(row.fid(), row.geometry(), row.value()));
    }
    return new VectorLayer(file, read.name(), read.crs(), List.copyOf(features));
  }

  public Path file() {
    return file;
  }

  public String name() {
    return name;
  }

  /** The layer's CRS; empty when the file declares none (a GeoPackage "undefined" SRS). */
  public Optional<CoordinateReferenceSystem> crs() {
    return Optional.ofNullable(crs);
  }

  /** The features, in file order. */
  public List<Feature> features() {
    return features;
  }
}

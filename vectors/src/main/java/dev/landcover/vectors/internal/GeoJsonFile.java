package dev.landcover.vectors.internal;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.landcover.pixels.InvalidInputException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.locationtech.jts.geom.Geometry;
import org.locationtech.jts.io.ParseException;
import org.locationtech.jts.io.geojson.GeoJsonReader;
import org.locationtech.jts.io.geojson.GeoJsonWriter;
import org.opengis.referencing.crs.CoordinateReferenceSystem;
import org.opengis.util.FactoryException;

/**
 * GeoJSON feature collections: Jackson for the document, JTS's GeoJSON reader and writer for the
 * geometries. Coordinates are east/north (longitude, latitude in degrees for geographic CRSs). The
 * CRS is the 2008 GeoJSON {@code "crs"} member GDAL reads and writes ({@code
 * urn:ogc:def:crs:EPSG::CODE}); without one the coordinates are WGS 84 longitude/latitude (RFC
 * 7946).
 */
public final class GeoJsonFile {
  /** Coordinates are written with up to this many decimals (shortest form that reads back). */
  private static final int DECIMALS = 10;

  private GeoJsonFile() {}

  /** Reads every feature: geometry (null when absent) and the value of {@code field}. */
  public static GeoPackageFile.Layer read(Path file, String layerName, String field)
      throws IOException {
    JsonNode root;
    try {
      root = new ObjectMapper().readTree(file.toFile());
    } catch (IOException e) {
      throw new InvalidInputException(file + ": not readable JSON (" + e.getMessage() + ")", e);
    }
    if (root == null || !"FeatureCollection".equals(root.path("type").asText())) {
      throw new InvalidInputException(file + ": not a GeoJSON FeatureCollection");
    }
    CoordinateReferenceSystem crs;
    String crsName = root.path("crs").path("properties").path("name").asText(null);
    try {
      crs = Crs.forCode(crsName == null ? "OGC:CRS84" : crsName);
    } catch (FactoryException e) {
      throw new InvalidInputException(
          file + ": unknown CRS '" + crsName + "' in the \"crs\" member: " + e.getMessage(), e);
    }
    GeoJsonReader reader = new GeoJsonReader();
    List<GeoPackageFile.Row> rows = new ArrayList<>();
    List<String> columns = new ArrayList<>();
    long fid = 0;
    for (JsonNode feature : root.path("features")) {
      JsonNode properties = feature.path("properties");
      for (Iterator<String> it = properties.fieldNames(); it.hasNext(); ) {
        String name = it.next();
        if (!columns.contains(name)) {
          columns.add(name);
        }
      }
      JsonNode geometry = feature.get("geometry");
      Geometry g = null;
      if (geometry != null && !geometry.isNull()) {
        try {
          g = reader.read(geometry.toString());
        } catch (ParseException | RuntimeException e) {
          throw new InvalidInputException(
              file + ": feature " + fid + " has an unreadable geometry: " + e.getMessage(), e);
        }
      }
      Object value = null;
      if (field != null) {
        JsonNode v = properties.get(field);
        value =
            v == null || v.isNull()
                ? null
                : v.isIntegralNumber()
                    ? (Object) v.asLong()
                    : v.isNumber() ? v.asDouble() : v.asText();
      }
      rows.add(new GeoPackageFile.Row(fid++, g, value));
    }
    if (field != null && !rows.isEmpty() && !columns.contains(field)) {
      throw new IllegalArgumentException(
          file + ": no feature has the field '" + field + "'; its fields are " + columns);
    }
    return new GeoPackageFile.Layer(layerName, crs, columns, rows);
  }

  /** Writes polygons with {@code class} and {@code name} properties as a feature collection. */
  public static final class Writer implements AutoCloseable {
    private final JsonGenerator json;
    private final GeoJsonWriter geometry = new GeoJsonWriter(DECIMALS);

    /**
     * Starts the collection.
     *
     * @param epsg the EPSG code of the coordinates' CRS, written as the {@code "crs"} member
     */
    public Writer(Path file, String name, int epsg) throws IOException {
      geometry.setEncodeCRS(false);
      json = new JsonFactory().createGenerator(file.toFile(), JsonEncoding.UTF8);
      json.writeStartObject();
      json.writeStringField("type", "FeatureCollection");
      json.writeStringField("name", name);
      json.writeObjectFieldStart("crs");
      json.writeStringField("type", "name");
      json.writeObjectFieldStart("properties");
      json.writeStringField("name", "urn:ogc:def:crs:EPSG::" + epsg);
      json.writeEndObject();
      json.writeEndObject();
      json.writeArrayFieldStart("features");
    }

    /** Adds one feature. */
    public void add(Geometry polygon, int classId, String name) throws IOException {
      json.writeRaw('\n');
      json.writeStartObject();
      json.writeStringField("type", "Feature");
      json.writeObjectFieldStart("properties");
      json.writeNumberField("class", classId);
      json.writeStringField("name", name);
      json.writeEndObject();
      json.writeFieldName("geometry");
      json.writeRawValue(geometry.write(polygon));
      json.writeEndObject();
    }

    /** Ends the collection. */
    public void finish() throws IOException {
      json.writeRaw('\n');
      json.writeEndArray();
      json.writeEndObject();
      json.flush();
    }

    @Override
    public void close() throws IOException {
      json.close();
    }
  }
}

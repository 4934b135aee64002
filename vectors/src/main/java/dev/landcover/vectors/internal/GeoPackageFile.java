package dev.landcover.vectors.internal;

import dev.landcover.pixels.InvalidInputException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import org.locationtech.jts.geom.Envelope;
import org.locationtech.jts.geom.Geometry;
import org.locationtech.jts.io.ByteOrderValues;
import org.locationtech.jts.io.ParseException;
import org.locationtech.jts.io.WKBReader;
import org.locationtech.jts.io.WKBWriter;
import org.opengis.referencing.crs.CoordinateReferenceSystem;
import org.opengis.util.FactoryException;
import org.sqlite.SQLiteConfig;

/**
 * OGC GeoPackage 1.3 feature tables through SQLite (sqlite-jdbc): geometries are GeoPackage binary
 * (an 8-byte {@code GP} header, an optional envelope, then ISO WKB, here always little-endian with
 * an x/y envelope), coordinates in the layer CRS's east/north order as GDAL writes them.
 */
public final class GeoPackageFile {
  /** {@code PRAGMA application_id} of a GeoPackage: the ASCII bytes "GPKG". */
  private static final int APPLICATION_ID = 0x47504B47;

  private static final int USER_VERSION = 10300;

  /** A custom srs_id for a CRS without an EPSG code. */
  private static final int CUSTOM_SRS_ID = 100000;

  private GeoPackageFile() {}

  /** One feature as read: its geometry and the value of the asked column (null when absent). */
  public record Row(long fid, Geometry geometry, Object value) {}

  /** A feature layer as read. */
  public record Layer(
      String name, CoordinateReferenceSystem crs, List<String> columns, List<Row> rows) {}

  /** The names of the feature tables of a GeoPackage, in {@code gpkg_contents} order. */
  public static List<String> featureTables(Path file) throws IOException {
    try (Connection c = open(file, true)) {
      return featureTables(c, file);
    } catch (SQLException e) {
      throw new InvalidInputException(
          file + ": not a readable GeoPackage (" + e.getMessage() + ")", e);
    }
  }

  private static List<String> featureTables(Connection c, Path file)
      throws SQLException, IOException {
    List<String> names = new ArrayList<>();
    try (Statement s = c.createStatement();
        ResultSet r =
            s.executeQuery(
                "SELECT table_name FROM gpkg_contents WHERE data_type = 'features' ORDER BY rowid")) {
      while (r.next()) {
        names.add(r.getString(1));
      }
    } catch (SQLException e) {
      throw new InvalidInputException(
          file + ": not a GeoPackage (no gpkg_contents table: " + e.getMessage() + ")", e);
    }
    return names;
  }

  /**
   * Reads a feature table: every row's geometry (null for a null or empty geometry) and the value
   * of {@code column} (null for SQL NULL), in fid order, the order GDAL reads them.
   *
   * @param table the table, or null for the only feature table
   * @param column the attribute to read, or null for none
   */
  public static Layer read(Path file, String table, String column) throws IOException {
    try (Connection c = open(file, true)) {
      List<String> tables = featureTables(c, file);
      if (table == null) {
        if (tables.size() != 1) {
          throw new IllegalArgumentException(
              file
                  + " has "
                  + tables.size()
                  + " feature layers "
                  + tables
                  + ": choose one with --layer");
        }
        table = tables.get(0);
      } else if (!tables.contains(table)) {
        throw new IllegalArgumentException(
            file + " has no feature layer '" + table + "'; its layers are " + tables);
      }
      String geomColumn;
      int srsId;
      try (PreparedStatement s =
          c.prepareStatement(
              "SELECT column_name, srs_id FROM gpkg_geometry_columns WHERE table_name = ?")) {
        s.setString(1, table);
        try (ResultSet r = s.executeQuery()) {
          if (!r.next()) {
            throw new InvalidInputException(
                file + ": layer '" + table + "' has no row in gpkg_geometry_columns");
          }
          geomColumn = r.getString(1);
          srsId = r.getInt(2);
        }
      }
      CoordinateReferenceSystem crs = readCrs(c, file, srsId);
      List<String> columns = new ArrayList<>();
      String fidColumn = null;
      try (Statement s = c.createStatement();
          ResultSet r = s.executeQuery("PRAGMA table_info(" + quote(table) + ")")) {
        while (r.next()) {
          columns.add(r.getString("name"));
          if (r.getInt("pk") == 1) {
            fidColumn = r.getString("name");
          }
        }
      }
      if (column != null && !columns.contains(column)) {
        throw new IllegalArgumentException(
            file
                + ": layer '"
                + table
                + "' has no field '"
                + column
                + "'; its fields are "
                + columns);
      }
      String sql =
          "SELECT "
              + (fidColumn == null ? "rowid" : quote(fidColumn))
              + ", "
              + quote(geomColumn)
              + (column == null ? "" : ", " + quote(column))
              + " FROM "
              + quote(table)
              + " ORDER BY "
              + (fidColumn == null ? "rowid" : quote(fidColumn));
      List<Row> rows = new ArrayList<>();
      WKBReader wkb = new WKBReader();
      try (Statement s = c.createStatement();
          ResultSet r = s.executeQuery(sql)) {
        while (r.next()) {
          long fid = r.getLong(1);
          byte[] blob = r.getBytes(2);
          Geometry g = blob == null ? null : decode(file, table, fid, blob, wkb);
          rows.add(new Row(fid, g, column == null ? null : r.getObject(3)));
        }
      }
      return new Layer(table, crs, columns, rows);
    } catch (SQLException e) {
      throw new InvalidInputException(
          file + ": not a readable GeoPackage (" + e.getMessage() + ")", e);
    }
  }

  private static CoordinateReferenceSystem readCrs(Connection c, Path file, int srsId)
      throws SQLException, IOException {
    try (PreparedStatement s =
        c.prepareStatement(
            "SELECT organization, organization_coordsys_id, definition FROM gpkg_spatial_ref_sys"
                + " WHERE srs_id = ?")) {
      s.setInt(1, srsId);
      try (ResultSet r = s.executeQuery()) {
        if (!r.next()) {
          throw new InvalidInputException(
              file + ": srs_id " + srsId + " is not in gpkg_spatial_ref_sys");
        }
        String org = r.getString(1);
        int code = r.getInt(2);
        String definition = r.getString(3);
        if ("undefined".equalsIgnoreCase(definition) || srsId == 0 || srsId == -1) {
          return null;
        }
        try {
          if ("EPSG".equalsIgnoreCase(org) && code > 0) {
            return Crs.forEpsg(code);
          }
          return Crs.fromWkt(definition);
        } catch (FactoryException e) {
          throw new InvalidInputException(
              file
                  + ": the CRS of srs_id "
                  + srsId
                  + " ("
                  + org
                  + ":"
                  + code
                  + ") cannot be decoded: "
                  + e.getMessage(),
              e);
        }
      }
    }
  }

  private static Geometry decode(Path file, String table, long fid, byte[] blob, WKBReader wkb)
      throws InvalidInputException {
    if (blob.length < 8 || blob[0] != 'G' || blob[1] != 'P') {
      throw new InvalidInputException(
          file
              + ": feature "
              + fid
              + " of '"
              + table
              + "' is not GeoPackage binary (no GP header)");
    }
    int flags = blob[3];
    if ((flags & 0x20) != 0) {
      throw new InvalidInputException(
          file + ": feature " + fid + " of '" + table + "' uses extended GeoPackage binary");
    }
    boolean empty = (flags & 0x10) != 0;
    int envelope = (flags >> 1) & 0x7;
    int envelopeBytes =
        switch (envelope) {
          case 0 -> 0;
          case 1 -> 32;
          case 2, 3 -> 48;
          case 4 -> 64;
          default ->
              throw new InvalidInputException(
                  file
                      + ": feature "
                      + fid
                      + " of '"
                      + table
                      + "' has envelope code "
                      + envelope
                      + ", expected 0 to 4");
        };
    if (empty) {
      return null;
    }
    int offset = 8 + envelopeBytes;
    byte[] body = java.util.Arrays.copyOfRange(blob, offset, blob.length);
    try {
      return wkb.read(body);
    } catch (ParseException | RuntimeException e) {
      throw new InvalidInputException(
          file + ": feature " + fid + " of '" + table + "' has unreadable WKB: " + e.getMessage(),
          e);
    }
  }

  /**
   * Writes polygons with an integer {@code class} and a text {@code name} into a new GeoPackage.
   */
  public static final class Writer implements AutoCloseable {
    private final Connection connection;
    private final PreparedStatement insert;
    private final String table;
    private final int srsId;
    private final WKBWriter wkb = new WKBWriter(2, ByteOrderValues.LITTLE_ENDIAN);
    private final Envelope extent = new Envelope();
    private int pending;

    /**
     * Creates the GeoPackage file {@code file} (which must not exist) with one polygon layer.
     *
     * @param crs the layer's CRS, null for an undefined cartesian CRS
     */
    public Writer(Path file, String table, CoordinateReferenceSystem crs) throws IOException {
      this(file, table, crs, false);
    }

    /**
     * Creates the file with one empty feature table of polygons or, with {@code multiPolygons}, of
     * multipolygons.
     *
     * @param crs the layer's CRS, null for an undefined cartesian CRS
     */
    public Writer(Path file, String table, CoordinateReferenceSystem crs, boolean multiPolygons)
        throws IOException {
      this.table = table;
      String type = multiPolygons ? "MULTIPOLYGON" : "POLYGON";
      try {
        connection = open(file, false);
        connection.setAutoCommit(false);
        try (Statement s = connection.createStatement()) {
          s.execute("PRAGMA application_id = " + APPLICATION_ID);
          s.execute("PRAGMA user_version = " + USER_VERSION);
          s.execute(
              "CREATE TABLE gpkg_spatial_ref_sys (srs_name TEXT NOT NULL, srs_id INTEGER NOT NULL"
                  + " PRIMARY KEY, organization TEXT NOT NULL, organization_coordsys_id INTEGER NOT"
                  + " NULL, definition TEXT NOT NULL, description TEXT)");
          s.execute(
              "CREATE TABLE gpkg_contents (table_name TEXT NOT NULL PRIMARY KEY, data_type TEXT NOT"
                  + " NULL, identifier TEXT UNIQUE, description TEXT DEFAULT '', last_change"
                  + " DATETIME NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')), min_x"
                  + " DOUBLE, min_y DOUBLE, max_x DOUBLE, max_y DOUBLE, srs_id INTEGER, CONSTRAINT"
                  + " fk_gc_r_srs_id FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys(srs_id))");
          s.execute(
              "CREATE TABLE gpkg_geometry_columns (table_name TEXT NOT NULL, column_name TEXT NOT"
                  + " NULL, geometry_type_name TEXT NOT NULL, srs_id INTEGER NOT NULL, z TINYINT"
                  + " NOT NULL, m TINYINT NOT NULL, CONSTRAINT pk_geom_cols PRIMARY KEY"
                  + " (table_name, column_name), CONSTRAINT uk_gc_table_name UNIQUE (table_name),"
                  + " CONSTRAINT fk_gc_tn FOREIGN KEY (table_name) REFERENCES"
                  + " gpkg_contents(table_name), CONSTRAINT fk_gc_srs FOREIGN KEY (srs_id)"
                  + " REFERENCES gpkg_spatial_ref_sys (srs_id))");
        }
        insertSrs("Undefined cartesian SRS", -1, "NONE", -1, "undefined");
        insertSrs("Undefined geographic SRS", 0, "NONE", 0, "undefined");
        insertSrs("WGS 84 geodetic", 4326, "EPSG", 4326, Crs.wkt1(Crs.forEpsg(4326)));
        if (crs == null) {
          srsId = -1;
        } else {
          OptionalInt code = Crs.epsg(crs);
          if (code.isPresent()) {
            srsId = code.getAsInt();
            if (srsId != 4326) {
              insertSrs(
                  crs.getName().getCode(), srsId, "EPSG", srsId, Crs.wkt1(Crs.forEpsg(srsId)));
            }
          } else {
            srsId = CUSTOM_SRS_ID;
            insertSrs(crs.getName().getCode(), srsId, "NONE", srsId, Crs.wkt1(crs));
          }
        }
        try (Statement s = connection.createStatement()) {
          s.execute(
              "CREATE TABLE "
                  + quote(table)
                  + " (fid INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL, geom "
                  + type
                  + ", class INTEGER, name TEXT)");
        }
        try (PreparedStatement p =
            connection.prepareStatement(
                "INSERT INTO gpkg_geometry_columns VALUES (?, 'geom', '" + type + "', ?, 0, 0)")) {
          // gpkg_contents first (foreign key), filled with the extent at close
          try (PreparedStatement pc =
              connection.prepareStatement(
                  "INSERT INTO gpkg_contents (table_name, data_type, identifier, srs_id) VALUES"
                      + " (?, 'features', ?, ?)")) {
            pc.setString(1, table);
            pc.setString(2, table);
            pc.setInt(3, srsId);
            pc.executeUpdate();
          }
          p.setString(1, table);
          p.setInt(2, srsId);
          p.executeUpdate();
        }
        insert =
            connection.prepareStatement(
                "INSERT INTO " + quote(table) + " (geom, class, name) VALUES (?, ?, ?)");
      } catch (SQLException | FactoryException e) {
        throw new IOException(file + ": cannot create the GeoPackage: " + e.getMessage(), e);
      }
    }

    private void insertSrs(String name, int id, String org, int code, String definition)
        throws SQLException {
      try (PreparedStatement p =
          connection.prepareStatement(
              "INSERT INTO gpkg_spatial_ref_sys VALUES (?, ?, ?, ?, ?, ?)")) {
        p.setString(1, name);
        p.setInt(2, id);
        p.setString(3, org);
        p.setInt(4, code);
        p.setString(5, definition);
        p.setString(6, null);
        p.executeUpdate();
      }
    }

    /** Adds one polygon (or multipolygon) feature. */
    public void add(Geometry polygon, int classId, String name) throws IOException {
      try {
        insert.setBytes(1, encode(polygon));
        insert.setInt(2, classId);
        insert.setString(3, name);
        insert.executeUpdate();
        extent.expandToInclude(polygon.getEnvelopeInternal());
        if (++pending == 10_000) {
          connection.commit();
          pending = 0;
        }
      } catch (SQLException e) {
        throw new IOException("Cannot write to the GeoPackage: " + e.getMessage(), e);
      }
    }

    private byte[] encode(Geometry g) {
      byte[] body = wkb.write(g);
      Envelope e = g.getEnvelopeInternal();
      ByteBuffer b = ByteBuffer.allocate(8 + 32 + body.length).order(ByteOrder.LITTLE_ENDIAN);
      b.put((byte) 'G').put((byte) 'P').put((byte) 0).put((byte) 0x03).putInt(srsId);
      b.putDouble(e.getMinX()).putDouble(e.getMaxX()).putDouble(e.getMinY()).putDouble(e.getMaxY());
      b.put(body);
      return b.array();
    }

    /** Writes the layer extent and commits. */
    public void finish() throws IOException {
      try (PreparedStatement p =
          connection.prepareStatement(
              "UPDATE gpkg_contents SET min_x = ?, min_y = ?, max_x = ?, max_y = ? WHERE table_name"
                  + " = ?")) {
        if (!extent.isNull()) {
          p.setDouble(1, extent.getMinX());
          p.setDouble(2, extent.getMinY());
          p.setDouble(3, extent.getMaxX());
          p.setDouble(4, extent.getMaxY());
          p.setString(5, table);
          p.executeUpdate();
        }
        connection.commit();
      } catch (SQLException e) {
        throw new IOException("Cannot write to the GeoPackage: " + e.getMessage(), e);
      }
    }

    @Override
    public void close() throws IOException {
      try {
        insert.close();
        connection.close();
      } catch (SQLException e) {
        throw new IOException("Cannot close the GeoPackage: " + e.getMessage(), e);
      }
    }
  }

  private static Connection open(Path file, boolean readOnly) throws SQLException {
    SQLiteConfig config = new SQLiteConfig();
    config.setReadOnly(readOnly);
    return DriverManager.getConnection(
        "jdbc:sqlite:" + file.toAbsolutePath(), config.toProperties());
  }

  private static String quote(String identifier) {
    return "\"" + identifier.replace("\"", "\"\"") + "\"";
  }
}

package dev.landcover.spark;

import dev.landcover.geo.RasterWindow;
import dev.landcover.geo.SampleType;
import dev.landcover.pixels.InvalidInputException;
import dev.landcover.pixels.PixelWindow;
import dev.landcover.workflows.ChipTable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.OptionalDouble;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import scala.jdk.javaapi.CollectionConverters;

/**
 * The Parquet chip table, the one place that writes and reads it: one row per chip, with its pixels
 * ({@link #SCHEMA}).
 *
 * <p>Pixels are stored as GDAL reads them: {@code image} holds {@code bands x height x width}
 * samples of type {@code dtype} (GDAL's name: Byte, UInt16, Int16, UInt32, Int32, Float32,
 * Float64), band after band, each band row after row from the upper-left pixel, each sample
 * little-endian (numpy: {@code np.frombuffer(image, dtype).reshape(bands, height, width)} with
 * {@code dtype} {@code '<u2'} for UInt16 and so on); {@code label} holds one band the same way. The
 * window ({@code x, y, width, height}) is in the scene's pixels, half-open, origin at the
 * upper-left corner of the upper-left pixel; {@code geotransform} is the chip's own (GDAL's six
 * coefficients, the scene's shifted to the window); {@code crs_wkt} is the scene's CRS as WKT 2.
 * {@code nodata} and {@code label_nodata} are null when the raster has none. A chip's pixels are
 * valid, as for a GeoTIFF chip, where no band holds the nodata value and no floating-point band
 * holds NaN.
 */
final class ParquetChipTable implements ChipTable {
  /** The table's columns. */
  static final StructType SCHEMA =
      new StructType(
          new StructField[] {
            DataTypes.createStructField("scene", DataTypes.StringType, false),
            DataTypes.createStructField("labels_file", DataTypes.StringType, true),
            DataTypes.createStructField("chip", DataTypes.IntegerType, false),
            DataTypes.createStructField("x", DataTypes.IntegerType, false),
            DataTypes.createStructField("y", DataTypes.IntegerType, false),
            DataTypes.createStructField("width", DataTypes.IntegerType, false),
            DataTypes.createStructField("height", DataTypes.IntegerType, false),
            DataTypes.createStructField("bands", DataTypes.IntegerType, false),
            DataTypes.createStructField("dtype", DataTypes.StringType, false),
            DataTypes.createStructField("image", DataTypes.BinaryType, false),
            DataTypes.createStructField("nodata", DataTypes.DoubleType, true),
            DataTypes.createStructField("label_dtype", DataTypes.StringType, true),
            DataTypes.createStructField("label", DataTypes.BinaryType, true),
            DataTypes.createStructField("label_nodata", DataTypes.DoubleType, true),
            DataTypes.createStructField("crs_wkt", DataTypes.StringType, true),
            DataTypes.createStructField(
                "geotransform", DataTypes.createArrayType(DataTypes.DoubleType, false), false),
            DataTypes.createStructField("nodata_fraction", DataTypes.DoubleType, false),
            DataTypes.createStructField(
                "class_pixels",
                DataTypes.createMapType(DataTypes.IntegerType, DataTypes.IntegerType, false),
                false)
          });

  /**
   * The row of {@code chip}, cut from {@code scene} (and {@code labels}, or null).
   *
   * @param imageNoData the scene's nodata, if it has one
   * @param labelNoData the label raster's nodata, if it has one
   */
  static Row row(
      String scene,
      String labels,
      dev.landcover.geo.Chip chip,
      OptionalDouble imageNoData,
      OptionalDouble labelNoData) {
    RasterWindow image = chip.image();
    RasterWindow label = chip.labels();
    double[] gt = chip.grid().transform().toGdal();
    return RowFactory.create(
        scene,
        labels,
        chip.index(),
        chip.window().x(),
        chip.window().y(),
        chip.window().width(),
        chip.window().height(),
        image.bandCount(),
        image.sampleType().gdalName(),
        image.toLittleEndianBytes(),
        imageNoData.isPresent() ? imageNoData.getAsDouble() : null,
        label == null ? null : label.sampleType().gdalName(),
        label == null ? null : label.toLittleEndianBytes(),
        label != null && labelNoData.isPresent() ? labelNoData.getAsDouble() : null,
        chip.grid().crsWkt(),
        gt,
        chip.noDataFraction(),
        CollectionConverters.asScala(new HashMap<>(chip.classCounts())));
  }

  /** Where a chip's pixels are in the scratch file, and how to read them. */
  private record Stored(
      ChipTable.Chip chip,
      SampleType type,
      int bands,
      double noData,
      long imageOffset,
      int imageLength,
      SampleType labelType,
      double labelNoData,
      long labelOffset,
      int labelLength) {}

  private final String name;
  private final List<Stored> rows;
  private final List<ChipTable.Chip> chips;
  private final Path scratch;
  private final FileChannel channel;
  private final int bandCount;

  private ParquetChipTable(String name, List<Stored> rows, Path scratch, FileChannel channel) {
    this.name = name;
    this.rows = rows;
    this.chips = rows.stream().map(Stored::chip).toList();
    this.scratch = scratch;
    this.channel = channel;
    this.bandCount = rows.isEmpty() ? 0 : rows.get(0).bands();
  }

  /**
   * Reads the table at {@code path} with {@code spark}: the rows stream to the driver and their
   * pixels into a local scratch file (deleted on {@link #close}), so that the table may be larger
   * than the heap; the chips are then ordered by scene and chip number.
   *
   * @throws InvalidInputException when the table lacks a column, holds a chip twice, chips of
   *     different band counts, or an unknown sample type
   */
  static ParquetChipTable read(SparkSession spark, String path) throws IOException {
    Path scratch = Files.createTempFile("landcover-chip-table", ".bin");
    FileChannel channel =
        FileChannel.open(
            scratch,
            StandardOpenOption.READ,
            StandardOpenOption.WRITE,
            StandardOpenOption.DELETE_ON_CLOSE);
    boolean ok = false;
    try {
      org.apache.spark.sql.Dataset<Row> table = spark.read().parquet(path);
      for (StructField f : SCHEMA.fields()) {
        if (!List.of(table.columns()).contains(f.name())) {
          throw new InvalidInputException(
              path + ": no '" + f.name() + "' column (expected a landcover chip table)");
        }
      }
      String[] columns = SCHEMA.fieldNames();
      Iterator<Row> it = table.selectExpr(columns).toLocalIterator();
      List<Stored> rows = new ArrayList<>();
      long offset = 0;
      while (it.hasNext()) {
        Row r = it.next();
        String scene = r.getString(0);
        int index = r.getInt(2);
        String where = path + ": " + scene + " chip " + index;
        SampleType type = sampleType(r.getString(8), where);
        byte[] image = r.getAs(9);
        byte[] label = r.isNullAt(12) ? null : r.getAs(12);
        SampleType labelType = label == null ? null : sampleType(r.getString(11), where);
        long imageOffset = offset;
        offset = append(channel, image, offset);
        long labelOffset = offset;
        if (label != null) {
          offset = append(channel, label, offset);
        }
        rows.add(
            new Stored(
                new ChipTable.Chip(
                    scene,
                    index,
                    new PixelWindow(r.getInt(3), r.getInt(4), r.getInt(5), r.getInt(6))),
                type,
                r.getInt(7),
                r.isNullAt(10) ? Double.NaN : r.getDouble(10),
                imageOffset,
                image.length,
                labelType,
                r.isNullAt(13) ? Double.NaN : r.getDouble(13),
                labelOffset,
                label == null ? -1 : label.length));
      }
      rows.sort(
          Comparator.comparing((Stored s) -> s.chip().scene())
              .thenComparingInt(s -> s.chip().index()));
      for (int i = 1; i < rows.size(); i++) {
        ChipTable.Chip a = rows.get(i - 1).chip();
        ChipTable.Chip b = rows.get(i).chip();
        if (a.scene().equals(b.scene()) && a.index() == b.index()) {
          throw new InvalidInputException(
              path + ": chip " + b.index() + " of " + b.scene() + " is in the table twice");
        }
        if (rows.get(i).bands() != rows.get(0).bands()) {
          throw new InvalidInputException(
              path
                  + ": "
                  + b.scene()
                  + " chip "
                  + b.index()
                  + " has "
                  + rows.get(i).bands()
                  + " bands where the first chip has "
                  + rows.get(0).bands());
        }
      }
      ok = true;
      return new ParquetChipTable(path, List.copyOf(rows), scratch, channel);
    } finally {
      if (!ok) {
        channel.close();
      }
    }
  }

  private static long append(FileChannel channel, byte[] bytes, long offset) throws IOException {
    ByteBuffer b = ByteBuffer.wrap(bytes);
    long at = offset;
    while (b.hasRemaining()) {
      at += channel.write(b, at);
    }
    return at;
  }

  private static SampleType sampleType(String gdalName, String where) throws InvalidInputException {
    for (SampleType t : SampleType.values()) {
      if (t.gdalName().equals(gdalName)) {
        return t;
      }
    }
    throw new InvalidInputException(
        where + ": sample type '" + gdalName + "' (expected one of GDAL's: Byte, UInt16, ...)");
  }

  private byte[] bytes(long offset, int length) throws IOException {
    ByteBuffer b = ByteBuffer.allocate(length);
    long at = offset;
    while (b.hasRemaining()) {
      int n = channel.read(b, at);
      if (n < 0) {
        throw new IOException(scratch + ": ends before byte " + (offset + length));
      }
      at += n;
    }
    return b.array();
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public List<ChipTable.Chip> chips() {
    return chips;
  }

  @Override
  public int bandCount() {
    return bandCount;
  }

  @Override
  public RasterWindow image(int i, int[] bands) throws IOException {
    Stored s = rows.get(i);
    PixelWindow w = s.chip().window();
    byte[] all = bytes(s.imageOffset(), s.imageLength());
    if (bands == null) {
      return window(s, s.type(), s.bands(), s.noData(), all);
    }
    int plane = w.width() * w.height() * (s.type().bits() / 8);
    byte[] some = new byte[bands.length * plane];
    for (int k = 0; k < bands.length; k++) {
      if (bands[k] < 1 || bands[k] > s.bands()) {
        throw new IllegalArgumentException(
            "--image-bands asks for band "
                + bands[k]
                + " but the chips of "
                + name
                + " have "
                + s.bands()
                + " bands");
      }
      System.arraycopy(all, (bands[k] - 1) * plane, some, k * plane, plane);
    }
    return window(s, s.type(), bands.length, s.noData(), some);
  }

  @Override
  public RasterWindow labels(int i) throws IOException {
    Stored s = rows.get(i);
    if (s.labelType() == null) {
      throw new InvalidInputException(
          name
              + ": "
              + s.chip().scene()
              + " chip "
              + s.chip().index()
              + " has no labels (cut without labels?)");
    }
    return window(s, s.labelType(), 1, s.labelNoData(), bytes(s.labelOffset(), s.labelLength()));
  }

  private RasterWindow window(Stored s, SampleType type, int bands, double noData, byte[] samples)
      throws InvalidInputException {
    PixelWindow w = s.chip().window();
    try {
      return RasterWindow.fromLittleEndianBytes(
          type, w.width(), w.height(), bands, noData, samples);
    } catch (IllegalArgumentException e) {
      throw new InvalidInputException(
          name + ": " + s.chip().scene() + " chip " + s.chip().index() + ": " + e.getMessage(), e);
    }
  }

  @Override
  public void close() throws IOException {
    channel.close();
  }
}

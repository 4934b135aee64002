package dev.landcover.geo;

import java.awt.image.DataBuffer;

/** The type of the samples of a raster band, with the names GDAL gives them. */
public enum SampleType {
  UINT8("Byte", 8, DataBuffer.TYPE_BYTE, false),
  UINT16("UInt16", 16, DataBuffer.TYPE_USHORT, false),
  INT16("Int16", 16, DataBuffer.TYPE_SHORT, false),
  UINT32("UInt32", 32, DataBuffer.TYPE_INT, false),
  INT32("Int32", 32, DataBuffer.TYPE_INT, false),
  FLOAT32("Float32", 32, DataBuffer.TYPE_FLOAT, true),
  FLOAT64("Float64", 64, DataBuffer.TYPE_DOUBLE, true);

  private final String gdalName;
  private final int bits;
  private final int dataBufferType;
  private final boolean floatingPoint;

  SampleType(String gdalName, int bits, int dataBufferType, boolean floatingPoint) {
    this.gdalName = gdalName;
    this.bits = bits;
    this.dataBufferType = dataBufferType;
    this.floatingPoint = floatingPoint;
  }

  /** The name GDAL uses ({@code Byte}, {@code UInt16}, ...). */
  public String gdalName() {
    return gdalName;
  }

  /** Bits per sample. */
  public int bits() {
    return bits;
  }

  /** Whether samples are IEEE floating-point numbers. */
  public boolean isFloatingPoint() {
    return floatingPoint;
  }

  /** The smallest value a sample can hold: 0 for unsigned types, -infinity for floating point. */
  public double minValue() {
    return switch (this) {
      case UINT8, UINT16, UINT32 -> 0;
      case INT16 -> Short.MIN_VALUE;
      case INT32 -> Integer.MIN_VALUE;
      case FLOAT32, FLOAT64 -> Double.NEGATIVE_INFINITY;
    };
  }

  /** The largest value a sample can hold: +infinity for floating point. */
  public double maxValue() {
    return switch (this) {
      case UINT8 -> 255;
      case UINT16 -> 65535;
      case INT16 -> Short.MAX_VALUE;
      case UINT32 -> 4294967295.0;
      case INT32 -> Integer.MAX_VALUE;
      case FLOAT32, FLOAT64 -> Double.POSITIVE_INFINITY;
    };
  }

  /**
   * The {@link DataBuffer} type that holds the samples in Java images ({@link
   * DataBuffer#TYPE_BYTE}, ...), as in the rasters of {@link RasterWindow#raster()}.
   */
  public int dataBufferType() {
    return dataBufferType;
  }

  /**
   * The sample value held in a Java image sample of this type, undoing the sign that the Java
   * storage type imposes (unsigned 32-bit samples are stored in Java {@code int}, signed 8-bit ones
   * in Java {@code byte} read back as unsigned).
   */
  double fromStored(double stored) {
    return this == UINT32 && stored < 0 ? stored + 4294967296.0 : stored;
  }

  /**
   * The type described by the TIFF tags BitsPerSample and SampleFormat, or null when Landcover does
   * not support it.
   *
   * @param bits bits per sample
   * @param format TIFF SampleFormat: 1 unsigned, 2 signed, 3 floating point
   */
  static SampleType fromTiff(int bits, int format) {
    return switch (format) {
      case 1 -> bits == 8 ? UINT8 : bits == 16 ? UINT16 : bits == 32 ? UINT32 : null;
      case 2 -> bits == 16 ? INT16 : bits == 32 ? INT32 : null;
      case 3 -> bits == 32 ? FLOAT32 : bits == 64 ? FLOAT64 : null;
      default -> null;
    };
  }

  /** The smallest unsigned integer type that holds {@code maxValue}, or FLOAT32 past 32 bits. */
  static SampleType unsignedFor(long maxValue) {
    return maxValue <= 0xFF ? UINT8 : maxValue <= 0xFFFF ? UINT16 : UINT32;
  }
}

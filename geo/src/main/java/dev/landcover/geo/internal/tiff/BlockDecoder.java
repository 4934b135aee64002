package dev.landcover.geo.internal.tiff;

import dev.landcover.geo.GeoTiffException;
import dev.landcover.geo.SampleType;
import dev.landcover.geo.internal.Rasters;
import dev.landcover.pixels.PixelWindow;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Decodes the tiles or strips of a TIFF straight from the file, several blocks at once on the
 * common fork-join pool, and keeps recently decoded blocks in the process's {@link BlockCache}.
 * Every encoding that Landcover reads goes through here; {@link #open} refuses the others with a
 * one-line {@link GeoTiffException} naming the file, the value found, what is supported and a
 * {@code gdal_translate} command that converts the file.
 *
 * <p>What is decoded, and as which {@link SampleType}:
 *
 * <ul>
 *   <li>compression: none, LZW, Deflate, PackBits, ZSTD, LZMA ({@link Codecs}) and 8-bit JPEG
 *       ({@link JpegBlocks}); predictor 1 (none), 2 (horizontal differencing, on the integer bits
 *       of floating-point samples as libtiff does) and 3 (floating point);
 *   <li>unsigned integers of 1 to 16 and 32 bits: 1 to 8 bits as UINT8, 9 to 16 as UINT16, 32 as
 *       UINT32 (1 to 7 and 9 to 15 bits unpacked from the bit stream, most significant bit first);
 *   <li>signed integers of 8, 16 and 32 bits: 8 bits widened to INT16, the others as they are;
 *   <li>64-bit signed and unsigned integers as FLOAT64, where every value of a block is a whole
 *       number of magnitude at most 2^53 (held exactly); a block with a larger value fails to
 *       decode with a message rather than reading rounded values;
 *   <li>IEEE floats of 16 (widened to FLOAT32, as GDAL does), 32 and 64 bits.
 * </ul>
 *
 * <p>Instances are safe for concurrent use: reads use positional file reads and the cache is locked
 * only to look blocks up and to store them, so concurrent window reads of one file do not wait on
 * each other's decoding.
 *
 * <p>Resource bounds: every count and offset was checked against the file's length by {@link
 * TiffDirectory}; here the number of blocks must match the image and block sizes, a decoded block
 * may hold at most {@link #MAX_BLOCK_BYTES}, and decompression stops at the bytes the block should
 * hold, with buffers that grow with the data actually decoded.
 *
 * <p>Blocks are numbered as in the TIFF: row-major within a plane, planes one after the other when
 * samples are stored band by band (planar configuration 2).
 */
public final class BlockDecoder {
  /** The most bytes one decoded tile or strip may hold. */
  static final long MAX_BLOCK_BYTES = 256L << 20;

  private static final int TAG_ROWS_PER_STRIP = 278;
  private static final int TAG_FILL_ORDER = 266;
  private static final int TAG_JPEG_TABLES = 347;
  private static final int TAG_COLOR_MAP = 320;
  private static final int TAG_EXTRA_SAMPLES = 338;
  private static final int TAG_YCBCR_SUBSAMPLING = 530;

  private static final String CONVERT =
      "convert it with: gdal_translate -co COMPRESS=DEFLATE -co TILED=YES in.tif out.tif";

  private static final VarHandle SHORTS_LE =
      MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.LITTLE_ENDIAN);
  private static final VarHandle SHORTS_BE =
      MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.BIG_ENDIAN);

  private final Path file;
  private final FileChannel channel;
  private final ByteOrder order;
  private final SampleType type;
  private final int bits;
  private final int format;
  private final int compression;
  private final int predictor;
  private final boolean ycbcr;
  private final byte[] jpegTables;
  private final int[] jpegSampling;
  private final int width;
  private final int height;
  private final int samplesPerPixel;
  private final boolean planar;
  private final boolean tiled;
  private final int blockWidth;
  private final int blockHeight;
  private final int blocksAcross;
  private final int blocksDown;
  private final long[] offsets;
  private final long[] counts;

  private BlockDecoder(
      TiffDirectory dir,
      FileChannel channel,
      SampleType type,
      int bits,
      int format,
      boolean tiled,
      int blockWidth,
      int blockHeight,
      long[] offsets,
      long[] counts) {
    this.file = dir.file();
    this.channel = channel;
    this.order = dir.order();
    this.type = type;
    this.bits = bits;
    this.format = format;
    this.compression = (int) dir.first(TiffDirectory.TAG_COMPRESSION, 1);
    this.predictor =
        usesPredictor(compression) ? (int) dir.first(TiffDirectory.TAG_PREDICTOR, 1) : 1;
    this.ycbcr = dir.first(TiffDirectory.TAG_PHOTOMETRIC, 1) == 6;
    long[] sub = dir.longs(TAG_YCBCR_SUBSAMPLING);
    this.jpegSampling =
        !ycbcr
            ? new int[] {1, 1}
            : sub.length == 2 ? new int[] {(int) sub[0], (int) sub[1]} : new int[] {2, 2};
    this.jpegTables = dir.bytes(TAG_JPEG_TABLES);
    this.width = (int) dir.first(TiffDirectory.TAG_IMAGE_WIDTH, 0);
    this.height = (int) dir.first(TiffDirectory.TAG_IMAGE_LENGTH, 0);
    this.samplesPerPixel = (int) dir.first(TiffDirectory.TAG_SAMPLES_PER_PIXEL, 1);
    this.planar = dir.first(TiffDirectory.TAG_PLANAR_CONFIGURATION, 1) == 2 && samplesPerPixel > 1;
    this.tiled = tiled;
    this.blockWidth = blockWidth;
    this.blockHeight = blockHeight;
    this.blocksAcross = (int) ((width + (long) blockWidth - 1) / blockWidth);
    this.blocksDown = (int) ((height + (long) blockHeight - 1) / blockHeight);
    this.offsets = offsets;
    this.counts = counts;
  }

  /**
   * Checks the encoding and layout that {@code dir} declares and makes a decoder for it.
   *
   * @param dir the file's first directory
   * @param channel the open file, read with positional reads (the caller closes it)
   * @throws GeoTiffException for an encoding Landcover does not decode or a layout that does not
   *     fit the file; the message names the file, the value, what is expected and, where one
   *     exists, a conversion command
   */
  public static BlockDecoder open(TiffDirectory dir, FileChannel channel) throws GeoTiffException {
    Path file = dir.file();
    long width = dir.scalar(TiffDirectory.TAG_IMAGE_WIDTH, 0, 0xFFFFFFFFL);
    long height = dir.scalar(TiffDirectory.TAG_IMAGE_LENGTH, 0, 0xFFFFFFFFL);
    if (width <= 0 || height <= 0 || width > Integer.MAX_VALUE || height > Integer.MAX_VALUE) {
      throw new GeoTiffException(
          file, "broken TIFF: image size " + width + "x" + height + " is not valid", null);
    }
    long spp = dir.scalar(TiffDirectory.TAG_SAMPLES_PER_PIXEL, 1, 65535);
    if (spp < 1 || spp > 65535) {
      throw new GeoTiffException(
          file, "broken TIFF: " + spp + " samples per pixel (expected 1 to 65535)", null);
    }
    if (!dir.has(TiffDirectory.TAG_COMPRESSION)) {
      throw new GeoTiffException(
          file, "broken TIFF: the Compression tag (259) is missing", CONVERT);
    }
    long compression = dir.scalar(TiffDirectory.TAG_COMPRESSION, 1, 65535);
    boolean jpeg = compression == Codecs.JPEG;
    if (!Codecs.isLossless(compression) && !jpeg) {
      throw new GeoTiffException(
          file,
          "unsupported compression "
              + TiffDirectory.compressionName(compression)
              + " (supported: NONE, LZW, DEFLATE, PACKBITS, ZSTD, LZMA, JPEG)",
          CONVERT);
    }
    if (dir.scalar(TAG_FILL_ORDER, 1, 65535) != 1) {
      throw new GeoTiffException(
          file, "unsupported FillOrder " + dir.first(TAG_FILL_ORDER, 1) + " (expected 1)", CONVERT);
    }
    long bits = dir.perSample(TiffDirectory.TAG_BITS_PER_SAMPLE, spp, 1);
    long format = dir.perSample(TiffDirectory.TAG_SAMPLE_FORMAT, spp, 1);
    dir.checkSampleValueRange(spp);
    if (format == 4) {
      format = 1; // "undefined" data: read as unsigned integers, as GDAL does
    }
    SampleType type = typeOf(bits, format);
    if (type == null) {
      throw new GeoTiffException(
          file,
          "unsupported sample type: "
              + bits
              + " bits per sample, sample format "
              + format
              + " (supported: unsigned integers of 1 to 16, 32 and 64 bits, signed integers of 8,"
              + " 16, 32 and 64 bits, floats of 16, 32 and 64 bits)",
          "convert it with: gdal_translate -ot UInt16 (or Int32, Float32) -co COMPRESS=DEFLATE"
              + " in.tif out.tif");
    }
    // libtiff applies the predictor with LZW, Deflate, ZSTD and LZMA only, and ignores it otherwise
    long predictor =
        usesPredictor(compression) ? dir.scalar(TiffDirectory.TAG_PREDICTOR, 1, 65535) : 1;
    String noPredictor =
        "convert it with: gdal_translate -co COMPRESS=DEFLATE -co PREDICTOR=1 in.tif out.tif";
    if (predictor == 2 && (bits == 8 || bits == 16 || bits == 32 || bits == 64) && !jpeg) {
      // horizontal differencing of the integer (or float bit) values
    } else if (predictor == 3 && format == 3 && !jpeg) {
      // floating-point predictor
    } else if (predictor != 1) {
      throw new GeoTiffException(
          file,
          "unsupported predictor "
              + predictor
              + (predictor == 3 ? " (floating point)" : predictor == 2 ? " (horizontal)" : "")
              + " with "
              + bits
              + "-bit "
              + (format == 3 ? "float" : "integer")
              + " samples"
              + (jpeg ? " and JPEG" : "")
              + " (supported: 1 none; 2 with 8, 16, 32, 64-bit samples; 3 with floats)",
          noPredictor);
    }
    long photometric = dir.scalar(TiffDirectory.TAG_PHOTOMETRIC, 1, 65535);
    long planarConfiguration = dir.scalar(TiffDirectory.TAG_PLANAR_CONFIGURATION, 1, 65535);
    if (planarConfiguration != 1 && planarConfiguration != 2) {
      throw new GeoTiffException(
          file,
          "broken TIFF: PlanarConfiguration " + planarConfiguration + " (expected 1 or 2)",
          null);
    }
    boolean planar = planarConfiguration == 2;
    long[] extra = dir.unsignedIntegers(TAG_EXTRA_SAMPLES);
    if (extra.length > spp || Arrays.stream(extra).anyMatch(v -> v < 0 || v > 2)) {
      throw new GeoTiffException(
          file,
          "broken TIFF: ExtraSamples with "
              + extra.length
              + " values for "
              + spp
              + " samples per pixel (expected at most one per sample, each 0, 1 or 2)",
          null);
    }
    if (photometric == 3 && bits < 8 && !dir.has(TAG_COLOR_MAP)) {
      // libtiff reads a palette image without ColorMap as grey (or RGB) from 8 bits up; below, it
      // refuses the file.
      throw new GeoTiffException(
          file,
          "broken TIFF: "
              + bits
              + "-bit samples with photometric interpretation Palette (3) but no ColorMap"
              + " (tag 320), which libtiff requires",
          null);
    }
    if (photometric == 6) {
      long[] sub = dir.unsignedIntegers(TAG_YCBCR_SUBSAMPLING);
      if (sub.length != 0
          && (sub.length != 2 || Arrays.stream(sub).anyMatch(v -> v != 1 && v != 2 && v != 4))) {
        throw new GeoTiffException(
            file,
            "broken TIFF: YCbCrSubsampling " + Arrays.toString(sub) + " (expected 1, 2 or 4 each)",
            null);
      }
      if (!jpeg || spp != 3 || planar) {
        throw new GeoTiffException(
            file,
            "unsupported photometric interpretation YCbCr (6) without JPEG compression or with "
                + spp
                + " band-interleaved samples (supported: YCbCr in pixel-interleaved 3-band JPEG)",
            "convert it to RGB with: gdal_translate -co COMPRESS=DEFLATE -co PHOTOMETRIC=RGB"
                + " in.tif out.tif");
      }
    } else if (photometric >= 5 && photometric != 8) {
      throw new GeoTiffException(
          file,
          "unsupported photometric interpretation "
              + photometric
              + " (CMYK, CIELab variants or other colour spaces; supported: 0 to 4, 6 with JPEG, 8)",
          "convert it to plain bands with: gdal_translate -co COMPRESS=DEFLATE"
              + " -co PHOTOMETRIC=MINISBLACK in.tif out.tif");
    }
    if (jpeg && (bits != 8 || format != 1)) {
      throw new GeoTiffException(
          file, "unsupported JPEG with " + bits + "-bit samples (supported: 8-bit JPEG)", CONVERT);
    }
    boolean tiled = dir.has(TiffDirectory.TAG_TILE_WIDTH) || dir.has(TiffDirectory.TAG_TILE_LENGTH);
    long blockWidth;
    long blockHeight;
    if (tiled) {
      blockWidth = dir.scalar(TiffDirectory.TAG_TILE_WIDTH, 0, 0xFFFFFFFFL);
      blockHeight = dir.scalar(TiffDirectory.TAG_TILE_LENGTH, 0, 0xFFFFFFFFL);
      if (blockWidth <= 0 || blockHeight <= 0 || blockWidth > 65536 || blockHeight > 65536) {
        throw new GeoTiffException(
            file,
            "broken TIFF: tile size " + blockWidth + "x" + blockHeight + " (expected 1 to 65536)",
            CONVERT);
      }
    } else {
      blockWidth = width;
      long rows = dir.scalar(TAG_ROWS_PER_STRIP, height, 0xFFFFFFFFL);
      if (rows == 0) {
        throw new GeoTiffException(
            file, "broken TIFF: RowsPerStrip (tag 278) is 0 (expected 1 or more)", CONVERT);
      }
      blockHeight = Math.min(height, rows);
    }
    long perPixel = planar ? 1 : spp;
    long blockBytes = (blockWidth * perPixel * bits + 7) / 8 * blockHeight;
    long decodedBytes = blockWidth * blockHeight * perPixel * Math.max(1, type.bits() / 8);
    if (Math.max(blockBytes, decodedBytes) > MAX_BLOCK_BYTES) {
      throw new GeoTiffException(
          file,
          (tiled ? "tiles" : "strips")
              + " of "
              + blockWidth
              + "x"
              + blockHeight
              + " pixels x "
              + perPixel
              + " samples hold "
              + Math.max(blockBytes, decodedBytes)
              + " bytes, more than the "
              + MAX_BLOCK_BYTES
              + " bytes Landcover decodes at once",
          CONVERT);
    }
    long across = (width + blockWidth - 1) / blockWidth;
    long down = (height + blockHeight - 1) / blockHeight;
    long expected = across * down * (planar ? spp : 1);
    dir.requireKnownType(tiled ? TiffDirectory.TAG_TILE_OFFSETS : TiffDirectory.TAG_STRIP_OFFSETS);
    dir.requireKnownType(
        tiled ? TiffDirectory.TAG_TILE_BYTE_COUNTS : TiffDirectory.TAG_STRIP_BYTE_COUNTS);
    dir.requireOffsetType(tiled ? TiffDirectory.TAG_TILE_OFFSETS : TiffDirectory.TAG_STRIP_OFFSETS);
    dir.requireOffsetType(
        tiled ? TiffDirectory.TAG_TILE_BYTE_COUNTS : TiffDirectory.TAG_STRIP_BYTE_COUNTS);
    long[] offsets =
        dir.longs(tiled ? TiffDirectory.TAG_TILE_OFFSETS : TiffDirectory.TAG_STRIP_OFFSETS);
    long[] counts =
        dir.longs(tiled ? TiffDirectory.TAG_TILE_BYTE_COUNTS : TiffDirectory.TAG_STRIP_BYTE_COUNTS);
    if (offsets.length < expected || counts.length < expected) {
      throw new GeoTiffException(
          file,
          "truncated or corrupt TIFF: "
              + offsets.length
              + " "
              + (tiled ? "tile" : "strip")
              + " offsets and "
              + counts.length
              + " byte counts where the image of "
              + width
              + "x"
              + height
              + " pixels needs "
              + expected,
          "copy the file again from an intact source");
    }
    for (int i = 0; i < expected; i++) {
      if (offsets[i] < 0 || counts[i] < 0 || offsets[i] + counts[i] > dir.fileSize()) {
        throw new GeoTiffException(
            file,
            "truncated or corrupt TIFF: block "
                + i
                + " spans bytes "
                + offsets[i]
                + " to "
                + (offsets[i] + counts[i])
                + " but the file has only "
                + dir.fileSize()
                + " bytes",
            "copy the file again from an intact source");
      }
    }
    return new BlockDecoder(
        dir,
        channel,
        type,
        (int) bits,
        (int) format,
        tiled,
        (int) blockWidth,
        (int) blockHeight,
        offsets,
        counts);
  }

  /** Whether libtiff applies the Predictor tag to data of this compression. */
  private static boolean usesPredictor(long compression) {
    return compression == Codecs.LZW
        || compression == Codecs.DEFLATE
        || compression == Codecs.DEFLATE_OLD
        || compression == Codecs.ZSTD
        || compression == Codecs.LZMA;
  }

  /** The sample type that samples of {@code bits} bits in TIFF format {@code format} read as. */
  private static SampleType typeOf(long bits, long format) {
    if (format == 1) {
      if (bits >= 1 && bits <= 8) {
        return SampleType.UINT8;
      } else if (bits > 8 && bits <= 16) {
        return SampleType.UINT16;
      } else if (bits == 32) {
        return SampleType.UINT32;
      } else if (bits == 64) {
        return SampleType.FLOAT64;
      }
    } else if (format == 2) {
      return switch ((int) bits) {
        case 8, 16 -> SampleType.INT16;
        case 32 -> SampleType.INT32;
        case 64 -> SampleType.FLOAT64;
        default -> null;
      };
    } else if (format == 3) {
      return switch ((int) bits) {
        case 16, 32 -> SampleType.FLOAT32;
        case 64 -> SampleType.FLOAT64;
        default -> null;
      };
    }
    return null;
  }

  /** The type samples are read as (see the class comment for widened types). */
  public SampleType sampleType() {
    return type;
  }

  /** Samples per pixel: the number of bands. */
  public int bandCount() {
    return samplesPerPixel;
  }

  /**
   * Copies the pixels of {@code inside} (a part of the raster) of the given bands into {@code out},
   * whose pixel (0, 0) is pixel ({@code window.x()}, {@code window.y()}) of the raster.
   *
   * @param inside the pixels to copy, inside the raster and inside {@code window}
   * @param window the window that {@code outBanks} cover (may reach past the raster)
   * @param bands 1-based band numbers, in the order of {@code outBanks}
   * @param outBanks one row-major array of the sample type's Java storage type per band, {@code
   *     window.width() * window.height()} long
   * @param fill the value of blocks absent from the file (sparse files)
   * @throws IOException when the file cannot be read or a block cannot be decoded; the message
   *     names the block but not the file
   */
  public void copy(
      PixelWindow inside, PixelWindow window, int[] bands, Object[] outBanks, double fill)
      throws IOException {
    int bx0 = inside.x() / blockWidth;
    int bx1 = (inside.endX() - 1) / blockWidth;
    int by0 = inside.y() / blockHeight;
    int by1 = (inside.endY() - 1) / blockHeight;
    List<Integer> needed = new ArrayList<>();
    for (int by = by0; by <= by1; by++) {
      for (int bx = bx0; bx <= bx1; bx++) {
        if (planar) {
          for (int band : bands) {
            needed.add(blockIndex(bx, by, band - 1));
          }
        } else {
          needed.add(blockIndex(bx, by, 0));
        }
      }
    }
    Map<Integer, Object> blocks = blocks(needed.stream().distinct().toList());
    int outWidth = window.width();
    for (int by = by0; by <= by1; by++) {
      for (int bx = bx0; bx <= bx1; bx++) {
        int x0 = Math.max(inside.x(), bx * blockWidth);
        int x1 = Math.min(inside.endX(), (bx + 1) * blockWidth);
        int y0 = Math.max(inside.y(), by * blockHeight);
        int y1 = Math.min(inside.endY(), (by + 1) * blockHeight);
        for (int b = 0; b < bands.length; b++) {
          int band = bands[b] - 1;
          Object block = blocks.get(blockIndex(bx, by, planar ? band : 0));
          int stride = planar ? 1 : samplesPerPixel;
          int sample = planar ? 0 : band;
          for (int y = y0; y < y1; y++) {
            int d = (y - window.y()) * outWidth + (x0 - window.x());
            if (block == null) {
              fillRow(outBanks[b], d, x1 - x0, fill);
              continue;
            }
            int s =
                ((y - by * blockHeight) * blockWidth + (x0 - bx * blockWidth)) * stride + sample;
            copyRow(block, s, stride, outBanks[b], d, x1 - x0);
          }
        }
      }
    }
  }

  private int blockIndex(int bx, int by, int plane) {
    return plane * blocksAcross * blocksDown + by * blocksAcross + bx;
  }

  /** The decoded blocks, from the cache or decoded now in parallel; null for absent blocks. */
  private Map<Integer, Object> blocks(List<Integer> indices) throws IOException {
    Map<Integer, Object> found = new LinkedHashMap<>();
    List<Integer> missing = BlockCache.lookUp(this, indices, found);
    try {
      Map<Integer, Object> decoded = new ConcurrentHashMap<>();
      (missing.size() > 1 ? missing.parallelStream() : missing.stream())
          .forEach(
              i -> {
                try {
                  Object block = decode(i);
                  if (block != null) {
                    decoded.put(i, block);
                  }
                } catch (IOException e) {
                  throw new UncheckedIOException(e);
                }
              });
      found.putAll(decoded);
      BlockCache.store(this, decoded);
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
    return found;
  }

  /**
   * Drops this decoder's cached blocks that lie wholly above row {@code y} (0-based: rows 0 to
   * {@code y - 1}), for a top-down pass that will not read them again. Reading them later stays
   * correct: they are decoded again.
   */
  public void releaseRowsAbove(int y) {
    int rowsDone = y / blockHeight;
    if (rowsDone > 0) {
      int perPlane = blocksAcross * blocksDown;
      BlockCache.drop(this, index -> (index % perPlane) / blocksAcross < rowsDone);
    }
  }

  /** Bytes of this decoder's decoded blocks that the process's cache keeps now. */
  public long cachedBytes() {
    return BlockCache.bytesOf(this);
  }

  /** Drops this decoder's blocks from the cache: its file is being closed. */
  public void close() {
    BlockCache.drop(this);
  }

  /** Decodes block {@code index}: a typed array of the block's samples, or null when absent. */
  private Object decode(int index) throws IOException {
    long offset = offsets[index];
    long count = counts[index];
    if (offset == 0 && count == 0) {
      return null; // sparse file: the block was never written
    }
    if (offset == 0 || count == 0) {
      throw new IOException(
          "block "
              + index
              + " is at byte "
              + offset
              + " with "
              + count
              + " bytes (expected both"
              + " 0 for a block left out, or both positive)");
    }
    int by = (index % (blocksAcross * blocksDown)) / blocksAcross;
    int rows = tiled ? blockHeight : Math.min(blockHeight, height - by * blockHeight);
    int perPixel = planar ? 1 : samplesPerPixel;
    int rowBytes = (int) (((long) blockWidth * perPixel * bits + 7) / 8);
    int expected = rowBytes * rows;
    int stored = (int) Math.min(count, compression == Codecs.NONE ? expected : MAX_BLOCK_BYTES);
    int n = blockWidth * rows * perPixel;
    boolean wholeBytes = bits == 8 || bits == 16 || bits == 32 || bits == 64;
    ByteBuffer direct =
        (compression == Codecs.DEFLATE || compression == Codecs.DEFLATE_OLD)
                && wholeBytes
                && predictor != 3
            ? NativeDeflate.inputBuffer(stored)
            : null;
    if (direct != null) {
      // libdeflate reads the block where the file's bytes land and decodes into native memory,
      // from which the samples are taken: no copy of the block on the Java heap
      readFully(direct, offset, index);
      ByteBuffer decoded = NativeDeflate.inflateInput(stored, expected);
      if (decoded != null) {
        return toSamples(decoded.order(order), n, blockWidth * perPixel, rows, perPixel, index);
      }
    }
    Scratch scratch = Scratch.get();
    ByteBuffer data = ByteBuffer.wrap(scratch.stored(stored), 0, stored);
    if (direct != null) {
      data.put(direct.flip()).flip(); // not libdeflate's: the JDK's zlib decodes (or refuses) it
    } else {
      readFully(data, offset, index);
    }
    // raw: the decoded block in its first `expected` bytes; it may be the thread's scratch buffer,
    // so every path below copies it into a new array before the block leaves this method
    byte[] raw;
    try {
      if (compression == Codecs.JPEG) {
        int jpegHeight = tiled ? blockHeight : rows;
        raw =
            JpegBlocks.decode(
                jpegTables,
                Arrays.copyOf(data.array(), stored),
                blockWidth,
                jpegHeight,
                rows,
                perPixel,
                ycbcr,
                planar ? new int[] {1, 1} : jpegSampling);
      } else {
        raw =
            Codecs.decode(
                compression,
                data.array(),
                stored,
                expected,
                scratch.decoded(expected),
                scratch::inflater);
      }
    } catch (IOException e) {
      throw new IOException("block " + index + ": " + e.getMessage(), e);
    }
    if (wholeBytes) {
      if (predictor == 3) {
        raw = undoFloatPredictor(raw, rowBytes, rows, perPixel, bits / 8);
      }
      ByteBuffer b =
          ByteBuffer.wrap(raw, 0, expected).order(predictor == 3 ? ByteOrder.BIG_ENDIAN : order);
      return toSamples(b, n, blockWidth * perPixel, rows, perPixel, index);
    }
    return unpack(raw, rowBytes, blockWidth * perPixel, rows);
  }

  /** Fills {@code buffer} from the file at {@code offset} (up to its limit). */
  private void readFully(ByteBuffer buffer, long offset, int index) throws IOException {
    long start = offset - buffer.position();
    while (buffer.hasRemaining()) {
      if (channel.read(buffer, start + buffer.position()) < 0) {
        throw new IOException("block " + index + " ends past the end of the file");
      }
    }
  }

  /**
   * Buffers a decoding thread keeps from block to block: the stored bytes, the decoded bytes and an
   * inflater, so that a block costs no allocation but its typed samples. Buffers of blocks larger
   * than {@link #KEEP_BYTES} are not kept.
   */
  static final class Scratch {
    static final int KEEP_BYTES = 4 << 20;
    private static final ThreadLocal<Scratch> OF_THREAD = ThreadLocal.withInitial(Scratch::new);
    private byte[] stored = new byte[0];
    private byte[] decoded = new byte[0];
    private java.util.zip.Inflater inflater;

    static Scratch get() {
      return OF_THREAD.get();
    }

    /** A buffer of at least {@code n} bytes for a block's stored bytes. */
    byte[] stored(int n) {
      if (n > KEEP_BYTES) {
        return new byte[n];
      }
      if (stored.length < n) {
        stored = new byte[Math.max(n, Math.min(KEEP_BYTES, 2 * stored.length))];
      }
      return stored;
    }

    /**
     * A buffer of at least {@code n} bytes for a block's decoded bytes, or null for a block too
     * large to keep a buffer for (the codec then grows its own with the data).
     */
    byte[] decoded(int n) {
      if (n > KEEP_BYTES) {
        return null;
      }
      if (decoded.length < n) {
        decoded = new byte[n];
      }
      return decoded;
    }

    /** This thread's inflater, reset for a new stream. */
    java.util.zip.Inflater inflater() {
      if (inflater == null) {
        inflater = new java.util.zip.Inflater();
      } else {
        inflater.reset();
      }
      return inflater;
    }
  }

  /** Whole-byte samples to the sample type's Java array, undoing horizontal differencing. */
  private Object toSamples(ByteBuffer b, int n, int rowLength, int rows, int stride, int index)
      throws IOException {
    boolean horizontal = predictor == 2;
    switch (bits) {
      case 8 -> {
        byte[] a = new byte[n];
        b.get(a);
        if (horizontal) {
          undoHorizontal(a, rowLength, rows, stride);
        }
        if (format == 2) {
          short[] s = new short[n];
          for (int i = 0; i < n; i++) {
            s[i] = a[i];
          }
          return s;
        }
        return a;
      }
      case 16 -> {
        short[] a = new short[n];
        if (horizontal && b.hasArray()) {
          undoHorizontal16(b, a, rowLength, rows, stride);
        } else {
          b.asShortBuffer().get(a);
          if (horizontal) {
            undoHorizontal(a, rowLength, rows, stride);
          }
        }
        if (format == 3) {
          float[] f = new float[n];
          for (int i = 0; i < n; i++) {
            f[i] = halfToFloat(a[i]);
          }
          return f;
        }
        return a;
      }
      case 32 -> {
        int[] a = new int[n];
        b.asIntBuffer().get(a);
        if (horizontal) {
          undoHorizontal(a, rowLength, rows, stride);
        }
        if (format == 3) {
          float[] f = new float[n];
          for (int i = 0; i < n; i++) {
            f[i] = Float.intBitsToFloat(a[i]);
          }
          return f;
        }
        return a;
      }
      default -> {
        long[] a = new long[n];
        b.asLongBuffer().get(a);
        if (horizontal) {
          undoHorizontal(a, rowLength, rows, stride);
        }
        double[] d = new double[n];
        for (int i = 0; i < n; i++) {
          if (format == 3) {
            d[i] = Double.longBitsToDouble(a[i]);
          } else {
            long v = a[i];
            if (v > (1L << 53) || v < -(1L << 53) || (format == 1 && v < 0)) {
              throw new IOException(
                  "block "
                      + index
                      + " holds the 64-bit integer "
                      + (format == 1 ? Long.toUnsignedString(v) : Long.toString(v))
                      + ", beyond the +-2^53 that Landcover holds exactly as Float64 (convert it"
                      + " with: gdal_translate -ot Float64 in.tif out.tif, accepting the rounding)");
            }
            d[i] = v;
          }
        }
        return d;
      }
    }
  }

  /**
   * Unpacks samples of fewer than 16 bits other than 8 (rows start on a byte, samples are read most
   * significant bit first) to bytes (up to 8 bits) or shorts (9 to 15 bits).
   */
  private Object unpack(byte[] raw, int rowBytes, int rowLength, int rows) {
    int n = rowLength * rows;
    byte[] small = bits <= 8 ? new byte[n] : null;
    short[] wide = bits <= 8 ? null : new short[n];
    int mask = (1 << bits) - 1;
    for (int r = 0; r < rows; r++) {
      int pos = r * rowBytes;
      long buffer = 0;
      int held = 0;
      for (int i = 0; i < rowLength; i++) {
        while (held < bits) {
          buffer = (buffer << 8) | (raw[pos++] & 0xFF);
          held += 8;
        }
        int v = (int) (buffer >>> (held - bits)) & mask;
        held -= bits;
        if (small != null) {
          small[r * rowLength + i] = (byte) v;
        } else {
          wide[r * rowLength + i] = (short) v;
        }
      }
    }
    return small != null ? small : wide;
  }

  /**
   * Undoes the floating-point predictor (TIFF Technical Note 3, libtiff's {@code fpAcc}): each row
   * holds the bytes of its samples as planes, most significant byte first, each byte stored minus
   * the byte {@code stride} before it. Returns the row's samples in big-endian byte order.
   */
  private static byte[] undoFloatPredictor(
      byte[] raw, int rowBytes, int rows, int stride, int bytesPerSample) {
    byte[] out = new byte[rows * rowBytes];
    int count = rowBytes / bytesPerSample;
    for (int r = 0; r < rows; r++) {
      int base = r * rowBytes;
      for (int i = base + stride; i < base + rowBytes; i++) {
        raw[i] += raw[i - stride];
      }
      for (int i = 0; i < count; i++) {
        for (int k = 0; k < bytesPerSample; k++) {
          out[base + i * bytesPerSample + k] = raw[base + k * count + i];
        }
      }
    }
    return out;
  }

  /** IEEE half-precision bits to the float of the same value (every half is a float exactly). */
  static float halfToFloat(short half) {
    int h = half & 0xFFFF;
    int sign = (h & 0x8000) << 16;
    int exponent = (h >>> 10) & 0x1F;
    int mantissa = h & 0x3FF;
    if (exponent == 0x1F) {
      return Float.intBitsToFloat(sign | 0x7F800000 | (mantissa << 13));
    }
    if (exponent == 0) {
      float v = mantissa * 0x1p-24f;
      return sign == 0 ? v : -v;
    }
    return Float.intBitsToFloat(sign | ((exponent + 112) << 23) | (mantissa << 13));
  }

  /**
   * Reads 16-bit samples from {@code b} (in its byte order) into {@code a} and undoes horizontal
   * differencing in the same pass, as {@code b.asShortBuffer().get(a)} then {@link #undoHorizontal}
   * would.
   */
  private static void undoHorizontal16(
      ByteBuffer b, short[] a, int rowLength, int rows, int stride) {
    byte[] raw = b.array();
    int base = b.arrayOffset() + b.position();
    boolean little = b.order() == ByteOrder.LITTLE_ENDIAN;
    for (int r = 0; r < rows; r++) {
      int start = r * rowLength;
      int end = start + rowLength;
      int first = Math.min(end, start + stride);
      for (int i = start; i < first; i++) {
        a[i] =
            little
                ? (short) SHORTS_LE.get(raw, base + 2 * i)
                : (short) SHORTS_BE.get(raw, base + 2 * i);
      }
      if (stride == 1) {
        short sum = a[start];
        for (int i = start + 1; i < end; i++) {
          sum +=
              little
                  ? (short) SHORTS_LE.get(raw, base + 2 * i)
                  : (short) SHORTS_BE.get(raw, base + 2 * i);
          a[i] = sum;
        }
      } else {
        for (int i = first; i < end; i++) {
          short d =
              little
                  ? (short) SHORTS_LE.get(raw, base + 2 * i)
                  : (short) SHORTS_BE.get(raw, base + 2 * i);
          a[i] = (short) (a[i - stride] + d);
        }
      }
    }
  }

  /**
   * Undoes TIFF horizontal differencing: each sample was stored minus its left neighbour's (the
   * same channel's, {@code stride} samples before), in the integer arithmetic of the sample's
   * width.
   */
  private static void undoHorizontal(Object samples, int rowLength, int rows, int stride) {
    // one pass along the row: sample i adds the sum held by sample i - stride (the same channel)
    if (samples instanceof short[] a) {
      for (int r = 0; r < rows; r++) {
        int start = r * rowLength;
        int end = start + rowLength;
        if (stride == 4 && rowLength % 4 == 0) {
          // the common 4-band case with the four running sums in registers
          short s0 = a[start];
          short s1 = a[start + 1];
          short s2 = a[start + 2];
          short s3 = a[start + 3];
          for (int i = start + 4; i < end; i += 4) {
            s0 += a[i];
            a[i] = s0;
            s1 += a[i + 1];
            a[i + 1] = s1;
            s2 += a[i + 2];
            a[i + 2] = s2;
            s3 += a[i + 3];
            a[i + 3] = s3;
          }
        } else if (stride == 1) {
          short sum = a[start];
          for (int i = start + 1; i < end; i++) {
            sum += a[i];
            a[i] = sum;
          }
        } else {
          for (int i = start + stride; i < end; i++) {
            a[i] += a[i - stride];
          }
        }
      }
    } else if (samples instanceof byte[] a) {
      for (int r = 0; r < rows; r++) {
        int end = (r + 1) * rowLength;
        for (int i = r * rowLength + stride; i < end; i++) {
          a[i] += a[i - stride];
        }
      }
    } else if (samples instanceof int[] a) {
      for (int r = 0; r < rows; r++) {
        int end = (r + 1) * rowLength;
        for (int i = r * rowLength + stride; i < end; i++) {
          a[i] += a[i - stride];
        }
      }
    } else if (samples instanceof long[] a) {
      for (int r = 0; r < rows; r++) {
        int end = (r + 1) * rowLength;
        for (int i = r * rowLength + stride; i < end; i++) {
          a[i] += a[i - stride];
        }
      }
    }
  }

  private static void copyRow(Object from, int s, int stride, Object to, int d, int n) {
    if (stride == 1) {
      System.arraycopy(from, s, to, d, n);
    } else {
      Rasters.copyStrided(from, s, stride, to, d, n);
    }
  }

  private static void fillRow(Object to, int d, int n, double value) {
    if (to instanceof byte[] b) {
      Arrays.fill(b, d, d + n, (byte) value);
    } else if (to instanceof short[] b) {
      Arrays.fill(b, d, d + n, (short) (int) value);
    } else if (to instanceof int[] b) {
      Arrays.fill(b, d, d + n, (int) (long) value);
    } else if (to instanceof float[] b) {
      Arrays.fill(b, d, d + n, (float) value);
    } else {
      Arrays.fill((double[]) to, d, d + n, value);
    }
  }

  @Override
  public String toString() {
    return "BlockDecoder["
        + file
        + ", "
        + TiffDirectory.compressionName(compression)
        + ", predictor "
        + predictor
        + "]";
  }
}

package dev.landcover.geo.internal.tiff;

import dev.landcover.geo.SampleType;
import dev.landcover.geo.internal.Rasters;
import dev.landcover.pixels.PixelWindow;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * Decodes the tiles or strips of uncompressed and Deflate GeoTIFFs (the encoding of nearly all
 * satellite scenes and of Landcover's own outputs) straight from the file, several blocks at once
 * on the common fork-join pool, and keeps recently decoded blocks in a bounded cache. Apache SIS
 * decodes everything else. Instances are safe for concurrent use: reads use positional file reads
 * and the cache is locked only to look blocks up and to store them, so concurrent window reads of
 * one file do not wait on each other's decoding.
 *
 * <p>Blocks are numbered as in the TIFF: row-major within a plane, planes one after the other when
 * samples are stored band by band (planar configuration 2).
 */
public final class BlockDecoder {
  /** Bytes of decoded blocks kept for later windows (overlapping chips reuse them). */
  static final long CACHE_BYTES = 96L << 20;

  private final FileChannel channel;
  private final ByteOrder order;
  private final SampleType type;
  private final int width;
  private final int height;
  private final int samplesPerPixel;
  private final boolean planar;
  private final boolean deflate;
  private final boolean predictor;
  private final int blockWidth;
  private final int blockHeight;
  private final int blocksAcross;
  private final int blocksDown;
  private final long[] offsets;
  private final long[] counts;
  private final Map<Integer, Object> cache = new LinkedHashMap<>(64, 0.75f, true);
  private long cachedBytes;

  private BlockDecoder(TiffDirectory dir, SampleType type, FileChannel channel, boolean tiled) {
    this.channel = channel;
    this.order = dir.order();
    this.type = type;
    this.width = (int) dir.first(TiffDirectory.TAG_IMAGE_WIDTH, 0);
    this.height = (int) dir.first(TiffDirectory.TAG_IMAGE_LENGTH, 0);
    this.samplesPerPixel = (int) dir.first(TiffDirectory.TAG_SAMPLES_PER_PIXEL, 1);
    this.planar = dir.first(TiffDirectory.TAG_PLANAR_CONFIGURATION, 1) == 2 && samplesPerPixel > 1;
    this.deflate = dir.first(TiffDirectory.TAG_COMPRESSION, 1) != 1;
    this.predictor = dir.first(TiffDirectory.TAG_PREDICTOR, 1) == 2;
    if (tiled) {
      blockWidth = (int) dir.first(TiffDirectory.TAG_TILE_WIDTH, 0);
      blockHeight = (int) dir.first(TiffDirectory.TAG_TILE_LENGTH, 0);
    } else {
      blockWidth = width;
      blockHeight = (int) Math.min(height, dir.first(TAG_ROWS_PER_STRIP, height));
    }
    this.blocksAcross = (width + blockWidth - 1) / blockWidth;
    this.blocksDown = (height + blockHeight - 1) / blockHeight;
    List<long[]> ranges = dir.blockRanges();
    offsets = new long[ranges.size()];
    counts = new long[ranges.size()];
    for (int i = 0; i < ranges.size(); i++) {
      offsets[i] = ranges.get(i)[0];
      counts[i] = ranges.get(i)[1];
    }
  }

  private static final int TAG_ROWS_PER_STRIP = 278;

  /**
   * A decoder for the file's encoding, or null when Apache SIS must decode it (other compressions,
   * predictors or sample layouts).
   *
   * @param dir the file's directory, already checked (sizes, block ranges inside the file)
   * @param type the sample type the directory declares
   * @param bands the number of bands (samples per pixel)
   * @param channel the open file, read with positional reads (the caller closes it)
   */
  public static BlockDecoder of(
      TiffDirectory dir, SampleType type, int bands, FileChannel channel) {
    long compression = dir.first(TiffDirectory.TAG_COMPRESSION, 1);
    long predictor = dir.first(TiffDirectory.TAG_PREDICTOR, 1);
    boolean tiled = dir.has(TiffDirectory.TAG_TILE_WIDTH) && dir.has(TiffDirectory.TAG_TILE_LENGTH);
    if ((compression != 1 && compression != 8 && compression != 32946)
        || (predictor != 1 && !(predictor == 2 && !type.isFloatingPoint()))
        || dir.first(TiffDirectory.TAG_SAMPLES_PER_PIXEL, 1) != bands
        || dir.first(266, 1) != 1 // FillOrder
        || (tiled
            && (dir.first(TiffDirectory.TAG_TILE_WIDTH, 0) <= 0
                || dir.first(TiffDirectory.TAG_TILE_LENGTH, 0) <= 0))) {
      return null;
    }
    BlockDecoder d = new BlockDecoder(dir, type, channel, tiled);
    long expected = (long) d.blocksAcross * d.blocksDown * (d.planar ? bands : 1);
    if (d.blockWidth <= 0
        || d.blockHeight <= 0
        || d.offsets.length < expected
        || (long) d.blockWidth * d.blockHeight * bands * (type.bits() / 8)
            > Integer.MAX_VALUE / 2) {
      return null;
    }
    return d;
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
   * @throws IOException when the file cannot be read or a block cannot be decoded
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
    List<Integer> missing = new ArrayList<>();
    synchronized (cache) {
      for (int i : indices) {
        Object block = cache.get(i);
        if (block != null) {
          found.put(i, block);
        } else {
          missing.add(i);
        }
      }
    }
    try {
      Map<Integer, Object> decoded = new java.util.concurrent.ConcurrentHashMap<>();
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
      synchronized (cache) {
        for (Map.Entry<Integer, Object> e : decoded.entrySet()) {
          if (cache.put(e.getKey(), e.getValue()) == null) {
            cachedBytes += bytes(e.getValue());
          }
        }
        var it = cache.entrySet().iterator();
        while (cachedBytes > CACHE_BYTES && it.hasNext()) {
          cachedBytes -= bytes(it.next().getValue());
          it.remove();
        }
      }
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
    return found;
  }

  private static long bytes(Object block) {
    if (block instanceof byte[] a) {
      return a.length;
    } else if (block instanceof short[] a) {
      return 2L * a.length;
    } else if (block instanceof int[] a) {
      return 4L * a.length;
    } else if (block instanceof float[] a) {
      return 4L * a.length;
    }
    return 8L * ((double[]) block).length;
  }

  /** Decodes block {@code index}: a typed array of the block's samples, or null when absent. */
  private Object decode(int index) throws IOException {
    long offset = offsets[index];
    long count = counts[index];
    if (offset == 0 && count == 0) {
      return null;
    }
    int by = (index % (blocksAcross * blocksDown)) / blocksAcross;
    int rows = Math.min(blockHeight, height - by * blockHeight);
    int perPixel = planar ? 1 : samplesPerPixel;
    int bytesPerSample = type.bits() / 8;
    int full = blockWidth * blockHeight * perPixel * bytesPerSample;
    int expected = blockWidth * rows * perPixel * bytesPerSample;
    ByteBuffer compressed = ByteBuffer.allocate((int) Math.min(count, deflate ? count : expected));
    while (compressed.hasRemaining()) {
      if (channel.read(compressed, offset + compressed.position()) < 0) {
        throw new IOException("block " + index + " ends past the end of the file");
      }
    }
    byte[] raw;
    if (deflate) {
      raw = new byte[full];
      Inflater inflater = new Inflater();
      try {
        inflater.setInput(compressed.array());
        int n = 0;
        while (n < expected && !inflater.finished()) {
          int k = inflater.inflate(raw, n, full - n);
          if (k == 0 && (inflater.needsInput() || inflater.needsDictionary())) {
            break;
          }
          n += k;
        }
        if (n < expected) {
          throw new IOException(
              "Deflate block "
                  + index
                  + " holds "
                  + n
                  + " bytes where "
                  + expected
                  + " were expected");
        }
      } catch (DataFormatException e) {
        throw new IOException("Deflate block " + index + " is corrupt: " + e.getMessage(), e);
      } finally {
        inflater.end();
      }
    } else {
      if (compressed.capacity() < expected) {
        throw new IOException(
            "block "
                + index
                + " holds "
                + compressed.capacity()
                + " bytes where "
                + expected
                + " were expected");
      }
      raw = new byte[full];
      System.arraycopy(compressed.array(), 0, raw, 0, expected);
    }
    Object samples = toSamples(raw);
    if (predictor) {
      undoPredictor(samples, blockWidth * perPixel, rows, perPixel);
    }
    return samples;
  }

  private Object toSamples(byte[] raw) {
    ByteBuffer b = ByteBuffer.wrap(raw).order(order);
    switch (type.bits()) {
      case 8:
        return raw;
      case 16:
        short[] s = new short[raw.length / 2];
        b.asShortBuffer().get(s);
        return s;
      case 32:
        if (type.isFloatingPoint()) {
          float[] f = new float[raw.length / 4];
          b.asFloatBuffer().get(f);
          return f;
        }
        int[] i = new int[raw.length / 4];
        b.asIntBuffer().get(i);
        return i;
      default:
        double[] d = new double[raw.length / 8];
        b.asDoubleBuffer().get(d);
        return d;
    }
  }

  /**
   * Undoes TIFF horizontal differencing: each sample was stored minus its left neighbour's (the
   * same channel's, {@code stride} samples before). The running sum stays in a register, one
   * channel at a time.
   */
  private static void undoPredictor(Object samples, int rowLength, int rows, int stride) {
    for (int r = 0; r < rows; r++) {
      int start = r * rowLength;
      int end = start + rowLength;
      for (int k = 0; k < stride; k++) {
        if (samples instanceof short[] a) {
          short sum = a[start + k];
          for (int i = start + k + stride; i < end; i += stride) {
            sum += a[i];
            a[i] = sum;
          }
        } else if (samples instanceof byte[] a) {
          byte sum = a[start + k];
          for (int i = start + k + stride; i < end; i += stride) {
            sum += a[i];
            a[i] = sum;
          }
        } else if (samples instanceof int[] a) {
          int sum = a[start + k];
          for (int i = start + k + stride; i < end; i += stride) {
            sum += a[i];
            a[i] = sum;
          }
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
      java.util.Arrays.fill(b, d, d + n, (byte) value);
    } else if (to instanceof short[] b) {
      java.util.Arrays.fill(b, d, d + n, (short) (int) value);
    } else if (to instanceof int[] b) {
      java.util.Arrays.fill(b, d, d + n, (int) (long) value);
    } else if (to instanceof float[] b) {
      java.util.Arrays.fill(b, d, d + n, (float) value);
    } else {
      java.util.Arrays.fill((double[]) to, d, d + n, value);
    }
  }
}

package dev.landcover.geo;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

/**
 * Seeded mutations of valid TIFF files for fuzzing tests (GeoTiffFuzzTest here, the command-line
 * test in app): truncation, byte flips in the header and first image directory, counts, offsets,
 * tag values and sizes set to extreme values, byte flips in the data.
 */
public final class TiffMutator {
  private TiffMutator() {}

  /**
   * Writes the small valid GeoTIFFs to mutate (fuzz_seeds.py, with GDAL) into {@code dir}.
   *
   * @return the files, sorted by name
   */
  public static List<Path> writeSeeds(Path dir) throws IOException {
    Gdal.runScript(TiffMutator.class, "fuzz_seeds.py", dir, dir.toString());
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(f -> f.toString().endsWith(".tif")).sorted().toList();
    }
  }

  /** One seeded mutation of {@code original}; {@code how} gets its description. */
  public static byte[] mutate(byte[] original, Random random, StringBuilder how) {
    byte[] b = original.clone();
    Ifd ifd = Ifd.parse(b);
    int kind = random.nextInt(8);
    switch (kind) {
      case 0 -> {
        int at = random.nextInt(b.length);
        how.append(" truncated at ").append(at);
        return java.util.Arrays.copyOf(b, at);
      }
      case 1 -> {
        int n = 1 + random.nextInt(3);
        int limit = Math.max(16, Math.min(b.length, ifd.end));
        how.append(" header/IFD byte flips at");
        for (int i = 0; i < n; i++) {
          int at = random.nextInt(limit);
          b[at] ^= (byte) (1 << random.nextInt(8));
          how.append(' ').append(at);
        }
      }
      case 2, 3, 4 -> {
        // an entry's count (2), value or offset (3), or a value of an array tag (4) out of range
        int e = random.nextInt(ifd.entries);
        int entry = ifd.first + e * ifd.entrySize;
        int tag = ifd.u16(entry);
        long value = extreme(random, b.length);
        if (kind == 2) {
          how.append(" count of tag ").append(tag).append(" = ").append(value);
          ifd.putCount(entry, value);
        } else if (kind == 3 || ifd.valueAt(entry) < 0) {
          how.append(" value/offset of tag ").append(tag).append(" = ").append(value);
          ifd.putValue(entry, value);
        } else {
          long at = ifd.valueAt(entry);
          int unit = ifd.unit(entry);
          long count = Math.max(1, ifd.count(entry));
          long pos = at + unit * (long) random.nextInt((int) Math.min(count, 1 << 20));
          if (pos + unit <= b.length && unit > 0) {
            how.append(" value ").append(pos).append(" of tag ").append(tag);
            how.append(" = ").append(value);
            ifd.put(pos, unit, value);
          }
        }
      }
      case 5 -> {
        // image, tile or strip size
        int[] sizeTags = {256, 257, 322, 323, 278, 258, 277, 284};
        int tag = sizeTags[random.nextInt(sizeTags.length)];
        int entry = ifd.find(tag);
        if (entry >= 0) {
          long value = random.nextBoolean() ? extreme(random, 1 << 20) : random.nextInt(70000);
          how.append(" tag ").append(tag).append(" = ").append(value);
          if (ifd.unit(entry) == 2) {
            ifd.put(entry + (ifd.big ? 12 : 8), 2, value);
          } else {
            ifd.putValue(entry, value);
          }
        }
      }
      default -> {
        int n = 1 + random.nextInt(8);
        how.append(" data byte flips at");
        for (int i = 0; i < n; i++) {
          int at = random.nextInt(b.length);
          b[at] = (byte) random.nextInt(256);
          how.append(' ').append(at);
        }
      }
    }
    return b;
  }

  /** Values that break assumptions: 0, 1, near the file size, past it, the largest ones. */
  private static long extreme(Random random, long size) {
    long[] v = {
      0,
      1,
      2,
      size - 1,
      size,
      size + 1,
      0x7FFF,
      0xFFFF,
      0x7FFFFFFFL,
      0xFFFFFFFFL,
      0x10000,
      1L << 30,
      size / 2,
      random.nextInt(1 << 24)
    };
    return v[random.nextInt(v.length)];
  }

  /** The first image directory's layout, for targeted mutations (classic TIFF and BigTIFF). */
  private static final class Ifd {
    final ByteBuffer buf;
    final boolean big;
    final int first;
    final int entries;
    final int entrySize;
    final int end;

    private Ifd(ByteBuffer buf, boolean big, int first, int entries) {
      this.buf = buf;
      this.big = big;
      this.first = first;
      this.entries = entries;
      this.entrySize = big ? 20 : 12;
      this.end = first + entries * entrySize + (big ? 8 : 4);
    }

    static Ifd parse(byte[] b) {
      ByteBuffer buf =
          ByteBuffer.wrap(b).order(b[0] == 'I' ? ByteOrder.LITTLE_ENDIAN : ByteOrder.BIG_ENDIAN);
      boolean big = buf.getShort(2) == 43;
      int ifd = big ? (int) buf.getLong(8) : buf.getInt(4);
      int n = big ? (int) buf.getLong(ifd) : buf.getShort(ifd) & 0xFFFF;
      return new Ifd(buf, big, ifd + (big ? 8 : 2), n);
    }

    int u16(int at) {
      return buf.getShort(at) & 0xFFFF;
    }

    int find(int tag) {
      for (int i = 0; i < entries; i++) {
        if (u16(first + i * entrySize) == tag) {
          return first + i * entrySize;
        }
      }
      return -1;
    }

    int unit(int entry) {
      return switch (u16(entry + 2)) {
        case 1, 2, 6, 7 -> 1;
        case 3, 8 -> 2;
        case 4, 9, 11, 13 -> 4;
        case 5, 10, 12, 16, 17, 18 -> 8;
        default -> 0;
      };
    }

    long count(int entry) {
      return big ? buf.getLong(entry + 4) : buf.getInt(entry + 4) & 0xFFFFFFFFL;
    }

    /** Where the entry's values are stored when not inline, or -1. */
    long valueAt(int entry) {
      long bytes = count(entry) * unit(entry);
      if (bytes <= (big ? 8 : 4)) {
        return -1;
      }
      return big ? buf.getLong(entry + 12) : buf.getInt(entry + 8) & 0xFFFFFFFFL;
    }

    void putCount(int entry, long value) {
      if (big) {
        buf.putLong(entry + 4, value);
      } else {
        buf.putInt(entry + 4, (int) value);
      }
    }

    void putValue(int entry, long value) {
      if (big) {
        buf.putLong(entry + 12, value);
      } else {
        buf.putInt(entry + 8, (int) value);
      }
    }

    void put(long pos, int unit, long value) {
      switch (unit) {
        case 1 -> buf.put((int) pos, (byte) value);
        case 2 -> buf.putShort((int) pos, (short) value);
        case 4 -> buf.putInt((int) pos, (int) value);
        default -> buf.putLong((int) pos, value);
      }
    }
  }
}

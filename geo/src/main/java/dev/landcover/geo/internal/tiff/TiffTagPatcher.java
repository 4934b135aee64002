package dev.landcover.geo.internal.tiff;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Adds or replaces tags of the first directory of a TIFF file that Apache SIS wrote (SIS writes no
 * GDAL_NODATA or GDAL_METADATA tag, and Landcover writes the georeferencing tags itself). The
 * directory is copied to the end of the file with the new entries in tag order, and the header is
 * pointed at the copy; tile data is not moved.
 */
public final class TiffTagPatcher {
  private TiffTagPatcher() {}

  /**
   * Adds ASCII tags to the first directory of {@code file}, in place; nothing when {@code tags} is
   * empty.
   *
   * @param file a TIFF file
   * @param tags tag number to text (without the terminating NUL); replaces existing entries
   */
  public static void addAsciiTags(Path file, Map<Integer, String> tags) throws IOException {
    setTags(file, new TreeMap<>(tags), new int[0]);
  }

  /**
   * Sets tags of the first directory of {@code file}, in place: removes the entries of {@code
   * remove}, then adds (or replaces) those of {@code tags}; nothing when both are empty.
   *
   * @param tags tag number to value: {@code String} for ASCII (without the terminating NUL), {@code
   *     int[]} for SHORT, {@code double[]} for DOUBLE
   */
  public static void setTags(Path file, Map<Integer, ?> tags, int[] remove) throws IOException {
    if (tags.isEmpty() && remove.length == 0) {
      return;
    }
    TiffDirectory dir = TiffDirectory.read(file);
    boolean big = dir.isBigTiff();
    int entrySize = big ? 20 : 12;
    int inline = big ? 8 : 4;
    try (FileChannel ch =
        FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
      long end = ch.size();
      end += end & 1; // word alignment
      TreeMap<Integer, byte[]> entries = new TreeMap<>();
      for (TiffDirectory.Entry e : dir.entries().values()) {
        entries.put(e.tag(), e.raw());
      }
      for (int tag : remove) {
        entries.remove(tag);
      }
      List<ByteBuffer> values = new ArrayList<>();
      long position = end;
      for (Map.Entry<Integer, ?> t : tags.entrySet()) {
        Object value = t.getValue();
        byte[] bytes = GeoTiffTags.bytes(value, dir.order());
        ByteBuffer entry = ByteBuffer.allocate(entrySize).order(dir.order());
        entry.putShort((short) (int) t.getKey());
        entry.putShort((short) GeoTiffTags.typeOf(value));
        if (big) {
          entry.putLong(GeoTiffTags.countOf(value));
        } else {
          entry.putInt(GeoTiffTags.countOf(value));
        }
        if (bytes.length <= inline) {
          entry.put(bytes);
        } else {
          if (big) {
            entry.putLong(position);
          } else {
            entry.putInt((int) position);
          }
          values.add(ByteBuffer.wrap(bytes));
          position += bytes.length + (bytes.length & 1);
        }
        entries.put(t.getKey(), entry.array());
      }
      long ifd = position;
      if (!big && ifd + 2 + (long) entries.size() * entrySize + 4 > 0xFFFFFFFFL) {
        throw new IOException(file + ": no room for more tags in a classic TIFF past 4 GB");
      }
      for (ByteBuffer v : values) {
        ch.write(v, end);
        end += v.capacity() + (v.capacity() & 1);
      }
      ByteBuffer out =
          ByteBuffer.allocate((big ? 8 : 2) + entries.size() * entrySize + inline)
              .order(dir.order());
      if (big) {
        out.putLong(entries.size());
      } else {
        out.putShort((short) entries.size());
      }
      for (byte[] e : entries.values()) {
        out.put(e);
      }
      ByteBuffer next = readNextPointer(ch, dir, inline);
      out.put(next);
      out.flip();
      ch.write(out, ifd);
      ByteBuffer header = ByteBuffer.allocate(inline).order(dir.order());
      if (big) {
        header.putLong(ifd);
      } else {
        header.putInt((int) ifd);
      }
      header.flip();
      ch.write(header, big ? 8 : 4);
    }
  }

  private static ByteBuffer readNextPointer(FileChannel ch, TiffDirectory dir, int inline)
      throws IOException {
    ByteBuffer next = ByteBuffer.allocate(inline);
    ch.read(next, dir.nextIfdPointer());
    return next.flip();
  }
}

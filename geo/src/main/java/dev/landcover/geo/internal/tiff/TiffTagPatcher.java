package dev.landcover.geo.internal.tiff;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Adds ASCII tags to the first directory of a TIFF file that Apache SIS wrote (SIS writes no
 * GDAL_NODATA or GDAL_METADATA tag). The directory is copied to the end of the file with the new
 * entries in tag order, and the header is pointed at the copy; tile data is not moved.
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
    if (tags.isEmpty()) {
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
      List<ByteBuffer> values = new ArrayList<>();
      long position = end;
      for (Map.Entry<Integer, String> t : tags.entrySet()) {
        byte[] text = (t.getValue() + "\0").getBytes(StandardCharsets.ISO_8859_1);
        ByteBuffer entry = ByteBuffer.allocate(entrySize).order(dir.order());
        entry.putShort((short) (int) t.getKey());
        entry.putShort((short) TiffDirectory.TYPE_ASCII);
        if (big) {
          entry.putLong(text.length);
        } else {
          entry.putInt(text.length);
        }
        if (text.length <= inline) {
          entry.put(text);
        } else {
          if (big) {
            entry.putLong(position);
          } else {
            entry.putInt((int) position);
          }
          values.add(ByteBuffer.wrap(text));
          position += text.length + (text.length & 1);
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

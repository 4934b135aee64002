package dev.landcover.networks.internal.keras;

import dev.landcover.pixels.InvalidInputException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.CRC32C;

/**
 * A TensorFlow V2 checkpoint ({@code variables.index} + {@code variables.data-00000-of-00001}) read
 * without TensorFlow: the index is a LevelDB-style sorted table (blocks uncompressed or Snappy)
 * mapping each tensor's checkpoint key to a {@code BundleEntryProto} (dtype, shape, offset, size,
 * CRC32C); the data file holds the tensors' bytes, little-endian, row-major. Only single-shard
 * checkpoints of whole (unsliced) float32 and string tensors are read; anything else is refused.
 */
public final class TfCheckpoint {
  private static final long TABLE_MAGIC = 0xdb4775248b80fb57L;
  private static final int DT_FLOAT = 1;
  private static final int DT_STRING = 7;

  private final Path index;
  private final Map<String, ProtoMessage> entries;
  private final byte[] data;

  private TfCheckpoint(Path index, Map<String, ProtoMessage> entries, byte[] data) {
    this.index = index;
    this.entries = entries;
    this.data = data;
  }

  /**
   * Reads the checkpoint whose files start with {@code prefix} (e.g. {@code
   * saved_model/variables/variables}).
   *
   * @throws InvalidInputException naming the file when it is not a checkpoint this reader handles
   */
  public static TfCheckpoint read(Path prefix) throws IOException {
    Path index = prefix.resolveSibling(prefix.getFileName() + ".index");
    Path dataFile = prefix.resolveSibling(prefix.getFileName() + ".data-00000-of-00001");
    if (!Files.isRegularFile(index) || !Files.isRegularFile(dataFile)) {
      throw new InvalidInputException(
          prefix
              + ": expected a single-shard TensorFlow checkpoint ("
              + index.getFileName()
              + " and "
              + dataFile.getFileName()
              + ")");
    }
    byte[] table = Files.readAllBytes(index);
    try {
      return new TfCheckpoint(index, readTable(table), Files.readAllBytes(dataFile));
    } catch (IllegalArgumentException | IndexOutOfBoundsException e) {
      throw new InvalidInputException(
          index + ": not a readable TensorFlow checkpoint index: " + e.getMessage(), e);
    }
  }

  /** The checkpoint keys, in the index's order. */
  public java.util.Set<String> keys() {
    return entries.keySet();
  }

  /** A float32 tensor: its shape (TensorFlow's order) and values (row-major). */
  public record FloatTensor(long[] shape, float[] values) {}

  /**
   * The float32 tensor under {@code key}, its CRC32C checked.
   *
   * @throws InvalidInputException when it is missing, not float32, sliced or corrupt
   */
  public FloatTensor floats(String key) throws InvalidInputException {
    ProtoMessage e = entry(key, DT_FLOAT);
    ProtoMessage shapeProto = e.get(2) == null ? null : e.get(2).message();
    long[] shape =
        shapeProto == null
            ? new long[0]
            : shapeProto.all(2).stream().mapToLong(d -> d.message().value(1, 0)).toArray();
    byte[] bytes = bytes(key, e, true);
    long count = Arrays.stream(shape).reduce(1, (a, b) -> a * b);
    if (count * 4 != bytes.length) {
      throw new InvalidInputException(
          index
              + ": tensor '"
              + key
              + "' has shape "
              + Arrays.toString(shape)
              + " but "
              + bytes.length
              + " bytes");
    }
    float[] values = new float[(int) count];
    ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(values);
    return new FloatTensor(shape, values);
  }

  /** The scalar string tensor under {@code key} (e.g. {@code _CHECKPOINTABLE_OBJECT_GRAPH}). */
  public byte[] string(String key) throws InvalidInputException {
    ProtoMessage e = entry(key, DT_STRING);
    byte[] bytes =
        bytes(key, e, false); // a string tensor's checksum covers its lengths differently
    int[] pos = {0};
    long length = ProtoMessage.varint(bytes, pos);
    int start = pos[0] + 4; // the lengths' checksum follows the lengths
    if (start + length != bytes.length) {
      throw new InvalidInputException(
          index + ": '" + key + "' is not a scalar string tensor (" + bytes.length + " bytes)");
    }
    return Arrays.copyOfRange(bytes, start, bytes.length);
  }

  private ProtoMessage entry(String key, int dtype) throws InvalidInputException {
    ProtoMessage e = entries.get(key);
    if (e == null) {
      throw new InvalidInputException(index + ": no tensor '" + key + "'");
    }
    if (e.value(1, 0) != dtype) {
      throw new InvalidInputException(
          index
              + ": tensor '"
              + key
              + "' has TensorFlow dtype "
              + e.value(1, 0)
              + ", expected "
              + dtype);
    }
    if (e.value(3, 0) != 0 || !e.all(7).isEmpty()) {
      throw new InvalidInputException(
          index + ": tensor '" + key + "' is sharded or sliced, which this reader does not handle");
    }
    return e;
  }

  private byte[] bytes(String key, ProtoMessage e, boolean checked) throws InvalidInputException {
    long offset = e.value(4, 0);
    long size = e.value(5, 0);
    if (offset < 0 || size < 0 || offset + size > data.length) {
      throw new InvalidInputException(
          index
              + ": tensor '"
              + key
              + "' lies outside the data file ("
              + offset
              + " + "
              + size
              + " > "
              + data.length
              + ")");
    }
    byte[] bytes = Arrays.copyOfRange(data, (int) offset, (int) (offset + size));
    ProtoMessage.Field crc = e.get(6);
    if (checked && crc != null) {
      CRC32C c = new CRC32C();
      c.update(bytes);
      if ((int) c.getValue() != (int) crc.value()
          && unmask((int) crc.value()) != (int) c.getValue()) {
        throw new InvalidInputException(
            index + ": tensor '" + key + "' fails its CRC32C check (corrupt data file)");
      }
    }
    return bytes;
  }

  private static int unmask(int masked) {
    int rot = masked - 0xa282ead8;
    return (rot >>> 17) | (rot << 15);
  }

  private static Map<String, ProtoMessage> readTable(byte[] t) {
    if (t.length < 48
        || ByteBuffer.wrap(t, t.length - 8, 8).order(ByteOrder.LITTLE_ENDIAN).getLong()
            != TABLE_MAGIC) {
      throw new IllegalArgumentException("no table magic number at its end");
    }
    int[] pos = {t.length - 48};
    ProtoMessage.varint(t, pos); // metaindex offset
    ProtoMessage.varint(t, pos); // metaindex size
    long indexOffset = ProtoMessage.varint(t, pos);
    long indexSize = ProtoMessage.varint(t, pos);
    Map<String, ProtoMessage> out = new LinkedHashMap<>();
    for (byte[] handle : block(t, (int) indexOffset, (int) indexSize).values()) {
      int[] p = {0};
      long offset = ProtoMessage.varint(handle, p);
      long size = ProtoMessage.varint(handle, p);
      for (Map.Entry<String, byte[]> e : block(t, (int) offset, (int) size).entrySet()) {
        if (!e.getKey().isEmpty()) { // the empty key holds the bundle header
          out.put(e.getKey(), ProtoMessage.parse(e.getValue()));
        }
      }
    }
    return out;
  }

  /** The entries of one table block (prefix-compressed keys, restart array at the end). */
  private static Map<String, byte[]> block(byte[] t, int offset, int size) {
    byte[] raw = Arrays.copyOfRange(t, offset, offset + size);
    byte[] b =
        switch (t[offset + size]) {
          case 0 -> raw;
          case 1 -> Snappy.uncompress(raw);
          default -> throw new IllegalArgumentException("block compression " + t[offset + size]);
        };
    int restarts = ByteBuffer.wrap(b, b.length - 4, 4).order(ByteOrder.LITTLE_ENDIAN).getInt();
    int end = b.length - 4 - 4 * restarts;
    Map<String, byte[]> out = new LinkedHashMap<>();
    byte[] key = new byte[0];
    int[] pos = {0};
    while (pos[0] < end) {
      int shared = (int) ProtoMessage.varint(b, pos);
      int own = (int) ProtoMessage.varint(b, pos);
      int valueLength = (int) ProtoMessage.varint(b, pos);
      byte[] next = Arrays.copyOf(key, shared + own);
      System.arraycopy(b, pos[0], next, shared, own);
      pos[0] += own;
      key = next;
      out.put(
          new String(key, java.nio.charset.StandardCharsets.UTF_8),
          Arrays.copyOfRange(b, pos[0], pos[0] + valueLength));
      pos[0] += valueLength;
    }
    return out;
  }

  /** Snappy's raw format (a varint length, then literals and back-references). */
  static final class Snappy {
    private Snappy() {}

    static byte[] uncompress(byte[] c) {
      int[] pos = {0};
      int n = (int) ProtoMessage.varint(c, pos);
      byte[] out = new byte[n];
      int o = 0;
      int i = pos[0];
      while (i < c.length) {
        int tag = c[i++] & 0xff;
        int kind = tag & 3;
        if (kind == 0) {
          int len = tag >>> 2;
          if (len >= 60) {
            int bytes = len - 59;
            len = 0;
            for (int k = 0; k < bytes; k++) {
              len |= (c[i + k] & 0xff) << (8 * k);
            }
            i += bytes;
          }
          len += 1;
          System.arraycopy(c, i, out, o, len);
          i += len;
          o += len;
          continue;
        }
        int len;
        int back;
        if (kind == 1) {
          len = ((tag >>> 2) & 7) + 4;
          back = ((tag >>> 5) << 8) | (c[i++] & 0xff);
        } else if (kind == 2) {
          len = (tag >>> 2) + 1;
          back = (c[i] & 0xff) | (c[i + 1] & 0xff) << 8;
          i += 2;
        } else {
          len = (tag >>> 2) + 1;
          back = (c[i] & 0xff) | (c[i + 1] & 0xff) << 8 | (c[i + 2] & 0xff) << 16 | c[i + 3] << 24;
          i += 4;
        }
        if (back <= 0 || back > o) {
          throw new IllegalArgumentException("bad Snappy back-reference");
        }
        for (int k = 0; k < len; k++, o++) {
          out[o] = out[o - back];
        }
      }
      if (o != n) {
        throw new IllegalArgumentException("Snappy block is " + o + " bytes, expected " + n);
      }
      return out;
    }
  }
}

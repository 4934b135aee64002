package dev.landcover.networks.internal.keras;

import java.util.ArrayList;
import java.util.List;

/**
 * The fields of one Protocol Buffers message in wire format, without a schema: enough to walk the
 * few TensorFlow messages the Keras import reads (SavedModel, BundleEntryProto,
 * TrackableObjectGraph) by field number.
 */
final class ProtoMessage {
  /**
   * One field: its number and either a varint/fixed value or the bytes of a length-delimited one.
   */
  record Field(int number, long value, byte[] bytes) {
    ProtoMessage message() {
      return ProtoMessage.parse(bytes);
    }

    String text() {
      return new String(bytes, java.nio.charset.StandardCharsets.UTF_8);
    }
  }

  private final List<Field> fields;

  private ProtoMessage(List<Field> fields) {
    this.fields = fields;
  }

  /**
   * Parses {@code b} as a message.
   *
   * @throws IllegalArgumentException when the bytes are not a well-formed message
   */
  static ProtoMessage parse(byte[] b) {
    List<Field> fields = new ArrayList<>();
    int[] pos = {0};
    while (pos[0] < b.length) {
      long key = varint(b, pos);
      int number = (int) (key >>> 3);
      int type = (int) (key & 7);
      switch (type) {
        case 0 -> fields.add(new Field(number, varint(b, pos), null));
        case 1 -> fields.add(new Field(number, fixed(b, pos, 8), null));
        case 5 -> fields.add(new Field(number, fixed(b, pos, 4), null));
        case 2 -> {
          long length = varint(b, pos);
          if (length < 0 || pos[0] + length > b.length) {
            throw new IllegalArgumentException("truncated protocol buffer field " + number);
          }
          byte[] bytes = java.util.Arrays.copyOfRange(b, pos[0], pos[0] + (int) length);
          pos[0] += (int) length;
          fields.add(new Field(number, length, bytes));
        }
        default ->
            throw new IllegalArgumentException(
                "unsupported protocol buffer wire type " + type + " at byte " + pos[0]);
      }
    }
    return new ProtoMessage(fields);
  }

  /** Fields with this number, in order. */
  List<Field> all(int number) {
    return fields.stream().filter(f -> f.number() == number).toList();
  }

  /** The last field with this number (protobuf's rule for a repeated scalar), or null. */
  Field get(int number) {
    Field last = null;
    for (Field f : fields) {
      if (f.number() == number) {
        last = f;
      }
    }
    return last;
  }

  long value(int number, long fallback) {
    Field f = get(number);
    return f == null ? fallback : f.value();
  }

  /** Reads a base-128 varint at {@code pos[0]}, advancing it. */
  static long varint(byte[] b, int[] pos) {
    long result = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (pos[0] >= b.length) {
        throw new IllegalArgumentException("truncated varint");
      }
      int c = b[pos[0]++] & 0xff;
      result |= (long) (c & 0x7f) << shift;
      if (c < 0x80) {
        return result;
      }
    }
    throw new IllegalArgumentException("varint longer than 10 bytes");
  }

  private static long fixed(byte[] b, int[] pos, int n) {
    if (pos[0] + n > b.length) {
      throw new IllegalArgumentException("truncated fixed-size field");
    }
    long v = 0;
    for (int i = 0; i < n; i++) {
      v |= (long) (b[pos[0] + i] & 0xff) << (8 * i);
    }
    pos[0] += n;
    return v;
  }
}

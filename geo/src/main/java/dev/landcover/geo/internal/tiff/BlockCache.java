package dev.landcover.geo.internal.tiff;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntPredicate;

/**
 * The decoded blocks of all open TIFF files, kept for later windows (overlapping chips and windows
 * reuse them), the least recently used dropped first once they hold more than {@link #BUDGET_BYTES}
 * in all. One budget for the whole process, as GDAL's block cache ({@code GDAL_CACHEMAX}, 5% of the
 * RAM by default) has: a stack of many files does not multiply it.
 *
 * <p>Safe for concurrent use: the lock is held only to look blocks up and to store them.
 */
final class BlockCache {
  /**
   * Bytes of decoded blocks kept: a quarter of the Java heap's maximum (256 MB with Landcover's
   * {@code -Xmx1g}), at least 16 MB.
   */
  static final long BUDGET_BYTES = Math.max(16L << 20, Runtime.getRuntime().maxMemory() / 4);

  private static final Map<Key, Object> BLOCKS = new LinkedHashMap<>(256, 0.75f, true);
  private static long cachedBytes;

  /** A block of one decoder: decoders are told apart by identity. */
  private record Key(BlockDecoder decoder, int index) {}

  private BlockCache() {}

  /**
   * The cached blocks of {@code decoder} among {@code indices}, put in {@code found}; returns the
   * indices not cached.
   */
  static List<Integer> lookUp(
      BlockDecoder decoder, List<Integer> indices, Map<Integer, Object> found) {
    List<Integer> missing = new ArrayList<>();
    synchronized (BLOCKS) {
      for (int i : indices) {
        Object block = BLOCKS.get(new Key(decoder, i));
        if (block != null) {
          found.put(i, block);
        } else {
          missing.add(i);
        }
      }
    }
    return missing;
  }

  /** Keeps the blocks of {@code decoder} just decoded, dropping the least recently used. */
  static void store(BlockDecoder decoder, Map<Integer, Object> decoded) {
    synchronized (BLOCKS) {
      for (Map.Entry<Integer, Object> e : decoded.entrySet()) {
        Object old = BLOCKS.put(new Key(decoder, e.getKey()), e.getValue());
        if (old != null) {
          cachedBytes -= bytes(old);
        }
        cachedBytes += bytes(e.getValue());
      }
      Iterator<Object> it = BLOCKS.values().iterator();
      while (cachedBytes > BUDGET_BYTES && it.hasNext()) {
        cachedBytes -= bytes(it.next());
        it.remove();
      }
    }
  }

  /** Drops the blocks of {@code decoder} (its file is closed). */
  static void drop(BlockDecoder decoder) {
    drop(decoder, index -> true);
  }

  /** Drops the blocks of {@code decoder} whose index satisfies {@code unwanted}. */
  static void drop(BlockDecoder decoder, IntPredicate unwanted) {
    synchronized (BLOCKS) {
      Iterator<Map.Entry<Key, Object>> it = BLOCKS.entrySet().iterator();
      while (it.hasNext()) {
        Map.Entry<Key, Object> e = it.next();
        if (e.getKey().decoder() == decoder && unwanted.test(e.getKey().index())) {
          cachedBytes -= bytes(e.getValue());
          it.remove();
        }
      }
    }
  }

  /** Bytes of the blocks of {@code decoder} kept now. */
  static long bytesOf(BlockDecoder decoder) {
    synchronized (BLOCKS) {
      long sum = 0;
      for (Map.Entry<Key, Object> e : BLOCKS.entrySet()) {
        if (e.getKey().decoder() == decoder) {
          sum += bytes(e.getValue());
        }
      }
      return sum;
    }
  }

  /** Bytes of all the blocks kept now. */
  static long totalBytes() {
    synchronized (BLOCKS) {
      return cachedBytes;
    }
  }

  /** Bytes held by a decoded block (a primitive array). */
  static long bytes(Object block) {
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
}

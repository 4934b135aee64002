package dev.landcover.workflows;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;

/**
 * One of {@code count} shares of a batch, so that {@code count} processes (a Slurm array, a
 * Kubernetes indexed Job, a loop over hosts) cover it together, each writing to the same output
 * folder.
 *
 * <p>The rule: a scene belongs to shard {@code (h mod count)}, where {@code h} is the first 8 bytes
 * of the SHA-256 of its file name (UTF-8, folder left out), read as an unsigned big-endian number.
 * A scene's shard therefore depends on nothing but its file name: not on the listing order, on the
 * other inputs, on the folder the shared storage is mounted at, nor on the JVM. Shards that list
 * the batch at different times (scenes still arriving) or on different hosts still split it without
 * gaps or overlaps, and adding scenes moves no scene to another shard. The price: shares are
 * balanced only on average (a binomial spread: about {@code n/count ± sqrt(n/count)} scenes each
 * for {@code n} scenes), where a split by position in the sorted list would be even but would
 * reassign scenes whenever the list changes. The outputs are named after the file name too, so a
 * scene's outputs are always written by one shard.
 *
 * @param index this shard, 0 to {@code count - 1}
 * @param count the number of shards, at least 1
 */
public record Shard(int index, int count) {
  /** Checks {@code 0 <= index < count}. */
  public Shard {
    if (count < 1 || index < 0 || index >= count) {
      throw new IllegalArgumentException(
          "--shard must be i/N with N >= 1 and 0 <= i < N: got " + index + "/" + count);
    }
  }

  /** Reads {@code i/N}, e.g. {@code 0/4}. */
  public static Shard parse(String text) {
    String[] parts = text.trim().split("/", -1);
    if (parts.length != 2) {
      throw new IllegalArgumentException("--shard must be i/N, e.g. 0/4: got '" + text + "'");
    }
    try {
      return new Shard(Integer.parseInt(parts[0].trim()), Integer.parseInt(parts[1].trim()));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("--shard must be i/N, e.g. 0/4: got '" + text + "'", e);
    }
  }

  /** The shard, 0 to {@code count - 1}, that {@code scene} belongs to among {@code count}. */
  public static int of(Path scene, int count) {
    byte[] digest;
    try {
      digest =
          MessageDigest.getInstance("SHA-256")
              .digest(scene.getFileName().toString().getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
    long h = 0;
    for (int i = 0; i < 8; i++) {
      h = (h << 8) | (digest[i] & 0xff);
    }
    return (int) Long.remainderUnsigned(h, count);
  }

  /** Whether {@code scene} is in this shard. */
  public boolean contains(Path scene) {
    return of(scene, count) == index;
  }

  /** The scenes of {@code scenes} in this shard, in their order. */
  public List<Path> select(List<Path> scenes) {
    return scenes.stream().filter(this::contains).toList();
  }

  @Override
  public String toString() {
    return index + "/" + count;
  }
}

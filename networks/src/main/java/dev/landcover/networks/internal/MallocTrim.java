package dev.landcover.networks.internal;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.NativeLong;
import com.sun.jna.Platform;

/**
 * glibc's {@code malloc_trim(0)}: hands the free pages of every malloc arena back to the operating
 * system. libtorch allocates and frees its tensors with malloc; glibc keeps freed memory in its
 * arenas (and raises its mmap threshold to the largest tensor freed), so without a trim the
 * process's resident memory creeps up with the number of forward passes, not with what is in use.
 */
public final class MallocTrim {
  private interface C extends Library {
    int malloc_trim(NativeLong pad);
  }

  private static final C LIBC = load();

  private MallocTrim() {}

  private static C load() {
    if (!Platform.isLinux()) {
      return null;
    }
    try {
      return Native.load("c", C.class);
    } catch (UnsatisfiedLinkError | RuntimeException e) {
      return null;
    }
  }

  /**
   * Trims the malloc arenas where the C library is glibc; does nothing elsewhere.
   *
   * @return whether memory was handed back
   */
  public static boolean trim() {
    if (LIBC == null) {
      return false;
    }
    try {
      return LIBC.malloc_trim(new NativeLong(0)) == 1;
    } catch (UnsatisfiedLinkError e) {
      return false; // a C library without malloc_trim (musl)
    }
  }
}

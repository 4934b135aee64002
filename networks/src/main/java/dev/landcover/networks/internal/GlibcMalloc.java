package dev.landcover.networks.internal;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.NativeLong;
import com.sun.jna.Platform;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * glibc's malloc as libtorch meets it: the one place that calls the C library's allocator
 * functions, and what its settings mean for a forward pass.
 *
 * <p>libtorch allocates and frees its tensors with malloc. glibc serves every allocation larger
 * than its mmap threshold (32 MiB at most, whatever the settings) from a new memory mapping and
 * unmaps it when the tensor is freed, so each forward pass over a batch of large chips faults its
 * activations in again, 4 KiB page by page: millions of page faults a scene, a third of the CPU
 * time in the kernel. With transparent huge pages in {@code madvise} (or {@code always}) mode and
 * the tunable {@code glibc.malloc.hugetlb=1} (glibc 2.35 and later, set in the environment before
 * the process starts: {@code GLIBC_TUNABLES=glibc.malloc.hugetlb=1}, as the {@code landcover}
 * launcher does), those mappings are backed by 2 MiB pages, 512 times fewer faults.
 */
public final class GlibcMalloc {
  private interface C extends Library {
    int malloc_trim(NativeLong pad);

    String gnu_get_libc_version();
  }

  /** The transparent huge page mode file of Linux; the mode in use is in brackets. */
  public static final Path TRANSPARENT_HUGE_PAGES =
      Path.of("/sys/kernel/mm/transparent_hugepage/enabled");

  private static final Pattern HUGETLB = Pattern.compile("(?:^|:)glibc\\.malloc\\.hugetlb=([^:]*)");

  private static final C LIBC = load();

  private GlibcMalloc() {}

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
   * glibc's {@code malloc_trim(0)}: hands the free pages of every malloc arena back to the
   * operating system. glibc keeps freed memory in its arenas (and raises its mmap threshold to the
   * largest tensor freed), so without a trim the process's resident memory creeps up with the
   * number of forward passes, not with what is in use. Does nothing where the C library is not
   * glibc.
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

  /** glibc's version ("2.36"), or null where the C library is not glibc. */
  public static String version() {
    if (LIBC == null) {
      return null;
    }
    try {
      return LIBC.gnu_get_libc_version();
    } catch (UnsatisfiedLinkError e) {
      return null;
    }
  }

  /** The mode in brackets of {@link #TRANSPARENT_HUGE_PAGES}, or null when it cannot be read. */
  public static String transparentHugePages() {
    try {
      return bracketed(Files.readString(TRANSPARENT_HUGE_PAGES));
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  /** The word in brackets of a Linux mode file ("always [madvise] never"), or null. */
  static String bracketed(String modes) {
    Matcher m = Pattern.compile("\\[([a-z+]+)]").matcher(modes);
    return m.find() ? m.group(1) : null;
  }

  /**
   * Whether libtorch's large tensors get huge pages in this process, and if not why, in one line.
   *
   * @param glibcVersion {@link #version()}: null where the C library is not glibc
   * @param tunables the process's {@code GLIBC_TUNABLES}, or null
   * @param transparentHugePages {@link #transparentHugePages()}: null where unknown
   */
  public static String hugePages(
      String glibcVersion, String tunables, String transparentHugePages) {
    if (glibcVersion == null) {
      return "unknown: the C library is not glibc";
    }
    if (transparentHugePages == null) {
      return "off: this kernel reports no transparent huge pages (" + TRANSPARENT_HUGE_PAGES + ")";
    }
    if (transparentHugePages.equals("never")) {
      return "off: transparent huge pages are disabled (" + TRANSPARENT_HUGE_PAGES + ": never)";
    }
    String hugetlb = null;
    if (tunables != null) {
      Matcher m = HUGETLB.matcher(tunables);
      while (m.find()) {
        hugetlb = m.group(1); // glibc takes the last setting
      }
    }
    boolean asked = "1".equals(hugetlb) || "2".equals(hugetlb);
    boolean supported = atLeast(glibcVersion, 2, 35);
    if (asked && supported) {
      return "on (glibc.malloc.hugetlb="
          + hugetlb
          + ", transparent huge pages: "
          + transparentHugePages
          + ")";
    }
    if (transparentHugePages.equals("always")) {
      return "on (transparent huge pages: always)";
    }
    if (asked) {
      return "off: glibc "
          + glibcVersion
          + " has no glibc.malloc.hugetlb tunable (2.35 and later have it)";
    }
    return supported
        ? "off: set GLIBC_TUNABLES=glibc.malloc.hugetlb=1 before starting Java (the landcover"
            + " launcher does) for 512 times fewer page faults in forward passes"
        : "off: glibc " + glibcVersion + " cannot ask for them (glibc.malloc.hugetlb needs 2.35)";
  }

  private static boolean atLeast(String version, int major, int minor) {
    Matcher m = Pattern.compile("(\\d+)\\.(\\d+)").matcher(version);
    if (!m.find()) {
      return false;
    }
    int a = Integer.parseInt(m.group(1));
    int b = Integer.parseInt(m.group(2));
    return a > major || (a == major && b >= minor);
  }
}

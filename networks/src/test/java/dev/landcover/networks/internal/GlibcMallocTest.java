package dev.landcover.networks.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.sun.jna.Memory;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class GlibcMallocTest {
  @Test
  void hugePagesLineFollowsTheTunableTheModeAndTheVersion() {
    String on = GlibcMalloc.hugePages("2.36", "glibc.malloc.hugetlb=1", "madvise");
    assertEquals("on (glibc.malloc.hugetlb=1, transparent huge pages: madvise)", on);
    assertTrue(
        GlibcMalloc.hugePages("2.36", null, "madvise")
            .startsWith("off: set GLIBC_TUNABLES=glibc.malloc.hugetlb=1"));
    // glibc takes the last setting of a tunable.
    assertTrue(
        GlibcMalloc.hugePages("2.36", "glibc.malloc.hugetlb=1:glibc.malloc.hugetlb=0", "madvise")
            .startsWith("off: set"));
    assertEquals(
        on,
        GlibcMalloc.hugePages(
            "2.36", "glibc.malloc.arena_max=2:glibc.malloc.hugetlb=1", "madvise"));
    assertTrue(
        GlibcMalloc.hugePages("2.36", "glibc.malloc.hugetlb=1", "never")
            .startsWith("off: transparent huge pages are disabled"));
    assertTrue(
        GlibcMalloc.hugePages("2.31", "glibc.malloc.hugetlb=1", "madvise")
            .startsWith("off: glibc 2.31 has no glibc.malloc.hugetlb"));
    assertEquals(
        "on (transparent huge pages: always)", GlibcMalloc.hugePages("2.31", null, "always"));
    assertTrue(GlibcMalloc.hugePages(null, null, "madvise").startsWith("unknown"));
    assertTrue(GlibcMalloc.hugePages("2.36", null, null).startsWith("off: this kernel"));
    assertEquals("madvise", GlibcMalloc.bracketed("always [madvise] never\n"));
  }

  /**
   * What the line promises, on this machine: a child JVM that mallocs 64 MiB (as libtorch does a
   * large tensor) gets it in huge pages with {@code GLIBC_TUNABLES=glibc.malloc.hugetlb=1} and not
   * without, where transparent huge pages are in madvise mode and glibc is 2.35 or later.
   */
  @Test
  void theTunableGivesLargeMallocsHugePages() throws Exception {
    String version = GlibcMalloc.version();
    assumeTrue(version != null, "not glibc");
    assumeTrue(
        "madvise".equals(GlibcMalloc.transparentHugePages()), "transparent huge pages not madvise");
    assumeTrue(
        GlibcMalloc.hugePages(version, "glibc.malloc.hugetlb=1", "madvise").startsWith("on"),
        "glibc " + version + " without the tunable");
    long with = anonHugePagesKib("glibc.malloc.hugetlb=1");
    long without = anonHugePagesKib("glibc.malloc.hugetlb=0");
    assertTrue(with >= 32 * 1024, "huge pages with the tunable: " + with + " KiB");
    assertTrue(without < 4 * 1024, "huge pages without the tunable: " + without + " KiB");
  }

  private static long anonHugePagesKib(String tunables) throws IOException, InterruptedException {
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    ProcessBuilder child =
        new ProcessBuilder(
            List.of(
                java.toString(),
                "-Xmx64m",
                "-cp",
                System.getProperty("java.class.path"),
                Probe.class.getName()));
    Map<String, String> env = child.environment();
    env.put("GLIBC_TUNABLES", tunables);
    env.put("MALLOC_ARENA_MAX", "2");
    child.redirectErrorStream(true);
    Process p = child.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
    assertTrue(p.waitFor(60, TimeUnit.SECONDS), "probe did not end");
    assertEquals(0, p.exitValue(), out);
    String last = out.lines().reduce((a, b) -> b).orElse("");
    assertNotNull(last);
    return Long.parseLong(last);
  }

  /** Mallocs 64 MiB, touches every page, prints the process's AnonHugePages in KiB. */
  static final class Probe {
    private Probe() {}

    public static void main(String[] args) throws IOException {
      long size = 64L << 20;
      Memory block = new Memory(size);
      for (long i = 0; i < size; i += 4096) {
        block.setByte(i, (byte) 1);
      }
      long kib = 0;
      for (String line : Files.readAllLines(Path.of("/proc/self/smaps_rollup"))) {
        if (line.startsWith("AnonHugePages:")) {
          kib = Long.parseLong(line.replaceAll("[^0-9]", ""));
        }
      }
      System.out.println(kib);
      block.close();
    }
  }
}

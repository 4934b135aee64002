package dev.landcover.pixels.support;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The memory this process holds, as the operating system counts it. */
public final class ProcessMemory {
  private ProcessMemory() {}

  /** Resident set size in KiB (Linux, from /proc/self/status), or -1 where it is not known. */
  public static long residentKb() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("VmRSS:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", ""));
        }
      }
    } catch (IOException | NumberFormatException e) {
      return -1;
    }
    return -1;
  }
}

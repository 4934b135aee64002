package dev.landcover.app;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The fp32 peak of this machine's CPU from {@code /proc/cpuinfo}: cores x fp32 lanes of the widest
 * vector unit (AVX-512: 16, AVX2: 8, SSE: 4) x FMA units per core x 2 FLOPs per FMA x clock. The
 * clock is the nominal one in the model name ({@code @ 2.50GHz}), else the current {@code cpu MHz}
 * of the first core; turbo and the lower AVX-512 licence clocks are ignored, so the figure is the
 * nominal peak, not a bound the hardware is guaranteed to reach. FMA units per core are not in
 * {@code /proc/cpuinfo}: the caller states them (2 for Xeon Gold/Platinum with AVX-512, 1 for
 * Silver/Bronze).
 *
 * @param cores processors the OS lists (with hyper-threads, logical processors: the count this
 *     process can use, not physical cores)
 * @param lanes fp32 lanes of the widest vector unit
 * @param fmaUnits FMA units per core, as stated by the caller
 * @param gigahertz the clock used
 * @param clockSource where the clock comes from
 * @param bf16 whether the CPU has native bf16 arithmetic ({@code avx512_bf16} or {@code amx_bf16})
 */
record CpuPeak(
    int cores, int lanes, int fmaUnits, double gigahertz, String clockSource, boolean bf16) {

  /** Peak fp32 GFLOP/s: cores x lanes x FMA units x 2 x GHz. */
  double gflops() {
    return cores * lanes * fmaUnits * 2 * gigahertz;
  }

  /** One line: the peak and how it is computed. */
  String describe() {
    return String.format(
        Locale.ROOT,
        "%d cores x %d fp32 lanes x %d FMA units x 2 x %.2f GHz (%s) = %.1f GFLOP/s",
        cores,
        lanes,
        fmaUnits,
        gigahertz,
        clockSource,
        gflops());
  }

  /** Reads {@code /proc/cpuinfo}; null where it does not exist (not Linux). */
  static CpuPeak read(int fmaUnits) throws IOException {
    Path file = Path.of("/proc/cpuinfo");
    if (!Files.isReadable(file)) {
      return null;
    }
    return parse(Files.readString(file), fmaUnits);
  }

  /** Parses the text of {@code /proc/cpuinfo}. */
  static CpuPeak parse(String cpuinfo, int fmaUnits) {
    int cores = 0;
    String flags = "";
    String model = "";
    double mhz = 0;
    for (String line : cpuinfo.split("\n")) {
      int colon = line.indexOf(':');
      if (colon < 0) {
        continue;
      }
      String key = line.substring(0, colon).strip();
      String value = line.substring(colon + 1).strip();
      switch (key) {
        case "processor" -> cores++;
        case "flags" -> flags = flags.isEmpty() ? " " + value + " " : flags;
        case "model name" -> model = model.isEmpty() ? value : model;
        case "cpu MHz" -> mhz = mhz == 0 ? Double.parseDouble(value) : mhz;
        default -> {
          // other fields are not needed
        }
      }
    }
    int lanes = flags.contains(" avx512f ") ? 16 : flags.contains(" avx2 ") ? 8 : 4;
    boolean bf16 = flags.contains(" avx512_bf16 ") || flags.contains(" amx_bf16 ");
    Matcher m = Pattern.compile("@\\s*([0-9.]+)\\s*GHz").matcher(model);
    if (m.find()) {
      return new CpuPeak(
          cores, lanes, fmaUnits, Double.parseDouble(m.group(1)), "nominal, model name", bf16);
    }
    return new CpuPeak(cores, lanes, fmaUnits, mhz / 1000, "cpu MHz of the first core", bf16);
  }
}

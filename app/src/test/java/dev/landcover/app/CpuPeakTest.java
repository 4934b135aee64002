package dev.landcover.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The CPU's nominal fp32 peak from /proc/cpuinfo text. */
class CpuPeakTest {
  private static String cpu(int n, String model, String mhz, String flags) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < n; i++) {
      b.append("processor\t: ").append(i).append('\n');
      b.append("model name\t: ").append(model).append('\n');
      b.append("cpu MHz\t\t: ").append(mhz).append('\n');
      b.append("flags\t\t: ").append(flags).append("\n\n");
    }
    return b.toString();
  }

  @Test
  void avx512XeonAtItsNominalClock() {
    CpuPeak p =
        CpuPeak.parse(
            cpu(2, "Intel(R) Xeon(R) Processor @ 2.50GHz", "2499.998", "fpu avx2 fma avx512f"), 2);
    assertEquals(320.0, p.gflops(), 1e-9);
    assertEquals(16, p.lanes());
    assertFalse(p.bf16());
    assertEquals(
        "2 cores x 16 fp32 lanes x 2 FMA units x 2 x 2.50 GHz (nominal, model name) = 320.0"
            + " GFLOP/s",
        p.describe());
  }

  @Test
  void avx2WithoutAClockInTheNameUsesCpuMhz() {
    CpuPeak p = CpuPeak.parse(cpu(4, "AMD EPYC 7B13", "3000.000", "fpu avx2 fma"), 2);
    assertEquals(8, p.lanes());
    assertEquals(4 * 8 * 2 * 2 * 3.0, p.gflops(), 1e-9);
    assertEquals("cpu MHz of the first core", p.clockSource());
  }

  @Test
  void nativeBf16IsSeen() {
    assertTrue(
        CpuPeak.parse(cpu(1, "Xeon @ 2.00GHz", "2000", "avx512f avx512_bf16 amx_bf16"), 2).bf16());
  }
}

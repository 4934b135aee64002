package dev.landcover.geo;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Locale;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The chip folder's names and index numbers are written without {@link java.util.Formatter} (one
 * per row cost more than the row); they must read exactly as {@code String.format} wrote them,
 * which earlier chip folders and the tools reading them hold.
 */
class ChipFolderIndexTest {
  @Test
  void fileNamesAreThoseOfTheFormatPattern() {
    for (int id : new int[] {0, 1, 9, 10, 99, 12345, 99999, 100000, 1234567, Integer.MAX_VALUE}) {
      assertEquals(String.format(Locale.ROOT, "chip_%05d.tif", id), ChipFolder.fileName(id));
    }
  }

  @Test
  void fractionsHaveSixDecimalsRoundedAsFormatterRoundsThem() {
    double[] edges = {
      0,
      -0.0,
      1,
      0.5,
      1e-7,
      5e-7,
      4.9999999e-7,
      1.5e-6,
      2.5e-6,
      0.1234565,
      0.1234575,
      0.9999995,
      0.99999949,
      1.0 / 3,
      2.0 / 3,
      1e-300,
      Double.MIN_VALUE,
      -1e-9,
      -0.25,
      123456.7890125,
      Double.NaN,
      Double.POSITIVE_INFINITY,
      Double.NEGATIVE_INFINITY
    };
    for (double v : edges) {
      assertEquals(String.format(Locale.ROOT, "%.6f", v), ChipFolder.fixed6(v), "value " + v);
    }
    SplittableRandom random = new SplittableRandom(7);
    for (int i = 0; i < 200_000; i++) {
      // Fractions of a chip's pixels (k / n) and arbitrary doubles in [0, 1).
      double v =
          i % 2 == 0
              ? random.nextInt(65_537) / (double) (1 + random.nextInt(65_536))
              : random.nextDouble();
      assertEquals(String.format(Locale.ROOT, "%.6f", v), ChipFolder.fixed6(v), "value " + v);
    }
  }
}

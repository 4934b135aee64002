package dev.landcover.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.landcover.geo.Gdal;
import dev.landcover.testdata.SyntheticScene;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code predict} chooses the inference chip and batch within {@code --memory} for a UNet bundle:
 * larger than the demo bundle's training chip (64), with the same map as {@code --chip 64} up to
 * blending differences (read back by GDAL); explicit options win; a budget below the smallest chip
 * is a usage error.
 */
class InferenceGeometryTest {
  private static final Path DEMO = Path.of("..", "testdata", "demo-model");
  private static final Pattern CHOSEN =
      Pattern.compile("chip (\\d+) px, overlap \\d+, batch (\\d+)");

  @TempDir static Path dir;
  private static Path scene;

  @BeforeAll
  static void scene() throws Exception {
    new SyntheticScene(300, 300, 102).write(dir.resolve("s"), false);
    scene = dir.resolve("s/scene.tif");
  }

  private static Cli predict(String name, String... options) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "predict",
                "--model",
                DEMO.toString(),
                "--output",
                dir.resolve(name + ".tif").toString()));
    args.addAll(List.of(options));
    args.add(scene.toString());
    return Cli.run(args.toArray(String[]::new));
  }

  private static double[] map(String name) throws Exception {
    Path map = dir.resolve(name + ".tif");
    return Gdal.describe(List.of(new Gdal.Request(map))).get(map).data(0);
  }

  @Test
  void theDefaultChipIsLargerThanTrainingsAndTheMapAgreesWithChip64() throws Exception {
    Cli chosen = predict("chosen");
    assertEquals(0, chosen.code(), chosen.err());
    Matcher m = CHOSEN.matcher(chosen.out() + chosen.err());
    assertTrue(m.find(), chosen.out());
    assertTrue(Integer.parseInt(m.group(1)) > 64, m.group());
    Cli small = predict("chip64", "--chip", "64");
    assertEquals(0, small.code(), small.err());
    Matcher fixed = CHOSEN.matcher(small.out() + small.err());
    assertTrue(fixed.find() && fixed.group(1).equals("64"), "--chip 64 is not replaced");
    double[] a = map("chosen");
    double[] b = map("chip64");
    int same = 0;
    for (int i = 0; i < a.length; i++) {
      same += a[i] == b[i] ? 1 : 0;
    }
    double agreement = (double) same / a.length;
    // Hann blending weights chips differently at other chip edges; the classes agree elsewhere.
    assertTrue(agreement >= 0.995, "agreement with --chip 64: " + agreement);
  }

  @Test
  void anExplicitChipAndBatchAreHonoured() {
    // 300 px with 96 px chips (overlap 24, stride 72): origins 0, 72, 144, 216 => 16 chips.
    Cli cli = predict("chip96", "--chip", "96", "--overlap", "24", "--batch", "3");
    assertEquals(0, cli.code(), cli.err());
    assertTrue((cli.out() + cli.err()).contains("16/16"), cli.err());
    Cli odd = predict("chip6", "--chip", "6");
    assertEquals(2, odd.code(), odd.err());
    assertTrue(odd.err().contains("--chip 6"), odd.err());
  }

  @Test
  void aBudgetBelowTheSmallestChipIsAUsageError() {
    Cli cli = predict("tiny", "--memory", "1k");
    assertEquals(2, cli.code(), cli.err());
    String error = cli.errorLines().strip();
    assertEquals(1, error.lines().count(), error);
    assertTrue(error.contains("--memory 1 KiB is too small"), error);
    Cli bad = predict("bad", "--memory", "lots");
    assertEquals(2, bad.code(), bad.err());
  }
}

package dev.landcover.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.landcover.geo.Gdal;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Chips of scenes smaller than one chip, read back by GDAL: the padding is nodata to GDAL's mask
 * whatever the scene's nodata (none, one its type cannot hold, one it can), and the pixels inside
 * are the scene's. Before, a scene without a usable nodata value gave padding that GDAL read as
 * data (zeros, or 65535 under a nodata of -1).
 */
class ChipPaddingTest {
  @TempDir static Path dir;

  @BeforeAll
  static void scenes() throws IOException {
    Gdal.runScript(ChipPaddingTest.class, "chip_padding.py", dir, "make", dir.toString());
  }

  /** Cuts {@code scene} into one 128 px chip and returns its nodata value as GDAL reads it. */
  private static String paddedChipNoData(String scene) throws IOException {
    Path out = dir.resolve("chips-" + scene);
    Path source = dir.resolve(scene + ".tif");
    Cli cli =
        Cli.run("chips", "--image", source.toString(), "--size", "128", "--out", out.toString());
    assertEquals(0, cli.code(), cli.err());
    return check(out.resolve("images/chip_00000.tif"), source);
  }

  private static String check(Path chip, Path source) throws IOException {
    return Gdal.runScript(
            ChipPaddingTest.class,
            "chip_padding.py",
            dir,
            "check",
            chip.toString(),
            source.toString())
        .trim();
  }

  @Test
  void withoutNodataTheLargestFreeValueMarksThePadding() throws IOException {
    assertEquals("65535.0", paddedChipNoData("u16-none"));
    assertEquals("32766.0", paddedChipNoData("i16-extremes"));
    assertEquals("nan", paddedChipNoData("f32-none"));
  }

  @Test
  void aNodataTheTypeCannotHoldIsReplacedByAFreeValue() throws IOException {
    // -1 on UInt16 masks nothing; 65535 occurs in the scene, 0 does not.
    assertEquals("0.0", paddedChipNoData("u16-minus-one"));
  }

  @Test
  void aNodataTheTypeHoldsIsKept() throws IOException {
    assertEquals("7.0", paddedChipNoData("u16-in-range"));
  }

  @Test
  void labelChipsAreMarkedTheSameWay() throws IOException {
    Path out = dir.resolve("chips-labels");
    Cli cli =
        Cli.run(
            "chips",
            "--image",
            dir.resolve("u16-none.tif").toString(),
            "--labels",
            dir.resolve("labels-none.tif").toString(),
            "--size",
            "128",
            "--out",
            out.toString());
    assertEquals(0, cli.code(), cli.err());
    assertEquals(
        "255.0", check(out.resolve("labels/chip_00000.tif"), dir.resolve("labels-none.tif")));
  }

  @Test
  void aChipHoldingEveryValueOfItsTypeIsRefused() throws IOException {
    Path out = dir.resolve("chips-every");
    Path source = dir.resolve("u8-every-value.tif");
    Cli cli =
        Cli.run("chips", "--image", source.toString(), "--size", "32", "--out", out.toString());
    assertEquals(1, cli.code(), cli.err());
    assertEquals(1, cli.errorLines().lines().count(), cli.err());
    assertTrue(cli.err().contains(source.toString()), cli.err());
    assertTrue(cli.err().contains("every Byte value"), cli.err());
    assertTrue(cli.err().contains("gdal_edit.py -a_nodata"), cli.err());
    assertFalse(Files.exists(out), "a refused run left " + out);
  }
}

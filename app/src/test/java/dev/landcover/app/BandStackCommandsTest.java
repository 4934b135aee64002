package dev.landcover.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.landcover.geo.Gdal;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Band stacks and VRTs through the command line: a scene given as its band files ({@code --image
 * B2.tif,B3.tif,...}) or as a {@code gdalbuildvrt -separate} VRT gives the maps and chips of the
 * same scene in one file, read by GDAL; the built-in Dynamic World bundle picks Sentinel-2 bands
 * named after their files, in any order; unreadable stacks are refused in one line.
 */
class BandStackCommandsTest {
  private static final Path DEMO = Path.of("..", "testdata", "demo-model");

  @TempDir static Path dir;
  static Path in;

  @BeforeAll
  static void inputs() throws IOException {
    in = dir.resolve("in");
    Gdal.runScript(
        BandStackCommandsTest.class,
        "stack_cli.py",
        dir,
        "make",
        Gdal.sharedData().toString(),
        in.toString());
  }

  private static String same(Path a, Path b) throws IOException {
    return Gdal.runScript(
            BandStackCommandsTest.class, "stack_cli.py", dir, "same", a.toString(), b.toString())
        .strip();
  }

  private static String zionList() {
    return String.join(
        ",", Stream.of(2, 3, 4, 5).map(b -> in.resolve("zion_b" + b + ".tif").toString()).toList());
  }

  @Test
  void predictOfBandFilesOrVrtEqualsPredictOfTheOneFileScene() throws IOException {
    Path one = dir.resolve("one");
    Path stack = dir.resolve("stack");
    Path vrt = dir.resolve("vrt");
    for (String[] c :
        new String[][] {
          {in.resolve("zion_4band.tif").toString(), one.toString()},
          {zionList(), stack.toString()},
          {in.resolve("zion.vrt").toString(), vrt.toString()}
        }) {
      Cli r =
          Cli.run("predict", "--model", DEMO.toString(), "--confidence", "--out", c[1], "--", c[0]);
      assertEquals(0, r.code(), r.err());
    }
    Path reference = one.resolve("zion_4band_landcover.tif");
    assertEquals("same", same(stack.resolve("zion_landcover.tif"), reference));
    assertEquals("same", same(vrt.resolve("zion_landcover.tif"), reference));
    assertEquals(
        "same",
        same(stack.resolve("zion_confidence.tif"), one.resolve("zion_4band_confidence.tif")));
  }

  @Test
  void chipsOfBandFilesEqualChipsOfTheOneFileScene() throws IOException {
    Path one = dir.resolve("chips-one");
    Path stack = dir.resolve("chips-stack");
    Cli a =
        Cli.run(
            "chips",
            "--image",
            in.resolve("zion_4band.tif").toString(),
            "--size",
            "128",
            "--out",
            one.toString());
    Cli b = Cli.run("chips", "--image", zionList(), "--size", "128", "--out", stack.toString());
    assertEquals(0, a.code(), a.err());
    assertEquals(0, b.code(), b.err());
    List<String> rows = Files.readAllLines(one.resolve("chips.csv"));
    assertEquals(rows, Files.readAllLines(stack.resolve("chips.csv")));
    try (Stream<Path> chips = Files.list(one.resolve("images"))) {
      List<Path> files = chips.sorted().toList();
      assertEquals(4, files.size());
      for (Path f : files) {
        assertEquals("same", same(stack.resolve("images").resolve(f.getFileName()), f), f + "");
      }
    }
  }

  @Test
  void infoListsBandNamesAndDynamicWorldPicksSentinel2BandsByFileName() throws IOException {
    List<String> names =
        List.of(
            "B12", "B8A", "B01", "B05", "B02", "B11", "B03", "B10", "B04", "B09", "B06", "B07",
            "B08");
    String list =
        String.join(
            ",",
            names.stream().map(n -> in.resolve("s2/S2_SLO_" + n + ".tif").toString()).toList());
    Cli info = Cli.run("info", list);
    assertEquals(0, info.code(), info.err());
    assertTrue(info.out().contains("band stack of 13 files"), info.out());
    assertTrue(info.out().contains("Band 1: B12"), info.out());
    assertTrue(info.out().contains("Band 13: B08"), info.out());
    Path scene = Gdal.sharedData().resolve("scenes/s2-slovenia-13band.tif");
    Path one = dir.resolve("dw-one");
    Path stack = dir.resolve("dw-stack");
    Cli a = Cli.run("predict", "--model", "dynamic-world", "--out", one.toString(), scene + "");
    Cli b = Cli.run("predict", "--model", "dynamic-world", "--out", stack.toString(), list);
    assertEquals(0, a.code(), a.err());
    assertEquals(0, b.code(), b.err());
    assertEquals(
        "same",
        same(
            stack.resolve("S2_SLO_landcover.tif"),
            one.resolve("s2-slovenia-13band_landcover.tif")));
  }

  @Test
  void unreadableStacksAreRefusedInOneLine() {
    Path out = dir.resolve("refused");
    String b2 = in.resolve("zion_b2.tif").toString();
    Object[][] cases = {
      {new String[] {"info", in.resolve("derived.vrt").toString()}, 1, "VRTDerivedRasterBand"},
      {new String[] {"info", b2 + "," + in.resolve("b5_nad83.tif")}, 1, "gdalwarp -t_srs"},
      {new String[] {"info", b2 + "," + in.resolve("zion_b9.tif")}, 1, "zion_b9.tif: no such file"},
      {
        new String[] {
          "chips",
          "--image",
          zionList(),
          "--grid-band",
          "9",
          "--size",
          "64",
          "--out",
          out.toString()
        },
        2,
        "grid band is 9"
      },
      {
        new String[] {
          "chips",
          "--image",
          zionList(),
          "--band-resampling",
          "lanczos",
          "--size",
          "64",
          "--out",
          out.toString()
        },
        2,
        "lanczos"
      },
      {
        new String[] {
          "predict",
          "--model",
          DEMO.toString(),
          "--out",
          out.toString(),
          in.resolve("derived.vrt").toString()
        },
        1,
        "VRTDerivedRasterBand"
      },
    };
    for (Object[] c : cases) {
      Cli r = Cli.run((String[]) c[0]);
      assertEquals((int) c[1], r.code(), String.join(" ", (String[]) c[0]) + ": " + r.err());
      String err = r.errorLines().strip();
      assertTrue(err.contains((String) c[2]), err);
    }
    assertTrue(!Files.exists(out.resolve("chips.csv")));
  }
}

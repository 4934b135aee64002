package dev.landcover.app;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.landcover.geo.Gdal;
import dev.landcover.pixels.PixelWindow;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code landcover chips} on real scenes: GDAL's reading of every chip file equals GDAL's reading
 * of the source window, and the chip's geotransform is the source's shifted by the window offset.
 */
class ChipsCommandTest {
  private static final Path NAIP = Gdal.sharedData().resolve("scenes/naip-4band-2019.tif");
  private static final Path S2 = Gdal.sharedData().resolve("scenes/s2-slovenia-13band.tif");
  private static final Path LULC = Gdal.sharedData().resolve("labels/s2-slovenia-lulc.tif");
  private static final Path LANDSAT = Gdal.sharedData().resolve("scenes/landsat8-zion-4band.tif");
  private static final Path NLCD = Gdal.sharedData().resolve("zion-sources/nlcd.tif");
  private static final Path NLCD_WARPED =
      Gdal.sharedData().resolve("labels/nlcd2011-zion-8class.tif");

  @TempDir Path dir;

  private record Indexed(int id, PixelWindow window) {}

  private static List<Indexed> readIndex(Path csv) throws IOException {
    List<Indexed> rows = new ArrayList<>();
    for (String line : Files.readAllLines(csv).subList(1, Files.readAllLines(csv).size())) {
      String[] f = line.split(",");
      rows.add(
          new Indexed(
              Integer.parseInt(f[0]),
              new PixelWindow(
                  Integer.parseInt(f[2]),
                  Integer.parseInt(f[3]),
                  Integer.parseInt(f[4]),
                  Integer.parseInt(f[5]))));
    }
    return rows;
  }

  private static void verify(Path source, Path chipDir, List<Indexed> chips) throws IOException {
    List<Gdal.Request> requests = new ArrayList<>();
    requests.add(new Gdal.Request(source, chips.stream().map(Indexed::window).toList(), null));
    for (Indexed c : chips) {
      requests.add(new Gdal.Request(chipDir.resolve(String.format("chip_%05d.tif", c.id()))));
    }
    Map<Path, Gdal.Reference> refs = Gdal.describe(requests);
    Gdal.Reference src = refs.get(source);
    double[] gt = src.geotransform();
    for (int k = 0; k < chips.size(); k++) {
      Indexed c = chips.get(k);
      Gdal.Reference chip = refs.get(requests.get(k + 1).path());
      assertTrue(chip.ok(), chip.error());
      assertEquals(src.dtype(), chip.dtype());
      assertEquals(src.epsg(), chip.epsg());
      assertArrayEquals(src.data(k), chip.data(0), "chip " + c.id());
      double x = c.window().x();
      double y = c.window().y();
      double[] expected = {
        gt[0] + x * gt[1] + y * gt[2], gt[1], gt[2], gt[3] + x * gt[4] + y * gt[5], gt[4], gt[5]
      };
      assertArrayEquals(expected, chip.geotransform(), 1e-9 * Math.abs(gt[1]), "chip " + c.id());
      assertEquals(src.nodata(1), chip.nodata(1));
    }
  }

  @Test
  void naipChipsEqualTheSourceWindowsInGdal() throws IOException {
    Path out = dir.resolve("naip");
    Cli cli =
        Cli.run(
            "chips",
            "--image",
            NAIP.toString(),
            "--size",
            "256",
            "--overlap",
            "128",
            "--out",
            out.toString());
    assertEquals(0, cli.code(), cli.err());
    List<Indexed> chips = readIndex(out.resolve("chips.csv"));
    assertEquals(7 * 5, chips.size());
    assertTrue(cli.out().contains("Wrote 35 chips"), cli.out());
    verify(NAIP, out.resolve("images"), chips);
  }

  @Test
  void slovenianImageAndLabelChipsEqualTheSourceWindowsInGdal() throws IOException {
    Path out = dir.resolve("s2");
    Cli cli =
        Cli.run(
            "chips",
            "--image",
            S2.toString(),
            "--labels",
            LULC.toString(),
            "--size",
            "48",
            "--stride",
            "40",
            "--out",
            out.toString());
    assertEquals(0, cli.code(), cli.err());
    List<Indexed> chips = readIndex(out.resolve("chips.csv"));
    assertEquals(9, chips.size());
    verify(S2, out.resolve("images"), chips);
    verify(LULC, out.resolve("labels"), chips);
    String header = Files.readAllLines(out.resolve("chips.csv")).get(0);
    assertTrue(header.endsWith("class_1,class_2,class_3,class_4,class_8"), header);
  }

  /**
   * Labels on another grid (the Zion NLCD: NAD83 / UTM 12N at about 31.5 m, the image WGS 84 / UTM
   * 12N at 30 m) are aligned on the fly: the label chips equal, in GDAL's reading, the windows of
   * the file {@code gdalwarp -r near} made onto the image's grid, and a note says what was done.
   */
  @Test
  void labelsOnAnotherGridAreAlignedLikeGdalwarpNear() throws IOException {
    Path out = dir.resolve("zion");
    Cli cli =
        Cli.run(
            "chips",
            "--image",
            LANDSAT.toString(),
            "--labels",
            NLCD.toString(),
            "--size",
            "400",
            "--out",
            out.toString());
    assertEquals(0, cli.code(), cli.err());
    assertTrue(
        cli.err()
            .contains(
                "resampled (nearest, as gdalwarp -r near) from EPSG:26912, 31.53 x"
                    + " 31.525 to EPSG:32612, 30 x 30 (1128 x 1428 px)"),
        cli.err());
    List<Indexed> chips = readIndex(out.resolve("chips.csv"));
    assertEquals(12, chips.size());
    verify(NLCD_WARPED, out.resolve("labels"), chips);
  }

  @Test
  void filtersAndBandsAndOverwrite() throws IOException {
    Path out = dir.resolve("filtered");
    Cli first =
        Cli.run(
            "chips",
            "--image",
            S2.toString(),
            "--labels",
            LULC.toString(),
            "--size",
            "32",
            "--stride",
            "16",
            "--bands",
            "4,3,2",
            "--classes",
            "8",
            "--min-class-pixels",
            "30",
            "--background-keep",
            "0.2",
            "--seed",
            "7",
            "--out",
            out.toString());
    assertEquals(0, first.code(), first.err());
    assertTrue(first.out().contains("background"), first.out());
    List<Indexed> chips = readIndex(out.resolve("chips.csv"));
    assertTrue(chips.size() < 36, "filter kept all " + chips.size());
    Gdal.Reference one =
        Gdal.describe(List.of(new Gdal.Request(out.resolve("images/chip_00000.tif"))))
            .values()
            .iterator()
            .next();
    assertEquals(3, one.bands());

    Cli refused =
        Cli.run("chips", "--image", S2.toString(), "--size", "32", "--out", out.toString());
    assertEquals(2, refused.code());
    Cli again =
        Cli.run(
            "chips",
            "--image",
            S2.toString(),
            "--size",
            "64",
            "--out",
            out.toString(),
            "--overwrite");
    assertEquals(0, again.code(), again.err());
    try (var files = Files.list(out.resolve("images"))) {
      assertEquals(4, files.count(), "chips of the earlier run were not removed");
    }
  }
}

package dev.landcover.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.landcover.geo.Gdal;
import dev.landcover.geo.GeoTiffRaster;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * GDAL masks through the command line, on files GDAL wrote: {@code info} names the mask, and {@code
 * chips} of an RGBA image leaves the alpha band out of the chips and counts masked pixels as nodata
 * exactly where GDAL's {@code GetMaskBand()} says so.
 */
class MaskedImagesTest {
  @TempDir Path dir;

  @Test
  void chipsOfAnRgbaImageAreRgbWithTheAlphaAsNodata() throws IOException {
    Gdal.runScript(Gdal.class, "masks.py", dir, dir.toString());
    Path rgba = dir.resolve("rgba-unassociated.tif");
    Cli info = Cli.run("info", rgba.toString());
    assertEquals(0, info.code(), info.err());
    assertTrue(info.out().contains("Mask:         alpha band 4 (unassociated)"), info.out());
    Cli internal = Cli.run("info", dir.resolve("cog-mask.tif").toString());
    assertTrue(internal.out().contains("Mask:         internal mask (per dataset"), internal.out());
    Cli none = Cli.run("info", dir.resolve("five-bands-alpha.tif").toString());
    assertTrue(none.out().contains("Mask:         none"), none.out());

    Path out = dir.resolve("chips");
    Cli chips =
        Cli.run("chips", "--image", rgba.toString(), "--size", "40", "--out", out.toString());
    assertEquals(0, chips.code(), chips.err());
    byte[] valid = Files.readAllBytes(Path.of(rgba + ".valid"));
    int width = 173;
    List<String> rows = Files.readAllLines(out.resolve("chips.csv"));
    List<String> header = List.of(rows.get(0).split(","));
    int checked = 0;
    for (String row : rows.subList(1, rows.size())) {
      String[] f = row.split(",");
      int x = Integer.parseInt(f[header.indexOf("x")]);
      int y = Integer.parseInt(f[header.indexOf("y")]);
      int masked = 0;
      for (int r = y; r < y + 40; r++) {
        for (int c = x; c < x + 40; c++) {
          masked += valid[r * width + c] == 0 ? 1 : 0;
        }
      }
      double fraction = Double.parseDouble(f[header.indexOf("nodata_fraction")]);
      assertEquals(masked / 1600.0, fraction, 1e-4, row);
      try (GeoTiffRaster chip = GeoTiffRaster.open(out.resolve(f[1]))) {
        assertEquals(3, chip.bandCount(), f[1]);
      }
      checked++;
    }
    assertTrue(checked >= 12, "only " + checked + " chips");
  }
}

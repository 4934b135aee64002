package dev.landcover.geo;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.landcover.pixels.PixelWindow;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * GDAL masks become invalid pixels: on files GDAL wrote with internal mask IFDs (several sample
 * types, compressions and layouts, {@code gdal_translate -mask}, a COG), external {@code .msk}
 * files and alpha bands, a pixel is valid exactly where GDAL's {@code GetMaskBand()} of every band
 * is non-zero; a mask GDAL does not use (alpha as the 5th of 5 bands) masks nothing, as in GDAL,
 * nor does an alpha band in a file with nodata (GDAL's nodata mask wins) or whose GDAL_METADATA
 * says it is not alpha; an alpha band is left out of the data bands.
 */
class GeoTiffMaskTest {
  @TempDir static Path dir;
  private static final List<JsonNode> FILES = new ArrayList<>();

  @BeforeAll
  static void makeFiles() throws IOException {
    String output = Gdal.runScript(GeoTiffMaskTest.class, "masks.py", dir, dir.toString());
    ObjectMapper json = new ObjectMapper();
    for (String line : output.strip().split("\n")) {
      if (line.startsWith("{")) {
        FILES.add(json.readTree(line));
      }
    }
    assertEquals(15, FILES.size(), output);
  }

  @Test
  void validPixelsAreWhereGdalsMaskBandsAreNonZero() throws IOException {
    for (JsonNode f : FILES) {
      Path file = Path.of(f.get("file").asText());
      byte[] expected = Files.readAllBytes(Path.of(file + ".valid"));
      boolean gdalMasks = false;
      for (JsonNode flag : f.get("flags")) {
        gdalMasks |= flag.asInt() != 1 && flag.asInt() != 8; // all valid, nodata
      }
      try (GeoTiffRaster r = GeoTiffRaster.open(file)) {
        assertEquals(gdalMasks, r.mask().isPresent(), file + ": " + r.mask());
        PixelWindow whole = new PixelWindow(0, 0, r.width(), r.height());
        RasterWindow all = r.read(whole, r.allBands());
        boolean[] valid = all.validMask();
        int masked = 0;
        for (int i = 0; i < valid.length; i++) {
          assertEquals(expected[i] == 1, valid[i], file + " pixel " + i);
          masked += valid[i] ? 0 : 1;
        }
        if (gdalMasks) {
          assertTrue(masked > 2000, file + ": only " + masked + " masked");
        }
        // A window reaching past the edges, with the bands in another order.
        PixelWindow w = new PixelWindow(150, 100, 40, 50);
        int[] bands = new int[r.bandCount()];
        for (int b = 0; b < bands.length; b++) {
          bands[b] = r.bandCount() - b;
        }
        RasterWindow part = r.read(w, bands);
        for (int y = 0; y < w.height(); y++) {
          for (int x = 0; x < w.width(); x++) {
            int gx = w.x() + x;
            int gy = w.y() + y;
            boolean in = gx < r.width() && gy < r.height();
            assertEquals(
                in && expected[gy * r.width() + gx] == 1, part.isValid(x, y), file + " window");
          }
        }
      }
    }
  }

  @Test
  void anAlphaBandServingAsTheMaskIsNotADataBand() throws IOException {
    try (GeoTiffRaster rgba = GeoTiffRaster.open(dir.resolve("rgba-unassociated.tif"));
        GeoTiffRaster five = GeoTiffRaster.open(dir.resolve("five-bands-alpha.tif"));
        GeoTiffRaster gray = GeoTiffRaster.open(dir.resolve("gray-alpha-uint16.tif"))) {
      assertArrayEquals(new int[] {1, 2, 3}, rgba.dataBands());
      assertTrue(rgba.mask().orElseThrow().contains("alpha band 4"), rgba.mask().toString());
      assertArrayEquals(new int[] {1}, gray.dataBands());
      assertArrayEquals(new int[] {1, 2, 3, 4, 5}, five.dataBands());
      // The alpha band read alone is unmasked (GDAL: GMF_ALL_VALID).
      RasterWindow alpha = rgba.read(new PixelWindow(0, 0, rgba.width(), rgba.height()), 4);
      assertEquals(rgba.width() * rgba.height(), alpha.validCount());
    }
  }

  @Test
  void aMaskThatCannotBeAppliedIsRefusedNamingTheFile() throws IOException {
    Path image = dir.resolve("internal-byte-lzw-tiled.tif");
    Path copy = dir.resolve("odd-mask.tif");
    Files.copy(dir.resolve("no-mask.tif"), copy);
    // A two-band .msk for a three-band image: neither per dataset nor per band.
    Files.copy(dir.resolve("internal-uint16-deflate-strips.tif"), Path.of(copy + ".msk"));
    GeoTiffException e = assertThrows(GeoTiffException.class, () -> GeoTiffRaster.open(copy));
    assertTrue(e.getMessage().contains(copy.toString()), e.getMessage());
    assertTrue(e.getMessage().contains("external mask"), e.getMessage());
    assertFalse(e.getMessage().contains("\n"), e.getMessage());
    assertTrue(Files.exists(image));
  }
}

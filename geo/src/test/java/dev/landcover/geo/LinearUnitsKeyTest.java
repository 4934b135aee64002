package dev.landcover.geo;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.landcover.geo.internal.tiff.GeoTiffTags;
import dev.landcover.geo.internal.tiff.TiffDirectory;
import dev.landcover.pixels.PixelWindow;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A GeoTIFF written on a grid made in Java with a projected CRS in metres (as {@code testdata}'s
 * scenes are) carries ProjLinearUnitsGeoKey, as GDAL writes it, and keeps its CRS as GDAL reads it:
 * a reader learns from the keys alone that the axes are in metres, so mapping such a scene never
 * decodes its CRS from the EPSG database.
 */
class LinearUnitsKeyTest {
  @TempDir Path dir;

  @Test
  void aProjectedCrsInMetresIsWrittenWithItsLinearUnit() throws IOException {
    GeoTransform t = new GeoTransform(400_000, 10, 0, 5_100_000, 0, -10);
    RasterGrid grid = RasterGrid.ofEpsg(300, 200, t, 32633);
    RasterGrid feet = RasterGrid.ofEpsg(300, 200, t, 2227); // California zone 3, US survey feet
    RasterGrid geographic =
        RasterGrid.ofEpsg(300, 200, new GeoTransform(10, 1e-4, 0, 45, 0, -1e-4), 4326);
    Path map = dir.resolve("map.tif");
    Path chip = dir.resolve("chip.tif");
    Path footMap = dir.resolve("feet.tif");
    Path degrees = dir.resolve("degrees.tif");
    RasterWindow pixels = RasterWindow.create(SampleType.UINT8, 300, 200, 1);
    GeoTiffWriter.forGrid(grid, SampleType.UINT8, 1).write(map, pixels);
    GeoTiffWriter.forGrid(grid.window(new PixelWindow(0, 0, 16, 16)), SampleType.UINT8, 1)
        .write(chip, RasterWindow.create(SampleType.UINT8, 16, 16, 1));
    GeoTiffWriter.forGrid(feet, SampleType.UINT8, 1).write(footMap, pixels);
    GeoTiffWriter.forGrid(geographic, SampleType.UINT8, 1).write(degrees, pixels);

    for (Path p : List.of(map, chip)) {
      GeoKeys keys = GeoTiffTags.geoKeys(TiffDirectory.read(p));
      assertEquals(9001, keys.shortValue(GeoKeys.LINEAR_UNITS).orElse(-1), p.toString());
      assertEquals(32633, keys.shortValue(GeoKeys.PROJECTED_TYPE).orElse(-1), p.toString());
      int[] d = keys.directory();
      for (int k = 1; k < d[3]; k++) {
        assertTrue(d[4 + 4 * k] > d[4 * k], "keys out of order in " + p + ": " + keys);
      }
      RasterGrid undecodable =
          RasterGrid.ofGeoTiff(
              300,
              200,
              t,
              keys,
              () -> {
                throw new AssertionError("the CRS of " + p + " was decoded");
              });
      assertTrue(undecodable.axesInMetres(), p.toString());
    }
    // Only metres are added: other units and geographic CRSs keep SIS's keys.
    assertFalse(
        GeoTiffTags.geoKeys(TiffDirectory.read(footMap))
            .shortValue(GeoKeys.LINEAR_UNITS)
            .equals(java.util.OptionalInt.of(9001)));
    assertTrue(
        GeoTiffTags.geoKeys(TiffDirectory.read(degrees))
            .shortValue(GeoKeys.LINEAR_UNITS)
            .isEmpty());

    String utm = grid.crsWkt();
    Map<Path, Gdal.Reference> gdal =
        Gdal.describe(
            List.of(
                new Gdal.Request(map, null, utm),
                new Gdal.Request(chip, null, utm),
                new Gdal.Request(footMap, null, feet.crsWkt()),
                new Gdal.Request(degrees, null, geographic.crsWkt())));
    for (Map.Entry<Path, Gdal.Reference> e : gdal.entrySet()) {
      assertTrue(e.getValue().ok(), e.getKey() + ": " + e.getValue().error());
      assertEquals(
          Boolean.TRUE, e.getValue().crsSame(), e.getKey() + ": " + e.getValue().crsError());
    }
    assertEquals(32633, gdal.get(map).epsg());
    assertArrayEquals(
        new double[] {400_000, 10, 0, 5_100_000, 0, -10}, gdal.get(map).geotransform(), 1e-9);
  }
}

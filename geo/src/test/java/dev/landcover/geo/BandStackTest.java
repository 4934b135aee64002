package dev.landcover.geo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.landcover.pixels.PixelWindow;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Band stacks and VRTs against GDAL: the four Zion Landsat band files stacked (as a file list and
 * as a {@code gdalbuildvrt -separate} VRT) equal the shared four-band scene pixel for pixel; a 90 m
 * band resampled on the fly onto the 30 m grid equals gdalwarp's; a VRT mixing resolutions reads as
 * {@code gdal_translate} reads it; what is not read is refused in one line.
 */
class BandStackTest {
  private static final Path SOURCES = Gdal.sharedData().resolve("zion-sources");
  private static final Path SCENE = Gdal.sharedData().resolve("scenes/landsat8-zion-4band.tif");

  @TempDir static Path refs;

  @BeforeAll
  static void references() throws IOException {
    Gdal.runScript(BandStackTest.class, "stack_refs.py", refs, SOURCES.toString(), refs.toString());
  }

  private static List<Path> zionBands() {
    return List.of(2, 3, 4, 5).stream()
        .map(b -> SOURCES.resolve("landsat_b" + b + ".tif"))
        .toList();
  }

  /** Samples of {@code a} and {@code b} (same size and band count) that differ: count and most. */
  private static double[] compare(SceneRaster a, SceneRaster b) throws IOException {
    assertTrue(a.grid().sameGrid(b.grid()), a.grid() + " vs " + b.grid());
    assertEquals(b.bandCount(), a.bandCount());
    PixelWindow all = new PixelWindow(0, 0, a.width(), a.height());
    RasterWindow x = a.read(all, a.allBands());
    RasterWindow y = b.read(all, b.allBands());
    long differing = 0;
    double largest = 0;
    for (int band = 0; band < a.bandCount(); band++) {
      assertEquals(b.noData(band + 1), a.noData(band + 1), "nodata of band " + (band + 1));
      for (int r = 0; r < a.height(); r++) {
        for (int c = 0; c < a.width(); c++) {
          double d = Math.abs(x.sample(band, c, r) - y.sample(band, c, r));
          if (d != 0) {
            differing++;
            largest = Math.max(largest, d);
          }
        }
      }
    }
    for (int r = 0; r < a.height(); r++) {
      for (int c = 0; c < a.width(); c++) {
        assertEquals(y.isValid(c, r), x.isValid(c, r), "validity at " + c + "," + r);
      }
    }
    return new double[] {differing, largest};
  }

  @Test
  void zionBandFilesStackedEqualTheFourBandScene() throws IOException {
    try (SceneRaster stack = BandStack.of(zionBands()).open();
        SceneRaster vrt = SceneRaster.open(refs.resolve("separate.vrt"));
        GeoTiffRaster scene = GeoTiffRaster.open(SCENE)) {
      assertEquals(SampleType.UINT16, stack.sampleType());
      assertEquals(List.of("b2", "b3", "b4", "b5"), stack.bandDescriptions());
      assertEquals(List.of(), vrt.bandDescriptions());
      assertEquals(scene.grid().epsg(), stack.grid().epsg());
      assertEquals(scene.grid().epsg(), vrt.grid().epsg());
      assertEquals(0.0, compare(stack, scene)[0]);
      assertEquals(0.0, compare(vrt, scene)[0]);
      // windows reaching past the edges, bands in another order, read as from the one file
      PixelWindow edge = new PixelWindow(1000, 1300, 300, 300);
      RasterWindow a = stack.read(edge, 4, 1, 4);
      RasterWindow b = scene.read(edge, 4, 1, 4);
      RasterWindow c = vrt.read(edge, 4, 1, 4);
      for (int band = 0; band < 3; band++) {
        for (int r = 0; r < 300; r++) {
          for (int col = 0; col < 300; col++) {
            assertEquals(b.sample(band, col, r), a.sample(band, col, r));
            assertEquals(b.sample(band, col, r), c.sample(band, col, r));
            assertEquals(b.isValid(col, r), a.isValid(col, r));
            assertEquals(b.isValid(col, r), c.isValid(col, r));
          }
        }
      }
    }
  }

  @Test
  void coarseBandIsResampledOnTheFlyAsGdalwarpDoes() throws IOException {
    Path b2 = zionBands().get(0);
    Path coarse = refs.resolve("b5_90.tif");
    for (Object[] c :
        List.of(
            new Object[] {Resampling.NEAREST, "b5_90_near30.tif", 0.0},
            new Object[] {Resampling.BILINEAR, "b5_90_bilinear30.tif", 1.0},
            new Object[] {Resampling.CUBIC, "b5_90_cubic30.tif", 1.0})) {
      BandStack stack = BandStack.of(List.of(b2, coarse)).withResampling((Resampling) c[0]);
      try (SceneRaster ours = stack.open();
          SceneRaster expected = BandStack.of(List.of(b2, refs.resolve((String) c[1]))).open()) {
        assertTrue(ours.grid().sameGrid(GeoTiffRaster.open(b2).grid()));
        double[] d = compare(ours, expected);
        String what =
            String.format(
                Locale.ROOT,
                "%s: %d of %d samples differ, largest %s",
                c[0],
                (long) d[0],
                2L * ours.width() * ours.height(),
                d[1]);
        System.out.println(what);
        assertTrue(d[1] <= (double) c[2], what);
        assertTrue(d[0] / (2.0 * ours.width() * ours.height()) < 0.01, what);
      }
    }
  }

  @Test
  void vrtOfMixedResolutionsReadsAsGdalTranslateDoes() throws IOException {
    for (Object[] c :
        List.of(
            new Object[] {"mixed.vrt", "mixed.tif", 0.0},
            new Object[] {"mixed_bilinear.vrt", "mixed_bilinear.tif", 1.0})) {
      try (SceneRaster vrt = SceneRaster.open(refs.resolve((String) c[0]));
          GeoTiffRaster gdal = GeoTiffRaster.open(refs.resolve((String) c[1]))) {
        double[] d = compare(vrt, gdal);
        String what = c[0] + ": " + (long) d[0] + " samples differ, largest " + d[1];
        System.out.println(what);
        assertTrue(d[1] <= (double) c[2], what);
        assertTrue(d[0] / (2.0 * vrt.width() * vrt.height()) < 0.01, what);
      }
    }
  }

  @Test
  void filesOfOtherTypesAreWidenedExactly() throws IOException {
    List<Path> files =
        List.of(refs.resolve("b3_byte.tif"), zionBands().get(0), refs.resolve("b4_int16.tif"));
    try (SceneRaster stack = BandStack.of(files).open();
        GeoTiffRaster b3 = GeoTiffRaster.open(files.get(0));
        GeoTiffRaster b2 = GeoTiffRaster.open(files.get(1));
        GeoTiffRaster b4 = GeoTiffRaster.open(files.get(2))) {
      assertEquals(SampleType.INT32, stack.sampleType());
      PixelWindow w = new PixelWindow(200, 300, 64, 64);
      RasterWindow all = stack.read(w, 1, 2, 3);
      GeoTiffRaster[] one = {b3, b2, b4};
      for (int band = 0; band < 3; band++) {
        RasterWindow ref = one[band].read(w, 1);
        for (int r = 0; r < 64; r++) {
          for (int col = 0; col < 64; col++) {
            assertEquals(ref.sample(0, col, r), all.sample(band, col, r));
          }
        }
      }
      assertEquals(b2.noData(1), stack.noData(2));
      assertTrue(stack.noData(1).isEmpty());
    }
  }

  @Test
  void unreadableInputsAreRefusedInOneLine() throws IOException {
    for (String[] c :
        new String[][] {
          {"derived.vrt", "VRTDerivedRasterBand (a pixel function)"},
          {"kernel.vrt", "<KernelFilteredSource>"},
          {"scaled.vrt", "<ScaleRatio>"},
          {"warped.vrt", "VRTWarpedDataset"}
        }) {
      GeoTiffException e =
          assertThrows(GeoTiffException.class, () -> SceneRaster.open(refs.resolve(c[0])));
      assertTrue(e.getMessage().contains(c[1]), e.getMessage());
      assertTrue(e.getMessage().contains("gdal_translate"), e.getMessage());
      assertTrue(!e.getMessage().contains("\n"), e.getMessage());
    }
    GeoTiffException crs =
        assertThrows(
            GeoTiffException.class,
            () -> BandStack.of(List.of(zionBands().get(0), refs.resolve("b5_nad83.tif"))).open());
    assertTrue(crs.getMessage().contains("must share one CRS"), crs.getMessage());
    assertTrue(crs.getMessage().contains("gdalwarp -t_srs EPSG:32612"), crs.getMessage());
    Path missing = refs.resolve("landsat_b9.tif");
    GeoTiffException none =
        assertThrows(
            GeoTiffException.class,
            () -> BandStack.of(List.of(zionBands().get(0), missing)).open());
    assertTrue(none.getMessage().startsWith(missing + ": no such file"), none.getMessage());
    Path vrt = refs.resolve("missing.vrt");
    Files.writeString(
        vrt,
        Files.readString(refs.resolve("separate.vrt"))
            .replace(zionBands().get(3).toString(), missing.toString()));
    GeoTiffException source = assertThrows(GeoTiffException.class, () -> SceneRaster.open(vrt));
    assertTrue(source.getMessage().startsWith(missing + ": no such file"), source.getMessage());
  }

  @Test
  void bandsAndStacksAreNamedFromFileNames() {
    String prefix = "T33UUP_20230101T101010_";
    assertEquals("B02", BandStack.bandName(Path.of("T33UUP_20230101T101010_B02_10m.tif"), prefix));
    assertEquals("B8A", BandStack.bandName(Path.of("T33UUP_20230101T101010_B8A_20m.tif"), prefix));
    assertEquals("b2", BandStack.bandName(Path.of("landsat_b2.tif"), "landsat_b"));
    assertEquals("red", BandStack.bandName(Path.of("scene-red.tif"), "scene-"));
    assertEquals(
        Path.of("/d/LC08_L2SP_SR").toAbsolutePath(),
        BandStack.parse("/d/LC08_L2SP_SR_B2.TIF,/d/LC08_L2SP_SR_B3.TIF").name());
    assertEquals(
        Path.of("/d/landsat").toAbsolutePath(),
        BandStack.parse("/d/landsat_b2.tif,/d/landsat_b3.tif").name());
    assertEquals(
        Path.of("/d/red").toAbsolutePath(), BandStack.parse("/d/red.tif,/d/nir.tif").name());
    assertThrows(IllegalArgumentException.class, () -> BandStack.parse("a.tif,,b.tif"));
  }
}

package dev.landcover.testdata;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.landcover.geo.GeoKeys;
import dev.landcover.geo.GeoTiffRaster;
import dev.landcover.geo.RasterWindow;
import dev.landcover.geo.SampleType;
import dev.landcover.pixels.PixelWindow;
import java.awt.image.BandedSampleModel;
import java.awt.image.DataBuffer;
import java.awt.image.Raster;
import java.awt.image.WritableRaster;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SyntheticSceneTest {
  private static final int SIZE = 768;
  private static final SyntheticScene SCENE = new SyntheticScene(SIZE, SIZE, 42);

  @TempDir static Path dir;

  @BeforeAll
  static void write() throws IOException {
    SCENE.write(dir, false);
  }

  private static WritableRaster raster(PixelWindow w, int bands) {
    return Raster.createWritableRaster(
        new BandedSampleModel(DataBuffer.TYPE_USHORT, w.width(), w.height(), bands), null);
  }

  @Test
  void anyWindowComputedAloneEqualsTheWrittenFile() throws IOException {
    PixelWindow w = new PixelWindow(300, 123, 97, 211);
    WritableRaster image = raster(w, 4);
    WritableRaster labels = raster(w, 1);
    new SyntheticScene(SIZE, SIZE, 42).fillImage(w, image);
    SCENE.fillLabels(w, labels);
    try (GeoTiffRaster tif = GeoTiffRaster.open(dir.resolve("scene.tif"));
        GeoTiffRaster lbl = GeoTiffRaster.open(dir.resolve("labels.tif"))) {
      assertEquals(SampleType.UINT16, tif.sampleType());
      assertEquals(32633, tif.grid().epsg().getAsInt());
      assertEquals(0.0, tif.noData(1).getAsDouble());
      RasterWindow read = tif.read(w, 1, 2, 3, 4);
      for (int b = 0; b < 4; b++) {
        assertArrayEquals(
            image.getSamples(0, 0, w.width(), w.height(), b, (int[]) null),
            read.raster().getSamples(0, 0, w.width(), w.height(), b, (int[]) null));
      }
      assertArrayEquals(
          labels.getSamples(0, 0, w.width(), w.height(), 0, (int[]) null),
          lbl.read(w, 1).raster().getSamples(0, 0, w.width(), w.height(), 0, (int[]) null));
    }
  }

  /**
   * The scene's keys, written verbatim, declare the CRS that the EPSG database defines for 32633,
   * and its unit without decoding it.
   */
  @Test
  void theSceneIsInUtmZone33nAsTheEpsgDatabaseDefinesIt() throws Exception {
    try (GeoTiffRaster tif = GeoTiffRaster.open(dir.resolve("scene.tif"))) {
      assertTrue(tif.grid().axesInMetres());
      assertEquals(
          9001, tif.grid().geoKeys().orElseThrow().shortValue(GeoKeys.LINEAR_UNITS).orElse(0));
      assertTrue(
          org.apache.sis.util.Utilities.equalsIgnoreMetadata(
              org.apache.sis.referencing.CRS.forCode("EPSG:32633"), tif.grid().crs().orElseThrow()),
          String.valueOf(tif.grid().crs()));
    }
  }

  @Test
  void seedsChangeTheScene() {
    PixelWindow w = new PixelWindow(0, 0, 256, 256);
    WritableRaster a = raster(w, 1);
    WritableRaster b = raster(w, 1);
    new SyntheticScene(SIZE, SIZE, 1).fillLabels(w, a);
    new SyntheticScene(SIZE, SIZE, 2).fillLabels(w, b);
    assertNotEquals(
        java.util.Arrays.toString(a.getSamples(0, 0, 256, 256, 0, (int[]) null)),
        java.util.Arrays.toString(b.getSamples(0, 0, 256, 256, 0, (int[]) null)));
  }

  /**
   * Every class is present, nodata borders exist, image nodata matches label nodata, and the best
   * per-pixel spectral rule (nearest class mean, fitted on the scene itself) is far from perfect.
   */
  @Test
  void everyClassIsPresentAndAPerPixelRuleCannotLabelItPerfectly() {
    PixelWindow w = new PixelWindow(0, 0, SIZE, SIZE);
    WritableRaster image = raster(w, 4);
    WritableRaster labels = raster(w, 1);
    SCENE.fillImage(w, image);
    SCENE.fillLabels(w, labels);
    int[] lab = labels.getSamples(0, 0, SIZE, SIZE, 0, (int[]) null);
    int[][] bands = new int[4][];
    for (int b = 0; b < 4; b++) {
      bands[b] = image.getSamples(0, 0, SIZE, SIZE, b, (int[]) null);
    }
    long[] count = new long[7];
    double[][] mean = new double[7][4];
    for (int i = 0; i < lab.length; i++) {
      count[lab[i]]++;
      for (int b = 0; b < 4; b++) {
        assertEquals(lab[i] == 0, bands[b][i] == 0, "nodata in image and labels at " + i);
        mean[lab[i]][b] += bands[b][i];
      }
    }
    for (int c = 0; c <= 6; c++) {
      assertTrue(count[c] > lab.length / 200, "class " + c + " has only " + count[c] + " pixels");
      for (int b = 0; b < 4; b++) {
        mean[c][b] /= count[c];
      }
    }
    long right = 0;
    long valid = 0;
    for (int i = 0; i < lab.length; i++) {
      if (lab[i] == 0) {
        continue;
      }
      valid++;
      int best = -1;
      double bestD = Double.MAX_VALUE;
      for (int c = 1; c <= 6; c++) {
        double d = 0;
        for (int b = 0; b < 4; b++) {
          d += (bands[b][i] - mean[c][b]) * (bands[b][i] - mean[c][b]);
        }
        if (d < bestD) {
          bestD = d;
          best = c;
        }
      }
      if (best == lab[i]) {
        right++;
      }
    }
    double accuracy = (double) right / valid;
    System.out.printf(
        "Nearest-class-mean per-pixel accuracy on the synthetic scene: %.3f%n", accuracy);
    assertTrue(accuracy > 0.4 && accuracy < 0.9, "per-pixel accuracy " + accuracy);
  }
}

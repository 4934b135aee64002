package dev.landcover.geo;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.landcover.pixels.PixelWindow;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ChipGeneratorTest {
  private static final Path NAIP = Gdal.sharedData().resolve("scenes/naip-4band-2019.tif");
  private static final Path S2 = Gdal.sharedData().resolve("scenes/s2-slovenia-13band.tif");
  private static final Path LULC = Gdal.sharedData().resolve("labels/s2-slovenia-lulc.tif");

  @Test
  void chipsEqualGdalReadingOfTheSourceWindowAndCarryShiftedGeoreferencing() throws IOException {
    List<Chip> chips;
    RasterGrid grid;
    try (GeoTiffRaster naip = GeoTiffRaster.open(NAIP)) {
      grid = naip.grid();
      ChipGenerator gen = ChipGenerator.builder(naip).chipSize(256).overlap(128).build();
      chips = gen.stream().toList();
      assertEquals(gen.plan().size(), chips.size());
    }
    List<PixelWindow> windows = chips.stream().map(Chip::window).toList();
    Gdal.Reference ref = Gdal.describe(List.of(new Gdal.Request(NAIP, windows, null))).get(NAIP);
    for (int k = 0; k < chips.size(); k++) {
      Chip chip = chips.get(k);
      double[] expected = ref.data(k);
      float[] actual = chip.imageChw();
      assertEquals(expected.length, actual.length);
      for (int i = 0; i < actual.length; i++) {
        if (expected[i] != actual[i]) {
          throw new AssertionError(
              "chip "
                  + chip.index()
                  + " sample "
                  + i
                  + ": "
                  + actual[i]
                  + " vs GDAL "
                  + expected[i]);
        }
      }
      GeoTransform t = chip.grid().transform();
      assertEquals(
          grid.transform().worldX(chip.window().x(), chip.window().y()), t.originX(), 1e-6);
      assertEquals(
          grid.transform().worldY(chip.window().x(), chip.window().y()), t.originY(), 1e-6);
      assertEquals(grid.transform().pixelWidth(), t.pixelWidth());
      assertEquals(0.0, chip.noDataFraction());
    }
  }

  @Test
  void labelCountsAndFiltersFollowTheLabels() throws IOException {
    try (GeoTiffRaster image = GeoTiffRaster.open(S2);
        GeoTiffRaster labels = GeoTiffRaster.open(LULC)) {
      ChipGenerator all =
          ChipGenerator.builder(image)
              .labels(labels)
              .chipSize(32)
              .stride(16)
              .bands(4, 3, 2)
              .build();
      List<Chip> chips = all.stream().toList();
      assertEquals(all.plan().size(), chips.size());
      for (Chip chip : chips) {
        assertEquals(3, chip.image().bandCount());
        SortedMap<Integer, Integer> expected = new TreeMap<>();
        RasterWindow direct = labels.read(chip.window(), 1);
        for (int y = 0; y < 32; y++) {
          for (int x = 0; x < 32; x++) {
            int v = (int) direct.sample(0, x, y);
            if (v != 0) {
              expected.merge(v, 1, Integer::sum);
            }
          }
        }
        assertEquals(expected, chip.classCounts(), "chip " + chip.index());
        assertArrayEquals(image.read(chip.window(), 4, 3, 2).toFloatChw(), chip.imageChw());
      }

      ChipGenerator forest =
          ChipGenerator.builder(image)
              .labels(labels)
              .chipSize(32)
              .stride(16)
              .requiredClasses(new int[] {8}, 20)
              .backgroundKeep(0.3, 7)
              .build();
      List<Chip> kept = forest.stream().toList();
      long background = kept.stream().filter(c -> c.classCounts().getOrDefault(8, 0) < 20).count();
      long dropped = forest.droppedCounts().get(ChipGenerator.DropReason.BACKGROUND);
      assertEquals(all.plan().size(), kept.size() + dropped);
      assertTrue(
          dropped > 0 && background > 0, "dropped " + dropped + ", background " + background);
      List<Integer> again = new ArrayList<>();
      forest.stream().forEach(c -> again.add(c.index()));
      assertEquals(kept.stream().map(Chip::index).toList(), again);
    }
  }

  @Test
  void aRasterSmallerThanOneChipGivesOnePaddedChipWithItsMask() throws IOException {
    try (GeoTiffRaster image = GeoTiffRaster.open(S2);
        GeoTiffRaster labels = GeoTiffRaster.open(LULC)) {
      List<Chip> chips =
          ChipGenerator.builder(image).labels(labels).chipSize(128).build().stream().toList();
      assertEquals(1, chips.size());
      Chip chip = chips.get(0);
      boolean[] mask = chip.validMask();
      for (int y = 0; y < 128; y++) {
        for (int x = 0; x < 128; x++) {
          assertEquals(x < 100 && y < 101, mask[y * 128 + x], x + "," + y);
        }
      }
      assertEquals(1.0 - 100 * 101 / (128.0 * 128), chip.noDataFraction(), 1e-12);
      assertEquals(0, chip.labelArray()[127 * 128 + 127]);
    }
  }

  @Test
  void mostlyEmptyChipsAreDroppedAboveTheMaximumFraction() throws IOException {
    try (GeoTiffRaster image = GeoTiffRaster.open(S2)) {
      ChipGenerator gen = ChipGenerator.builder(image).chipSize(128).maxNoDataFraction(0.3).build();
      assertEquals(0, gen.stream().count());
      assertEquals(1L, gen.droppedCounts().get(ChipGenerator.DropReason.NODATA));
    }
  }

  /**
   * The class filter comes first: the one chip of a raster smaller than the chip has 38% nodata,
   * and with no required class it is dropped as {@code NODATA}; when it also lacks the required
   * class, it is counted under {@code BACKGROUND} only.
   */
  @Test
  void aChipFailingBothFiltersIsCountedAsBackground() throws IOException {
    try (GeoTiffRaster image = GeoTiffRaster.open(S2);
        GeoTiffRaster labels = GeoTiffRaster.open(LULC)) {
      ChipGenerator nodataOnly =
          ChipGenerator.builder(image).labels(labels).chipSize(128).maxNoDataFraction(0.3).build();
      assertEquals(0, nodataOnly.stream().count());
      assertEquals(
          Map.of(ChipGenerator.DropReason.NODATA, 1L, ChipGenerator.DropReason.BACKGROUND, 0L),
          nodataOnly.droppedCounts());

      ChipGenerator both =
          ChipGenerator.builder(image)
              .labels(labels)
              .chipSize(128)
              .maxNoDataFraction(0.3)
              .requiredClasses(new int[] {8}, 128 * 128 + 1)
              .build();
      assertEquals(0, both.stream().count());
      assertEquals(
          Map.of(ChipGenerator.DropReason.NODATA, 0L, ChipGenerator.DropReason.BACKGROUND, 1L),
          both.droppedCounts());
    }
  }

  @Test
  void labelsOnAnotherGridAreRefusedNamingBothGrids() throws IOException {
    try (GeoTiffRaster image = GeoTiffRaster.open(NAIP);
        GeoTiffRaster labels = GeoTiffRaster.open(LULC)) {
      GeoTiffException e =
          assertThrows(
              GeoTiffException.class,
              () -> ChipGenerator.builder(image).labels(labels).chipSize(64).build());
      assertTrue(e.getMessage().contains("EPSG:26914"), e.getMessage());
      assertTrue(e.getMessage().contains("EPSG:32633"), e.getMessage());
      assertTrue(e.getMessage().contains("gdalwarp"), e.getMessage());
    }
  }

  @Test
  void badOptionsNameTheValue() throws IOException {
    try (GeoTiffRaster image = GeoTiffRaster.open(S2)) {
      var e =
          assertThrows(
              IllegalArgumentException.class,
              () -> ChipGenerator.builder(image).chipSize(64).bands(14).build());
      assertTrue(e.getMessage().contains("Band 14"), e.getMessage());
      e =
          assertThrows(
              IllegalArgumentException.class,
              () -> ChipGenerator.builder(image).chipSize(64).stride(65).build());
      assertTrue(e.getMessage().contains("stride=65"), e.getMessage());
      assertFalse(
          assertThrows(
                  IllegalArgumentException.class,
                  () -> ChipGenerator.builder(image).chipSize(0).build())
              .getMessage()
              .isEmpty());
    }
  }

  @Test
  void aPassReleasesOnlyRowsItWillNotReadAgain() throws IOException {
    try (GeoTiffRaster image = GeoTiffRaster.open(S2);
        GeoTiffRaster labels = GeoTiffRaster.open(LULC)) {
      List<String> events = new ArrayList<>();
      Recording img = new Recording(image, "image", events);
      Recording lbl = new Recording(labels, "labels", events);
      List<Chip> chips =
          ChipGenerator.builder(img)
              .labels(lbl)
              .chipSize(32)
              .stride(24)
              .bands(4, 3, 2)
              .build()
              .stream()
              .toList();
      assertFalse(chips.isEmpty());
      for (Recording r : List.of(img, lbl)) {
        assertTrue(r.released > 0, r.name + ": " + events);
        assertTrue(r.released >= image.height() - 2 * 32, r.name + " released " + r.released);
      }
    }
  }

  /**
   * A recycling stream whose consumer releases each chip gives the chips of a plain stream, sample
   * for sample and mask for mask, while reading into a few strips' arrays only: inside a scene with
   * nodata, and in a scene narrower than a chip, whose strips reach past its edge.
   */
  @Test
  void aRecyclingStreamGivesThePlainStreamsChipsInAFewStrips(@TempDir Path dir) throws IOException {
    for (int width : new int[] {600, 200}) {
      Path file = dir.resolve("scene-" + width + ".tif");
      int height = 900;
      RasterWindow data = RasterWindow.create(SampleType.UINT16, width, height, 2);
      var raster = data.writableRaster();
      for (int b = 0; b < 2; b++) {
        for (int y = 0; y < height; y++) {
          for (int x = 0; x < width; x++) {
            // nodata (7) on a diagonal band and scattered, other values varying by band
            boolean empty = Math.abs(x - y / 2) < 40 || (x * 31 + y * 17) % 101 == 0;
            raster.setSample(x, y, b, empty ? 7 : 8 + (x * 13 + y * 7 + b * 1000) % 60000);
          }
        }
      }
      RasterGrid grid =
          RasterGrid.ofEpsg(width, height, new GeoTransform(500000, 10, 0, 4100000, 0, -10), 32633);
      GeoTiffWriter.forGrid(grid, SampleType.UINT16, 2).noData(7).write(file, data);
      try (GeoTiffRaster image = GeoTiffRaster.open(file)) {
        ChipGenerator plain = ChipGenerator.builder(image).chipSize(256).overlap(128).build();
        List<Chip> expected = plain.stream().toList();
        ChipGenerator recycling = ChipGenerator.builder(image).chipSize(256).overlap(128).build();
        java.util.Set<Object> stripArrays =
            java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        List<Chip> seen = new ArrayList<>();
        recycling
            .recyclingStream()
            .forEach(
                chip -> {
                  stripArrays.add(chip.image().bank(0)); // before anything copies samples out
                  Chip want = expected.get(seen.size());
                  seen.add(chip);
                  String at = width + " wide, chip " + chip.index();
                  assertEquals(want.index(), chip.index(), at);
                  assertArrayEquals(want.imageChw(), chip.imageChw(), at);
                  assertArrayEquals(want.validMask(), chip.validMask(), at);
                  assertEquals(want.noDataFraction(), chip.noDataFraction(), at);
                  recycling.release(chip);
                });
        assertEquals(expected.size(), seen.size());
        long plainStrips = expected.stream().map(c -> c.image().bank(0)).distinct().count();
        assertTrue(plainStrips >= 6, width + " wide: " + plainStrips + " strips");
        assertTrue(stripArrays.size() <= 2, width + " wide: " + stripArrays.size() + " arrays");
      }
    }
  }

  /**
   * Reading into a recycled window writes every sample and validity flag anew: windows inside and
   * reaching past the raster, read into each other's arrays, equal fresh reads (nodata 0, so stale
   * samples would show where a fresh read has zeros).
   */
  @Test
  void readingIntoARecycledWindowEqualsAFreshRead(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("scene.tif");
    RasterWindow data = RasterWindow.create(SampleType.INT16, 300, 200, 3);
    for (int b = 0; b < 3; b++) {
      for (int y = 0; y < 200; y++) {
        for (int x = 0; x < 300; x++) {
          data.writableRaster().setSample(x, y, b, (x + y) % 9 == 0 ? 0 : x - y + 100 * b + 1);
        }
      }
    }
    RasterGrid grid =
        RasterGrid.ofEpsg(300, 200, new GeoTransform(500000, 10, 0, 4100000, 0, -10), 32633);
    GeoTiffWriter.forGrid(grid, SampleType.INT16, 3).noData(0).write(file, data);
    List<PixelWindow> windows =
        List.of(
            new PixelWindow(10, 20, 128, 96),
            new PixelWindow(250, 150, 128, 96),
            new PixelWindow(-40, -30, 128, 96),
            new PixelWindow(100, 50, 128, 96));
    try (GeoTiffRaster image = GeoTiffRaster.open(file)) {
      int[] bands = {3, 1, 2};
      RasterWindow previous = image.read(windows.get(0), bands);
      for (PixelWindow w : windows) {
        Object arrays = previous.bank(0);
        RasterWindow reused = image.read(w, bands, previous);
        RasterWindow fresh = image.read(w, bands);
        assertTrue(arrays == reused.bank(0), "read into the recycled arrays at " + w);
        assertArrayEquals(fresh.validMask(), reused.validMask(), w.toString());
        assertArrayEquals(fresh.toFloatChw(), reused.toFloatChw(), w.toString());
        previous = reused;
      }
    }
  }

  /**
   * A raster that checks that no read reaches above a row released earlier, and that releases only
   * move down.
   */
  private static final class Recording implements SceneRaster {
    private final SceneRaster raster;
    private final String name;
    private final List<String> events;
    private int released;

    Recording(SceneRaster raster, String name, List<String> events) {
      this.raster = raster;
      this.name = name;
      this.events = events;
    }

    @Override
    public Path file() {
      return raster.file();
    }

    @Override
    public RasterGrid grid() {
      return raster.grid();
    }

    @Override
    public int bandCount() {
      return raster.bandCount();
    }

    @Override
    public SampleType sampleType() {
      return raster.sampleType();
    }

    @Override
    public java.util.OptionalDouble noData(int band) {
      return raster.noData(band);
    }

    @Override
    public List<String> bandDescriptions() {
      return raster.bandDescriptions();
    }

    @Override
    public RasterWindow read(PixelWindow window, int... bands) throws GeoTiffException {
      events.add(name + " read " + window.y());
      assertTrue(window.y() >= released, name + " reads row " + window.y() + ": " + events);
      return raster.read(window, bands);
    }

    @Override
    public void releaseRowsAbove(int row) {
      events.add(name + " release " + row);
      assertTrue(row >= released, name + " releases back up to " + row + ": " + events);
      released = row;
      raster.releaseRowsAbove(row);
    }

    @Override
    public void close() {}
  }
}

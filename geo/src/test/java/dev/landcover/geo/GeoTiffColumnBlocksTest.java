package dev.landcover.geo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.landcover.pixels.LandcoverClass;
import dev.landcover.pixels.PixelWindow;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link GeoTiffWriter#columnBlocks}: tiles are asked for block after block, each block top to
 * bottom, and the file GDAL reads equals the one written in a single pass: pixels, overviews,
 * georeferencing (CRS by {@code IsSame}), nodata, colour table, class and band names, block size; a
 * Cloud-Optimized one still passes GDAL's validator.
 */
class GeoTiffColumnBlocksTest {
  private static final int WIDTH = 450;
  private static final int HEIGHT = 130;
  private static final int TILE = 64;
  private static final int[] BLOCKS = {0, 128, 320};
  private static final List<LandcoverClass> CLASSES =
      List.of(
          new LandcoverClass(1, "fields", 230, 200, 60),
          new LandcoverClass(2, "forest", 20, 110, 30),
          new LandcoverClass(5, "water", 30, 90, 220));

  @TempDir Path dir;

  private static RasterGrid grid() {
    return RasterGrid.ofEpsg(
        WIDTH, HEIGHT, new GeoTransform(500000, 10, 0, 4600000, 0, -10), 32633);
  }

  /** A pixel's value in band {@code b}: varied, with nodata (0) in a corner. */
  private static double value(int b, int x, int y) {
    if (x < 20 && y < 15) {
      return 0;
    }
    return 1 + Math.floorMod(x * 31 + y * 17 + b * 101 + (x * y) % 7, 250);
  }

  private static TileFiller filler(List<PixelWindow> asked) {
    return (tile, raster) -> {
      synchronized (asked) {
        asked.add(tile);
      }
      for (int b = 0; b < raster.getNumBands(); b++) {
        for (int y = 0; y < tile.height() && tile.y() + y < HEIGHT; y++) {
          for (int x = 0; x < tile.width() && tile.x() + x < WIDTH; x++) {
            double v = value(b, tile.x() + x, tile.y() + y);
            raster.setSample(x, y, b, raster.getSampleModel().getDataType() == 4 ? v / 7 : v);
          }
        }
      }
    };
  }

  private record Case(String name, Supplier<GeoTiffWriter> writer, boolean cog) {}

  private static Stream<Case> cases() {
    return Stream.of(
        new Case("class map", () -> GeoTiffWriter.classMap(grid(), CLASSES).noData(0), false),
        new Case(
            "class map COG",
            () ->
                GeoTiffWriter.classMap(grid(), CLASSES)
                    .noData(0)
                    .cloudOptimized(OverviewResampling.MODE),
            true),
        new Case(
            "uint16 bands",
            () ->
                GeoTiffWriter.forGrid(grid(), SampleType.UINT16, 3)
                    .noData(0)
                    .bandDescriptions(List.of("blue", "green", "red")),
            false),
        new Case(
            "float32 COG",
            () ->
                GeoTiffWriter.forGrid(grid(), SampleType.FLOAT32, 2)
                    .noData(0)
                    .cloudOptimized(OverviewResampling.AVERAGE),
            true));
  }

  @Test
  void blocksGiveTheFileOfOnePassAndAreAskedBlockAfterBlock() throws IOException {
    List<String> pairs = new ArrayList<>();
    List<Case> all = cases().toList();
    for (Case c : all) {
      Path whole = dir.resolve(c.name().replace(' ', '_') + "_whole.tif");
      Path blocked = dir.resolve(c.name().replace(' ', '_') + "_blocks.tif");
      c.writer().get().tileSize(TILE).write(whole, filler(new ArrayList<>()));
      List<PixelWindow> asked = new ArrayList<>();
      c.writer().get().tileSize(TILE).columnBlocks(BLOCKS).write(blocked, filler(asked));
      assertBlockOrder(c.name(), asked);
      pairs.add(whole.toString());
      pairs.add(blocked.toString());
    }
    // Nothing but the outputs (and GDAL's class-name files) is left beside them.
    try (Stream<Path> left = Files.list(dir)) {
      assertEquals(
          List.of(),
          left.map(p -> p.getFileName().toString())
              .filter(n -> !n.endsWith(".tif") && !n.endsWith(".tif.aux.xml"))
              .toList());
    }
    String out =
        Gdal.runScript(
            GeoTiffColumnBlocksTest.class,
            "same_raster.py",
            Files.createDirectories(dir.resolve("gdal")),
            pairs.toArray(String[]::new));
    JsonNode results = new ObjectMapper().readTree(out.substring(out.lastIndexOf("\n[") + 1));
    for (int i = 0; i < all.size(); i++) {
      JsonNode r = results.get(i);
      assertEquals(0, r.get("differences").size(), all.get(i).name() + ": " + r);
      if (all.get(i).cog()) {
        assertEquals("[[],[]]", r.get("cog").toString(), all.get(i).name() + ": COG validator");
      }
    }
  }

  /** Every tile once; each block's tiles before the next block's, each block top to bottom. */
  private static void assertBlockOrder(String name, List<PixelWindow> asked) {
    int across = (WIDTH + TILE - 1) / TILE;
    int down = (HEIGHT + TILE - 1) / TILE;
    assertEquals(across * down, asked.size(), name + ": tiles asked");
    int block = 0;
    int lastY = -1;
    for (PixelWindow t : asked) {
      int k = 0;
      while (k + 1 < BLOCKS.length && t.x() >= BLOCKS[k + 1]) {
        k++;
      }
      assertTrue(k >= block, name + ": tile " + t + " asked after a tile of block " + block);
      if (k > block) {
        block = k;
        lastY = -1;
      }
      assertTrue(t.y() >= lastY, name + ": tile " + t + " asked after a lower tile of its block");
      lastY = t.y();
    }
    assertEquals(BLOCKS.length - 1, block, name + ": the last block was asked for");
  }

  @Test
  void blocksThatDoNotFitTheTilesAreRefused() {
    GeoTiffWriter w = GeoTiffWriter.forGrid(grid(), SampleType.UINT8, 1).tileSize(TILE);
    assertThrows(IllegalArgumentException.class, () -> w.columnBlocks(new int[] {64, 256}));
    assertThrows(IllegalArgumentException.class, () -> w.columnBlocks(new int[] {0, 100}));
    assertThrows(IllegalArgumentException.class, () -> w.columnBlocks(new int[] {0, 64}));
    // the last block, 450 - 384 = 66 px, is wider than a tile; 448 would leave 2 px
    w.columnBlocks(new int[] {0, 384});
    assertThrows(IllegalArgumentException.class, () -> w.columnBlocks(new int[] {0, 448}));
  }
}

package dev.landcover.geo;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.landcover.geo.internal.tiff.TiffDirectory;
import dev.landcover.pixels.PixelWindow;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Chips are views of the strip read for their row ({@link RasterWindow#view}), not copies: a view
 * answers as the copy {@link RasterWindow#crop} makes, and chip files written from views hold
 * GDAL's reading of the source window, padding zeros included.
 */
class ChipViewTest {
  private static final Path CORPUS = Gdal.sharedData().resolve("corpus/rasterio");
  private static final Path NAIP = Gdal.sharedData().resolve("scenes/naip-4band-2019.tif");

  @ParameterizedTest
  @ValueSource(
      strings = {
        "tests_data_RGBA.uint16.tif",
        "tests_data_float_raster_with_extra_nodata.tif",
        "tests_data_shade.tif",
        "tests_data_RGB.byte.tif"
      })
  void aViewAnswersAsTheCopyCropMakes(String name) throws IOException {
    try (GeoTiffRaster raster = GeoTiffRaster.open(CORPUS.resolve(name))) {
      int w = raster.width();
      int h = raster.height();
      // a strip reaching past the raster's right and bottom edges, as a chip row's strip can
      PixelWindow strip = new PixelWindow(0, h / 3, w + 7, h - h / 3 + 5);
      RasterWindow read = raster.read(strip, raster.allBands());
      List<PixelWindow> subs =
          List.of(
              new PixelWindow(0, h / 3, 16, 9),
              new PixelWindow(w / 2, h / 2, w / 3, h / 4),
              new PixelWindow(w - 20, h - 10, 27, 15),
              strip);
      for (PixelWindow sub : subs) {
        RasterWindow view = read.view(sub, -1);
        RasterWindow copy = read.crop(sub);
        String what = name + " " + sub;
        assertEquals(copy.window(), view.window(), what);
        assertArrayEquals(copy.validMask(), view.validMask(), what);
        assertEquals(copy.validCount(), view.validCount(), what);
        assertEquals(copy.noDataFraction(), view.noDataFraction(), what);
        assertArrayEquals(copy.toLittleEndianBytes(), view.toLittleEndianBytes(), what);
        assertArrayEquals(copy.toFloatChw(), view.toFloatChw(), what);
        for (int b = 0; b < copy.bandCount(); b++) {
          assertArrayEquals(copy.samplesAsInt(b), view.samplesAsInt(b), what);
          for (int r = 0; r < sub.height(); r += 3) {
            for (int c = 0; c < sub.width(); c += 5) {
              assertEquals(copy.sample(b, c, r), view.sample(b, c, r), what);
              assertEquals(copy.isMasked(c, r), view.isMasked(c, r), what);
              assertEquals(copy.isValid(c, r), view.isValid(c, r), what);
            }
          }
        }
        // the samples as a raster of the view's own size, copied out of the strip
        assertEquals(sub.width(), view.raster().getWidth(), what);
        assertArrayEquals(
            copy.raster().getSamples(0, 0, sub.width(), sub.height(), 0, (double[]) null),
            view.raster().getSamples(0, 0, sub.width(), sub.height(), 0, (double[]) null),
            what);
      }
    }
  }

  @Test
  void chipFilesWrittenFromViewsHoldGdalsReadingOfTheSourceWithZeroPadding(@TempDir Path dir)
      throws IOException {
    // 250-pixel chips are written as 256-pixel tiles: the padding must be zeros although the
    // thread's buffer held the previous chip's pixels there.
    Path uint16 = CORPUS.resolve("tests_data_RGBA.uint16.tif");
    List<Gdal.Request> requests = new ArrayList<>();
    List<Path> files = new ArrayList<>();
    for (Path source : List.of(NAIP, uint16)) {
      List<PixelWindow> windows = new ArrayList<>();
      try (GeoTiffRaster raster = GeoTiffRaster.open(source)) {
        ChipGenerator chips = ChipGenerator.builder(raster).chipSize(250).overlap(25).build();
        for (Chip chip : chips.stream().limit(6).toList()) {
          Path file = dir.resolve(source.getFileName() + "-" + chip.index() + ".tif");
          GeoTiffWriter.forGrid(chip.grid(), chip.image().sampleType(), chip.image().bandCount())
              .deflateLevel(chip.index() % 2 == 0 ? 0 : 6)
              .write(file, chip.image());
          windows.add(chip.window());
          files.add(file);
          requests.add(new Gdal.Request(file, List.of(new PixelWindow(0, 0, 250, 250)), null));
          if (chip.index() % 2 == 0) {
            assertPaddingIsZero(file, chip.image().sampleType().bits() / 8);
          }
        }
      }
      requests.add(new Gdal.Request(source, windows, null));
    }
    Map<Path, Gdal.Reference> ref = Gdal.describe(requests);
    int k = 0;
    for (Path source : List.of(NAIP, uint16)) {
      Gdal.Reference whole = ref.get(source);
      for (int i = 0; i < 6; i++, k++) {
        Gdal.Reference chip = ref.get(files.get(k));
        double[] expected = whole.data(i);
        // the written chips hold the data bands: NAIP's four, the RGBA file's RGB (no alpha)
        double[] actual = chip.data(0);
        assertEquals(250, chip.width());
        assertArrayEquals(
            java.util.Arrays.copyOf(expected, actual.length), actual, files.get(k).toString());
      }
    }
  }

  /** The tiles of an uncompressed one-tile-per-band file are zero outside the image. */
  private static void assertPaddingIsZero(Path file, int bytesPerSample) throws IOException {
    TiffDirectory d = TiffDirectory.read(file);
    int width = (int) d.first(TiffDirectory.TAG_IMAGE_WIDTH, 0);
    int height = (int) d.first(TiffDirectory.TAG_IMAGE_LENGTH, 0);
    int tileWidth = (int) d.first(TiffDirectory.TAG_TILE_WIDTH, 0);
    int tileHeight = (int) d.first(TiffDirectory.TAG_TILE_LENGTH, 0);
    assertTrue(tileWidth > width && tileHeight > height, file + " has no padding");
    byte[] bytes = Files.readAllBytes(file);
    for (long offset : d.longs(TiffDirectory.TAG_TILE_OFFSETS)) {
      for (int r = 0; r < tileHeight; r++) {
        for (int c = r < height ? width : 0; c < tileWidth; c++) {
          for (int k = 0; k < bytesPerSample; k++) {
            int at = (int) offset + (r * tileWidth + c) * bytesPerSample + k;
            assertEquals(0, bytes[at], file + " tile padding at row " + r + ", column " + c);
          }
        }
      }
    }
  }
}

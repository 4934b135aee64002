package dev.landcover.geo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.landcover.pixels.PixelWindow;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Mutants that {@link GeoTiffFuzzTest} found read by Landcover where GDAL refuses them, rebuilt
 * deterministically: a precise byte edit of a GDAL-written seed (fuzz_seeds.py). Each must be
 * refused by GDAL (checked here, so that a change of the seeds cannot make the case vacuous) and by
 * Landcover with a one-line error naming the tag and the expectation.
 */
class GeoTiffFuzzRegressionTest {
  @TempDir Path dir;

  /** A byte edit of a seed and the refusal it must bring. */
  private record Case(String seed, int[] offsets, int[] before, int[] after, String message) {}

  private static final List<Case> CASES =
      List.of(
          // big-endian PackBits, 2 samples: ExtraSamples (338, one value) becomes SMaxSampleValue
          // (341); libtiff: "Incorrect count for SMaxSampleValue"
          new Case(
              "packbits_be_band.tif",
              new int[] {131},
              new int[] {0x52},
              new int[] {0x55},
              "tag 341 has 1 values where one per sample (2) is expected"),
          // little-endian LZMA: SamplesPerPixel (277) becomes SMaxSampleValue (341) of type 0x803;
          // libtiff: "Incompatible type for SMaxSampleValue"
          new Case(
              "lzma_4bit.tif",
              new int[] {82, 85},
              new int[] {0x15, 0x00},
              new int[] {0x55, 0x08},
              "tag 341 has an unknown field type"),
          // ZSTD BigTIFF: TileOffsets of type LONG8 (16) become IFD8 (18); libtiff: "Invalid type
          // for [Strip|Tile][Offset/ByteCount] tag", then no tile decodes
          new Case(
              "zstd_bigtiff.tif",
              new int[] {226},
              new int[] {0x10},
              new int[] {0x12},
              "tag 324 has 6 values of TIFF type 18 where SHORT, LONG, LONG8 or SLONG8 values is"
                  + " expected"),
          // little-endian Deflate: 6 TileOffsets of type LONG (4) become SLONG (9); libtiff loads
          // more than 4 offsets value by value and then takes only SHORT, LONG, LONG8, SLONG8
          new Case(
              "deflate_u16.tif",
              new int[] {132},
              new int[] {0x04},
              new int[] {0x09},
              "tag 324 has 6 values of TIFF type 9 where SHORT, LONG, LONG8 or SLONG8 values is"
                  + " expected"));

  @Test
  void mutantsGdalRefusesAreRefused() throws Exception {
    Path seeds = Files.createDirectories(dir.resolve("seeds"));
    TiffMutator.writeSeeds(seeds);
    List<Path> mutants = new ArrayList<>();
    List<Gdal.Request> requests = new ArrayList<>();
    for (Case c : CASES) {
      byte[] bytes = Files.readAllBytes(seeds.resolve(c.seed()));
      for (int i = 0; i < c.offsets().length; i++) {
        assertEquals(
            c.before()[i], bytes[c.offsets()[i]] & 0xFF, c.seed() + " byte " + c.offsets()[i]);
        bytes[c.offsets()[i]] = (byte) c.after()[i];
      }
      Path mutant = dir.resolve("mutant-" + c.seed());
      Files.write(mutant, bytes);
      mutants.add(mutant);
      requests.add(new Gdal.Request(mutant));
    }
    Map<Path, Gdal.Reference> refs = Gdal.describe(requests);
    for (int i = 0; i < CASES.size(); i++) {
      Path mutant = mutants.get(i);
      assertFalse(refs.get(mutant).ok(), mutant + " must be refused by GDAL");
      GeoTiffException e =
          assertThrows(
              GeoTiffException.class,
              () -> {
                try (GeoTiffRaster r = GeoTiffRaster.open(mutant)) {
                  r.read(new PixelWindow(0, 0, r.width(), r.height()), r.allBands());
                }
              });
      assertTrue(e.getMessage().contains(CASES.get(i).message()), e.getMessage());
      assertTrue(e.getMessage().contains(mutant.getFileName().toString()), e.getMessage());
      assertFalse(e.getMessage().contains("\n"), e.getMessage());
    }
  }
}

package dev.landcover.geo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.landcover.pixels.PixelWindow;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every corpus file with a mask, an alpha band or nodata (GDAL's {@code GetMaskFlags()} other than
 * all-valid) that Landcover reads has GDAL's validity: a pixel is valid exactly where {@code
 * GetMaskBand()} of every band is non-zero. Files over 4 million pixels are left out (time).
 */
class CorpusMaskTest {
  private static final long MAX_PIXELS = 4_000_000;

  @TempDir Path dir;

  @Test
  void validPixelsOfMaskedCorpusFilesAreGdals() throws Exception {
    List<Path> files = Gdal.corpusTiffs();
    List<Path> readable = new ArrayList<>();
    for (Path f : files) {
      try (GeoTiffRaster r = GeoTiffRaster.open(f)) {
        if ((long) r.width() * r.height() <= MAX_PIXELS) {
          readable.add(f);
        }
      } catch (GeoTiffException e) {
        // refused files are GeoTiffRasterGdalTest's business
      }
    }
    Path list = dir.resolve("files.txt");
    Files.write(list, readable.stream().map(Path::toString).toList(), StandardCharsets.UTF_8);
    Gdal.runScript(CorpusMaskTest.class, "corpus_masks.py", dir, list.toString(), dir.toString());
    List<String> mismatches = new ArrayList<>();
    int compared = 0;
    long invalid = 0;
    for (JsonNode m : new ObjectMapper().readTree(dir.resolve("masks.json").toFile())) {
      Path file = Path.of(m.get("file").asText());
      byte[] expected = Files.readAllBytes(Path.of(m.get("valid").asText()));
      boolean gdalMasks = false;
      for (JsonNode flag : m.get("flags")) {
        gdalMasks |= flag.asInt() != 1 && flag.asInt() != 8; // all valid, nodata
      }
      try (GeoTiffRaster r = GeoTiffRaster.open(file)) {
        if (gdalMasks != r.mask().isPresent()) {
          mismatches.add(
              file.getFileName() + ": mask " + r.mask() + ", GDAL flags " + m.get("flags"));
        }
        boolean[] valid =
            r.read(new PixelWindow(0, 0, r.width(), r.height()), r.allBands()).validMask();
        int differ = 0;
        for (int i = 0; i < valid.length; i++) {
          differ += valid[i] != (expected[i] == 1) ? 1 : 0;
          invalid += valid[i] ? 0 : 1;
        }
        if (differ > 0) {
          mismatches.add(file.getFileName() + ": " + differ + " of " + valid.length + " differ");
        }
        compared++;
      }
    }
    System.out.println(
        "Masks: "
            + compared
            + " corpus files with a mask, alpha or nodata compared with GDAL ("
            + invalid
            + " invalid pixels); differing: "
            + mismatches);
    assertEquals(List.of(), mismatches);
    assertTrue(compared >= 10, "only " + compared + " masked corpus files");
  }

  /**
   * Nodata values inside, on the edges of and outside each sample type's range, fractional ones and
   * ones that wrap when cast (GDAL-written files, {@code nodata_masks.py}): the pixels Landcover
   * counts valid are those GDAL's {@code GetMaskBand()} calls valid (nodata -1 in a UInt16 band
   * masks nothing; 1.5 masks 1; 1e300 in a Float32 band masks infinity).
   */
  @Test
  void nodataValuesAtAndBeyondTheTypesLimitsMaskWhatGdalMasks() throws Exception {
    Gdal.runScript(CorpusMaskTest.class, "nodata_masks.py", dir, dir.toString());
    List<String> mismatches = new ArrayList<>();
    int compared = 0;
    for (JsonNode m : new ObjectMapper().readTree(dir.resolve("masks.json").toFile())) {
      Path file = Path.of(m.get("file").asText());
      byte[] expected = Files.readAllBytes(Path.of(m.get("valid").asText()));
      try (GeoTiffRaster r = GeoTiffRaster.open(file)) {
        boolean[] valid = r.read(new PixelWindow(0, 0, r.width(), r.height()), 1).validMask();
        StringBuilder ours = new StringBuilder();
        StringBuilder gdal = new StringBuilder();
        for (int i = 0; i < valid.length; i++) {
          ours.append(valid[i] ? '1' : '0');
          gdal.append(expected[i] == 1 ? '1' : '0');
        }
        if (!ours.toString().contentEquals(gdal)) {
          mismatches.add(
              file.getFileName()
                  + " ("
                  + r.sampleType()
                  + ", nodata "
                  + r.noData(1).getAsDouble()
                  + "): "
                  + ours
                  + " against GDAL's "
                  + gdal);
        }
        compared++;
      }
    }
    assertEquals(List.of(), mismatches);
    assertEquals(175, compared);
  }
}

package dev.landcover.geo;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.landcover.pixels.PixelWindow;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The encoding matrix of issue 15 and 11: GDAL writes small GeoTIFFs in every sample type x
 * predictor x compression x byte order, across tiled and striped, pixel and band interleaved, 1 and
 * 3 bands, plus sub-byte, 12-bit, 16-bit float, signed 8-bit, 64-bit and JPEG variants
 * (encoding_matrix.py, one Python process). Every file Landcover accepts must read exactly as GDAL
 * reads it (type, nodata, every sample, NaN included); every other one must be refused with a
 * one-line {@link GeoTiffException} naming the file; and what the script marks as supported must be
 * accepted.
 *
 * <p>JPEG: GDAL decodes with libjpeg-turbo, Landcover with the JDK's libjpeg 6b; both use the
 * accurate integer inverse DCT, fancy upsampling and libjpeg's YCbCr tables, so samples are
 * required to be equal too.
 */
class GeoTiffEncodingMatrixTest {
  /**
   * GDAL names of the types GDAL reads that Landcover widens (value for value) to one of its own.
   */
  static final Map<String, String> WIDENED =
      Map.of("Int8", "Int16", "Int64", "Float64", "UInt64", "Float64");

  @Test
  void everyEncodingReadsLikeGdalOrIsRefusedInOneLine(@TempDir Path dir) throws IOException {
    Gdal.runScript(GeoTiffEncodingMatrixTest.class, "encoding_matrix.py", dir, dir.toString());
    JsonNode manifest = new ObjectMapper().readTree(dir.resolve("manifest.json").toFile());
    List<String> failures = new ArrayList<>();
    int equal = 0;
    int refused = 0;
    int jpeg = 0;
    for (JsonNode item : manifest.get("files")) {
      Path file = dir.resolve(item.get("name").asText());
      boolean expectRead = item.get("expect").asText().equals("read");
      String problem;
      try (GeoTiffRaster r = GeoTiffRaster.open(file)) {
        problem = compare(r, item, dir);
        if (problem == null && !expectRead) {
          problem = "read although it should be refused (" + item.get("why").asText() + ")";
        }
        if (problem == null) {
          equal++;
          jpeg += file.getFileName().toString().startsWith("jpeg") ? 1 : 0;
        }
      } catch (GeoTiffException e) {
        String m = e.getMessage();
        if (!m.startsWith(file.toString()) || m.contains("\n")) {
          problem = "refusal is not one line naming the file: " + m;
        } else if (expectRead) {
          problem = "refused: " + m;
        } else {
          problem = null;
          refused++;
        }
      } catch (RuntimeException e) {
        problem = "raw " + e;
      }
      if (problem != null) {
        failures.add(file.getFileName() + " " + item.get("options") + ": " + problem);
      }
    }
    System.out.println(
        "Encoding matrix: "
            + manifest.get("files").size()
            + " files written by GDAL, "
            + equal
            + " read equal to GDAL ("
            + jpeg
            + " JPEG), "
            + refused
            + " refused as expected, "
            + failures.size()
            + " failures");
    failures.forEach(f -> System.out.println("  " + f));
    assertTrue(manifest.get("files").size() > 500, "the matrix script wrote too few files");
    assertTrue(failures.isEmpty(), () -> failures.size() + " failures, first: " + failures.get(0));
  }

  private static String compare(GeoTiffRaster r, JsonNode item, Path dir) throws IOException {
    String dtype = item.get("dtype").asText();
    String expectedType = WIDENED.getOrDefault(dtype, dtype);
    if (!r.sampleType().gdalName().equals(expectedType)) {
      return "type " + r.sampleType().gdalName() + " where GDAL's " + dtype + " is expected";
    }
    int w = item.get("width").asInt();
    int h = item.get("height").asInt();
    int bands = item.get("bands").asInt();
    if (r.width() != w || r.height() != h || r.bandCount() != bands) {
      return "size " + r.width() + "x" + r.height() + "x" + r.bandCount();
    }
    JsonNode nd = item.get("nodata");
    OptionalDouble ours = r.noData(1);
    if (nd.isNull() != ours.isEmpty()
        || (!nd.isNull()
            && Double.compare(nd.isTextual() ? Double.NaN : nd.asDouble(), ours.getAsDouble())
                != 0)) {
      return "nodata " + ours + " vs GDAL " + nd;
    }
    byte[] raw = Files.readAllBytes(dir.resolve(item.get("data").asText()));
    double[] expected = new double[raw.length / 8];
    ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN).asDoubleBuffer().get(expected);
    RasterWindow data = r.read(new PixelWindow(0, 0, w, h), r.allBands());
    int i = 0;
    for (int b = 0; b < bands; b++) {
      for (int y = 0; y < h; y++) {
        for (int x = 0; x < w; x++, i++) {
          double v = data.sample(b, x, y);
          if (Double.compare(v, expected[i]) != 0 && v != expected[i]) {
            return "pixel ("
                + x
                + ", "
                + y
                + ") band "
                + (b + 1)
                + ": "
                + v
                + " vs GDAL "
                + expected[i];
          }
        }
      }
    }
    return null;
  }
}

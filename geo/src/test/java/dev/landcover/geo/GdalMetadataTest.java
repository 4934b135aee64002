package dev.landcover.geo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.landcover.geo.internal.tiff.TiffDirectory;
import dev.landcover.geo.internal.tiff.TiffTagPatcher;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Band descriptions and alpha bands from the GDAL_METADATA tag read as GDAL reads them: files whose
 * tag holds odd XML (entities escaped once, twice or not at all, numeric references, UTF-8, white
 * space, case, attribute quirks, repeated and out-of-range items), files GDAL wrote with odd
 * descriptions, files Landcover wrote with them (read back by GDAL), and every corpus file.
 */
class GdalMetadataTest {
  @TempDir Path dir;

  private static final String[] ODD =
      new String[] {
        " B02 ", "a & b <c> \"q\" 'x'", "&amp; literal", "caf\u00e9 \u4e2d", "tab\there", "\n nl"
      };

  /** The tag's XML of each case, by file name: items of a 2-band file. */
  private static Map<String, String> cases() {
    Map<String, String> c = new LinkedHashMap<>();
    c.put(
        "plain", items("<Item name=\"DESCRIPTION\" sample=\"0\" role=\"description\">B02</Item>"));
    c.put("twice", desc(0, "a &amp;amp; b &amp;lt;c&amp;gt; &amp;quot;q&amp;quot;"));
    c.put("once", desc(0, "a &amp; b") + desc(1, "&lt;c&gt;"));
    c.put("raw", desc(0, "a & b") + desc(1, "x &bogus; y"));
    c.put("upper", desc(0, "&AMP;LT;x&amp;GT; &Amp;aPos;"));
    c.put("numeric", desc(0, "caf&#233; &amp;#x4E2D; &#x41") + desc(1, "&#65;&#x42;&#0;C"));
    c.put("utf8", desc(0, utf8Bytes("caf\u00e9 \u4e2d")));
    c.put("spaces", desc(0, "\n   B02  \t") + desc(1, "   "));
    c.put(
        "roles",
        items(
            "<Item name=\"whatever\" sample=\"0\" role=\"DESCRIPTION\">first</Item>"
                + "<item NAME=\"x\" Sample=\" 1x\" ROLE='description'>second</item>"));
    c.put(
        "skipped",
        items(
            "<Item sample=\"0\" role=\"description\">no name</Item>"
                + "<Item name=\"D\" sample=\"1\" role=\"description\"/>"
                + "<Item name=\"D\" sample=\"5\" role=\"description\">band 6</Item>"
                + "<Item name=\"D\" role=\"description\">dataset</Item>"
                + "<Item name=\"D\" sample=\"-2\" role=\"description\">minus two</Item>"));
    c.put("repeated", desc(0, "old") + desc(0, "new") + desc(1, "only"));
    c.put(
        "attributes",
        items(
            "<Item name=\"D\" sample=\"0\" role=\"descr&#105;ption\">decoded role</Item>"
                + "<Item name='D' sample='1' role='descr&#105;ption'>single quotes</Item>"));
    c.put("other-root", "<Other>" + desc(0, "not GDAL's") + "</Other>");
    c.put("alpha", colorInterp("Alpha"));
    c.put("alpha-lower", colorInterp("alpha"));
    c.put("alpha-leading", colorInterp("  Alpha"));
    c.put("alpha-trailing", colorInterp("Alpha "));
    c.put("alpha-numeric", colorInterp("&#65;lpha"));
    c.put("alpha-then-gray", items(colorInterpItem("Alpha") + colorInterpItem("Gray")));
    c.put("gray", items("<Item name=\"C\" sample=\"1\" role=\"colorinterp\">Gray</Item>"));
    return c;
  }

  private static String items(String items) {
    return "<GDALMetadata>\n" + items + "\n</GDALMetadata>";
  }

  private static String desc(int sample, String text) {
    return "<Item name=\"DESCRIPTION\" sample=\""
        + sample
        + "\" role=\"description\">"
        + text
        + "</Item>";
  }

  private static String colorInterp(String text) {
    return items(colorInterpItem(text));
  }

  private static String colorInterpItem(String text) {
    return "<Item name=\"COLORINTERP\" sample=\"1\" role=\"colorinterp\">" + text + "</Item>";
  }

  /** The UTF-8 bytes of {@code s}, one char per byte (as the TIFF tag holds them). */
  private static String utf8Bytes(String s) {
    return new String(s.getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1);
  }

  @Test
  void descriptionsAndAlphaEqualGdalsReading() throws Exception {
    RasterGrid grid =
        RasterGrid.ofEpsg(7, 5, new GeoTransform(500000, 10, 0, 4000000, 0, -10), 32633);
    Path base = dir.resolve("base.tif");
    GeoTiffWriter.forGrid(grid, SampleType.UINT8, 2)
        .write(base, RasterWindow.create(SampleType.UINT8, 7, 5, 2));
    List<Path> files = new ArrayList<>();
    for (Map.Entry<String, String> c : cases().entrySet()) {
      Path f = dir.resolve(c.getKey() + ".tif");
      Files.copy(base, f);
      TiffTagPatcher.addAsciiTags(f, Map.of(TiffDirectory.TAG_GDAL_METADATA, c.getValue()));
      files.add(f);
    }
    Path ours = dir.resolve("landcover-written.tif");
    GeoTiffWriter.forGrid(grid, SampleType.UINT8, ODD.length)
        .bandDescriptions(List.of(ODD))
        .write(ours, RasterWindow.create(SampleType.UINT8, 7, 5, ODD.length));
    files.add(ours);
    Path gdals = dir.resolve("gdal-written.tif");
    files.add(gdals);

    Map<Path, JsonNode> gdal = gdalReading(files, gdals, ODD);
    List<String> mismatches = new ArrayList<>();
    for (Path f : files) {
      compare(f, gdal.get(f), mismatches);
    }
    assertEquals(List.of(), mismatches);
    // the writer's round trip: GDAL reads what was given, but for the leading white space that
    // GDAL's XML reader drops
    assertEquals(
        List.of("B02 ", ODD[1], ODD[2], ODD[3], ODD[4], "nl"),
        texts(gdal.get(ours).get("descriptions")));
    assertTrue(gdal.get(dir.resolve("alpha.tif")).get("alpha").asBoolean(), "a case for alpha");
  }

  @Test
  void everyCorpusFileHasGdalsDescriptionsAndAlpha() throws Exception {
    List<Path> files = Gdal.corpusTiffs();
    Map<Path, JsonNode> gdal = gdalReading(files, null);
    List<String> mismatches = new ArrayList<>();
    int compared = 0;
    int described = 0;
    for (Path f : files) {
      JsonNode ref = gdal.get(f);
      if (ref.has("error")) {
        continue;
      }
      if (compare(f, ref, mismatches)) {
        compared++;
        described += texts(ref.get("descriptions")).stream().anyMatch(d -> !d.isEmpty()) ? 1 : 0;
      }
    }
    System.out.println(
        "GDAL_METADATA: "
            + compared
            + " corpus files compared, "
            + described
            + " with descriptions");
    assertEquals(List.of(), mismatches);
    assertTrue(compared >= 200 && described >= 4, compared + " compared, " + described);
  }

  /** Compares our reading of {@code f} with GDAL's; false when we refuse the file. */
  private static boolean compare(Path f, JsonNode ref, List<String> mismatches) throws Exception {
    GeoTiffRaster r;
    try {
      r = GeoTiffRaster.open(f);
    } catch (GeoTiffException e) {
      return false;
    }
    try (r) {
      List<String> expected = texts(ref.get("descriptions"));
      List<String> actual =
          r.bandDescriptions().isEmpty()
              ? java.util.Collections.nCopies(r.bandCount(), "")
              : r.bandDescriptions();
      if (!expected.equals(actual)) {
        mismatches.add(f.getFileName() + ": descriptions " + actual + ", GDAL " + expected);
      }
      boolean alpha = r.dataBands().length < r.bandCount();
      if (alpha != ref.get("alpha").asBoolean()) {
        mismatches.add(f.getFileName() + ": alpha " + alpha + ", GDAL " + !alpha);
      }
    }
    return true;
  }

  private static List<String> texts(JsonNode array) {
    List<String> out = new ArrayList<>();
    array.forEach(n -> out.add(n.asText()));
    return out;
  }

  private Map<Path, JsonNode> gdalReading(List<Path> files, Path write, String... descriptions)
      throws Exception {
    Path list = dir.resolve("files.txt");
    Files.write(list, files.stream().map(Path::toString).toList(), StandardCharsets.UTF_8);
    Path out = dir.resolve("gdal.json");
    List<String> args = new ArrayList<>(List.of(list.toString(), out.toString()));
    if (write != null) {
      Path json = dir.resolve("descriptions.json");
      new ObjectMapper().writeValue(json.toFile(), descriptions);
      args.add(write.toString());
      args.add(json.toString());
    }
    Gdal.runScript(GdalMetadataTest.class, "gdal_metadata.py", dir, args.toArray(String[]::new));
    Map<Path, JsonNode> byFile = new LinkedHashMap<>();
    for (JsonNode n : new ObjectMapper().readTree(out.toFile())) {
      byFile.put(Path.of(n.get("file").asText()), n);
    }
    return byFile;
  }
}

package dev.landcover.geo;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.landcover.pixels.LandcoverClass;
import dev.landcover.pixels.PixelWindow;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * GeoTIFFs in 27 coordinate reference systems and georeferencing layouts, written by GDAL (UTM
 * north and south on WGS 84 and NAD83, Web Mercator, LAEA Europe, Conus Albers, Lambert-93,
 * geographic WGS 84, NAD83 and ETRS89, British National Grid, both Krovak, NZTM, UPS South, polar
 * stereographic 3413, a US survey foot state plane, UTM with a vertical CRS, ESRI WKT and ESRI PE
 * strings, a LOCAL_CS, south-up, rotated, PixelIsPoint, no CRS, GCPs only): each is read by
 * Landcover and written out as a chip (single-tile writer) and as a class map (Apache SIS writer)
 * before anything decodes its CRS; GDAL must find each copy's CRS {@code IsSame} as the source's,
 * its geotransform that of the source at the copy's origin, and the same nodata. Then the source's
 * CRS is decoded (on first demand), and Landcover must report the geotransform, nodata, EPSG code
 * and linear unit (metres or not) that GDAL reports.
 */
class CrsRoundTripTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final PixelWindow CHIP = new PixelWindow(5, 4, 16, 16);

  @TempDir Path dir;

  @Test
  void everyCrsSurvivesChipsAndMapsAsGdalReadsIt() throws IOException {
    Path cases = dir.resolve("cases");
    Gdal.runScript(CrsRoundTripTest.class, "crs_cases.py", dir, "make", cases.toString());
    JsonNode list = JSON.readTree(cases.resolve("cases.json").toFile());
    List<String> failures = new ArrayList<>();
    List<Map<String, Object>> pairs = new ArrayList<>();
    for (JsonNode c : list) {
      String name = c.get("name").asText();
      Path source = Path.of(c.get("path").asText());
      try (GeoTiffRaster raster = GeoTiffRaster.open(source)) {
        RasterGrid grid = raster.grid();
        Path chip = dir.resolve(name + "-chip.tif");
        GeoTiffWriter.forGrid(grid.window(CHIP), raster.sampleType(), 3)
            .noData(raster.noData(1).orElseThrow())
            .write(chip, raster.read(CHIP, 1, 2, 3));
        pairs.add(pair(source, chip, CHIP.x(), CHIP.y()));
        Path map = dir.resolve(name + "-map.tif");
        GeoTiffWriter.classMap(grid, List.of(new LandcoverClass(1, "one", 10, 20, 30)))
            .noData(raster.noData(1).orElseThrow())
            .write(
                map,
                (tile, r) -> {
                  for (int y = 0; y < tile.height(); y++) {
                    for (int x = 0; x < tile.width(); x++) {
                      r.setSample(x, y, 0, 1);
                    }
                  }
                });
        pairs.add(pair(source, map, 0, 0));
        // read after writing: the writers copy the keys and never decode the CRS, which is
        // decoded here on first demand
        checkReading(name, c, raster, failures);
      } catch (GeoTiffException e) {
        if (!name.equals("gcp_only")
            || !e.getMessage().contains("5 ground control points")
            || !e.getMessage().contains("gdalwarp")
            || e.getMessage().contains("\n")) {
          failures.add(name + ": " + e);
        }
      } catch (IOException | RuntimeException e) {
        failures.add(name + ": " + e);
      }
      if (name.equals("gcp_only") && Files.exists(dir.resolve(name + "-chip.tif"))) {
        failures.add(name + ": read, where it must be refused with a clear message");
      }
    }
    Path request = dir.resolve("pairs.json");
    Path result = dir.resolve("verdicts.json");
    JSON.writeValue(request.toFile(), pairs);
    Gdal.runScript(
        CrsRoundTripTest.class,
        "crs_cases.py",
        dir,
        "check",
        request.toString(),
        result.toString());
    for (JsonNode v : JSON.readTree(result.toFile())) {
      if (!v.get("ok").asBoolean()) {
        failures.add(Path.of(v.get("copy").asText()).getFileName() + ": " + v.get("errors"));
      }
    }
    assertTrue(failures.isEmpty(), failures.size() + " failures:\n" + String.join("\n", failures));
  }

  private static Map<String, Object> pair(Path source, Path copy, int x, int y) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("source", source.toString());
    m.put("copy", copy.toString());
    m.put("x", x);
    m.put("y", y);
    return m;
  }

  /** The geotransform, nodata, EPSG code and CRS name must be GDAL's. */
  private static void checkReading(
      String name, JsonNode c, GeoTiffRaster raster, List<String> failures) {
    RasterGrid grid = raster.grid();
    JsonNode gt = c.get("geotransform");
    if (!gt.isNull()) {
      double[] want = new double[6];
      for (int i = 0; i < 6; i++) {
        want[i] = gt.get(i).asDouble();
      }
      double[] got = grid.transform().toGdal();
      for (int i = 0; i < 6; i++) {
        if (Math.abs(want[i] - got[i]) > 1e-9 * Math.max(1, Math.abs(want[i]))) {
          failures.add(
              name
                  + ": geotransform "
                  + grid.transform()
                  + ", GDAL "
                  + java.util.Arrays.toString(want));
          break;
        }
      }
    }
    OptionalDouble nd = raster.noData(1);
    if (nd.isEmpty() || nd.getAsDouble() != c.get("nodata").asDouble()) {
      failures.add(name + ": nodata " + nd + ", GDAL " + c.get("nodata"));
    }
    JsonNode epsg = c.get("epsg");
    String want = epsg.isNull() ? null : "EPSG:" + epsg.asInt();
    String label = grid.crsLabel();
    if (want != null && !want.equals(label)) {
      failures.add(name + ": CRS " + label + ", GDAL " + want);
    }
    JsonNode crsName = c.get("crs_name");
    if (want == null && !crsName.isNull() && !crsName.asText().equals(label)) {
      failures.add(name + ": CRS " + label + ", GDAL " + crsName.asText());
    }
    if (crsName.isNull() && grid.crs().isPresent()) {
      failures.add(name + ": CRS " + label + ", GDAL none");
    }
    if (grid.axesInMetres() != c.get("metres").asBoolean()) {
      failures.add(name + ": in metres " + grid.axesInMetres() + ", GDAL " + c.get("metres"));
    }
  }
}

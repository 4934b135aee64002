package dev.landcover.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.landcover.geo.Gdal;
import dev.landcover.testdata.SyntheticScene;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a user sees of a scene's georeferencing, through the commands: a generated scene is given by
 * GDAL the CRS and geotransform of hard cases (south-up, polar stereographic 3413, UPS South,
 * Krovak, an ESRI PE string, a LOCAL_CS); {@code info} must name the CRS as GDAL does, and the
 * chips of {@code chips} and the map and probabilities of {@code predict} (demo model) must be read
 * by GDAL with a CRS {@code IsSame} as the scene's, the scene's geotransform at their origin and
 * the expected nodata.
 */
class CrsCommandsTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final List<String> CASES =
      List.of(
          "south_up",
          "polar_stereo_3413",
          "ups_south",
          "krovak_5514",
          "esri_pe_utm33n",
          "local_cs");

  @TempDir Path dir;

  @Test
  void infoChipsAndPredictKeepTheSceneGeoreferencing() throws IOException {
    new SyntheticScene(128, 96, 102).write(dir.resolve("scene"), false);
    Path cases = dir.resolve("cases");
    List<String> args =
        new ArrayList<>(
            List.of("regrid", dir.resolve("scene/scene.tif").toString(), cases.toString()));
    args.addAll(CASES);
    Gdal.runScript(Gdal.class, "crs_cases.py", dir, args.toArray(String[]::new));
    List<String> failures = new ArrayList<>();
    List<Map<String, Object>> pairs = new ArrayList<>();
    for (JsonNode c : JSON.readTree(cases.resolve("cases.json").toFile())) {
      String name = c.get("name").asText();
      String scene = c.get("path").asText();
      Cli info = Cli.run("info", scene);
      String want =
          c.get("epsg").isNull() ? c.get("crs_name").asText() : "EPSG:" + c.get("epsg").asInt();
      if (info.code() != 0 || !info.out().contains("CRS:          " + want)) {
        failures.add(name + ": info says " + info.out() + info.err() + ", GDAL " + want);
      }
      Path chips = dir.resolve(name + "-chips");
      Cli chip = Cli.run("chips", "--image", scene, "--size", "64", "--out", chips.toString());
      if (chip.code() != 0) {
        failures.add(name + ": chips failed: " + chip.err());
        continue;
      }
      List<String> rows = Files.readAllLines(chips.resolve("chips.csv"));
      for (String row : rows.subList(1, rows.size())) {
        String[] f = row.split(",");
        Path file = chips.resolve(String.format("images/chip_%05d.tif", Integer.parseInt(f[0])));
        pairs.add(pair(scene, file, Integer.parseInt(f[2]), Integer.parseInt(f[3]), null));
      }
      Path maps = dir.resolve(name + "-maps");
      Cli predict =
          Cli.run(
              "predict",
              "--model",
              Path.of("..", "testdata", "demo-model").toString(),
              "--probabilities",
              "--out",
              maps.toString(),
              scene);
      if (predict.code() != 0) {
        failures.add(name + ": predict failed: " + predict.err());
        continue;
      }
      pairs.add(pair(scene, maps.resolve(name + "_landcover.tif"), 0, 0, 0.0));
      pairs.add(pair(scene, maps.resolve(name + "_probabilities.tif"), 0, 0, 255.0));
    }
    Path request = dir.resolve("pairs.json");
    Path result = dir.resolve("verdicts.json");
    JSON.writeValue(request.toFile(), pairs);
    Gdal.runScript(Gdal.class, "crs_cases.py", dir, "check", request.toString(), result.toString());
    int checked = 0;
    for (JsonNode v : JSON.readTree(result.toFile())) {
      checked++;
      if (!v.get("ok").asBoolean()) {
        failures.add(v.get("copy").asText() + ": " + v.get("errors"));
      }
    }
    assertEquals(CASES.size() * (4 + 2), checked, "chips and maps checked");
    assertTrue(failures.isEmpty(), failures.size() + " failures:\n" + String.join("\n", failures));
  }

  private static Map<String, Object> pair(
      String source, Path copy, int x, int y, Double expectedNoData) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("source", source);
    m.put("copy", copy.toString());
    m.put("x", x);
    m.put("y", y);
    if (expectedNoData != null) {
      m.put("nodata", expectedNoData);
    }
    return m;
  }
}

package dev.landcover.geo;

import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.landcover.pixels.PixelWindow;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;

/**
 * GDAL (python3-gdal under /usr/bin/python3) as the independent reference of the tests. Where GDAL
 * is missing, tests that need it are skipped, except with {@code CI=true} where they fail.
 */
public final class Gdal {
  private static final String PYTHON = "/usr/bin/python3";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static Boolean available;

  private Gdal() {}

  /** Skips the calling test when GDAL is missing, or fails it on CI. */
  public static synchronized void assumeAvailable() {
    if (available == null) {
      try {
        Process p =
            new ProcessBuilder(PYTHON, "-c", "from osgeo import gdal")
                .redirectErrorStream(true)
                .start();
        p.getInputStream().readAllBytes();
        available = p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0;
      } catch (IOException e) {
        available = false;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        available = false;
      }
    }
    if (!available) {
      if ("true".equalsIgnoreCase(System.getenv("CI"))) {
        fail("GDAL is required on CI: apt-get install -y gdal-bin python3-gdal");
      }
      Assumptions.abort("GDAL (python3-gdal) is not installed");
    }
  }

  /**
   * Rasterio corpus files (in {@code corpus/rasterio}) of five sample types, with NaN, nodata and
   * alpha: the windows that tests of {@link RasterWindow}'s conversions read.
   */
  static java.util.stream.Stream<String> rasterioSampleTypes() {
    return java.util.stream.Stream.of(
        "tests_data_float_nan.tif",
        "tests_data_float_raster_with_nodata.tif",
        "tests_data_RGBA.uint16.tif",
        "tests_data_byte.tif",
        "tests_data_shade.tif");
  }

  /** The shared data folder, {@code ../shared/data} beside the project. */
  public static Path sharedData() {
    String shared = System.getProperty("landcover.shared", "../shared");
    Path data = Path.of(shared).resolve("data").normalize();
    if (!Files.isDirectory(data)) {
      data = Path.of("..", "..", "shared", "data").toAbsolutePath().normalize();
    }
    return data;
  }

  /**
   * The shared GeoTIFF corpus: every regular {@code .tif} or {@code .tiff} file (any case) of the
   * shared data's scenes, labels and corpus folders, sorted by name within each folder. Fails when
   * fewer than 251 are found (the shared data is missing).
   */
  public static List<Path> corpusTiffs() throws IOException {
    Path data = sharedData();
    List<Path> files = new ArrayList<>();
    for (String folder :
        List.of("scenes", "labels", "corpus/rasterio", "corpus/cogeotiff", "corpus/image-tiff")) {
      try (Stream<Path> s = Files.list(data.resolve(folder))) {
        s.filter(Files::isRegularFile)
            .filter(f -> f.getFileName().toString().matches("(?i).*\\.tiff?$"))
            .sorted()
            .forEach(files::add);
      }
    }
    if (files.size() <= 250) {
      fail("shared corpus not found under " + data);
    }
    return files;
  }

  /** What to ask GDAL about one file. */
  public record Request(Path path, List<PixelWindow> windows, String wkt) {
    public Request(Path path) {
      this(path, null, null);
    }
  }

  /** GDAL's reading of one file. */
  public static final class Reference {
    private final JsonNode node;
    private final Path dir;

    Reference(JsonNode node, Path dir) {
      this.node = node;
      this.dir = dir;
    }

    public boolean ok() {
      return node.path("ok").asBoolean();
    }

    public String error() {
      return node.path("error").asText();
    }

    public int width() {
      return node.get("width").asInt();
    }

    public int height() {
      return node.get("height").asInt();
    }

    public int bands() {
      return node.get("bands").asInt();
    }

    public String dtype() {
      return node.get("dtype").asText();
    }

    public String compression() {
      return node.path("compression").asText(null);
    }

    /** The six coefficients, or null without a geotransform. */
    public double[] geotransform() {
      JsonNode g = node.get("geotransform");
      if (g == null || g.size() != 6) {
        return null;
      }
      double[] t = new double[6];
      for (int i = 0; i < 6; i++) {
        t[i] = g.get(i).asDouble();
      }
      return t;
    }

    /** Nodata of band b (1-based): null when none, NaN for nan. */
    public Double nodata(int band) {
      JsonNode v = node.get("nodata").get(band - 1);
      if (v.isNull()) {
        return null;
      }
      return v.isTextual() ? Double.NaN : v.asDouble();
    }

    public boolean hasCrs() {
      return node.path("has_crs").asBoolean();
    }

    public Integer epsg() {
      JsonNode e = node.get("epsg");
      return e == null || e.isNull() ? null : e.asInt();
    }

    /** Whether GDAL finds Landcover's WKT equivalent to the file's CRS; null when not asked. */
    public Boolean crsSame() {
      JsonNode e = node.get("crs_same");
      return e == null || e.isNull() ? null : e.asBoolean();
    }

    /** Why the CRS differs, when GDAL says so. */
    public String crsError() {
      return node.path("crs_error").asText("");
    }

    /** Colour table entries (r, g, b, a), or null. */
    public List<int[]> colors() {
      JsonNode c = node.get("colors");
      if (c == null || c.isNull()) {
        return null;
      }
      List<int[]> out = new ArrayList<>();
      for (JsonNode e : c) {
        out.add(new int[] {e.get(0).asInt(), e.get(1).asInt(), e.get(2).asInt(), e.get(3).asInt()});
      }
      return out;
    }

    /** Pixels of window k (band, row, column order), as float64. */
    public double[] data(int k) throws IOException {
      byte[] raw = Files.readAllBytes(dir.resolve(node.get("data").get(k).asText()));
      double[] out = new double[raw.length / 8];
      ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN).asDoubleBuffer().get(out);
      return out;
    }
  }

  private static void deleteTree(Path dir) {
    try (var files = Files.walk(dir)) {
      files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
    } catch (IOException e) {
      // a temporary folder left behind is harmless
    }
  }

  /**
   * Runs a Python script of the test resources (found beside {@code owner}) under {@code
   * /usr/bin/python3}, where GDAL's Python bindings and numpy can be imported. Skips the calling
   * test when GDAL is missing, or fails it on CI.
   *
   * @param dir the folder where the script is copied to run
   * @param args the script's arguments
   * @return what the script printed
   * @throws IOException with the script's output when it fails or runs past 10 minutes
   */
  public static String runScript(Class<?> owner, String resource, Path dir, String... args)
      throws IOException {
    assumeAvailable();
    Path script = dir.resolve(resource);
    try (InputStream in = owner.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IOException("No test resource " + resource + " beside " + owner.getName());
      }
      Files.copy(in, script, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }
    List<String> command = new ArrayList<>(List.of(PYTHON, script.toString()));
    command.addAll(List.of(args));
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(p.getInputStream().readAllBytes());
    try {
      if (!p.waitFor(600, TimeUnit.SECONDS) || p.exitValue() != 0) {
        throw new IOException(resource + " failed: " + output);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException(e);
    }
    return output;
  }

  /**
   * Asks GDAL about several files in one Python run.
   *
   * @return the references, keyed by path, in request order
   */
  public static Map<Path, Reference> describe(List<Request> requests) throws IOException {
    assumeAvailable();
    Path dir = Files.createTempDirectory("gdal-reference");
    Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteTree(dir)));
    List<Map<String, Object>> items = new ArrayList<>();
    for (Request r : requests) {
      Map<String, Object> item = new LinkedHashMap<>();
      item.put("path", r.path().toAbsolutePath().toString());
      if (r.windows() != null) {
        List<int[]> ws = new ArrayList<>();
        for (PixelWindow w : r.windows()) {
          ws.add(new int[] {w.x(), w.y(), w.width(), w.height()});
        }
        item.put("windows", ws);
      }
      item.put("wkt", r.wkt());
      items.add(item);
    }
    Path request = dir.resolve("request.json");
    JSON.writeValue(request.toFile(), items);
    runScript(Gdal.class, "gdal_reference.py", dir, request.toString(), dir.toString());
    JsonNode result = JSON.readTree(dir.resolve("result.json").toFile());
    Map<Path, Reference> out = new LinkedHashMap<>();
    for (int i = 0; i < requests.size(); i++) {
      out.put(requests.get(i).path(), new Reference(result.get(i), dir));
    }
    return out;
  }
}

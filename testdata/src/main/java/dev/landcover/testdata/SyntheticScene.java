package dev.landcover.testdata;

import dev.landcover.geo.GeoKeys;
import dev.landcover.geo.GeoTiffWriter;
import dev.landcover.geo.GeoTransform;
import dev.landcover.geo.RasterGrid;
import dev.landcover.geo.SampleType;
import dev.landcover.pixels.LandcoverClass;
import dev.landcover.pixels.PixelWindow;
import java.awt.image.WritableRaster;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A deterministic landscape of any size: a 4-band uint16 image (blue, green, red, near-infrared,
 * reflectance x 10000, nodata 0) and its label raster, in UTM zone 33N at 10 m.
 *
 * <p>Every pixel is a pure function of the seed and its position, so any window can be computed on
 * its own and a scene of any size streams to disk. The landscape has field parcels (Voronoi cells
 * with row texture), forest blobs with crown texture, grassland, lakes and a river, built-up
 * patches with block texture, a road network, and a slanted nodata border on the left and a corner
 * cut at the bottom right, as on the edge of a satellite swath. Spectral signatures overlap
 * (grassland and weak fields, roads and built-up) and carry noise, so a per-pixel threshold cannot
 * label it perfectly while texture and context can.
 */
public final class SyntheticScene {
  /** Label value of pixels outside the swath. */
  public static final int NODATA = 0;

  public static final int FIELDS = 1;
  public static final int FOREST = 2;
  public static final int GRASSLAND = 3;
  public static final int WATER = 4;
  public static final int BUILT_UP = 5;
  public static final int ROADS = 6;

  /** The classes with their colours, by label value. */
  public static final List<LandcoverClass> CLASSES =
      List.of(
          new LandcoverClass(FIELDS, "fields", 240, 210, 90),
          new LandcoverClass(FOREST, "forest", 30, 110, 40),
          new LandcoverClass(GRASSLAND, "grassland", 140, 200, 100),
          new LandcoverClass(WATER, "water", 40, 90, 210),
          new LandcoverClass(BUILT_UP, "built-up", 200, 40, 40),
          new LandcoverClass(ROADS, "roads", 90, 90, 90));

  /** Band names of the image, in order. */
  public static final List<String> BANDS = List.of("blue", "green", "red", "nir");

  /** Mean reflectance x 10000 per class (rows: label value 1..6) and band. */
  private static final int[][] SIGNATURE = {
    {620, 930, 820, 3100}, // fields
    {310, 560, 360, 2700}, // forest
    {520, 860, 720, 2500}, // grassland
    {720, 640, 420, 220}, // water
    {1180, 1230, 1290, 1850}, // built-up
    {1080, 1140, 1190, 1600}, // roads
  };

  /**
   * The GeoTIFF keys of the scene's CRS, EPSG:32633 (WGS 84 / UTM zone 33N), as GDAL writes them
   * but for the citation: projected model, pixel-is-area, the EPSG code and the metre (EPSG 9001)
   * as linear unit. Written verbatim, so that making a scene never opens the EPSG database.
   */
  private static final GeoKeys UTM_33N =
      GeoKeys.of(new int[] {1, 1, 0, 0}, null, null)
          .withShort(GeoKeys.MODEL_TYPE, GeoKeys.MODEL_PROJECTED)
          .withShort(GeoKeys.RASTER_TYPE, 1)
          .withShort(GeoKeys.PROJECTED_TYPE, 32633)
          .withShort(GeoKeys.LINEAR_UNITS, GeoKeys.METRE);

  private static final double PIXEL = 10.0;

  private final int width;
  private final int height;
  private final long seed;

  /**
   * @param width width in pixels
   * @param height height in pixels
   * @param seed the seed: equal seeds and sizes give equal scenes
   */
  public SyntheticScene(int width, int height, long seed) {
    if (width <= 0 || height <= 0) {
      throw new IllegalArgumentException("Scene size must be positive: " + width + "x" + height);
    }
    this.width = width;
    this.height = height;
    this.seed = seed;
  }

  public int width() {
    return width;
  }

  public int height() {
    return height;
  }

  /** The scene's grid: UTM zone 33N (EPSG:32633), 10 m pixels, north up. */
  public RasterGrid grid() {
    return RasterGrid.ofGeoKeys(
        width, height, new GeoTransform(400_000, PIXEL, 0, 5_100_000, 0, -PIXEL), UTM_33N);
  }

  /**
   * Writes {@code scene.tif} (image) and {@code labels.tif} (class map with colours and names) into
   * {@code dir}.
   *
   * @param overwrite whether existing files may be replaced
   */
  public void write(Path dir, boolean overwrite) throws IOException {
    int threads = Runtime.getRuntime().availableProcessors();
    GeoTiffWriter.forGrid(grid(), SampleType.UINT16, BANDS.size())
        .threads(threads)
        .noData(0)
        .bandDescriptions(BANDS)
        .overwrite(overwrite)
        .write(dir.resolve("scene.tif"), this::fillImage);
    GeoTiffWriter.classMap(grid(), CLASSES)
        .threads(threads)
        .noData(NODATA)
        .overwrite(overwrite)
        .write(dir.resolve("labels.tif"), this::fillLabels);
  }

  /**
   * A batch of scenes, as the batch tests (sharded and Spark runs) use it: scene {@code i}
   * (0-based) of {@code names} is a scene of {@code 90 + 13 i} x {@code 70 + 7 i} pixels with seed
   * {@code i + 1}, written as {@code folder/NAME.tif} with its labels at {@code
   * folder/NAME/labels.tif}.
   *
   * @return {@code folder}
   */
  public static Path writeBatch(Path folder, List<String> names) throws IOException {
    Files.createDirectories(folder);
    for (int i = 0; i < names.size(); i++) {
      String name = names.get(i);
      new SyntheticScene(90 + 13 * i, 70 + 7 * i, i + 1).write(folder.resolve(name), false);
      Files.move(folder.resolve(name + "/scene.tif"), folder.resolve(name + ".tif"));
    }
    return folder;
  }

  /** Fills band 0 of {@code target} with the labels of {@code window}. */
  public void fillLabels(PixelWindow window, WritableRaster target) {
    int[] row = new int[window.width()];
    for (int y = 0; y < window.height(); y++) {
      for (int x = 0; x < window.width(); x++) {
        row[x] = label(window.x() + x, window.y() + y);
      }
      target.setSamples(0, y, window.width(), 1, 0, row);
    }
  }

  /** Fills bands 0..3 of {@code target} with the image of {@code window}. */
  public void fillImage(PixelWindow window, WritableRaster target) {
    int w = window.width();
    int[][] rows = new int[4][w];
    for (int y = 0; y < window.height(); y++) {
      int gy = window.y() + y;
      for (int x = 0; x < w; x++) {
        int gx = window.x() + x;
        int label = label(gx, gy);
        for (int b = 0; b < 4; b++) {
          rows[b][x] = label == NODATA ? 0 : reflectance(label, b, gx, gy);
        }
      }
      for (int b = 0; b < 4; b++) {
        target.setSamples(0, y, w, 1, b, rows[b]);
      }
    }
  }

  /** The label at pixel (x, y); {@link #NODATA} outside the scene or the swath. */
  public int label(int x, int y) {
    if (x < 0 || y < 0 || x >= width || y >= height || outsideSwath(x, y)) {
      return NODATA;
    }
    if (isRoad(x, y)) {
      return ROADS;
    }
    if (isWater(x, y)) {
      return WATER;
    }
    if (fbm(x, y, 180, 11, 3) > 0.34) {
      return BUILT_UP;
    }
    if (fbm(x, y, 260, 13, 3) > 0.22) {
      return FOREST;
    }
    long parcel = parcel(x, y);
    int kind = (int) Math.floorMod(mix(parcel ^ 0x5151), 8L);
    return kind < 4 ? FIELDS : kind < 6 ? GRASSLAND : kind < 7 ? FOREST : FIELDS;
  }

  private boolean outsideSwath(int x, int y) {
    double edge = width * 0.04 + (height - y) * 0.07 + 6 * Math.sin(y / 37.0);
    if (x < edge) {
      return true;
    }
    return x + y > (width + height) * 0.93;
  }

  private boolean isRoad(int x, int y) {
    double spacingY = 410;
    double wy = y + 25 * Math.sin(x / 310.0 + seed % 7);
    double dy = Math.abs(wy - spacingY * Math.rint(wy / spacingY));
    double spacingX = 530;
    double wx = x + 30 * Math.sin(y / 270.0 + seed % 5);
    double dx = Math.abs(wx - spacingX * Math.rint(wx / spacingX));
    return Math.min(dx, dy) < 1.6 && wy > 100 && wx > 100;
  }

  private boolean isWater(int x, int y) {
    if (fbm(x, y, 320, 17, 4) < -0.33) {
      return true;
    }
    double river = height * 0.62 + 90 * Math.sin(x / 240.0) + 60 * fbm(x, y, 500, 19, 2);
    double halfWidth = 5 + 3 * fbm(x, y, 150, 23, 1);
    return Math.abs(y - river) < halfWidth;
  }

  /** Id of the field parcel holding (x, y): nearest jittered seed of a 130-pixel grid. */
  private long parcel(int x, int y) {
    double cell = 130;
    double px = x + 12 * fbm(x, y, 60, 29, 1);
    double py = y + 12 * fbm(x, y, 60, 31, 1);
    long cx = (long) Math.floor(px / cell);
    long cy = (long) Math.floor(py / cell);
    long best = 0;
    double bestDistance = Double.MAX_VALUE;
    for (long j = cy - 1; j <= cy + 1; j++) {
      for (long i = cx - 1; i <= cx + 1; i++) {
        long h = mix(i * 0x632BE59BD9B4E019L + j * 0x85157AF5L + seed);
        double sx = (i + unit(h)) * cell;
        double sy = (j + unit(mix(h))) * cell;
        double d = (sx - px) * (sx - px) + (sy - py) * (sy - py);
        if (d < bestDistance) {
          bestDistance = d;
          best = h;
        }
      }
    }
    return best;
  }

  private int reflectance(int label, int band, int x, int y) {
    double v = SIGNATURE[label - 1][band];
    switch (label) {
      case FIELDS -> {
        long p = parcel(x, y);
        double vigour = 0.65 + 0.6 * unit(mix(p ^ 0x77));
        double angle = Math.PI * unit(mix(p ^ 0x99));
        double rows = Math.sin((x * Math.cos(angle) + y * Math.sin(angle)) * 1.3);
        v = band == 3 ? v * vigour : v * (1.5 - 0.5 * vigour);
        v += 140 * rows;
      }
      case FOREST ->
          v += 260 * (unit(mix(hash(x / 3, y / 3, 41))) - 0.5) + 120 * fbm(x, y, 25, 43, 2);
      case GRASSLAND -> v += 160 * fbm(x, y, 90, 47, 2);
      case WATER -> v += 60 * fbm(x, y, 200, 53, 2);
      case BUILT_UP -> v += 420 * (unit(mix(hash(x / 8, y / 8, 59))) - 0.5);
      case ROADS -> v += 80 * fbm(x, y, 40, 61, 1);
      default -> throw new IllegalArgumentException("label " + label);
    }
    v *= 1 + 0.08 * fbm(x, y, 900, 67, 2); // illumination and haze
    v += 90 * (unit(hash(x, y, 71 + band)) + unit(hash(x, y, 83 + band)) - 1); // sensor noise
    return (int) Math.max(1, Math.min(65535, Math.round(v)));
  }

  /** Fractal value noise in about [-1, 1]. */
  private double fbm(double x, double y, double scale, int salt, int octaves) {
    double sum = 0;
    double amplitude = 1;
    double norm = 0;
    for (int o = 0; o < octaves; o++) {
      sum += amplitude * valueNoise(x / scale, y / scale, salt + 101 * o);
      norm += amplitude;
      amplitude *= 0.5;
      scale /= 2;
    }
    return sum / norm;
  }

  private double valueNoise(double x, double y, int salt) {
    long ix = (long) Math.floor(x);
    long iy = (long) Math.floor(y);
    double fx = x - ix;
    double fy = y - iy;
    double sx = fx * fx * (3 - 2 * fx);
    double sy = fy * fy * (3 - 2 * fy);
    double a = unit(hash(ix, iy, salt));
    double b = unit(hash(ix + 1, iy, salt));
    double c = unit(hash(ix, iy + 1, salt));
    double d = unit(hash(ix + 1, iy + 1, salt));
    double top = a + (b - a) * sx;
    double bottom = c + (d - c) * sx;
    return 2 * (top + (bottom - top) * sy) - 1;
  }

  private long hash(long x, long y, int salt) {
    return mix(
        x * 0x9E3779B97F4A7C15L ^ y * 0xC2B2AE3D27D4EB4FL ^ (seed + salt) * 0x165667B19E3779F9L);
  }

  private static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  /** A hash as a double in [0, 1). */
  private static double unit(long h) {
    return (h >>> 11) * 0x1.0p-53;
  }
}

package dev.landcover.geo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.landcover.pixels.PixelWindow;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every file of the shared data and corpus either reads exactly as GDAL reads it, or is refused
 * quickly with a {@link GeoTiffException} naming the file.
 */
class GeoTiffRasterGdalTest {
  /** Rasters with more pixels than this are compared on sample windows rather than whole. */
  private static final long WHOLE_COMPARE_LIMIT = 4_000_000;

  private static final List<String> MUST_MATCH_GDAL =
      List.of("scenes", "labels", "corpus/rasterio", "corpus/cogeotiff");

  private record Outcome(Path file, GeoTiffRaster raster, GeoTiffException refusal, long millis) {}

  private static final List<Outcome> outcomes = new ArrayList<>();

  @BeforeAll
  static void openEveryFile() throws IOException, org.opengis.util.FactoryException {
    List<Path> files = Gdal.corpusTiffs();
    // Boot the EPSG database once (seconds, on a loaded machine), so that no file's time holds it.
    org.apache.sis.referencing.CRS.forCode("EPSG:32633");
    for (Path f : files) {
      long t0 = System.nanoTime();
      GeoTiffRaster raster = null;
      GeoTiffException refusal = null;
      try {
        raster = GeoTiffRaster.open(f);
        // decode everything once (or the sample windows), so late decoding errors show here
        for (PixelWindow w : windowsOf(raster)) {
          raster.read(w, raster.allBands());
        }
      } catch (GeoTiffException e) {
        refusal = e;
        if (raster != null) {
          raster.close();
          raster = null;
        }
      } catch (RuntimeException | Error e) {
        fail(f + ": raw " + e + " instead of a GeoTiffException", e);
      }
      outcomes.add(new Outcome(f, raster, refusal, (System.nanoTime() - t0) / 1_000_000));
    }
  }

  static List<PixelWindow> windowsOf(GeoTiffRaster r) {
    long pixels = (long) r.width() * r.height();
    if (pixels <= WHOLE_COMPARE_LIMIT) {
      return List.of(new PixelWindow(0, 0, r.width(), r.height()));
    }
    Random random = new Random(r.width() * 31L + r.height());
    List<PixelWindow> windows = new ArrayList<>();
    int s = 300;
    windows.add(new PixelWindow(0, 0, s, s));
    windows.add(new PixelWindow(r.width() - s, r.height() - s, s, s));
    for (int i = 0; i < 6; i++) {
      windows.add(
          new PixelWindow(random.nextInt(r.width() - s), random.nextInt(r.height() - s), s, s));
    }
    return windows;
  }

  private static boolean mustMatch(Path file) {
    String p = file.toString().replace('\\', '/');
    return MUST_MATCH_GDAL.stream().anyMatch(f -> p.contains("/" + f + "/"));
  }

  @Test
  void refusalsNameTheFileAndComeWithinFiveSeconds() {
    Map<String, Integer> reasons = new TreeMap<>();
    int read = 0;
    for (Outcome o : outcomes) {
      assertTrue(o.millis < 5000, o.file + " took " + o.millis + " ms");
      if (o.refusal != null) {
        String message = o.refusal.getMessage();
        assertTrue(message.contains(o.file.toString()), message);
        String reason = message.substring(o.file.toString().length() + 2);
        System.out.println("  refused: " + message);
        reason = reason.replaceAll("[0-9]+", "N").replaceAll(" \\(.*", "");
        if (reason.length() > 70) {
          reason = reason.substring(0, 70);
        }
        reasons.merge(reason, 1, Integer::sum);
      } else {
        read++;
      }
    }
    System.out.println("Corpus: " + outcomes.size() + " files, read " + read + ", refused:");
    reasons.forEach((r, n) -> System.out.println("  " + n + "  " + r));
    // 112 of 261 before Landcover decoded LZW, PackBits, ZSTD, LZMA, JPEG, the floating-point
    // predictor and the sample types that GDAL widens; a regression shows here
    assertTrue(read >= 209, "only " + read + " of " + outcomes.size() + " corpus files read");
  }

  @Test
  void everyReadableFileEqualsGdal() throws IOException {
    List<Gdal.Request> requests = new ArrayList<>();
    List<Outcome> readable = new ArrayList<>();
    for (Outcome o : outcomes) {
      if (o.raster != null) {
        readable.add(o);
        requests.add(new Gdal.Request(o.file, windowsOf(o.raster), o.raster.grid().crsWkt()));
      }
    }
    Map<Path, Gdal.Reference> refs = Gdal.describe(requests);
    List<String> mismatches = new ArrayList<>();
    int compared = 0;
    for (Outcome o : readable) {
      Gdal.Reference ref = refs.get(o.file);
      String problem = compare(o.raster, ref);
      if (problem != null) {
        mismatches.add(o.file.getFileName() + ": " + problem);
      }
      compared++;
    }
    System.out.println(
        "Compared with GDAL: " + compared + " files, mismatches: " + mismatches.size());
    mismatches.forEach(m -> System.out.println("  " + m));
    List<String> required =
        mismatches.stream()
            .filter(
                m ->
                    readable.stream()
                        .anyMatch(
                            o -> m.startsWith(o.file.getFileName() + ":") && mustMatch(o.file)))
            .toList();
    assertTrue(required.isEmpty(), "Differences from GDAL: " + String.join("\n", required));
    assertTrue(mismatches.isEmpty(), "Differences from GDAL: " + String.join("\n", mismatches));
  }

  private static String compare(GeoTiffRaster r, Gdal.Reference ref) throws IOException {
    if (!ref.ok()) {
      return "GDAL cannot read it (" + ref.error() + ") but Landcover does";
    }
    if (r.width() != ref.width() || r.height() != ref.height() || r.bandCount() != ref.bands()) {
      return "size "
          + r.width()
          + "x"
          + r.height()
          + "x"
          + r.bandCount()
          + " vs GDAL "
          + ref.width()
          + "x"
          + ref.height()
          + "x"
          + ref.bands();
    }
    if (!r.sampleType()
        .gdalName()
        .equals(GeoTiffEncodingMatrixTest.WIDENED.getOrDefault(ref.dtype(), ref.dtype()))) {
      return "type " + r.sampleType().gdalName() + " vs GDAL " + ref.dtype();
    }
    double[] gt = ref.geotransform();
    double[] ours = r.grid().transform().toGdal();
    if (gt != null) {
      for (int i = 0; i < 6; i++) {
        double scale = Math.max(Math.abs(gt[i]), Math.max(Math.abs(gt[1]), Math.abs(gt[5])));
        if (Math.abs(gt[i] - ours[i]) > 1e-9 * scale) {
          return "geotransform "
              + r.grid().transform()
              + " vs GDAL "
              + java.util.Arrays.toString(gt);
        }
      }
    }
    boolean carriedVerbatim =
        ref.hasCrs() && r.grid().crs().isEmpty() && r.grid().geoKeys().isPresent();
    if (carriedVerbatim) {
      // A CRS Apache SIS cannot decode (e.g. geostationary): its GeoKeys are carried unchanged to
      // outputs (CrsRoundTripTest checks GDAL reads the outputs' CRS as the source's).
      return comparePixels(r, ref);
    }
    if (ref.hasCrs() != r.grid().crs().isPresent()) {
      return "CRS "
          + r.grid().crsLabel()
          + " vs GDAL "
          + (ref.hasCrs() ? "EPSG " + ref.epsg() : "none");
    }
    if (ref.hasCrs()) {
      if (ref.epsg() != null
          && r.grid().epsg().isPresent()
          && ref.epsg() != r.grid().epsg().getAsInt()) {
        return "EPSG " + r.grid().epsg().getAsInt() + " vs GDAL " + ref.epsg();
      }
      if (!Boolean.TRUE.equals(ref.crsSame())) {
        return "CRS "
            + r.grid().crsLabel()
            + " is not the same as GDAL's (EPSG "
            + ref.epsg()
            + "): "
            + ref.crsError();
      }
    }
    return comparePixels(r, ref);
  }

  private static String comparePixels(GeoTiffRaster r, Gdal.Reference ref) throws IOException {
    for (int b = 1; b <= r.bandCount(); b++) {
      Double nd = ref.nodata(b);
      OptionalDouble ours2 = r.noData(b);
      if ((nd == null) != ours2.isEmpty()
          || (nd != null && Double.compare(nd, ours2.getAsDouble()) != 0)) {
        return "nodata of band " + b + ": " + ours2 + " vs GDAL " + nd;
      }
    }
    List<PixelWindow> windows = windowsOf(r);
    for (int k = 0; k < windows.size(); k++) {
      PixelWindow w = windows.get(k);
      RasterWindow data = r.read(w, r.allBands());
      double[] expected = ref.data(k);
      int i = 0;
      for (int b = 0; b < r.bandCount(); b++) {
        for (int y = 0; y < w.height(); y++) {
          for (int x = 0; x < w.width(); x++, i++) {
            double v = data.sample(b, x, y);
            double e = expected[i];
            if (Double.compare(v, e) != 0 && !(v == e)) {
              return "pixel ("
                  + (w.x() + x)
                  + ", "
                  + (w.y() + y)
                  + ") band "
                  + (b + 1)
                  + ": "
                  + v
                  + " vs GDAL "
                  + e;
            }
          }
        }
      }
    }
    assertNotNull(r.compression());
    if (ref.compression() != null && !ref.compression().equals(r.compression())) {
      return "compression " + r.compression() + " vs GDAL " + ref.compression();
    }
    assertEquals(r.grid().width(), r.width());
    return null;
  }
}

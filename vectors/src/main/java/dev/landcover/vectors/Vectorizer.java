package dev.landcover.vectors;

import dev.landcover.geo.CategoryNames;
import dev.landcover.geo.GeoTiffRaster;
import dev.landcover.geo.GeoTiffWriter;
import dev.landcover.geo.GeoTransform;
import dev.landcover.geo.RasterGrid;
import dev.landcover.geo.RasterWindow;
import dev.landcover.pixels.InvalidInputException;
import dev.landcover.pixels.LandcoverClass;
import dev.landcover.pixels.PixelWindow;
import dev.landcover.pixels.support.AtomicFiles;
import dev.landcover.vectors.internal.BoundaryTracer;
import dev.landcover.vectors.internal.Components;
import dev.landcover.vectors.internal.Crs;
import dev.landcover.vectors.internal.GeoJsonFile;
import dev.landcover.vectors.internal.GeoPackageFile;
import dev.landcover.vectors.internal.OpenPatches;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.TreeMap;
import org.locationtech.jts.coverage.CoverageSimplifier;
import org.locationtech.jts.geom.Coordinate;
import org.locationtech.jts.geom.Geometry;
import org.locationtech.jts.geom.GeometryFactory;
import org.locationtech.jts.geom.LinearRing;
import org.locationtech.jts.geom.Polygon;
import org.opengis.referencing.crs.CoordinateReferenceSystem;

/**
 * Class maps to polygons, and the raster sieve.
 *
 * <p>One polygon per 4-connected patch of pixels of one class (GDAL's {@code gdal_polygonize.py}
 * default connectivity), with the class id and name, in the map's CRS; or, with 8-connectivity
 * ({@code gdal_polygonize.py -8}), one MultiPolygon per 8-connected patch, made of its 4-connected
 * parts (which touch at corners only: GDAL writes such a patch as one polygon whose ring touches
 * itself, which is not a valid OGC polygon; the MultiPolygon covers the same points and is valid).
 * Vertices are pixel corners ({@code X = x0 + col * dx + row * rx}, {@code Y = y0 + col * ry + row
 * * dy}, GDAL's geotransform order), so without simplification the polygons cover exactly the
 * pixels of their class: no gaps, no overlaps. Nodata pixels belong to no polygon.
 *
 * <p>Memory: the map is read by strips of rows; a polygon is written as soon as the last row
 * holding its pixels has passed. Without a sieve this is one pass that holds the patches open
 * across the current row only (their outlines and at most about two labels per column), so memory
 * depends on the width and the largest patch, not on the height. With a sieve (which needs every
 * patch's whole-scene area) the map is read once and each pixel's patch goes to a temporary file
 * beside the output (4 bytes a pixel, deleted when done or on failure), read back twice; memory
 * then holds a few integers per patch of the scene (about 24 bytes, plus about 40 with the sieve's
 * adjacency), none per pixel. With {@code simplify}, the polygons are simplified together (JTS's
 * {@link CoverageSimplifier}: each shared edge once, so the result has no gaps or overlaps) and so
 * are all held in memory before writing.
 */
public final class Vectorizer {
  private static final int STRIP_ROWS = 256;

  private Vectorizer() {}

  /** What a vectorization wrote. */
  public record Result(
      Path out,
      int polygons,
      Map<Integer, Long> pixelsPerClass,
      Map<Integer, Double> areaPerClass,
      long mergedPatches) {}

  /** Receives finished patches, as polygons in map coordinates. */
  private interface PatchSink {
    void accept(int classId, Geometry polygon) throws IOException;
  }

  /**
   * Vectorizes a class map to a GeoPackage or GeoJSON file (temporary file, then atomic move).
   *
   * @throws InvalidInputException when the map is not a single-band integer raster, or holds
   *     negative values, or (GeoJSON) its CRS has no EPSG code
   * @throws FileAlreadyExistsException when the output exists and overwrite is off
   */
  public static Result vectorize(VectorizeRequest request) throws IOException {
    Path out = request.out();
    if (!request.overwrite() && Files.exists(out)) {
      throw new FileAlreadyExistsException(out.toString(), null, "exists (use --overwrite)");
    }
    VectorFormat format = VectorFormat.ofOutput(out);
    try (GeoTiffRaster map = openMap(request.map())) {
      RasterGrid grid = map.grid();
      Map<Integer, String> names = names(request.classes(), request.map());
      CoordinateReferenceSystem crs = grid.crs().orElse(null);
      OptionalInt epsg = crs == null ? OptionalInt.empty() : Crs.epsg(crs);
      if (format == VectorFormat.GEOJSON && epsg.isEmpty()) {
        throw new InvalidInputException(
            request.map()
                + ": its CRS ("
                + grid.crsLabel()
                + ") has no EPSG code, which GeoJSON needs; write a .gpkg instead");
      }
      long minPixels = Math.max(request.sievePixels(), minAreaPixels(request.minArea(), grid));
      boolean diagonals = request.connectivity() == 8;
      try (Components components =
          minPixels > 1 ? patches(map, minPixels, diagonals, folderOf(out)) : null) {
        return write(request, map, components, diagonals, format, crs, epsg, names);
      }
    }
  }

  /** Writes the polygons of the map, sieved when {@code components} is not null. */
  private static Result write(
      VectorizeRequest request,
      GeoTiffRaster map,
      Components components,
      boolean diagonals,
      VectorFormat format,
      CoordinateReferenceSystem crs,
      OptionalInt epsg,
      Map<Integer, String> names)
      throws IOException {
    Path out = request.out();
    String layer = VectorFormat.stem(out);
    Map<Integer, Long> pixels = new TreeMap<>();
    Map<Integer, Double> areas = new TreeMap<>();
    int[] count = {0};
    Path tmp = AtomicFiles.temporary(out);
    try {
      try (Output writer = Output.open(format, tmp, layer, crs, epsg, diagonals)) {
        List<Geometry> held = new ArrayList<>();
        List<Integer> heldClasses = new ArrayList<>();
        PatchSink sink =
            (cls, polygon) -> {
              if (request.simplify() > 0) {
                held.add(polygon);
                heldClasses.add(cls);
                return;
              }
              writer.add(polygon, cls, names.getOrDefault(cls, "class " + cls));
              areas.merge(cls, polygon.getArea(), Double::sum);
              count[0]++;
            };
        if (components == null) {
          traceStreaming(map, pixels, diagonals, sink);
        } else {
          trace(map, components, pixels, diagonals, sink);
        }
        if (request.simplify() > 0) {
          Geometry[] simplified = simplify(held, request.simplify());
          for (int i = 0; i < simplified.length; i++) {
            int cls = heldClasses.get(i);
            writer.add(simplified[i], cls, names.getOrDefault(cls, "class " + cls));
            areas.merge(cls, simplified[i].getArea(), Double::sum);
            count[0]++;
          }
        }
        writer.finish();
      }
      AtomicFiles.move(tmp, out, request.overwrite());
    } finally {
      Files.deleteIfExists(tmp);
    }
    return new Result(
        out, count[0], pixels, areas, components == null ? 0 : components.mergedPatches());
  }

  /**
   * Writes the sieved map: every 4-connected patch of fewer than {@code minPixels} pixels takes the
   * class of its largest neighbouring patch (smallest patches first), as {@link
   * VectorizeRequest#sievePixels} does before vectorizing; nodata stays nodata. The output keeps
   * the map's grid, type, nodata and class names.
   *
   * @return the number of patches merged away
   */
  public static long sieve(Path map, long minPixels, Path out, List<LandcoverClass> classes)
      throws IOException {
    return sieve(map, minPixels, out, classes, 4);
  }

  /**
   * Writes the sieved map, with patches and their neighbours taken 4- or 8-connected ({@code
   * connectivity}; with 8, pixels touching at a corner are one patch when of one class, and
   * neighbours when not).
   *
   * @return the number of patches merged away
   * @see #sieve(Path, long, Path, List)
   */
  public static long sieve(
      Path map, long minPixels, Path out, List<LandcoverClass> classes, int connectivity)
      throws IOException {
    if (minPixels < 1) {
      throw new IllegalArgumentException("--sieve must be at least 1 pixel: " + minPixels);
    }
    if (connectivity != 4 && connectivity != 8) {
      throw new IllegalArgumentException("--connectivity must be 4 or 8: " + connectivity);
    }
    try (GeoTiffRaster raster = openMap(map);
        Components components = patches(raster, minPixels, connectivity == 8, folderOf(out))) {
      RasterGrid grid = raster.grid();
      Map<Integer, String> names = names(classes, map);
      OptionalDouble noData = raster.noData(1);
      GeoTiffWriter writer;
      if (names.isEmpty()) {
        writer = GeoTiffWriter.forGrid(grid, raster.sampleType(), 1);
      } else {
        List<LandcoverClass> list = new ArrayList<>();
        names.forEach((id, name) -> list.add(withName(id, name)));
        writer = GeoTiffWriter.classMap(grid, list);
      }
      if (noData.isPresent()) {
        writer.noData(noData.getAsDouble());
      }
      int nodataValue = noData.isPresent() ? (int) noData.getAsDouble() : 0;
      int tileRows = 256;
      int[][] pending = new int[tileRows][];
      int[] pendingStart = {-1};
      int[] nextRow = {0};
      writer
          .tileSize(tileRows)
          .write(
              out,
              (tile, target) -> {
                if (pendingStart[0] != tile.y()) {
                  for (int y = 0; y < tileRows && tile.y() + y < grid.height(); y++) {
                    int[] values = pending[y] == null ? new int[grid.width()] : pending[y];
                    components.readRow(nextRow[0], values);
                    for (int x = 0; x < values.length; x++) {
                      values[x] =
                          values[x] < 0 ? nodataValue : components.componentClass(values[x]);
                    }
                    pending[y] = values;
                    nextRow[0]++;
                  }
                  pendingStart[0] = tile.y();
                }
                int[] buffer = new int[tile.width()];
                for (int y = 0; y < tile.height() && tile.y() + y < grid.height(); y++) {
                  Arrays.fill(buffer, nodataValue);
                  int w = Math.min(tile.width(), grid.width() - tile.x());
                  System.arraycopy(pending[y], tile.x(), buffer, 0, w);
                  target.setSamples(0, y, tile.width(), 1, 0, buffer);
                }
              });
      return components.mergedPatches();
    }
  }

  private static LandcoverClass withName(int id, String name) {
    LandcoverClass u = LandcoverClass.unnamed(id);
    return new LandcoverClass(id, name, u.red(), u.green(), u.blue());
  }

  private static GeoTiffRaster openMap(Path file) throws IOException {
    GeoTiffRaster map = GeoTiffRaster.open(file);
    if (map.bandCount() != 1 || map.sampleType().isFloatingPoint()) {
      String found = map.bandCount() + " band(s) of " + map.sampleType().gdalName();
      map.close();
      throw new InvalidInputException(
          file + ": has " + found + ", expected a class map (one band of integer class ids)");
    }
    return map;
  }

  private static long minAreaPixels(double minArea, RasterGrid grid) {
    if (minArea <= 0) {
      return 0;
    }
    GeoTransform t = grid.transform();
    double pixelArea =
        Math.abs(t.pixelWidth() * t.pixelHeight() - t.rowRotation() * t.columnRotation());
    return (long) Math.ceil(minArea / pixelArea - 1e-9);
  }

  private static Map<Integer, String> names(List<LandcoverClass> classes, Path map)
      throws IOException {
    Map<Integer, String> names = new TreeMap<>();
    if (classes != null) {
      for (LandcoverClass c : classes) {
        names.put(c.id(), c.name());
      }
      return names;
    }
    return CategoryNames.read(map);
  }

  /**
   * The patches, sieved; their per-pixel numbers go to a temporary file in {@code folder}, deleted
   * when the components are closed (or at once on failure).
   */
  private static Components patches(
      GeoTiffRaster map, long minPixels, boolean diagonals, Path folder) throws IOException {
    return Components.label(
        new RowReader(map), map.width(), map.height(), minPixels, diagonals, folder);
  }

  /** The folder of an output file, where temporary files go. */
  private static Path folderOf(Path out) {
    Path parent = out.toAbsolutePath().getParent();
    return parent == null ? out.toAbsolutePath() : parent;
  }

  /**
   * Without a sieve: one pass that labels, traces and finishes the patches row by row, holding only
   * the patches open across the current row ({@link OpenPatches} recycles the labels of finished
   * ones), so memory depends on the width and the open patches, not on the height.
   */
  private static void traceStreaming(
      GeoTiffRaster map, Map<Integer, Long> pixels, boolean diagonals, PatchSink sink)
      throws IOException {
    int width = map.width();
    int height = map.height();
    GeoTransform t = map.grid().transform();
    GeometryFactory factory = new GeometryFactory();
    BoundaryTracer tracer = new BoundaryTracer(width);
    OpenPatches patches = new OpenPatches(tracer::merge, diagonals);
    BoundaryTracer.RingSink rings =
        (label, shells, holes) ->
            sink.accept(
                patches.classOf(label), polygon(shells, holes, t, factory, diagonals, label));
    OpenPatches.FinishedSink finished = label -> tracer.finish(label, rings);
    RowReader rows = new RowReader(map);
    int[] prevClasses = null;
    int[] prevLabels = null;
    int[] prevComp = new int[width];
    int[] cur = new int[width];
    for (int r = 0; r <= height; r++) {
      if (r < height) {
        int[] cls = rows.row(r);
        int[] labels = new int[width];
        patches.labelRow(prevClasses, prevLabels, cls, labels);
        System.arraycopy(labels, 0, cur, 0, width);
        for (int x = 0; x < width; ) {
          int c = cls[x];
          int x0 = x;
          while (x < width && cls[x] == c) {
            x++;
          }
          if (c >= 0) {
            pixels.merge(c, (long) (x - x0), Long::sum);
          }
        }
        prevClasses = cls;
        prevLabels = labels;
      } else {
        Arrays.fill(cur, -1);
      }
      for (int x = 0; x < width; x++) {
        int p = r == 0 ? -1 : prevComp[x];
        prevComp[x] = p < 0 ? -1 : patches.root(p);
      }
      tracer.traceLine(prevComp, cur, r);
      patches.endRow(r, prevComp, cur, finished);
      int[] swap = prevComp;
      prevComp = cur;
      cur = swap;
    }
  }

  /**
   * With a sieve: reads the rows of components back from the temporary file, traces every
   * component's outline and hands its polygon to the sink when complete.
   */
  private static void trace(
      GeoTiffRaster map,
      Components components,
      Map<Integer, Long> pixels,
      boolean diagonals,
      PatchSink sink)
      throws IOException {
    int width = map.width();
    int height = map.height();
    GeoTransform t = map.grid().transform();
    GeometryFactory factory = new GeometryFactory();
    BoundaryTracer tracer = new BoundaryTracer(width);
    BoundaryTracer.RingSink rings =
        (component, shells, holes) ->
            sink.accept(
                components.componentClass(component),
                polygon(shells, holes, t, factory, diagonals, component));
    // Components by last row, to finish them when it has passed.
    int count = components.componentCount();
    int[] head = new int[height];
    Arrays.fill(head, -1);
    int[] next = new int[count];
    for (int c = count - 1; c >= 0; c--) {
      int last = components.componentLastRow(c);
      next[c] = head[last];
      head[last] = c;
      pixels.merge(components.componentClass(c), components.componentPixels(c), Long::sum);
    }
    int[] prevComp = new int[width];
    Arrays.fill(prevComp, -1);
    int[] cur = new int[width];
    for (int r = 0; r <= height; r++) {
      if (r < height) {
        components.readRow(r, cur);
      } else {
        Arrays.fill(cur, -1);
      }
      tracer.traceLine(prevComp, cur, r);
      if (r > 0) {
        for (int c = head[r - 1]; c >= 0; c = next[c]) {
          tracer.finish(c, rings);
        }
      }
      int[] swap = prevComp;
      prevComp = cur;
      cur = swap;
    }
  }

  /**
   * A patch's rings in map coordinates: a Polygon (4-connectivity, one shell), or a MultiPolygon of
   * one polygon per shell (8-connectivity, always a MultiPolygon so that the layer has one geometry
   * type).
   */
  private static Geometry polygon(
      List<int[]> shells,
      List<List<int[]>> holes,
      GeoTransform t,
      GeometryFactory factory,
      boolean diagonals,
      int component) {
    if (!diagonals && shells.size() != 1) {
      throw new IllegalStateException(
          "4-connected component " + component + " has " + shells.size() + " outer rings");
    }
    Polygon[] parts = new Polygon[shells.size()];
    for (int p = 0; p < parts.length; p++) {
      LinearRing outer = factory.createLinearRing(world(shells.get(p), t));
      List<int[]> own = holes.get(p);
      LinearRing[] inner = new LinearRing[own.size()];
      for (int i = 0; i < inner.length; i++) {
        inner[i] = factory.createLinearRing(world(own.get(i), t));
      }
      parts[p] = factory.createPolygon(outer, inner);
    }
    return diagonals ? factory.createMultiPolygon(parts) : parts[0];
  }

  private static Coordinate[] world(int[] ring, GeoTransform t) {
    Coordinate[] out = new Coordinate[ring.length / 2];
    double[] g = t.toGdal();
    for (int i = 0; i < out.length; i++) {
      double px = ring[2 * i];
      double py = ring[2 * i + 1];
      out[i] = new Coordinate(g[0] + px * g[1] + py * g[2], g[3] + px * g[4] + py * g[5]);
    }
    return out;
  }

  private static Geometry[] simplify(List<Geometry> polygons, double tolerance) {
    CoverageSimplifier simplifier = new CoverageSimplifier(polygons.toArray(new Geometry[0]));
    return simplifier.simplify(tolerance);
  }

  /** Rows of band 1 as class ids, -1 for nodata, read by strips. */
  private static final class RowReader implements Components.Rows {
    private final GeoTiffRaster map;
    private int[] strip;
    private boolean[] valid;
    private int stripY = -1;
    private int stripHeight;

    RowReader(GeoTiffRaster map) {
      this.map = map;
    }

    @Override
    public int[] row(int r) throws IOException {
      if (stripY < 0 || r < stripY || r >= stripY + stripHeight) {
        stripY = r / STRIP_ROWS * STRIP_ROWS;
        stripHeight = Math.min(STRIP_ROWS, map.height() - stripY);
        RasterWindow w = map.read(new PixelWindow(0, stripY, map.width(), stripHeight), 1);
        strip = w.raster().getSamples(0, 0, map.width(), stripHeight, 0, (int[]) null);
        valid = w.validMask();
      }
      int width = map.width();
      int[] out = new int[width];
      int base = (r - stripY) * width;
      for (int x = 0; x < width; x++) {
        int v = strip[base + x];
        if (!valid[base + x]) {
          out[x] = -1;
        } else if (v < 0) {
          throw new InvalidInputException(
              map.file()
                  + ": pixel ("
                  + x
                  + ", "
                  + r
                  + ") holds "
                  + v
                  + ", expected a class id >= 0");
        } else {
          out[x] = v;
        }
      }
      return out;
    }
  }

  /** The file being written, GeoPackage or GeoJSON. */
  private interface Output extends AutoCloseable {
    void add(Geometry polygon, int classId, String name) throws IOException;

    void finish() throws IOException;

    @Override
    void close() throws IOException;

    static Output open(
        VectorFormat format,
        Path file,
        String layer,
        CoordinateReferenceSystem crs,
        OptionalInt epsg,
        boolean multiPolygons)
        throws IOException {
      if (format == VectorFormat.GEOPACKAGE) {
        GeoPackageFile.Writer w = new GeoPackageFile.Writer(file, layer, crs, multiPolygons);
        return new Output() {
          @Override
          public void add(Geometry polygon, int classId, String name) throws IOException {
            w.add(polygon, classId, name);
          }

          @Override
          public void finish() throws IOException {
            w.finish();
          }

          @Override
          public void close() throws IOException {
            w.close();
          }
        };
      }
      GeoJsonFile.Writer w = new GeoJsonFile.Writer(file, layer, epsg.getAsInt());
      return new Output() {
        @Override
        public void add(Geometry polygon, int classId, String name) throws IOException {
          w.add(polygon, classId, name);
        }

        @Override
        public void finish() throws IOException {
          w.finish();
        }

        @Override
        public void close() throws IOException {
          w.close();
        }
      };
    }
  }
}

package dev.landcover.geo;

import dev.landcover.geo.internal.Rasters;
import dev.landcover.geo.internal.vrt.VrtFile;
import dev.landcover.pixels.PixelWindow;
import java.awt.image.WritableRaster;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.Set;
import org.apache.sis.referencing.CRS;
import org.apache.sis.referencing.operation.matrix.Matrix3;
import org.apache.sis.referencing.operation.transform.MathTransforms;
import org.opengis.referencing.crs.CoordinateReferenceSystem;
import org.opengis.referencing.operation.MathTransform;
import org.opengis.referencing.operation.Matrix;

/**
 * Bands of several rasters read as one {@link SceneRaster}: a {@link BandStack} or a GDAL VRT. Each
 * band is a {@link Member}: one band of an open source raster, read directly (same grid, or shifted
 * by whole pixels) or resampled onto this raster's grid by a {@link RasterAligner}, inside the part
 * of the grid it covers.
 */
final class StackedRaster implements SceneRaster {
  private final Path file;
  private final RasterGrid grid;
  private final SampleType sampleType;
  private final List<Member> members;
  private final List<String> descriptions;
  private final List<SceneRaster> sources;

  /**
   * One band of the stack.
   *
   * @param source the raster holding it
   * @param sourceBand its band number in {@code source}
   * @param coverage the part of the stack's grid the band covers (in stack pixels)
   * @param dx column shift from stack to source pixels, for a direct read
   * @param dy row shift from stack to source pixels, for a direct read
   * @param aligner the resampler, or null for a direct read
   * @param noData the band's nodata value, NaN for none
   */
  private record Member(
      SceneRaster source,
      int sourceBand,
      PixelWindow coverage,
      int dx,
      int dy,
      RasterAligner aligner,
      double noData) {

    /** The band's pixels in {@code window} (inside {@link #coverage}), in the source's type. */
    RasterWindow read(PixelWindow window) throws IOException {
      if (aligner != null) {
        return aligner.read(window);
      }
      return source.read(
          new PixelWindow(window.x() + dx, window.y() + dy, window.width(), window.height()),
          sourceBand);
    }
  }

  private StackedRaster(
      Path file,
      RasterGrid grid,
      SampleType sampleType,
      List<Member> members,
      List<String> descriptions,
      List<SceneRaster> sources) {
    this.file = file;
    this.grid = grid;
    this.sampleType = sampleType;
    this.members = members;
    this.descriptions = descriptions;
    this.sources = sources;
  }

  // ---------------------------------------------------------------------------------------------
  // Band stacks

  static StackedRaster openStack(BandStack stack) throws GeoTiffException {
    List<SceneRaster> sources = new ArrayList<>();
    try {
      for (Path f : stack.files()) {
        sources.add(SceneRaster.open(f));
      }
      return stackOf(stack, sources);
    } catch (GeoTiffException | RuntimeException e) {
      closeAll(sources, e);
      throw e;
    }
  }

  private static StackedRaster stackOf(BandStack stack, List<SceneRaster> sources)
      throws GeoTiffException {
    SceneRaster first = sources.get(0);
    int total = 0;
    SceneRaster gridSource = null;
    for (SceneRaster s : sources) {
      if (!s.grid().sameCrs(first.grid())) {
        throw new GeoTiffException(
            s.file(),
            "is in CRS "
                + s.grid().crsLabel()
                + " while "
                + first.file()
                + " is in "
                + first.grid().crsLabel()
                + ": the files of a band stack must share one CRS",
            "reproject it onto the first file's grid with: gdalwarp -t_srs "
                + first.grid().epsg().stream()
                    .mapToObj(c -> "EPSG:" + c)
                    .findFirst()
                    .orElse("<first file's CRS>")
                + " -tr "
                + Math.abs(first.grid().transform().pixelWidth())
                + " "
                + Math.abs(first.grid().transform().pixelHeight())
                + " in.tif out.tif");
      }
      if (stack.gridBand() > total && stack.gridBand() <= total + s.bandCount()) {
        gridSource = s;
      }
      total += s.bandCount();
    }
    if (stack.gridBand() > total) {
      throw new IllegalArgumentException(
          "The band stack's grid band is "
              + stack.gridBand()
              + " but the stack has bands 1 to "
              + total);
    }
    if (gridSource == null) {
      for (SceneRaster s : sources) {
        if (gridSource == null || pixelArea(s.grid()) < pixelArea(gridSource.grid()) * (1 - 1e-9)) {
          gridSource = s;
        }
      }
    }
    RasterGrid grid = gridSource.grid();
    PixelWindow all = new PixelWindow(0, 0, grid.width(), grid.height());
    String prefix = stack.commonPrefix();
    SampleType type = first.sampleType();
    List<Member> members = new ArrayList<>();
    List<String> descriptions = new ArrayList<>();
    boolean anyDescription = false;
    for (SceneRaster s : sources) {
      type = widen(type, s.sampleType(), s.file());
      MathTransform toSource =
          s.grid().sameGrid(grid)
              ? MathTransforms.identity(2)
              : RasterAligner.pixelToPixel(s, grid, s.file());
      List<String> own = s.bandDescriptions();
      for (int b = 1; b <= s.bandCount(); b++) {
        members.add(member(s, b, all, toSource, stack.resampling(), grid));
        String d = own.isEmpty() ? "" : own.get(b - 1);
        if (d.isEmpty() && s.bandCount() == 1) {
          d = BandStack.bandName(s.file(), prefix);
        }
        anyDescription |= !d.isEmpty();
        descriptions.add(d);
      }
    }
    return new StackedRaster(
        first.file(),
        grid,
        type,
        List.copyOf(members),
        anyDescription ? List.copyOf(descriptions) : List.of(),
        List.copyOf(sources));
  }

  private static double pixelArea(RasterGrid g) {
    GeoTransform t = g.transform();
    return Math.abs(t.pixelWidth() * t.pixelHeight() - t.rowRotation() * t.columnRotation());
  }

  /**
   * The member reading band {@code band} of {@code source} through {@code toSource} (stack pixels
   * to source pixels): a direct read when that is a whole-pixel shift, else resampled.
   */
  private static Member member(
      SceneRaster source,
      int band,
      PixelWindow coverage,
      MathTransform toSource,
      Resampling method,
      RasterGrid grid) {
    double noData = source.noData(band).orElse(Double.NaN);
    Matrix m = MathTransforms.getMatrix(toSource);
    if (m != null
        && Math.abs(m.getElement(0, 0) - 1) < 1e-9
        && Math.abs(m.getElement(1, 1) - 1) < 1e-9
        && Math.abs(m.getElement(0, 1)) < 1e-9
        && Math.abs(m.getElement(1, 0)) < 1e-9
        && isWhole(m.getElement(0, 2))
        && isWhole(m.getElement(1, 2))) {
      return new Member(
          source,
          band,
          coverage,
          (int) Math.round(m.getElement(0, 2)),
          (int) Math.round(m.getElement(1, 2)),
          null,
          noData);
    }
    return new Member(
        source,
        band,
        coverage,
        0,
        0,
        RasterAligner.ofBand(source, band, grid, method, toSource),
        noData);
  }

  private static boolean isWhole(double v) {
    return Math.abs(v - Math.rint(v)) < 1e-9;
  }

  /**
   * The type that holds every value of {@code a} and {@code b} exactly.
   *
   * @throws GeoTiffException never for the types Landcover reads (kept for the message's file)
   */
  static SampleType widen(SampleType a, SampleType b, Path file) throws GeoTiffException {
    if (a == b) {
      return a;
    }
    if (a.isFloatingPoint() || b.isFloatingPoint()) {
      SampleType other = a.isFloatingPoint() ? b : a;
      if (a == SampleType.FLOAT64 || b == SampleType.FLOAT64 || other.bits() > 16) {
        return SampleType.FLOAT64;
      }
      return SampleType.FLOAT32;
    }
    boolean signedA = a == SampleType.INT16 || a == SampleType.INT32;
    boolean signedB = b == SampleType.INT16 || b == SampleType.INT32;
    if (signedA == signedB) {
      return a.bits() >= b.bits() ? a : b;
    }
    SampleType unsigned = signedA ? b : a;
    SampleType signed = signedA ? a : b;
    if (unsigned.bits() < signed.bits()) {
      return signed;
    }
    if (unsigned.bits() < 32) {
      return SampleType.INT32;
    }
    return SampleType.FLOAT64;
  }

  // ---------------------------------------------------------------------------------------------
  // VRTs

  static StackedRaster openVrt(Path file) throws GeoTiffException {
    VrtFile vrt = VrtFile.read(file);
    Map<Path, SceneRaster> open = new LinkedHashMap<>();
    try {
      return vrtOf(vrt, open);
    } catch (GeoTiffException | RuntimeException e) {
      closeAll(open.values(), e);
      throw e;
    }
  }

  private static StackedRaster vrtOf(VrtFile vrt, Map<Path, SceneRaster> open)
      throws GeoTiffException {
    Path file = vrt.file();
    List<SceneRaster> rasters = new ArrayList<>();
    for (VrtFile.Band band : vrt.bands()) {
      Path src = band.source().toAbsolutePath().normalize();
      if (!open.containsKey(src)) {
        if (src.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".vrt")) {
          throw new GeoTiffException(
              file,
              "reads another VRT (" + band.source() + ")",
              "materialize it with: gdal_translate in.vrt out.tif");
        }
        open.put(src, GeoTiffRaster.open(band.source()));
      }
      rasters.add(open.get(src));
    }
    RasterGrid grid = vrtGrid(vrt, rasters.get(0));
    PixelWindow all = new PixelWindow(0, 0, grid.width(), grid.height());
    SampleType type = null;
    List<Member> members = new ArrayList<>();
    List<String> descriptions = new ArrayList<>();
    boolean anyDescription = false;
    for (int i = 0; i < vrt.bands().size(); i++) {
      VrtFile.Band band = vrt.bands().get(i);
      SceneRaster source = rasters.get(i);
      String where = "band " + (i + 1);
      SampleType bandType = sampleType(file, band.dataType(), where);
      if (widen(source.sampleType(), bandType, file) != bandType) {
        throw new GeoTiffException(
            file,
            where
                + " is "
                + band.dataType()
                + " but its source "
                + source.file()
                + " is "
                + source.sampleType().gdalName()
                + " (GDAL would convert values; Landcover reads only exact widening)",
            "materialize it with: gdal_translate in.vrt out.tif");
      }
      type = type == null ? bandType : widen(type, bandType, file);
      if (band.sourceBand() > source.bandCount()) {
        throw new GeoTiffException(
            file,
            where
                + " reads band "
                + band.sourceBand()
                + " of "
                + source.file()
                + ", which has "
                + source.bandCount(),
            null);
      }
      checkNoData(file, where, band, source);
      double[] dst =
          band.dstRect() != null
              ? band.dstRect()
              : new double[] {0, 0, grid.width(), grid.height()};
      double[] srcRect =
          band.srcRect() != null
              ? band.srcRect()
              : new double[] {0, 0, source.width(), source.height()};
      for (double v : dst) {
        if (!isWhole(v)) {
          throw new GeoTiffException(
              file,
              where + "'s DstRect " + Arrays.toString(dst) + " is not in whole pixels",
              "materialize it with: gdal_translate in.vrt out.tif");
        }
      }
      PixelWindow dstWindow =
          new PixelWindow(
              (int) Math.rint(dst[0]),
              (int) Math.rint(dst[1]),
              (int) Math.rint(dst[2]),
              (int) Math.rint(dst[3]));
      PixelWindow coverage = dstWindow.intersection(all);
      if (coverage == null) {
        coverage = new PixelWindow(0, 0, 0, 0);
      }
      double kx = srcRect[2] / dst[2];
      double ky = srcRect[3] / dst[3];
      MathTransform toSource =
          MathTransforms.linear(
              new Matrix3(
                  kx, 0, srcRect[0] - dst[0] * kx, 0, ky, srcRect[1] - dst[1] * ky, 0, 0, 1));
      Resampling method = vrtResampling(file, where, band.resampling());
      Member m = member(source, band.sourceBand(), coverage, toSource, method, grid);
      members.add(
          new Member(
              m.source(),
              m.sourceBand(),
              coverage,
              m.dx(),
              m.dy(),
              m.aligner(),
              band.noData() == null ? Double.NaN : band.noData()));
      descriptions.add(band.description());
      anyDescription |= !band.description().isEmpty();
    }
    return new StackedRaster(
        file,
        grid,
        type,
        List.copyOf(members),
        anyDescription ? List.copyOf(descriptions) : List.of(),
        List.copyOf(open.values()));
  }

  /** The VRT's grid: its size and transform, with its sources' CRS and GeoTIFF keys. */
  private static RasterGrid vrtGrid(VrtFile vrt, SceneRaster firstSource) throws GeoTiffException {
    double[] g = vrt.geoTransform();
    GeoTransform t =
        g == null ? GeoTransform.IDENTITY : new GeoTransform(g[0], g[1], g[2], g[3], g[4], g[5]);
    if (vrt.srs() == null || vrt.srs().isEmpty()) {
      if (firstSource.grid().crs().isPresent()) {
        throw new GeoTiffException(
            vrt.file(),
            "has no SRS while its source "
                + firstSource.file()
                + " is in "
                + firstSource.grid().crsLabel(),
            "materialize it with: gdal_translate in.vrt out.tif");
      }
      return RasterGrid.of(vrt.width(), vrt.height(), t, null);
    }
    CoordinateReferenceSystem crs;
    try {
      String srs = vrt.srs();
      crs =
          srs.matches("(?i)EPSG:\\d+")
              ? CRS.forCode(srs.toUpperCase(Locale.ROOT))
              : CRS.fromWKT(srs);
    } catch (Exception e) {
      throw new GeoTiffException(
          vrt.file(),
          "its SRS cannot be decoded: " + e.getMessage(),
          "materialize it with: gdal_translate in.vrt out.tif",
          e);
    }
    CoordinateReferenceSystem sourceCrs = firstSource.grid().crs().orElse(null);
    if (!RasterGrid.sameCrs(horizontal(crs), horizontal(sourceCrs))) {
      throw new GeoTiffException(
          vrt.file(),
          "its SRS is not its source's CRS ("
              + firstSource.file()
              + " is in "
              + firstSource.grid().crsLabel()
              + ")",
          "materialize it with: gdal_translate in.vrt out.tif");
    }
    return firstSource.grid().withTransform(vrt.width(), vrt.height(), t);
  }

  private static CoordinateReferenceSystem horizontal(CoordinateReferenceSystem crs) {
    if (crs == null) {
      return null;
    }
    CoordinateReferenceSystem h = CRS.getHorizontalComponent(crs);
    return h == null ? crs : h;
  }

  private static SampleType sampleType(Path file, String gdalName, String where)
      throws GeoTiffException {
    for (SampleType t : SampleType.values()) {
      if (t.gdalName().equalsIgnoreCase(gdalName)) {
        return t;
      }
    }
    throw new GeoTiffException(
        file,
        where + " has dataType " + gdalName + ", which Landcover does not read",
        "materialize it with: gdal_translate -ot Float32 in.vrt out.tif");
  }

  private static Resampling vrtResampling(Path file, String where, String name)
      throws GeoTiffException {
    if (name == null) {
      return Resampling.NEAREST;
    }
    try {
      return Resampling.parse(name);
    } catch (IllegalArgumentException e) {
      throw new GeoTiffException(
          file,
          where + "'s source has resampling=\"" + name + "\", which Landcover does not apply",
          "materialize it with: gdal_translate in.vrt out.tif");
    }
  }

  /**
   * Refuses nodata declarations whose reading by GDAL Landcover would not reproduce: a source
   * NODATA other than the band's NoDataValue, or a band NoDataValue other than its source file's.
   */
  private static void checkNoData(Path file, String where, VrtFile.Band band, SceneRaster source)
      throws GeoTiffException {
    Double bandNoData = band.noData();
    OptionalDouble own = source.noData(band.sourceBand());
    String remedy = "materialize it with: gdal_translate in.vrt out.tif";
    if (band.sourceNoData() != null && !same(band.sourceNoData(), bandNoData)) {
      throw new GeoTiffException(
          file,
          where
              + "'s source NODATA "
              + band.sourceNoData()
              + " differs from the band's NoDataValue "
              + bandNoData,
          remedy);
    }
    if (own.isPresent() && !same(own.getAsDouble(), bandNoData)) {
      throw new GeoTiffException(
          file,
          where
              + " has NoDataValue "
              + bandNoData
              + " but its source "
              + source.file()
              + " has nodata "
              + own.getAsDouble(),
          remedy);
    }
  }

  private static boolean same(Double a, Double b) {
    if (a == null || b == null) {
      return a == b;
    }
    return a.equals(b) || (a.isNaN() && b.isNaN()) || a.doubleValue() == b.doubleValue();
  }

  private static void closeAll(Iterable<SceneRaster> rasters, Exception failure) {
    for (SceneRaster r : rasters) {
      try {
        r.close();
      } catch (GeoTiffException | RuntimeException e) {
        failure.addSuppressed(e);
      }
    }
  }

  // ---------------------------------------------------------------------------------------------
  // SceneRaster

  @Override
  public Path file() {
    return file;
  }

  @Override
  public RasterGrid grid() {
    return grid;
  }

  @Override
  public int bandCount() {
    return members.size();
  }

  @Override
  public SampleType sampleType() {
    return sampleType;
  }

  @Override
  public OptionalDouble noData(int band) {
    checkBand(band);
    double v = members.get(band - 1).noData();
    return Double.isNaN(v) ? OptionalDouble.empty() : OptionalDouble.of(v);
  }

  @Override
  public List<String> bandDescriptions() {
    return descriptions;
  }

  private void checkBand(int band) {
    if (band < 1 || band > members.size()) {
      throw new IllegalArgumentException(
          "Band " + band + " does not exist in " + file + ": it has bands 1 to " + members.size());
    }
  }

  @Override
  public RasterWindow read(PixelWindow window, int... bands) throws GeoTiffException {
    if (bands.length == 0) {
      throw new IllegalArgumentException("No band requested from " + file);
    }
    for (int b : bands) {
      checkBand(b);
    }
    int w = window.width();
    WritableRaster out = Rasters.createBanded(sampleType, w, window.height(), bands.length);
    boolean[] valid = new boolean[(int) window.area()];
    double[] nd = new double[bands.length];
    PixelWindow inside = window.intersection(new PixelWindow(0, 0, width(), height()));
    for (int i = 0; i < bands.length; i++) {
      Member m = members.get(bands[i] - 1);
      nd[i] = m.noData();
      double fill =
          !Double.isNaN(m.noData()) ? m.noData() : sampleType.isFloatingPoint() ? Double.NaN : 0;
      fillBand(out, i, fill);
    }
    if (inside != null) {
      for (int r = inside.y(); r < inside.endY(); r++) {
        int row = (r - window.y()) * w;
        Arrays.fill(valid, row + inside.x() - window.x(), row + inside.endX() - window.x(), true);
      }
      boolean[] covered = new boolean[valid.length];
      for (int i = 0; i < bands.length; i++) {
        Member m = members.get(bands[i] - 1);
        PixelWindow part = inside.intersection(m.coverage());
        Arrays.fill(covered, false);
        if (part != null) {
          RasterWindow pixels;
          try {
            pixels = m.read(part);
          } catch (GeoTiffException e) {
            throw e;
          } catch (IOException e) {
            throw new GeoTiffException(
                m.source().file(), "cannot be read: " + e.getMessage(), null, e);
          }
          copy(pixels, out, i, part.x() - window.x(), part.y() - window.y());
          int pw = part.width();
          for (int r = 0; r < part.height(); r++) {
            for (int c = 0; c < pw; c++) {
              if (pixels.isValid(c, r)) {
                covered[(part.y() - window.y() + r) * w + part.x() - window.x() + c] = true;
              }
            }
          }
        }
        for (int k = 0; k < valid.length; k++) {
          valid[k] &= covered[k];
        }
      }
      markNoData(out, bands, valid, w);
    }
    return new RasterWindow(window, bands.clone(), sampleType, nd, out, valid);
  }

  private void fillBand(WritableRaster out, int band, double value) {
    if (value == 0) {
      return;
    }
    double stored = sampleType == SampleType.UINT32 ? (int) (long) value : value;
    var buffer = out.getDataBuffer();
    for (int k = 0; k < buffer.getSize(); k++) {
      buffer.setElemDouble(band, k, stored);
    }
  }

  /** Copies band 0 of {@code from} into band {@code band} of {@code to} at (x, y), widening. */
  private void copy(RasterWindow from, WritableRaster to, int band, int x, int y) {
    int w = from.window().width();
    int h = from.window().height();
    if (from.sampleType() == sampleType
        && Rasters.copyBand(from.raster(), 0, 0, 0, to, band, x, y, w, h)) {
      return;
    }
    for (int r = 0; r < h; r++) {
      for (int c = 0; c < w; c++) {
        double v = from.sample(0, c, r);
        if (sampleType == SampleType.UINT32) {
          to.setSample(x + c, y + r, band, (int) (long) v);
        } else if (sampleType.isFloatingPoint()) {
          to.setSample(x + c, y + r, band, v);
        } else {
          to.setSample(x + c, y + r, band, (int) v);
        }
      }
    }
  }

  /**
   * Marks invalid the pixels where a band holds its nodata value, for bands whose source does not
   * declare it (a VRT band's NoDataValue over a source without nodata); other sources have marked
   * their nodata and NaN samples already.
   */
  private void markNoData(WritableRaster out, int[] bands, boolean[] valid, int w) {
    double[] nd = new double[bands.length];
    for (int b = 0; b < bands.length; b++) {
      Member m = members.get(bands[b] - 1);
      nd[b] = m.noData();
      if (Double.isNaN(nd[b]) || m.source().noData(m.sourceBand()).isPresent()) {
        continue;
      }
      for (int k = 0; k < valid.length; k++) {
        if (valid[k]) {
          double v = sampleType.fromStored(out.getSampleDouble(k % w, k / w, b));
          if (v == nd[b] || Double.isNaN(v)) {
            valid[k] = false;
          }
        }
      }
    }
  }

  /**
   * Passes the release on to each source that is read directly (a whole-pixel shift); sources read
   * through a resampler keep their blocks, since it reads around each pixel.
   */
  @Override
  public void releaseRowsAbove(int row) {
    Map<SceneRaster, Integer> sourceRows = new IdentityHashMap<>();
    Set<SceneRaster> resampled = Collections.newSetFromMap(new IdentityHashMap<>());
    for (Member m : members) {
      if (m.aligner() != null) {
        resampled.add(m.source());
      } else {
        sourceRows.merge(m.source(), row + m.dy(), Math::min);
      }
    }
    sourceRows.forEach(
        (source, sourceRow) -> {
          if (!resampled.contains(source)) {
            source.releaseRowsAbove(sourceRow);
          }
        });
  }

  @Override
  public void close() throws GeoTiffException {
    GeoTiffException failure = null;
    for (SceneRaster s : sources) {
      try {
        s.close();
      } catch (GeoTiffException e) {
        if (failure == null) {
          failure = e;
        } else {
          failure.addSuppressed(e);
        }
      }
    }
    if (failure != null) {
      throw failure;
    }
  }

  @Override
  public String toString() {
    return "StackedRaster["
        + file
        + ", "
        + members.size()
        + " bands "
        + sampleType
        + ", "
        + grid.describe()
        + "]";
  }
}

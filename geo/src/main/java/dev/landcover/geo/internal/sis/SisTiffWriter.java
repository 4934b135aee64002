package dev.landcover.geo.internal.sis;

import dev.landcover.geo.GeoKeys;
import dev.landcover.geo.GeoTiffException;
import dev.landcover.geo.GeoTransform;
import dev.landcover.geo.RasterGrid;
import dev.landcover.geo.SampleType;
import dev.landcover.geo.internal.tiff.GeoTiffTags;
import dev.landcover.geo.internal.tiff.TiffDirectory;
import dev.landcover.geo.internal.tiff.TiffTagPatcher;
import java.awt.image.DataBuffer;
import java.awt.image.RenderedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import org.apache.sis.measure.Units;
import org.apache.sis.setup.OptionKey;
import org.apache.sis.storage.DataStoreException;
import org.apache.sis.storage.StorageConnector;
import org.apache.sis.storage.geotiff.Compression;
import org.apache.sis.storage.geotiff.FormatModifier;
import org.apache.sis.storage.geotiff.GeoTiffStore;
import org.opengis.referencing.crs.CoordinateReferenceSystem;
import org.opengis.referencing.crs.ProjectedCRS;

/**
 * The one place that drives Apache SIS's GeoTIFF writer ({@link GeoTiffStore#append}): images of
 * any size, pulled tile by tile, and the 1 x 1 probe files from which the single-tile writer learns
 * how SIS encodes a CRS as GeoKeys. SIS writes no GDAL tags (nodata, band descriptions): callers
 * add them afterwards. A grid read from a GeoTIFF carries that file's GeoKeys: they are written
 * verbatim, with the transform, in place of SIS's encoding ({@link GeoTiffTags#encode}).
 */
public final class SisTiffWriter {
  private SisTiffWriter() {}

  /**
   * Writes {@code image} on {@code grid} to {@code file} (created, or truncated when it exists).
   *
   * @param deflateLevel 0 for no compression, else the Deflate level 1 to 9 (with the horizontal
   *     predictor for integer samples)
   * @param bigTiff whether to write a BigTIFF (SIS does not switch to it by itself)
   * @throws IOException the {@link IOException} that computing a tile threw, unwrapped from the
   *     {@link UncheckedIOException} that carried it through SIS
   * @throws GeoTiffException naming {@code file} when SIS cannot write it
   */
  public static void write(
      Path file, RenderedImage image, RasterGrid grid, int deflateLevel, boolean bigTiff)
      throws IOException {
    int dataType = image.getSampleModel().getDataType();
    boolean floatingPoint = dataType == DataBuffer.TYPE_FLOAT || dataType == DataBuffer.TYPE_DOUBLE;
    var connector = new StorageConnector(file);
    connector.setOption(
        OptionKey.OPEN_OPTIONS,
        new OpenOption[] {
          StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING
        });
    connector.setOption(
        Compression.OPTION_KEY,
        deflateLevel == 0
            ? Compression.NONE
            : Compression.DEFLATE.withLevel(deflateLevel).withPredictor(floatingPoint ? 1 : 2));
    if (bigTiff) {
      connector.setOption(
          FormatModifier.OPTION_KEY, new FormatModifier[] {FormatModifier.BIG_TIFF});
    }
    // A grid with the source's GeoKeys (or no CRS) is written without a CRS, and its
    // georeferencing tags are then set as they must be: SIS cannot encode every CRS (polar
    // stereographic variant B, Krovak) and changes some it can (axis order, datum names).
    boolean ownTags = grid.geoKeys().isPresent() || grid.crs().isEmpty();
    try (GeoTiffStore store = new GeoTiffStore(null, connector)) {
      store.append(image, SisGrids.toGridGeometry(ownTags ? grid.withoutCrs() : grid), null);
    } catch (UncheckedIOException e) {
      throw e.getCause();
    } catch (DataStoreException | RuntimeException e) {
      Throwable cause = e;
      while (cause != null && !(cause instanceof UncheckedIOException)) {
        cause = cause.getCause();
      }
      if (cause != null) {
        throw ((UncheckedIOException) cause).getCause();
      }
      throw new GeoTiffException(file, "cannot be written: " + e.getMessage(), null, e);
    }
    if (ownTags) {
      TiffTagPatcher.setTags(
          file, GeoTiffTags.encode(grid.transform(), grid.geoKeys().orElse(null)), GeoTiffTags.ALL);
    } else {
      addLinearUnits(file, grid.crs().orElse(null));
    }
  }

  /**
   * Adds ProjLinearUnitsGeoKey (the metre, EPSG 9001) to the keys SIS wrote for a projected CRS in
   * metres, where SIS leaves it out and GDAL writes it: a reader then knows the CRS's unit from the
   * keys, without decoding the CRS from the EPSG database (Landcover's summaries ask for it; the
   * first decode of a run loads that database, seconds of CPU).
   */
  private static void addLinearUnits(Path file, CoordinateReferenceSystem crs) throws IOException {
    if (!(crs instanceof ProjectedCRS)
        || !crs.getCoordinateSystem().getAxis(0).getUnit().equals(Units.METRE)) {
      return;
    }
    GeoKeys keys = GeoTiffTags.geoKeys(TiffDirectory.read(file));
    if (keys == null
        || keys.shortValue(GeoKeys.MODEL_TYPE).orElse(0) != GeoKeys.MODEL_PROJECTED
        || keys.shortValue(GeoKeys.LINEAR_UNITS).isPresent()) {
      return;
    }
    TiffTagPatcher.setTags(
        file,
        Map.of(
            TiffDirectory.TAG_GEO_KEY_DIRECTORY,
            keys.withShort(GeoKeys.LINEAR_UNITS, GeoKeys.METRE).directory()),
        new int[0]);
  }

  /**
   * Writes to {@code file} a 1 x 1 uint8 uncompressed image in {@code crs}, identity transform: its
   * GeoKey tags are how SIS encodes that CRS.
   */
  public static void writeGeoKeyProbe(Path file, CoordinateReferenceSystem crs) throws IOException {
    RasterGrid one = RasterGrid.of(1, 1, GeoTransform.IDENTITY, crs);
    TileImage image =
        new TileImage(1, 1, 1, 1, SampleType.UINT8, 1, null, (tile, raster) -> {}, null, 1);
    write(file, image, one, 0, false);
  }
}

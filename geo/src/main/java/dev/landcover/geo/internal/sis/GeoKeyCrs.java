package dev.landcover.geo.internal.sis;

import dev.landcover.geo.GeoKeys;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.function.Consumer;
import javax.measure.Unit;
import org.apache.sis.coverage.grid.GridGeometry;
import org.apache.sis.measure.Units;
import org.apache.sis.referencing.CRS;
import org.apache.sis.referencing.crs.AbstractCRS;
import org.apache.sis.referencing.crs.DefaultEngineeringCRS;
import org.apache.sis.referencing.crs.DefaultProjectedCRS;
import org.apache.sis.referencing.cs.AxesConvention;
import org.apache.sis.referencing.cs.DefaultCartesianCS;
import org.apache.sis.referencing.cs.DefaultCoordinateSystemAxis;
import org.apache.sis.referencing.datum.DefaultEngineeringDatum;
import org.apache.sis.storage.DataStoreException;
import org.apache.sis.storage.GridCoverageResource;
import org.apache.sis.storage.StorageConnector;
import org.apache.sis.storage.event.WarningEvent;
import org.apache.sis.storage.geotiff.GeoTiffStore;
import org.opengis.referencing.IdentifiedObject;
import org.opengis.referencing.crs.CoordinateReferenceSystem;
import org.opengis.referencing.crs.ProjectedCRS;
import org.opengis.referencing.cs.AxisDirection;
import org.opengis.util.FactoryException;

/**
 * The CRS of a GeoTIFF's keys, decided as GDAL decides it, with Apache SIS's own reading as one of
 * the sources. In order:
 *
 * <ol>
 *   <li>an ESRI PE string in a citation key (ArcGIS's user-defined CRSs) is parsed;
 *   <li>an EPSG code in ProjectedCSTypeGeoKey, or in GeographicTypeGeoKey for a geographic model,
 *       is taken from the EPSG database (SIS's GeoTIFF reader refuses some of them: Krovak);
 *   <li>otherwise SIS's reading of the keys, named after the citation as GDAL names it;
 *   <li>a file with a citation but neither a projected nor a geographic CRS is a LOCAL_CS: an
 *       engineering CRS with easting and northing axes.
 * </ol>
 *
 * <p>The CRS is returned in right-handed (east, north) axis order, the order of the geotransform.
 * With an EPSG code in VerticalCSTypeGeoKey it is compound (horizontal + vertical), as GDAL reports
 * it; only its first two axes are those of the geotransform.
 */
public final class GeoKeyCrs {
  private GeoKeyCrs() {}

  /**
   * A decoded CRS and the EPSG code that the keys declare for it (as GDAL reports it), if any.
   *
   * @param crs the CRS, or null when the keys describe none that can be decoded
   * @param epsg the declared EPSG code, or null
   */
  public record Decoded(CoordinateReferenceSystem crs, Integer epsg) {}

  /**
   * Decodes the CRS of {@code keys}.
   *
   * @param keys the file's GeoKeys, or null
   * @param sisCrs what SIS's GeoTIFF reader made of them, or null
   */
  public static Decoded decode(GeoKeys keys, CoordinateReferenceSystem sisCrs) {
    if (keys == null) {
      return new Decoded(sisCrs == null ? null : rightHanded(sisCrs), null);
    }
    OptionalInt model = keys.shortValue(GeoKeys.MODEL_TYPE);
    OptionalInt projected = keys.shortValue(GeoKeys.PROJECTED_TYPE);
    OptionalInt geographic = keys.shortValue(GeoKeys.GEOGRAPHIC_TYPE);
    OptionalInt declared =
        isCode(projected)
            ? projected
            : model.orElse(0) == GeoKeys.MODEL_GEOGRAPHIC && isCode(geographic)
                ? geographic
                : OptionalInt.empty();
    for (int key :
        new int[] {GeoKeys.PROJECTED_CITATION, GeoKeys.CITATION, GeoKeys.GEOGRAPHIC_CITATION}) {
      CoordinateReferenceSystem esri = EsriCrs.fromCitation(keys.text(key).orElse(null));
      if (esri != null) {
        esri = rightHanded(esri);
        CoordinateReferenceSystem coded =
            declared.isPresent() ? fromEpsg(declared.getAsInt()) : null;
        return coded != null && sameDefinition(esri, coded)
            ? new Decoded(coded, declared.getAsInt())
            : new Decoded(esri, null);
      }
    }
    if (declared.isPresent()) {
      // Null where SIS lacks the projection method (Krovak): the code still names the CRS.
      CoordinateReferenceSystem crs =
          hasEpsgCode(sisCrs, declared.getAsInt())
              ? rightHanded(sisCrs)
              : fromEpsg(declared.getAsInt());
      OptionalInt vertical = keys.shortValue(GeoKeys.VERTICAL_TYPE);
      if (crs != null && isCode(vertical)) {
        // GDAL reports a compound CRS, with no EPSG code of its own.
        try {
          return new Decoded(CRS.compound(crs, CRS.forCode("EPSG:" + vertical.getAsInt())), null);
        } catch (FactoryException | RuntimeException e) {
          return new Decoded(crs, declared.getAsInt());
        }
      }
      return new Decoded(crs, declared.getAsInt());
    }
    Optional<String> citation =
        keys.text(GeoKeys.PROJECTED_CITATION).or(() -> keys.text(GeoKeys.CITATION));
    if (sisCrs != null) {
      return new Decoded(rightHanded(named(sisCrs, citation.orElse(null))), null);
    }
    if (projected.isEmpty() && geographic.isEmpty() && citation.isPresent()) {
      return new Decoded(local(citation.get(), keys.shortValue(GeoKeys.LINEAR_UNITS)), null);
    }
    return new Decoded(null, null);
  }

  /**
   * What Apache SIS's GeoTIFF reader makes of the CRS of {@code file}'s first image: the horizontal
   * component when it is compound, the CRS itself otherwise; null when SIS finds none. This opens
   * SIS's reader and, for most CRSs, the EPSG database.
   *
   * @param warnings receives the reader's warnings
   * @throws IOException when SIS cannot read the file or finds no image in it (the message says
   *     why)
   */
  public static CoordinateReferenceSystem readBySis(Path file, Consumer<String> warnings)
      throws IOException {
    try (GeoTiffStore store = new GeoTiffStore(null, new StorageConnector(file))) {
      store.addListener(
          WarningEvent.class, e -> warnings.accept(String.valueOf(e.getDescription())));
      List<GridCoverageResource> images = store.components();
      if (images.isEmpty()) {
        throw new IOException("Apache SIS finds no image in it");
      }
      GridGeometry gg = images.get(0).getGridGeometry();
      if (gg.getDimension() > 2) {
        gg = gg.selectDimensions(0, 1);
      }
      if (!gg.isDefined(GridGeometry.CRS)) {
        return null;
      }
      CoordinateReferenceSystem horizontal =
          CRS.getHorizontalComponent(gg.getCoordinateReferenceSystem());
      return horizontal == null ? gg.getCoordinateReferenceSystem() : horizontal;
    } catch (DataStoreException e) {
      throw new IOException(e.getMessage(), e);
    }
  }

  /**
   * Whether an ESRI CRS and an EPSG CRS convert coordinates identically: the same ellipsoid, prime
   * meridian, projection and units. Datum names are not compared (ESRI spells them {@code
   * D_WGS_1984}), as GDAL does when it identifies the EPSG code of an ESRI PE string; this is asked
   * only when the file's keys declare that EPSG code beside the PE string.
   */
  private static boolean sameDefinition(
      CoordinateReferenceSystem esri, CoordinateReferenceSystem epsg) {
    try {
      return CRS.findOperation(esri, epsg, null).getMathTransform().isIdentity();
    } catch (FactoryException | RuntimeException e) {
      return false;
    }
  }

  /** Whether SIS's reading is already the EPSG database's CRS of {@code code} (no new query). */
  private static boolean hasEpsgCode(CoordinateReferenceSystem crs, int code) {
    if (crs == null) {
      return false;
    }
    for (var id : crs.getIdentifiers()) {
      if ("EPSG".equalsIgnoreCase(id.getCodeSpace())
          && id.getCode().equals(Integer.toString(code))) {
        return true;
      }
    }
    return false;
  }

  private static boolean isCode(OptionalInt code) {
    return code.isPresent() && code.getAsInt() > 0 && code.getAsInt() < GeoKeys.USER_DEFINED;
  }

  private static CoordinateReferenceSystem fromEpsg(int code) {
    try {
      return rightHanded(CRS.forCode("EPSG:" + code));
    } catch (FactoryException | RuntimeException e) {
      return null;
    }
  }

  private static CoordinateReferenceSystem rightHanded(CoordinateReferenceSystem crs) {
    return AbstractCRS.castOrCopy(crs).forConvention(AxesConvention.RIGHT_HANDED);
  }

  /** A user-defined projected CRS that SIS calls "Unnamed", named after its citation. */
  private static CoordinateReferenceSystem named(CoordinateReferenceSystem crs, String name) {
    if (name == null
        || name.isBlank()
        || !(crs instanceof ProjectedCRS p)
        || !crs.getName().getCode().equalsIgnoreCase("unnamed")) {
      return crs;
    }
    try {
      return new DefaultProjectedCRS(
          Map.of(IdentifiedObject.NAME_KEY, name),
          p.getBaseCRS(),
          p.getConversionFromBase(),
          p.getCoordinateSystem());
    } catch (RuntimeException e) {
      return crs;
    }
  }

  /** GDAL's LOCAL_CS: named by the citation, easting and northing in the linear unit. */
  private static CoordinateReferenceSystem local(String name, OptionalInt unitCode) {
    Unit<?> unit = Units.METRE;
    if (unitCode.isPresent()) {
      Unit<?> u = Units.valueOfEPSG(unitCode.getAsInt());
      if (u != null) {
        unit = u;
      }
    }
    Map<String, String> named = Map.of(IdentifiedObject.NAME_KEY, name);
    var cs =
        new DefaultCartesianCS(
            Map.of(IdentifiedObject.NAME_KEY, "Cartesian 2D"),
            new DefaultCoordinateSystemAxis(
                Map.of(IdentifiedObject.NAME_KEY, "Easting"), "E", AxisDirection.EAST, unit),
            new DefaultCoordinateSystemAxis(
                Map.of(IdentifiedObject.NAME_KEY, "Northing"), "N", AxisDirection.NORTH, unit));
    return new DefaultEngineeringCRS(named, new DefaultEngineeringDatum(named), null, cs);
  }
}

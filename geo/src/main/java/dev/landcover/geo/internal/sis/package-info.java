/**
 * Internal to the geo module, not API: adapters to Apache SIS. {@link
 * dev.landcover.geo.internal.sis.SisGrids} converts between Landcover grids and SIS grid
 * geometries; {@link dev.landcover.geo.internal.sis.EsriCrs} reads the CRS that ArcGIS stores in a
 * GeoTIFF citation; {@link dev.landcover.geo.internal.sis.TileImage} is a rendered image whose
 * tiles are computed on demand; {@link dev.landcover.geo.internal.sis.SisTiffWriter} is the one
 * place that drives SIS's GeoTIFF writer.
 *
 * <p>Types here are public only for {@code dev.landcover.geo} and {@code
 * dev.landcover.geo.internal.tiff}; other modules must not use them (an architecture test forbids
 * it). They use only the plain value types of {@code dev.landcover.geo} and {@code
 * dev.landcover.geo.internal}.
 */
package dev.landcover.geo.internal.sis;

/**
 * Internals of the vectors module: GeoPackage and GeoJSON files, GDAL's rasterization rules, the
 * streaming connected-component labelling and the ring builder of the vectorizer, CRS helpers. Used
 * only by {@code dev.landcover.vectors}.
 */
package dev.landcover.vectors.internal;

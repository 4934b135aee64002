/**
 * Internal to the geo module, not API: the GDAL VRT reader ({@link
 * dev.landcover.geo.internal.vrt.VrtFile}), which parses a VRT's XML into bands and their single
 * source and refuses, by name, what it does not read. {@code dev.landcover.geo}'s {@code
 * SceneRaster.open} exposes it.
 */
package dev.landcover.geo.internal.vrt;

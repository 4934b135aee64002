/**
 * Internal to the geo module, not API: helpers for Java rasters ({@link
 * dev.landcover.geo.internal.Rasters}: the banded rasters that windows and writers use, fast copies
 * between them by direct array access; {@link dev.landcover.geo.internal.Xml}: XML text for the
 * files geo writes). Types here are public only so that {@code dev.landcover.geo} and its internal
 * packages can share them; other modules must not use them (an architecture test forbids it), and
 * they may change without notice.
 *
 * <p>Dependencies point one way: the public package {@code dev.landcover.geo} uses the internal
 * packages, and internal packages use only its plain value types ({@link
 * dev.landcover.geo.SampleType}, {@link dev.landcover.geo.RasterGrid}, {@link
 * dev.landcover.geo.GeoTransform}, {@link dev.landcover.geo.GeoTiffException}).
 */
package dev.landcover.geo.internal;

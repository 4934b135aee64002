/**
 * Internal to the geo module, not API: TIFF at the byte level. {@link
 * dev.landcover.geo.internal.tiff.TiffDirectory} parses the header and first image directory with
 * bounds checks; {@link dev.landcover.geo.internal.tiff.BlockDecoder} decodes the tiles or strips
 * of uncompressed and Deflate files; {@link dev.landcover.geo.internal.tiff.TiffTagPatcher} adds
 * the GDAL tags that Apache SIS does not write; {@link
 * dev.landcover.geo.internal.tiff.SingleTileTiffWriter} writes one-tile images (chips) in a single
 * pass without SIS.
 *
 * <p>Types here are public only for {@code dev.landcover.geo}; other modules must not use them (an
 * architecture test forbids it). They use the plain value types of {@code dev.landcover.geo} and,
 * for the GeoKeys that encode a CRS, the SIS adapters of {@code dev.landcover.geo.internal.sis};
 * never the other way round.
 */
package dev.landcover.geo.internal.tiff;

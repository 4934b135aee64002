/**
 * Pixel space: windows and the plans that cover a raster with chips (for training and for the
 * aligned prediction tiling), blend windows and the row stitcher, landcover classes and their
 * palette, and the confusion matrix. Nothing here knows about map coordinates, file formats or
 * networks (no Apache SIS, no DJL).
 *
 * <p>Conventions used throughout: pixel coordinates are integer column ({@code x}, growing to the
 * right) and row ({@code y}, growing down) indices of the raster, with (0, 0) the upper-left pixel.
 * A window {@code (x, y, width, height)} covers the columns {@code x <= c < x + width} and the rows
 * {@code y <= r < y + height}: the high bounds are <em>exclusive</em> (the Java2D convention, not
 * the inclusive one of GeoAPI grid extents). Arrays of several bands or classes are channels first:
 * value {@code (c, y, x)} of a {@code h x w} array is at {@code (c * h + y) * w + x}.
 */
package dev.landcover.pixels;

/**
 * Chips in pixel space: half-open pixel windows and the plans that cover a raster with them.
 *
 * <p>Conventions used throughout: pixel coordinates are integer column ({@code x}, growing to the
 * right) and row ({@code y}, growing down) indices of the raster, with (0, 0) the upper-left pixel.
 * A window {@code (x, y, width, height)} covers the columns {@code x <= c < x + width} and the rows
 * {@code y <= r < y + height}: the high bounds are <em>exclusive</em> (the Java2D convention, not
 * the inclusive one of GeoAPI grid extents). Nothing here knows about map coordinates.
 */
package dev.landcover.core.chip;

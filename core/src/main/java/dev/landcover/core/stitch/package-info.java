/**
 * Stitching chip predictions into a scene: blend windows and a row-by-row accumulator of weighted
 * logits that hands out finished rows as soon as no later chip can touch them.
 */
package dev.landcover.core.stitch;

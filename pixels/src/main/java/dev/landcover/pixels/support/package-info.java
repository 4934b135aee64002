/**
 * Small helpers every Landcover module shares (files written atomically, daemon threads, waiting on
 * futures, number formatting). Meant for Landcover's own modules; not part of the user API.
 */
package dev.landcover.pixels.support;

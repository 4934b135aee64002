/**
 * The use cases, as Java calls: map scenes with a model ({@link
 * dev.landcover.workflows.SceneMapper}), train a UNet from images and labels or chip folders
 * ({@link dev.landcover.workflows.Training}), export chips ({@link
 * dev.landcover.workflows.ChipExport}) and compare a map with a reference ({@link
 * dev.landcover.workflows.MapComparison}). Each takes a request, reports progress to a {@link
 * dev.landcover.workflows.ProgressListener} and returns what it did; the command line is a thin
 * layer over them.
 */
package dev.landcover.workflows;

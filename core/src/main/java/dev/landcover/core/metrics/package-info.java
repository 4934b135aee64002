/** Accuracy assessment: the confusion matrix and everything derived from it. */
package dev.landcover.core.metrics;

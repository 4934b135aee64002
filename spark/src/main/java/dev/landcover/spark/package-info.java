/**
 * Scenes mapped and cut into chips by Apache Spark jobs: {@link dev.landcover.spark.SparkMapping}
 * (the Spark API: a Dataset of scene paths in, a Dataset of per-scene summaries out) and {@link
 * dev.landcover.spark.SparkJobs} (the same without Spark types, for the command line). Spark is a
 * provided dependency: the cluster (or {@code ./landcover spark}) puts it on the classpath.
 */
package dev.landcover.spark;

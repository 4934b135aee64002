package dev.landcover.workflows;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.landcover.networks.UNetConfig;
import org.junit.jupiter.api.Test;

/**
 * The automatic chip of a wide scene also fits the Java heap: the stitcher holds one row of chips
 * across the scene's width, so a Sentinel-2 tile (10980 px wide) with a 1 GiB heap must not get the
 * chip a 2 GiB native budget alone would allow (it ran out of heap).
 */
class InferenceGeometryHeapTest {
  private static final UNetConfig CONFIG =
      UNetConfig.builder().bands(4).classes(6).encoder(4, 8).bottleneck(16).decoder(8, 4).build();
  private static final long GIB = 1L << 30;

  @Test
  void wideScenesGetChipsWhoseStitchingFitsHalfTheHeap() {
    InferenceGeometry unbounded =
        InferenceGeometry.choose(CONFIG, 4, 10980, 10980, 2 * GIB, null, null, 64 * GIB);
    InferenceGeometry bounded =
        InferenceGeometry.choose(CONFIG, 4, 10980, 10980, 2 * GIB, null, null, GIB);
    assertTrue(
        InferenceGeometry.stitchBytes(CONFIG, 10980, unbounded.chip()) > GIB / 2,
        "the native budget alone allows chip " + unbounded.chip());
    assertTrue(
        InferenceGeometry.stitchBytes(CONFIG, 10980, bounded.chip()) <= GIB / 2,
        "chip " + bounded.chip() + " does not fit half of a 1 GiB heap");
    assertTrue(bounded.chip() < unbounded.chip());
  }

  @Test
  void narrowScenesAreNotLimitedByTheHeap() {
    assertEquals(
        InferenceGeometry.choose(CONFIG, 4, 2048, 2048, 2 * GIB, null, null, 64 * GIB).chip(),
        InferenceGeometry.choose(CONFIG, 4, 2048, 2048, 2 * GIB, null, null, GIB).chip());
  }
}

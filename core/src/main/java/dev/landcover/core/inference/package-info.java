/**
 * Running segmentation networks: a closeable {@link dev.landcover.core.inference.SegmentationModel}
 * that maps a batch of chips ({@code N x bands x H x W} float, channels first) to logits ({@code N
 * x classes x H' x W'}), for the built-in UNet and for TorchScript models alike.
 */
package dev.landcover.core.inference;

/**
 * Networks, with DJL's PyTorch engine and no geography: the UNet family ({@link
 * dev.landcover.networks.UNetConfig}, {@link dev.landcover.networks.UNetBlock}), weights in
 * PyTorch's canonical names ({@link dev.landcover.networks.UNetWeights}), model bundles, running a
 * model on batches of chips ({@link dev.landcover.networks.SegmentationModel}: {@code N x bands x H
 * x W} float, channels first, to logits {@code N x classes x H' x W'}) with the bundle's input
 * normalization and the one decoding of logits into classes and probabilities ({@link
 * dev.landcover.networks.ClassScores}), and the training loop with its checkpoints.
 *
 * <p>Layers, the loss and the resumable optimizer are in {@code dev.landcover.networks.internal},
 * which is not part of the API.
 */
package dev.landcover.networks;

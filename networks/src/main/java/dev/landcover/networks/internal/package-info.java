/**
 * Internals of the networks module (layers, the masked segmentation loss, the resumable Adam); not
 * part of the API, used only by {@code dev.landcover.networks}.
 */
package dev.landcover.networks.internal;

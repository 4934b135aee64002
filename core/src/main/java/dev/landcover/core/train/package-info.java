/** Training a UNet on labelled chips with DJL's PyTorch engine. */
package dev.landcover.core.train;

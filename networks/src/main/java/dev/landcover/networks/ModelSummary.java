package dev.landcover.networks;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/**
 * A UNet's layers with output shapes, parameters and multiply-adds for a batch, counted in
 * torchinfo's conventions: a convolution or transposed convolution costs (weight + bias elements) x
 * batch x output height x output width, a normalization layer (weight + bias elements) x batch;
 * pooling, activations and concatenation cost nothing. Memory: input, forward and backward
 * activations (twice the layer outputs, as torchinfo) and parameters, 4 bytes a value, MB = 1e6
 * bytes.
 */
public final class ModelSummary {
  /** One layer: its canonical name, kind, output shape and counts. */
  public record Layer(
      String name, String kind, long[] outputShape, long parameters, long multAdds) {}

  private final UNetConfig config;
  private final int batch;
  private final int inputSize;
  private final List<Layer> layers = new ArrayList<>();

  private ModelSummary(UNetConfig config, int batch, int inputSize) {
    this.config = config;
    this.batch = batch;
    this.inputSize = inputSize;
  }

  /**
   * The summary of {@code config} for a batch of square chips.
   *
   * @throws IllegalArgumentException when the input size does not fit the network
   */
  public static ModelSummary of(UNetConfig config, int batch, int inputSize) {
    if (batch < 1) {
      throw new IllegalArgumentException("Batch must be at least 1: " + batch);
    }
    config.outputSize(inputSize);
    ModelSummary s = new ModelSummary(config, batch, inputSize);
    s.walk();
    return s;
  }

  private void walk() {
    int loss = config.padding() == UNetConfig.Padding.SAME ? 0 : 2;
    int size = inputSize;
    int channels = config.bands();
    int[] enc = config.encoder();
    int[] dec = config.decoder();
    List<Integer> skipChannels = new ArrayList<>();
    for (int i = 0; i < enc.length; i++) {
      if (i > 0) {
        size /= 2;
        layers.add(new Layer("pool" + i, "MaxPool2d", shape(channels, size), 0, 0));
      }
      size = doubleConv("enc" + (i + 1), channels, enc[i], size, loss);
      channels = enc[i];
      skipChannels.add(channels);
    }
    size /= 2;
    layers.add(new Layer("pool" + enc.length, "MaxPool2d", shape(channels, size), 0, 0));
    size = doubleConv("bottleneck", channels, config.bottleneck(), size, loss);
    channels = config.bottleneck();
    for (int i = 0; i < dec.length; i++) {
      String n = String.valueOf(i + 1);
      int up = config.upChannels(i);
      size *= 2;
      boolean transposed = config.upStep() == UNetConfig.UpStep.TRANSPOSED;
      long params = (long) channels * up * (transposed ? 4 : 1) + up;
      layers.add(
          new Layer(
              "up" + n,
              transposed ? "ConvTranspose2d" : "Upsample+Conv2d",
              shape(up, size),
              params,
              params * batch * size * size));
      if (config.upNormalization()) {
        norm("upnorm" + n, up, size);
      }
      size = doubleConv("dec" + n, skipChannels.get(dec.length - 1 - i) + up, dec[i], size, loss);
      channels = dec[i];
    }
    long params = (long) channels * config.classes() + config.classes();
    layers.add(
        new Layer(
            "head", "Conv2d", shape(config.classes(), size), params, params * batch * size * size));
  }

  private int doubleConv(String prefix, int in, int out, int size, int loss) {
    for (int k = 1; k <= 2; k++) {
      size -= loss;
      long params = (long) (k == 1 ? in : out) * out * 9 + (config.bias() ? out : 0);
      layers.add(
          new Layer(
              prefix + ".conv" + k,
              "Conv2d",
              shape(out, size),
              params,
              params * batch * size * size));
      norm(prefix + ".norm" + k, out, size);
    }
    return size;
  }

  private void norm(String name, int channels, int size) {
    if (config.normalization() == UNetConfig.Normalization.NONE) {
      return;
    }
    String kind =
        switch (config.normalization()) {
          case BATCH -> "BatchNorm2d";
          case INSTANCE -> "InstanceNorm2d";
          default -> "GroupNorm";
        };
    long params = 2L * channels;
    layers.add(new Layer(name, kind, shape(channels, size), params, params * batch));
  }

  private long[] shape(int channels, int size) {
    return new long[] {batch, channels, size, size};
  }

  public List<Layer> layers() {
    return Collections.unmodifiableList(layers);
  }

  /** Trainable parameters (all of them are). */
  public long parameters() {
    return layers.stream().mapToLong(Layer::parameters).sum();
  }

  public long multAdds() {
    return layers.stream().mapToLong(Layer::multAdds).sum();
  }

  /** Megabytes of the input batch. */
  public double inputMegabytes() {
    return 4.0 * batch * config.bands() * inputSize * inputSize / 1e6;
  }

  /** Megabytes of activations kept for the forward and backward passes. */
  public double forwardBackwardMegabytes() {
    long values = 0;
    for (Layer l : layers) {
      long n = 1;
      for (long d : l.outputShape()) {
        n *= d;
      }
      values += n;
    }
    return 2 * 4.0 * values / 1e6;
  }

  public double parameterMegabytes() {
    return 4.0 * parameters() / 1e6;
  }

  /** The table and totals as text. */
  public String format() {
    StringBuilder sb = new StringBuilder();
    String line = "-".repeat(86) + "\n";
    sb.append(line)
        .append(
            String.format(
                Locale.ROOT,
                "%-22s %-18s %-26s %16s%n",
                "Layer",
                "Kind",
                "Output shape",
                "Param #"))
        .append(line.replace('-', '='));
    for (Layer l : layers) {
      sb.append(
          String.format(
              Locale.ROOT,
              "%-22s %-18s %-26s %,16d%n",
              l.name(),
              l.kind(),
              java.util.Arrays.toString(l.outputShape()),
              l.parameters()));
    }
    sb.append(line.replace('-', '='))
        .append(String.format(Locale.ROOT, "Total params: %,d%n", parameters()))
        .append(String.format(Locale.ROOT, "Trainable params: %,d%n", parameters()))
        .append(String.format(Locale.ROOT, "Non-trainable params: 0%n"))
        .append(String.format(Locale.ROOT, "Total mult-adds (G): %.2f%n", multAdds() / 1e9))
        .append(line.replace('-', '='))
        .append(String.format(Locale.ROOT, "Input size (MB): %.2f%n", inputMegabytes()))
        .append(
            String.format(
                Locale.ROOT, "Forward/backward pass size (MB): %.2f%n", forwardBackwardMegabytes()))
        .append(String.format(Locale.ROOT, "Params size (MB): %.2f%n", parameterMegabytes()))
        .append(
            String.format(
                Locale.ROOT,
                "Estimated total size (MB): %.2f%n",
                inputMegabytes() + forwardBackwardMegabytes() + parameterMegabytes()))
        .append(line.replace('-', '='));
    return sb.toString();
  }
}

package dev.landcover.app;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.landcover.networks.UNetConfig;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** Options that describe a UNet: a preset, a depth or a configuration file, then overrides. */
final class ArchitectureOptions {
  @Option(names = "--preset", description = "geo-course, ronneberger or classic-same.")
  String preset;

  @Option(names = "--depth", description = "Levels including the bottleneck (with --filters).")
  Integer depth;

  @Option(
      names = "--filters",
      description = "With --depth: channels of the first level, doubling per level (default: 64).")
  Integer filters;

  @Option(names = "--encoder", split = ",", description = "Encoder channels, top to bottom.")
  int[] encoder;

  @Option(names = "--bottleneck", description = "Bottleneck channels.")
  Integer bottleneck;

  @Option(names = "--decoder", split = ",", description = "Decoder channels, bottom to top.")
  int[] decoder;

  @Option(
      names = "--config",
      paramLabel = "UNET.json",
      description =
          "A JSON file of the UNet configuration (as in a bundle's model.json); options given"
              + " with it override its fields.")
  Path configFile;

  @Option(names = "--padding", description = "same or valid.")
  String padding;

  @Option(names = "--norm", description = "batch, instance, group:N or none.")
  String norm;

  @Option(names = "--activation", description = "relu, leaky or elu.")
  String activation;

  @Option(names = "--up", description = "transposed, nearest or bilinear.")
  String up;

  @Option(
      names = "--up-keeps-channels",
      negatable = true,
      description = "Up step keeps the channel count.")
  Boolean upKeepsChannels;

  @Option(
      names = "--up-norm",
      negatable = true,
      description = "Normalization and activation after the up step.")
  Boolean upNorm;

  @Option(
      names = "--skip-first",
      negatable = true,
      description = "Skip tensor before the up-sampled one.")
  Boolean skipFirst;

  @Option(names = "--bias", negatable = true, description = "Convolution biases.")
  Boolean bias;

  @Option(names = "--weight-init", description = "xavier or kaiming.")
  String init;

  /** The configuration: preset, depth or file (default geo-course), with the options applied. */
  UNetConfig config() {
    return config(UNetConfig.preset("geo-course"));
  }

  /** The configuration: preset, depth or file (default {@code base}), with the options applied. */
  UNetConfig config(UNetConfig base) {
    int given = (preset != null ? 1 : 0) + (depth != null ? 1 : 0) + (configFile != null ? 1 : 0);
    if (given > 1) {
      throw new IllegalArgumentException("Give one of --preset, --depth and --config");
    }
    if (depth != null) {
      Checks.atLeast("--depth", depth, 2);
    }
    if (filters != null && depth == null) {
      throw new IllegalArgumentException(
          "--filters " + filters + " needs --depth (the number of levels it applies to)");
    }
    if (filters != null) {
      Checks.atLeast("--filters", filters, 1);
    }
    UNetConfig c;
    if (configFile != null) {
      c = UNetConfig.read(configFile);
    } else {
      c =
          depth != null
              ? UNetConfig.ofDepth(depth, filters != null ? filters : 64, 3, 1)
              : preset == null ? base : UNetConfig.preset(preset);
    }
    var n = c.toJson();
    if (encoder != null) {
      n.set("encoder", new ObjectMapper().valueToTree(encoder));
    }
    if (decoder != null) {
      n.set("decoder", new ObjectMapper().valueToTree(decoder));
    }
    if (bottleneck != null) {
      n.put("bottleneck", bottleneck);
    }
    if (padding != null) {
      n.put("padding", padding);
    }
    if (norm != null) {
      String[] parts = norm.split(":");
      n.put("normalization", parts[0]);
      if (parts.length > 1) {
        n.put("groups", Integer.parseInt(parts[1]));
      }
    }
    if (activation != null) {
      n.put("activation", activation);
    }
    if (up != null) {
      n.put("upStep", up);
    }
    if (upKeepsChannels != null) {
      n.put("upKeepsChannels", upKeepsChannels);
    }
    if (upNorm != null) {
      n.put("upNormalization", upNorm);
    }
    if (skipFirst != null) {
      n.put("skipFirst", skipFirst);
    }
    if (bias != null) {
      n.put("bias", bias);
    }
    if (init != null) {
      n.put("init", init);
    }
    return UNetConfig.fromJson(n);
  }

  /** The preset's name when the configuration is a preset (geo-course when nothing is given). */
  String presetName() {
    return presetName("geo-course");
  }

  /** The preset's name when the configuration is a preset ({@code base} when nothing is given). */
  String presetName(String base) {
    return preset != null ? preset : depth == null && configFile == null ? base : null;
  }
}

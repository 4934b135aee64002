package dev.landcover.networks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The configuration of a UNet of the family Landcover builds (see {@code ../shared/UNET.md}): an
 * encoder of double convolutions with 2 x 2 max pooling between levels, a bottleneck, a decoder of
 * up steps and double convolutions fed by skip connections, and a 1 x 1 head with one logit per
 * class.
 *
 * <p>Encoder level {@code i} has {@code encoder[i]} channels; decoder level {@code i} joins the
 * up-sampled tensor with the skip of encoder level {@code L - 1 - i} and has {@code decoder[i]}
 * channels. The up step of level {@code i} turns the channels of the level below ({@code
 * bottleneck} for the first) into {@code upKeepsChannels ? that : decoder[i]}.
 *
 * <p>Up steps: {@code TRANSPOSED} is a 2 x 2, stride-2 transposed convolution (built for DJL as a 1
 * x 1 convolution to 4x the channels, a pixel shuffle and a bias); {@code NEAREST} and {@code
 * BILINEAR} up-sample by 2 (bilinear with aligned corners off) and apply a 1 x 1 convolution that
 * sets the channels. With {@code upNormalization} the up step is followed by normalization and
 * activation (the {@code geo-course} preset).
 *
 * <p>Instance normalization is affine (a scale and shift per channel, like group normalization with
 * one channel per group) and, like group normalization, uses the statistics of each sample, in
 * training and in inference.
 *
 * @param bands input channels
 * @param classes output logits per pixel
 * @param encoder channels of the encoder levels, top to bottom
 * @param bottleneck channels of the bottleneck
 * @param decoder channels of the decoder levels, bottom to top (same count as encoder)
 * @param padding {@code SAME} keeps the size through convolutions, {@code VALID} loses 2 pixels a
 *     convolution (skips are centre-cropped)
 * @param normalization after each convolution
 * @param groups groups of {@code GROUP} normalization (ignored otherwise)
 * @param activation after each normalization
 * @param upStep how the decoder up-samples
 * @param upKeepsChannels whether the up step keeps the channel count
 * @param upNormalization whether the up step is followed by normalization and activation
 * @param skipFirst whether the skip tensor comes before the up-sampled one in the concatenation (as
 *     in the original paper) or after it (as in {@code geo-course})
 * @param bias whether convolutions (but the up step's, which always has one) have a bias
 * @param init weight initialization
 */
public record UNetConfig(
    int bands,
    int classes,
    int[] encoder,
    int bottleneck,
    int[] decoder,
    Padding padding,
    Normalization normalization,
    int groups,
    Activation activation,
    UpStep upStep,
    boolean upKeepsChannels,
    boolean upNormalization,
    boolean skipFirst,
    boolean bias,
    Init init) {

  /** Convolution padding. */
  public enum Padding {
    SAME,
    VALID
  }

  /** Normalization after each convolution. */
  public enum Normalization {
    BATCH,
    INSTANCE,
    GROUP,
    NONE
  }

  /** Activation after each normalization. */
  public enum Activation {
    RELU,
    /** Leaky ReLU with slope 0.1. */
    LEAKY,
    ELU
  }

  /** How the decoder doubles the size. */
  public enum UpStep {
    TRANSPOSED,
    NEAREST,
    BILINEAR
  }

  /** Weight initialization. */
  public enum Init {
    /** Xavier (Glorot) uniform weights, zero biases. */
    XAVIER,
    /** Kaiming (He) uniform weights for ReLU, bound sqrt(6 / fan_in), zero biases. */
    KAIMING
  }

  /** The preset names. */
  public static final List<String> PRESETS = List.of("geo-course", "ronneberger", "classic-same");

  /** Checks the configuration. */
  public UNetConfig {
    encoder = encoder.clone();
    decoder = decoder.clone();
    if (bands < 1 || classes < 1) {
      throw new IllegalArgumentException(
          "A UNet needs at least one band and one class: bands=" + bands + ", classes=" + classes);
    }
    if (encoder.length < 1 || encoder.length != decoder.length) {
      throw new IllegalArgumentException(
          "Encoder and decoder need the same number of levels (at least 1): encoder="
              + Arrays.toString(encoder)
              + ", decoder="
              + Arrays.toString(decoder));
    }
    for (int c : concat(encoder, decoder, bottleneck)) {
      if (c < 1) {
        throw new IllegalArgumentException("Channel counts must be positive: " + c);
      }
    }
    if (normalization == Normalization.GROUP) {
      for (int c : concat(encoder, decoder, bottleneck)) {
        if (groups < 1 || c % groups != 0) {
          throw new IllegalArgumentException(
              "Group normalization needs channel counts divisible by groups: groups="
                  + groups
                  + ", channels="
                  + c);
        }
      }
    }
  }

  private static int[] concat(int[] a, int[] b, int c) {
    int[] all = Arrays.copyOf(a, a.length + b.length + 1);
    System.arraycopy(b, 0, all, a.length, b.length);
    all[all.length - 1] = c;
    return all;
  }

  @Override
  public int[] encoder() {
    return encoder.clone();
  }

  @Override
  public int[] decoder() {
    return decoder.clone();
  }

  /** Number of encoder levels (pooling steps); depth is this plus one (the bottleneck). */
  public int levels() {
    return encoder.length;
  }

  /** Levels including the bottleneck, as UNET.md counts depth. */
  public int depth() {
    return encoder.length + 1;
  }

  /**
   * The configuration of a preset, with its reference bands and classes.
   *
   * @param name {@code geo-course}, {@code ronneberger} or {@code classic-same}
   * @throws IllegalArgumentException for an unknown name, listing the known ones
   */
  public static UNetConfig preset(String name) {
    return switch (name.toLowerCase(Locale.ROOT)) {
      case "geo-course" ->
          builder()
              .bands(3)
              .classes(10)
              .encoder(16, 32, 64, 128)
              .bottleneck(256)
              .decoder(128, 64, 32, 16)
              .upKeepsChannels(true)
              .upNormalization(true)
              .skipFirst(false)
              .build();
      case "ronneberger" ->
          builder()
              .bands(1)
              .classes(2)
              .encoder(64, 128, 256, 512)
              .bottleneck(1024)
              .decoder(512, 256, 128, 64)
              .padding(Padding.VALID)
              .bias(false)
              .build();
      case "classic-same" ->
          builder()
              .bands(3)
              .classes(1)
              .encoder(64, 128, 256, 512)
              .bottleneck(1024)
              .decoder(512, 256, 128, 64)
              .build();
      default ->
          throw new IllegalArgumentException(
              "Unknown UNet preset '" + name + "': expected one of " + PRESETS);
    };
  }

  /**
   * A UNet of {@code depth} levels (bottleneck included) whose channels start at {@code filters}
   * and double per level; the decoder mirrors the encoder, up steps halve the channels.
   */
  public static UNetConfig ofDepth(int depth, int filters, int bands, int classes) {
    if (depth < 2 || filters < 1) {
      throw new IllegalArgumentException(
          "Depth must be at least 2 and filters positive: depth=" + depth + ", filters=" + filters);
    }
    return builder().bands(bands).classes(classes).channels(depth, filters).build();
  }

  /** This configuration with other bands and classes. */
  public UNetConfig withBandsAndClasses(int newBands, int newClasses) {
    return toBuilder().bands(newBands).classes(newClasses).build();
  }

  /**
   * A builder whose defaults are those of the classic UNet: 3 bands, 1 class, same padding, batch
   * normalization, ReLU, transposed-convolution up steps that set the decoder's channels with no
   * normalization after them, skip first, biases, Xavier initialization. The channels must be set
   * ({@link Builder#channels} or {@link Builder#encoder}, {@link Builder#bottleneck} and {@link
   * Builder#decoder}).
   */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder holding this configuration, to change some of it. */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.bands = bands;
    b.classes = classes;
    b.encoder = encoder.clone();
    b.bottleneck = bottleneck;
    b.decoder = decoder.clone();
    b.padding = padding;
    b.normalization = normalization;
    b.groups = groups;
    b.activation = activation;
    b.upStep = upStep;
    b.upKeepsChannels = upKeepsChannels;
    b.upNormalization = upNormalization;
    b.skipFirst = skipFirst;
    b.bias = bias;
    b.init = init;
    return b;
  }

  /** Builds a {@link UNetConfig}; {@link #build()} checks it. */
  public static final class Builder {
    private int bands = 3;
    private int classes = 1;
    private int[] encoder;
    private int bottleneck;
    private int[] decoder;
    private Padding padding = Padding.SAME;
    private Normalization normalization = Normalization.BATCH;
    private int groups;
    private Activation activation = Activation.RELU;
    private UpStep upStep = UpStep.TRANSPOSED;
    private boolean upKeepsChannels;
    private boolean upNormalization;
    private boolean skipFirst = true;
    private boolean bias = true;
    private Init init = Init.XAVIER;

    private Builder() {}

    /** Input channels. */
    public Builder bands(int bands) {
      this.bands = bands;
      return this;
    }

    /** Output logits per pixel. */
    public Builder classes(int classes) {
      this.classes = classes;
      return this;
    }

    /**
     * Channels of {@code depth} levels (bottleneck included) starting at {@code filters} and
     * doubling per level, the decoder mirroring the encoder.
     */
    public Builder channels(int depth, int filters) {
      encoder = new int[depth - 1];
      decoder = new int[depth - 1];
      for (int i = 0; i < depth - 1; i++) {
        encoder[i] = filters << i;
        decoder[depth - 2 - i] = filters << i;
      }
      bottleneck = filters << (depth - 1);
      return this;
    }

    /** Channels of the encoder levels, top to bottom. */
    public Builder encoder(int... channels) {
      this.encoder = channels.clone();
      return this;
    }

    /** Channels of the bottleneck. */
    public Builder bottleneck(int channels) {
      this.bottleneck = channels;
      return this;
    }

    /** Channels of the decoder levels, bottom to top. */
    public Builder decoder(int... channels) {
      this.decoder = channels.clone();
      return this;
    }

    public Builder padding(Padding padding) {
      this.padding = padding;
      return this;
    }

    public Builder normalization(Normalization normalization) {
      this.normalization = normalization;
      return this;
    }

    /** Group normalization with {@code groups} groups. */
    public Builder groupNormalization(int groups) {
      this.normalization = Normalization.GROUP;
      this.groups = groups;
      return this;
    }

    /** Groups of group normalization (ignored by the other normalizations). */
    public Builder groups(int groups) {
      this.groups = groups;
      return this;
    }

    public Builder activation(Activation activation) {
      this.activation = activation;
      return this;
    }

    public Builder upStep(UpStep upStep) {
      this.upStep = upStep;
      return this;
    }

    public Builder upKeepsChannels(boolean keeps) {
      this.upKeepsChannels = keeps;
      return this;
    }

    public Builder upNormalization(boolean normalize) {
      this.upNormalization = normalize;
      return this;
    }

    public Builder skipFirst(boolean skipFirst) {
      this.skipFirst = skipFirst;
      return this;
    }

    public Builder bias(boolean bias) {
      this.bias = bias;
      return this;
    }

    public Builder init(Init init) {
      this.init = init;
      return this;
    }

    /**
     * The configuration.
     *
     * @throws IllegalArgumentException when the channels are not set or the configuration is
     *     invalid (see {@link UNetConfig})
     */
    public UNetConfig build() {
      if (encoder == null || decoder == null) {
        throw new IllegalArgumentException(
            "A UNet needs its channels: set channels(depth, filters) or encoder, bottleneck and"
                + " decoder");
      }
      return new UNetConfig(
          bands,
          classes,
          encoder,
          bottleneck,
          decoder,
          padding,
          normalization,
          groups,
          activation,
          upStep,
          upKeepsChannels,
          upNormalization,
          skipFirst,
          bias,
          init);
    }
  }

  /** Channels out of the up step of decoder level {@code i}. */
  public int upChannels(int i) {
    int below = i == 0 ? bottleneck : decoder[i - 1];
    return upKeepsChannels ? below : decoder[i];
  }

  /** Pixels a 3 x 3 convolution loses on each side: 0 for same padding, 1 for valid. */
  int convLoss() {
    return padding == Padding.SAME ? 0 : 1;
  }

  /**
   * The output height or width for an input of {@code size} pixels.
   *
   * @throws IllegalArgumentException when the size does not fit the network, naming the nearest
   *     sizes that do
   */
  public int outputSize(int size) {
    int out = trace(size);
    if (out <= 0) {
      int below = size;
      while (below > 0 && trace(below) <= 0) {
        below--;
      }
      int above = size;
      while (trace(above) <= 0) {
        above++;
      }
      String requirement =
          padding == Padding.SAME
              ? "a multiple of " + (1 << levels()) + " (2^" + levels() + ", depth " + depth() + ")"
              : "a size whose feature maps stay even and positive through "
                  + levels()
                  + " poolings with valid padding";
      throw new IllegalArgumentException(
          "Input size "
              + size
              + " does not fit this UNet: it needs "
              + requirement
              + "; nearest valid sizes: "
              + (below > 0 ? below + " and " : "")
              + above);
    }
    return out;
  }

  /** Whether an input of {@code size} pixels passes through the network. */
  public boolean fits(int size) {
    return trace(size) > 0;
  }

  /**
   * The pixels lost on each side between input and output (the halo a stitcher must give each
   * chip): 0 with same padding, 92 for {@code ronneberger} at 572.
   */
  public int margin(int size) {
    return (size - outputSize(size)) / 2;
  }

  /**
   * How far in from a chip's output edge the logits may differ from those of a larger input that
   * contains the chip (the chip's origin a multiple of 2^levels): the receptive radius with same
   * padding, since zero padding at the chip's edge then reaches every pixel whose inputs cross it;
   * 0 with valid padding (every output pixel is computed from real input, the chip's halo); empty
   * with instance or group normalization (their statistics span the whole chip, so every pixel
   * depends on all of it).
   */
  public java.util.OptionalInt edgeReach() {
    if (normalization == Normalization.INSTANCE || normalization == Normalization.GROUP) {
      return java.util.OptionalInt.empty();
    }
    return java.util.OptionalInt.of(padding == Padding.VALID ? 0 : receptiveRadius());
  }

  /**
   * The receptive radius of a same-padding network: the largest distance, in input pixels, from an
   * output pixel to an input pixel it depends on, on either side (the receptive field is at most
   * {@code 2 * radius + 1} pixels). Traced exactly, back from each output position modulo 2^levels
   * (2 x 2 pooling makes the window depend on it): a 3 x 3 convolution widens an interval by 1 on
   * each side at its level, pooling maps {@code [lo, hi]} to {@code [2 lo, 2 hi + 1]} a level up, a
   * transposed or nearest up step to {@code [floor(lo / 2), floor(hi / 2)]} a level down and a
   * bilinear one to {@code [floor((lo - 1) / 2), floor((hi + 1) / 2)]}; a skip joins the interval
   * of its encoder level. Normalization (in inference), activations and 1 x 1 convolutions act per
   * pixel. With valid padding, the same count of the same layers.
   */
  public int receptiveRadius() {
    int radius = 0;
    int period = 1 << levels();
    for (int p = 0; p < period; p++) {
      long[] span = decoderSpan(0, p, p);
      radius = (int) Math.max(radius, Math.max(p - span[0], span[1] - p));
    }
    return radius;
  }

  /**
   * Input pixels {@code [lo, hi]} that decoder level {@code level}'s output {@code [lo, hi]} reads.
   */
  private long[] decoderSpan(int level, long lo, long hi) {
    long a = lo - 2;
    long b = hi + 2;
    long[] skip = encoderSpan(level, a, b);
    long upLo = upStep == UpStep.BILINEAR ? Math.floorDiv(a - 1, 2) : Math.floorDiv(a, 2);
    long upHi = upStep == UpStep.BILINEAR ? Math.floorDiv(b + 1, 2) : Math.floorDiv(b, 2);
    long[] below =
        level + 1 == levels()
            ? encoderSpan(levels(), upLo, upHi)
            : decoderSpan(level + 1, upLo, upHi);
    return new long[] {Math.min(skip[0], below[0]), Math.max(skip[1], below[1])};
  }

  /**
   * Input pixels that encoder level {@code level}'s output {@code [lo, hi]} reads (level {@code
   * levels()} is the bottleneck).
   */
  private static long[] encoderSpan(int level, long lo, long hi) {
    long a = lo - 2;
    long b = hi + 2;
    for (int l = level; l > 0; l--) {
      a = 2 * a;
      b = 2 * b + 1;
      a -= 2;
      b += 2;
    }
    return new long[] {a, b};
  }

  /** The output size, or -1 when the size does not pass through the network. */
  private int trace(int size) {
    int loss = 2 * convLoss();
    int s = size;
    List<Integer> skips = new ArrayList<>();
    for (int i = 0; i < levels(); i++) {
      s -= 2 * loss;
      if (s <= 0 || s % 2 != 0) {
        return -1;
      }
      skips.add(s);
      s /= 2;
    }
    s -= 2 * loss;
    if (s <= 0) {
      return -1;
    }
    for (int i = 0; i < levels(); i++) {
      s *= 2;
      int skip = skips.get(levels() - 1 - i);
      if (skip < s || (skip - s) % 2 != 0) {
        return -1;
      }
      s -= 2 * loss;
      if (s <= 0) {
        return -1;
      }
    }
    return s;
  }

  /**
   * The configuration as JSON, with the keys of {@code tools/unet_pytorch.py}: bands, classes,
   * encoder, bottleneck, decoder, padding, normalization, groups, activation, upStep,
   * upKeepsChannels, upNormalization, skipFirst, bias, init (enum values in lower case).
   */
  public ObjectNode toJson() {
    ObjectNode n = JsonNodeFactory.instance.objectNode();
    n.put("bands", bands);
    n.put("classes", classes);
    ArrayNode e = n.putArray("encoder");
    Arrays.stream(encoder).forEach(e::add);
    n.put("bottleneck", bottleneck);
    ArrayNode d = n.putArray("decoder");
    Arrays.stream(decoder).forEach(d::add);
    n.put("padding", lower(padding));
    n.put("normalization", lower(normalization));
    n.put("groups", groups);
    n.put("activation", lower(activation));
    n.put("upStep", lower(upStep));
    n.put("upKeepsChannels", upKeepsChannels);
    n.put("upNormalization", upNormalization);
    n.put("skipFirst", skipFirst);
    n.put("bias", bias);
    n.put("init", lower(init));
    return n;
  }

  private static String lower(Enum<?> e) {
    return e.name().toLowerCase(Locale.ROOT);
  }

  /**
   * The configuration in a JSON file: {@link #toJson()}'s form, or a bundle's model.json (its
   * architecture's configuration is taken).
   *
   * @throws IllegalArgumentException naming the file when it is not readable JSON or not a UNet
   *     configuration
   */
  public static UNetConfig read(Path file) {
    JsonNode n;
    try {
      n = new ObjectMapper().readTree(file.toFile());
    } catch (IOException e) {
      throw new IllegalArgumentException(file + ": not readable JSON (" + e.getMessage() + ")", e);
    }
    if (n != null && n.has("architecture")) {
      n = n.get("architecture");
    }
    if (n != null && n.has("config")) {
      n = n.get("config");
    }
    try {
      return fromJson(n);
    } catch (IllegalArgumentException | NullPointerException e) {
      throw new IllegalArgumentException(file + ": not a UNet configuration: " + e.getMessage(), e);
    }
  }

  /**
   * Reads a configuration written by {@link #toJson()} (or by tools/unet_pytorch.py); {@code
   * groups} and {@code init} may be left out.
   *
   * @throws IllegalArgumentException naming a missing or invalid field
   */
  public static UNetConfig fromJson(JsonNode n) {
    return new UNetConfig(
        integer(n, "bands"),
        integer(n, "classes"),
        ints(n, "encoder"),
        integer(n, "bottleneck"),
        ints(n, "decoder"),
        enumOf(n, "padding", Padding.class),
        enumOf(n, "normalization", Normalization.class),
        n.path("groups").asInt(0),
        enumOf(n, "activation", Activation.class),
        enumOf(n, "upStep", UpStep.class),
        bool(n, "upKeepsChannels"),
        bool(n, "upNormalization"),
        n.has("skipFirst") ? bool(n, "skipFirst") : true,
        bool(n, "bias"),
        n.has("init") ? enumOf(n, "init", Init.class) : Init.XAVIER);
  }

  private static JsonNode field(JsonNode n, String name) {
    JsonNode v = n.get(name);
    if (v == null || v.isNull()) {
      throw new IllegalArgumentException("UNet configuration: missing field '" + name + "'");
    }
    return v;
  }

  private static int integer(JsonNode n, String name) {
    JsonNode v = field(n, name);
    if (!v.isInt()) {
      throw new IllegalArgumentException(
          "UNet configuration: '" + name + "' must be an integer: " + v);
    }
    return v.asInt();
  }

  private static boolean bool(JsonNode n, String name) {
    JsonNode v = field(n, name);
    if (!v.isBoolean()) {
      throw new IllegalArgumentException(
          "UNet configuration: '" + name + "' must be true or false: " + v);
    }
    return v.asBoolean();
  }

  private static int[] ints(JsonNode n, String name) {
    JsonNode v = field(n, name);
    if (!v.isArray()) {
      throw new IllegalArgumentException(
          "UNet configuration: '" + name + "' must be a list of integers: " + v);
    }
    int[] out = new int[v.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = v.get(i).asInt();
    }
    return out;
  }

  private static <E extends Enum<E>> E enumOf(JsonNode n, String name, Class<E> type) {
    String text = field(n, name).asText();
    try {
      return Enum.valueOf(type, text.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "UNet configuration: '"
              + name
              + "' is '"
              + text
              + "', expected one of "
              + Arrays.stream(type.getEnumConstants()).map(UNetConfig::lower).toList(),
          e);
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof UNetConfig c
        && bands == c.bands
        && classes == c.classes
        && Arrays.equals(encoder, c.encoder)
        && bottleneck == c.bottleneck
        && Arrays.equals(decoder, c.decoder)
        && padding == c.padding
        && normalization == c.normalization
        && groups == c.groups
        && activation == c.activation
        && upStep == c.upStep
        && upKeepsChannels == c.upKeepsChannels
        && upNormalization == c.upNormalization
        && skipFirst == c.skipFirst
        && bias == c.bias
        && init == c.init;
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(encoder) * 31 + Arrays.hashCode(decoder) + bands * 7 + classes;
  }

  @Override
  public String toString() {
    return String.format(
        Locale.ROOT,
        "UNet[bands=%d, classes=%d, encoder=%s, bottleneck=%d, decoder=%s, %s padding, %s norm,"
            + " %s, %s up%s%s, bias=%b, init=%s]",
        bands,
        classes,
        Arrays.toString(encoder),
        bottleneck,
        Arrays.toString(decoder),
        padding,
        normalization + (normalization == Normalization.GROUP ? ":" + groups : ""),
        activation,
        upStep,
        upKeepsChannels ? " keeping channels" : "",
        upNormalization ? " + norm" : "",
        bias,
        init);
  }
}

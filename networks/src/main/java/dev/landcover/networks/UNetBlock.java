package dev.landcover.networks;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.nn.pooling.Pool;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.XavierInitializer;
import ai.djl.util.PairList;
import dev.landcover.networks.internal.BatchNormFolding;
import dev.landcover.networks.internal.GroupNorm;
import dev.landcover.networks.internal.KaimingUniform;
import dev.landcover.networks.internal.TensorValues;
import dev.landcover.networks.internal.UpStep;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A UNet of the configuration's shape as a DJL block: input {@code N x bands x H x W} float, output
 * {@code N x classes x H' x W'} logits ({@code H' = H} with same padding, see {@link
 * UNetConfig#outputSize}). Trainable with DJL's PyTorch engine.
 *
 * <p>Its tensors have canonical names, the same as the PyTorch module {@code ConfigurableUNet} of
 * {@code tools/unet_pytorch.py}: {@code enc1.conv1.weight}, {@code enc1.norm1.running_mean}, ...,
 * {@code bottleneck.*}, {@code up1.weight}, {@code up1.bias}, {@code upnorm1.*}, {@code dec1.*},
 * {@code head.*}. {@link #canonicalTensors()} maps them to DJL parameters.
 */
public final class UNetBlock extends AbstractBlock {
  /** The epsilon of batch normalization's {@code sqrt(variance + epsilon)} (PyTorch's default). */
  static final double BATCH_NORM_EPSILON = 1e-5;

  private final UNetConfig config;
  private final List<Block> encoders = new ArrayList<>();
  private final Block bottleneck;
  private final List<UpStep> ups = new ArrayList<>();
  private final List<Block> upNorms = new ArrayList<>();
  private final List<Block> decoders = new ArrayList<>();
  private final Conv2d head;

  /** Whether normalization layers run in inference mode even when training (frozen body). */
  private boolean inferenceNormalization;

  /** Canonical prefix to leaf block (Conv2d, BatchNorm, GroupNorm, UpStep), in module order. */
  private final Map<String, Block> leaves = new LinkedHashMap<>();

  private UNetBlock(UNetConfig config) {
    this.config = config;
    int levels = config.levels();
    int[] enc = config.encoder();
    int[] dec = config.decoder();
    for (int i = 0; i < levels; i++) {
      encoders.add(addChildBlock("enc" + (i + 1), doubleConv("enc" + (i + 1), enc[i])));
    }
    bottleneck = addChildBlock("bottleneck", doubleConv("bottleneck", config.bottleneck()));
    for (int i = 0; i < levels; i++) {
      String n = String.valueOf(i + 1);
      UpStep up = addChildBlock("up" + n, new UpStep(config.upStep(), config.upChannels(i)));
      leaves.put("up" + n, up);
      ups.add(up);
      if (config.upNormalization()) {
        SequentialBlock norm = new SequentialBlock();
        Block nb = norm("upnorm" + n);
        if (nb != null) {
          norm.add(nb);
        }
        norm.add(activation());
        upNorms.add(addChildBlock("upnorm" + n, norm));
      }
      decoders.add(addChildBlock("dec" + n, doubleConv("dec" + n, dec[i])));
    }
    head =
        addChildBlock(
            "head",
            Conv2d.builder().setKernelShape(new Shape(1, 1)).setFilters(config.classes()).build());
    leaves.put("head", head);
    if (config.init() == UNetConfig.Init.XAVIER) {
      setInitializer(
          new XavierInitializer(
              XavierInitializer.RandomType.UNIFORM, XavierInitializer.FactorType.AVG, 3),
          Parameter.Type.WEIGHT);
    } else {
      setInitializer(new KaimingUniform(), Parameter.Type.WEIGHT);
    }
  }

  /** A UNet block of the given configuration, not yet initialized. */
  public static UNetBlock of(UNetConfig config) {
    return new UNetBlock(config);
  }

  public UNetConfig config() {
    return config;
  }

  /**
   * Whether every layer but the head runs in inference mode (batch norm with its running
   * statistics, left unchanged) even when training: set while all but the head is frozen.
   */
  void inferenceNormalization(boolean inference) {
    this.inferenceNormalization = inference;
  }

  private Block doubleConv(String prefix, int channels) {
    SequentialBlock block = new SequentialBlock();
    int pad = config.padding() == UNetConfig.Padding.SAME ? 1 : 0;
    for (int k = 1; k <= 2; k++) {
      Conv2d conv =
          Conv2d.builder()
              .setKernelShape(new Shape(3, 3))
              .optPadding(new Shape(pad, pad))
              .setFilters(channels)
              .optBias(config.bias())
              .build();
      leaves.put(prefix + ".conv" + k, conv);
      block.add(conv);
      Block norm = norm(prefix + ".norm" + k);
      if (norm != null) {
        block.add(norm);
      }
      block.add(activation());
    }
    return block;
  }

  private Block norm(String name) {
    Block norm =
        switch (config.normalization()) {
          case BATCH ->
              BatchNorm.builder().optEpsilon((float) BATCH_NORM_EPSILON).optMomentum(0.9f).build();
          case INSTANCE -> new GroupNorm(0);
          case GROUP -> new GroupNorm(config.groups());
          case NONE -> null;
        };
    if (norm != null) {
      leaves.put(name, norm);
    }
    return norm;
  }

  private Block activation() {
    return switch (config.activation()) {
      case RELU -> Activation.reluBlock();
      case LEAKY -> Activation.leakyReluBlock(0.1f);
      case ELU -> Activation.eluBlock(1f);
    };
  }

  @Override
  protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
    Shape s = inputShapes[0];
    List<Shape> skips = new ArrayList<>();
    for (int i = 0; i < encoders.size(); i++) {
      if (i > 0) {
        s = pooled(s);
      }
      encoders.get(i).initialize(manager, dataType, s);
      s = encoders.get(i).getOutputShapes(new Shape[] {s})[0];
      skips.add(s);
    }
    s = pooled(s);
    bottleneck.initialize(manager, dataType, s);
    s = bottleneck.getOutputShapes(new Shape[] {s})[0];
    for (int i = 0; i < ups.size(); i++) {
      ups.get(i).initialize(manager, dataType, s);
      s = ups.get(i).getOutputShapes(new Shape[] {s})[0];
      if (!upNorms.isEmpty()) {
        upNorms.get(i).initialize(manager, dataType, s);
      }
      Shape skip = skips.get(skips.size() - 1 - i);
      s = new Shape(s.get(0), s.get(1) + skip.get(1), s.get(2), s.get(3));
      decoders.get(i).initialize(manager, dataType, s);
      s = decoders.get(i).getOutputShapes(new Shape[] {s})[0];
    }
    head.initialize(manager, dataType, s);
  }

  private static Shape pooled(Shape s) {
    return new Shape(s.get(0), s.get(1), s.get(2) / 2, s.get(3) / 2);
  }

  private static NDArray pool(NDArray x) {
    return Pool.maxPool2d(x, new Shape(2, 2), new Shape(2, 2), new Shape(0, 0), false);
  }

  @Override
  protected NDList forwardInternal(
      ParameterStore store, NDList inputs, boolean training, PairList<String, Object> params) {
    NDArray x = inputs.singletonOrThrow();
    boolean body = training && !inferenceNormalization;
    List<NDArray> skips = new ArrayList<>();
    for (int i = 0; i < encoders.size(); i++) {
      if (i > 0) {
        x = pool(x);
      }
      x = encoders.get(i).forward(store, new NDList(x), body).singletonOrThrow();
      skips.add(x);
    }
    x = bottleneck.forward(store, new NDList(pool(x)), body).singletonOrThrow();
    for (int i = 0; i < ups.size(); i++) {
      x = ups.get(i).forward(store, new NDList(x), body).singletonOrThrow();
      if (!upNorms.isEmpty()) {
        x = upNorms.get(i).forward(store, new NDList(x), body).singletonOrThrow();
      }
      NDArray skip = centreCrop(skips.get(skips.size() - 1 - i), x.getShape());
      NDList joined = config.skipFirst() ? new NDList(skip, x) : new NDList(x, skip);
      x =
          decoders
              .get(i)
              .forward(store, new NDList(NDArrays.concat(joined, 1)), body)
              .singletonOrThrow();
    }
    return head.forward(store, new NDList(x), training);
  }

  private static NDArray centreCrop(NDArray skip, Shape target) {
    long h = target.get(2);
    long w = target.get(3);
    long dh = (skip.getShape().get(2) - h) / 2;
    long dw = (skip.getShape().get(3) - w) / 2;
    if (dh == 0 && dw == 0) {
      return skip;
    }
    return skip.get(new NDIndex(":, :, {}:{}, {}:{}", dh, dh + h, dw, dw + w));
  }

  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    Shape s = inputShapes[0];
    int out = config.outputSize((int) s.get(2));
    int outW = config.outputSize((int) s.get(3));
    return new Shape[] {new Shape(s.get(0), config.classes(), out, outW)};
  }

  /**
   * The block's tensors by canonical name, in module order: trainable parameters and batch-norm
   * running statistics. Transposed up-step weights are held as DJL's {@code [4 out, in, 1, 1]};
   * {@link UNetWeights} converts from and to PyTorch's {@code [in, out, 2, 2]}.
   */
  public Map<String, Parameter> canonicalTensors() {
    Map<String, Parameter> out = new LinkedHashMap<>();
    for (Map.Entry<String, Block> e : leaves.entrySet()) {
      String p = e.getKey();
      Block leaf = e.getValue();
      if (leaf instanceof UpStep up) {
        out.put(p + ".weight", up.conv().getParameters().get("weight"));
        out.put(
            p + ".bias",
            up.transposed() ? up.shuffleBias() : up.conv().getParameters().get("bias"));
      } else if (leaf instanceof Conv2d conv) {
        out.put(p + ".weight", conv.getParameters().get("weight"));
        if (conv.getParameters().contains("bias")) {
          out.put(p + ".bias", conv.getParameters().get("bias"));
        }
      } else {
        var ps = leaf.getParameters();
        out.put(p + ".weight", ps.get("gamma"));
        out.put(p + ".bias", ps.get("beta"));
        if (ps.contains("runningMean")) {
          out.put(p + ".running_mean", ps.get("runningMean"));
          out.put(p + ".running_var", ps.get("runningVar"));
        }
      }
    }
    return Collections.unmodifiableMap(out);
  }

  /**
   * For inference: a block without batch normalization that computes what this one computes in
   * inference mode (running statistics), each normalization folded into the convolution or up step
   * before it (see {@link BatchNormFolding}; equal up to float rounding), initialized for {@code
   * inputShape} in {@code manager}. This block itself when its normalization is not batch
   * normalization (group and instance normalization use each sample's statistics: nothing to fold).
   */
  public UNetBlock foldBatchNorm(NDManager manager, Shape inputShape) {
    if (config.normalization() != UNetConfig.Normalization.BATCH) {
      return this;
    }
    UNetBlock folded =
        of(config.toBuilder().normalization(UNetConfig.Normalization.NONE).bias(true).build());
    folded.initialize(manager, DataType.FLOAT32, inputShape);
    Map<String, Parameter> source = canonicalTensors();
    for (Map.Entry<String, Parameter> e : folded.canonicalTensors().entrySet()) {
      String name = e.getKey();
      String layer = name.substring(0, name.lastIndexOf('.'));
      String norm =
          layer.matches("up\\d+") ? "upnorm" + layer.substring(2) : layer.replace(".conv", ".norm");
      Parameter target = e.getValue();
      float[] value;
      if (norm.equals(layer) || !source.containsKey(norm + ".running_mean")) {
        value = values(source.get(name));
      } else {
        Parameter bias = source.get(layer + ".bias");
        BatchNormFolding.Folded f =
            BatchNormFolding.fold(
                values(source.get(layer + ".weight")),
                bias == null ? null : values(bias),
                values(source.get(norm + ".weight")),
                values(source.get(norm + ".bias")),
                values(source.get(norm + ".running_mean")),
                values(source.get(norm + ".running_var")),
                BATCH_NORM_EPSILON);
        value = name.endsWith(".weight") ? f.weight() : f.bias();
      }
      TensorValues.overwrite(target.getArray(), value);
    }
    return folded;
  }

  private static float[] values(Parameter p) {
    return p.getArray().toType(DataType.FLOAT32, false).toFloatArray();
  }

  /** Number of trainable parameters (what PyTorch's {@code parameters()} counts). */
  public long trainableParameterCount() {
    long n = 0;
    for (var p : getParameters()) {
      if (p.getValue().requiresGradient()) {
        n += p.getValue().getShape().size();
      }
    }
    return n;
  }
}

package dev.landcover.workflows;

import dev.landcover.networks.UNetConfig;
import dev.landcover.pixels.PredictionTiling;
import java.lang.management.ManagementFactory;
import java.util.Locale;

/**
 * The inference chip, overlap and batch of a UNet for one scene, chosen for throughput within a
 * memory budget rather than copied from training.
 *
 * <p>Memory: {@link #bytesPerChip} is a conservative estimate of the float32 tensors of one forward
 * pass, as if every intermediate stayed alive: per input pixel, 4 bytes times the input bands, 6
 * tensors of each encoder level's channels (two convolutions, each followed by normalization and
 * activation), the same for the bottleneck and each decoder level plus its up step and the
 * concatenation with the skip, all at their level's resolution (1/4 of the pixels per level down),
 * and twice the classes (the logits and their copy in Java). A chip of {@code c} pixels and a batch
 * of {@code b} need {@code b * bytesPerChip(c)} at most the budget.
 *
 * <p>Chip: among the input sizes that pass through the UNet (multiples of its alignment), fit the
 * budget with the batch (1 when the batch is chosen too) and leave the overlap below the output
 * size, up to the scene's longer side rounded up to the alignment: the one whose tiling of the
 * scene costs least, counting the input pixels fed to the model plus {@link #CHIP_OVERHEAD} a chip;
 * the largest of those within 5% of the least. Overlap: the request's, else {@link #defaultOverlap}
 * of the model's edge reach. Batch: the request's, else as many chips as fit the budget, at most
 * the chips of one row of the tiling (a batch never spans rows).
 *
 * @param chip the model's input size
 * @param halo pixels the model loses at each side (0 for same padding)
 * @param overlap output pixels shared by neighbouring chips
 * @param batch chips per forward pass
 */
record InferenceGeometry(int chip, int halo, int overlap, int batch) {
  /**
   * The fixed cost of a chip (copying, a forward call's setup, stitching), counted as this many
   * input pixels: on the demo UNet, a chip costs about 6,700 pixels' worth on a 2-core CPU; 16,384
   * leans to larger chips.
   */
  static final long CHIP_OVERHEAD = 128 * 128;

  /** The default budget's cap: 2 GiB. */
  static final long DEFAULT_CAP = 2L << 30;

  /**
   * The default memory budget: a quarter of the machine's physical memory, at most {@link
   * #DEFAULT_CAP} (the machine is often shared, and larger chips gain little).
   */
  static long defaultMemory() {
    long total = Runtime.getRuntime().maxMemory();
    if (ManagementFactory.getOperatingSystemMXBean()
        instanceof com.sun.management.OperatingSystemMXBean os) {
      total = os.getTotalMemorySize();
    }
    return Math.min(DEFAULT_CAP, total / 4);
  }

  /**
   * The overlap of chips whose output is {@code core} pixels, when the request gives none: where
   * the model's edge reach {@code r} is known ({@link
   * dev.landcover.networks.ModelBundle#edgeReach}: the receptive radius for a same-padding UNet, 0
   * for valid padding), {@code 2 r} rounded up to a multiple of {@code alignment}, so that with
   * {@code CROP} blending (each chip keeps the pixels at least half the overlap in from its edges)
   * every pixel comes from a chip where it lies at least {@code r} in from the edge, and the
   * stitched logits equal one pass over the whole scene; smooth blends give those pixels most of
   * the weight. It is capped below the output size (at the largest multiple of the alignment below
   * {@code core}, or 0), where exactness is lost. Where the reach is unknown (TorchScript, ONNX,
   * graphs with resizes, instance or group normalization): a quarter of the output size.
   */
  static int defaultOverlap(java.util.OptionalInt reach, int alignment, int core) {
    if (reach.isEmpty()) {
      return core / 4;
    }
    int a = Math.max(1, alignment);
    int want = PredictionTiling.roundUp(2 * reach.getAsInt(), a);
    return want < core ? want : Math.max(0, (core - 1) / a * a);
  }

  /**
   * Why {@link #defaultOverlap} gave what it gave, for the geometry line {@code predict} prints.
   */
  static String overlapSource(java.util.OptionalInt reach, int alignment, int core) {
    if (reach.isEmpty()) {
      return "overlap a quarter of the output: receptive field unknown";
    }
    int overlap = defaultOverlap(reach, alignment, core);
    String from =
        "overlap from the receptive field: twice its radius "
            + reach.getAsInt()
            + " px, rounded up to a multiple of "
            + alignment;
    return PredictionTiling.roundUp(2 * reach.getAsInt(), Math.max(1, alignment)) == overlap
        ? from
        : from + ", capped below the output size " + core + " (not exact)";
  }

  /** The estimated bytes of one forward pass of a {@code chip x chip} input (see the class). */
  static long bytesPerChip(UNetConfig config, int chip) {
    int[] encoder = config.encoder();
    int[] decoder = config.decoder();
    double perPixel = config.bands() + 2.0 * config.classes();
    double scale = 1;
    for (int i = 0; i < encoder.length; i++) {
      perPixel += (6.0 * encoder[i] + 6.0 * decoder[i] + encoder[i] + 2.0 * decoder[i]) * scale;
      scale /= 4;
    }
    perPixel += 6.0 * config.bottleneck() * scale;
    return (long) Math.ceil(4 * perPixel * chip * (double) chip);
  }

  /** The smallest input size that passes through the UNet with an output of at least 1 pixel. */
  static int smallestChip(UNetConfig config, int alignment) {
    for (int c = alignment; ; c += alignment) {
      if (config.fits(c) && c - 2 * config.margin(c) > 0) {
        return c;
      }
    }
  }

  /**
   * Refuses a budget below one chip of the smallest size, and an overlap that is not below the
   * output of the largest chip the budget holds (usage errors naming the values).
   *
   * @param overlap the request's overlap, or null
   * @param batch the request's batch, or null
   */
  static void checkBudget(
      UNetConfig config, int alignment, long memory, Integer overlap, Integer batch) {
    int smallest = smallestChip(config, alignment);
    int chips = batch == null ? 1 : batch;
    long need = bytesPerChip(config, smallest) * chips;
    if (need > memory) {
      throw new IllegalArgumentException(
          "--memory "
              + human(memory)
              + " is too small for the model's smallest chip ("
              + smallest
              + " px"
              + (batch == null ? "" : ", batch " + batch)
              + "), which needs about "
              + human(need));
    }
    if (overlap == null) {
      return;
    }
    int largestCore = 0;
    for (int c = smallest; bytesPerChip(config, c) * chips <= memory; c += alignment) {
      if (config.fits(c)) {
        largestCore = c - 2 * config.margin(c);
        if (overlap < largestCore) {
          return;
        }
      }
    }
    throw new IllegalArgumentException(
        "--overlap "
            + overlap
            + " must be smaller than the output of the largest chip that fits --memory "
            + human(memory)
            + ": "
            + largestCore
            + " px");
  }

  /**
   * The geometry of a {@code width x height} scene.
   *
   * @param alignment chip sizes and origins are multiples of this
   * @param memory the budget in bytes
   * @param overlap the request's overlap, or null
   * @param batch the request's batch, or null
   */
  static InferenceGeometry choose(
      UNetConfig config,
      int alignment,
      int width,
      int height,
      long memory,
      Integer overlap,
      Integer batch) {
    return choose(
        config, alignment, width, height, memory, overlap, batch, Runtime.getRuntime().maxMemory());
  }

  /**
   * The Java heap held for one row of {@code chip x chip} chips across a scene {@code width} pixels
   * wide: the stitcher's blended logits and weights (counted for two chip heights, a margin over
   * the one the stitcher holds), and the image strip read ahead and its normalized copy (four float
   * copies of the bands). Wide scenes cap the chip by this as well as by the native budget.
   */
  static long stitchBytes(UNetConfig config, int width, int chip) {
    return (long) width * chip * Float.BYTES * (2L * (config.classes() + 1) + 4L * config.bands());
  }

  /**
   * As {@link #choose(UNetConfig, int, int, int, long, Integer, Integer)}, with chips also limited
   * so that {@link #stitchBytes} stays within half of {@code heap} (the JVM's maximum heap).
   */
  static InferenceGeometry choose(
      UNetConfig config,
      int alignment,
      int width,
      int height,
      long memory,
      Integer overlap,
      Integer batch,
      long heap) {
    int longest = PredictionTiling.roundUp(Math.max(width, height), alignment);
    java.util.OptionalInt reach = config.edgeReach();
    int best = -1;
    long bestPixels = Long.MAX_VALUE;
    long[] pixels = new long[0];
    int[] sizes = new int[0];
    int n = 0;
    for (int c = alignment; ; c += alignment) {
      if (!config.fits(c)) {
        continue;
      }
      int halo = config.margin(c);
      int core = c - 2 * halo;
      if (core <= 0) {
        continue;
      }
      if (bytesPerChip(config, c) * (batch == null ? 1 : batch) > memory) {
        break;
      }
      if (c > alignment && stitchBytes(config, width, c) > heap / 2) {
        break;
      }
      int o = overlap != null ? overlap : defaultOverlap(reach, alignment, core);
      if (o < core) {
        PredictionTiling t = PredictionTiling.of(width, height, c, halo, o, alignment);
        long chips = (long) t.columns() * t.rows();
        long fed = chips * (t.inputWidth() * (long) t.inputHeight() + CHIP_OVERHEAD);
        if (n == sizes.length) {
          sizes = java.util.Arrays.copyOf(sizes, Math.max(16, 2 * n));
          pixels = java.util.Arrays.copyOf(pixels, sizes.length);
        }
        sizes[n] = c;
        pixels[n++] = fed;
        bestPixels = Math.min(bestPixels, fed);
      }
      if (core >= longest && n > 0) {
        break;
      }
    }
    for (int i = 0; i < n; i++) {
      if (pixels[i] <= bestPixels * 1.05) {
        best = sizes[i];
      }
    }
    if (best < 0) {
      throw new IllegalArgumentException(
          "No chip of the model fits --memory "
              + human(memory)
              + (overlap == null ? "" : " with --overlap " + overlap)
              + (batch == null ? "" : " and --batch " + batch));
    }
    int halo = config.margin(best);
    int core = best - 2 * halo;
    int o = overlap != null ? overlap : defaultOverlap(reach, alignment, core);
    int b;
    if (batch != null) {
      b = batch;
    } else {
      PredictionTiling t = PredictionTiling.of(width, height, best, halo, o, alignment);
      long fit = memory / bytesPerChip(config, best);
      b = (int) Math.max(1, Math.min(fit, t.columns()));
    }
    return new InferenceGeometry(best, halo, o, b);
  }

  /** Bytes as a short text: {@code 1.5 GiB}, {@code 300 MiB}, {@code 12 KiB} or bytes. */
  static String human(long bytes) {
    if (bytes >= 1L << 30) {
      return String.format(Locale.ROOT, "%.1f GiB", bytes / (double) (1L << 30));
    }
    if (bytes >= 1L << 20) {
      return (bytes >> 20) + " MiB";
    }
    if (bytes >= 1L << 10) {
      return (bytes >> 10) + " KiB";
    }
    return bytes + " bytes";
  }
}

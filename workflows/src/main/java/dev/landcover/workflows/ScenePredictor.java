package dev.landcover.workflows;

import dev.landcover.geo.RasterWindow;
import dev.landcover.geo.SceneRaster;
import dev.landcover.networks.InputNormalization;
import dev.landcover.networks.SegmentationModel;
import dev.landcover.pixels.BlendWindow;
import dev.landcover.pixels.PixelWindow;
import dev.landcover.pixels.PredictionTiling;
import dev.landcover.pixels.RowStitcher;
import dev.landcover.pixels.support.Threads;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;

/**
 * Classifies a whole scene with a segmentation model, chip by chip, and stitches the chips' logits
 * without seams, streaming: the scene is read one row of chips at a time, and finished rows of mean
 * logits are handed to a {@link RowSink} as soon as no later chip can touch them. A wide scene is
 * taken in column blocks ({@link ColumnBlocks}), each top to bottom, so that what is held grows
 * with the block's width rather than the scene's; the rows are those of a whole-width pass.
 *
 * <p>Chips: input chips of {@code chipSize} pixels (the model's input); the model returns {@code
 * chipSize - 2 * halo} pixels (halo 0 for same-padding models). Output chips are laid {@code
 * stride} apart, the stride rounded down to a multiple of {@code alignment} (2^levels for a UNet:
 * max pooling makes the network shift-equivariant only by multiples of it), and the last row and
 * column are shifted back to the aligned position that still covers the scene's edge: they may
 * reach past it by less than {@code alignment} pixels. A scene smaller than one chip gets one chip
 * of its own size rounded up to the alignment. Pixels outside the scene (that margin and the halo)
 * are mirrored from inside it (reflection without repeating the edge pixel, the original U-Net's
 * overlap-tile strategy). With {@link BlendWindow#CROP} and an overlap of at least twice the
 * network's receptive radius, the stitched logits equal one forward pass over the whole scene
 * mirrored the same way.
 */
final class ScenePredictor {
  /**
   * Receives final rows of mean logits: the rows of the first column block top to bottom, then
   * those of the next ({@link ColumnBlocks}).
   */
  @FunctionalInterface
  interface RowSink {
    /**
     * @param x the scene column of the row's first pixel (its block's start)
     * @param y the scene row
     * @param logits mean logits, {@code [class * n + i]} for the {@code n = valid.length} pixels
     *     from {@code x}
     * @param valid which pixels of the row are real data in the input (see {@link RasterWindow})
     */
    void row(int x, int y, float[] logits, boolean[] valid) throws IOException;
  }

  /**
   * One long-lived thread reads ahead for every prediction: native allocations made by new threads
   * (zlib, libtorch) would each open a malloc arena and grow the process scene by scene.
   */
  private static final ExecutorService READ_AHEAD = Threads.singleDaemon("landcover-strip-reader");

  private final SegmentationModel model;
  private final int[] bands;
  private final InputNormalization normalizer;
  private final int classes;
  private final int chipSize;
  private final int halo;
  private final int overlap;
  private final int alignment;
  private final BlendWindow blend;
  private final int batch;
  private MappingRequest.TestTimeAugmentation tta = MappingRequest.TestTimeAugmentation.NONE;
  private boolean allBandsNoData;

  /**
   * @param bands 1-based scene bands fed to the model, in order
   * @param classes logits the model returns per pixel
   * @param chipSize the model's input size
   * @param halo pixels the model loses at each side (0 for same padding)
   * @param overlap output pixels shared by neighbouring chips
   * @param alignment chip origins are multiples of this (2^levels for a UNet; 1 when unknown)
   */
  ScenePredictor(
      SegmentationModel model,
      int[] bands,
      InputNormalization normalizer,
      int classes,
      int chipSize,
      int halo,
      int overlap,
      int alignment,
      BlendWindow blend,
      int batch) {
    PredictionTiling.checkOverlap(chipSize, halo, overlap);
    if (batch < 1) {
      throw new IllegalArgumentException("Batch must be at least 1: " + batch);
    }
    this.model = model;
    this.bands = bands.clone();
    this.normalizer = normalizer;
    this.classes = classes;
    this.chipSize = chipSize;
    this.halo = halo;
    this.overlap = overlap;
    this.alignment = Math.max(1, alignment);
    this.blend = blend;
    this.batch = batch;
  }

  /**
   * Test-time augmentation: each chip is also predicted transformed (flipped, or turned by quarter
   * turns and flipped), and the logits, transformed back, are averaged.
   */
  ScenePredictor withAugmentation(MappingRequest.TestTimeAugmentation tta) {
    this.tta = tta;
    return this;
  }

  /**
   * Which input pixels are nodata: by default a pixel is nodata when any band is (or NaN); with
   * {@code true}, only when all bands are.
   */
  ScenePredictor withNoDataWhenAllBands(boolean all) {
    this.allBandsNoData = all;
    return this;
  }

  /**
   * Predicts the scene, handing each final row of mean logits to {@code sink}: block after block of
   * {@code blocks}, each top to bottom.
   *
   * @param scratch the folder of the temporary files that carry chips across block edges (deleted
   *     before returning), or null for the system's temporary folder
   * @param progress called with (chips done, chips in all) after each batch, or null
   */
  void predict(
      SceneRaster scene,
      ColumnBlocks blocks,
      Path scratch,
      RowSink sink,
      java.util.function.BiConsumer<Integer, Integer> progress)
      throws IOException {
    int width = scene.width();
    int height = scene.height();
    PredictionTiling tiling =
        PredictionTiling.of(width, height, chipSize, halo, overlap, alignment);
    int coreW = tiling.coreWidth();
    int coreH = tiling.coreHeight();
    int[] colStarts = tiling.columnStarts();
    int[] rowStarts = tiling.rowStarts();
    int inW = tiling.inputWidth();
    int inH = tiling.inputHeight();
    int total = colStarts.length * rowStarts.length;
    int done = 0;
    int chipValues = bands.length * inH * inW;
    float[] input = new float[batch * chipValues];
    int plane = classes * coreH * coreW;
    // One input and one logits array for every batch, the smaller last batch of each chip row
    // included (tens of MB, which the JVM would otherwise allocate and collect batch after batch,
    // growing its heap with the length of the run and the width of the scene).
    float[] logits =
        tta == MappingRequest.TestTimeAugmentation.NONE ? new float[batch * plane] : null;
    float[] ghost = blocks.count() > 1 ? new float[plane] : null;
    // The strips are kept as read (the scene's own sample type) and each chip is normalized as it
    // is copied into the batch: no float copy of a whole strip, which grows with the scene's width.
    ChipReader chips = new ChipReader(width, height, inW, inH);
    ExecutorService reader = READ_AHEAD;
    SeamCarry carryIn = null;
    SeamCarry carryOut = null;
    try {
      PixelWindow[] reads = new PixelWindow[blocks.count()];
      for (int k = 0; k < reads.length; k++) {
        reads[k] = readColumns(blocks, k, colStarts, inW);
      }
      Future<Strip> next =
          reader.submit(
              () ->
                  readStrip(
                      scene,
                      reads[0],
                      stripTop(rowStarts, 0),
                      inH,
                      doneAbove(scene, rowStarts, 1),
                      null));
      // The strip of the chip row before, whose arrays the next read reuses: two strips
      // alternate instead of one new strip a chip row (megabytes each, which the collector
      // would take as humongous objects and the heap would grow with the length of the run).
      Strip used = null;
      for (int k = 0; k < blocks.count(); k++) {
        int x0 = blocks.start(k);
        int x1 = blocks.end(k);
        int first = blocks.firstColumn(colStarts, k);
        int last = blocks.firstColumn(colStarts, k + 1);
        // Chips of the block before that reach into this one (carried), and chips of this block
        // that reach into the next (to carry).
        int ghostFrom = first;
        while (ghostFrom > 0 && colStarts[ghostFrom - 1] + coreW > x0) {
          ghostFrom--;
        }
        int carryFrom = last;
        while (k + 1 < blocks.count()
            && carryFrom > first
            && colStarts[carryFrom - 1] + coreW > x1) {
          carryFrom--;
        }
        carryOut =
            carryFrom < last
                ? SeamCarry.create(scratch, x1, colStarts, classes, coreH, coreW)
                : null;
        RowStitcher stitcher =
            new RowStitcher(
                width, height, classes, rowStarts, colStarts, coreW, coreH, blend, x0, x1);
        float[] rowLogits = new float[classes * (x1 - x0)];
        int taken = 0;
        for (int r = 0; r < rowStarts.length; r++) {
          Strip strip = await(next);
          int nextBlock = r + 1 < rowStarts.length ? k : k + 1;
          int nextRow = r + 1 < rowStarts.length ? r + 1 : 0;
          if (nextBlock < blocks.count()) {
            PixelWindow columns = reads[nextBlock];
            int y1 = stripTop(rowStarts, nextRow);
            int release = doneAbove(scene, rowStarts, nextRow + 1);
            RasterWindow recycled = used == null ? null : used.data();
            next = reader.submit(() -> readStrip(scene, columns, y1, inH, release, recycled));
          }
          for (int c = ghostFrom; c < first; c++) {
            carryIn.read(c, ghost);
            stitcher.add(r, c, ghost, 0);
          }
          for (int c0 = first; c0 < last; c0 += batch) {
            int n = Math.min(batch, last - c0);
            for (int i = 0; i < n; i++) {
              chips.copy(strip, colStarts[c0 + i] - halo, input, i * chipValues);
            }
            SegmentationModel.Logits out = predictBatch(input, n, inH, inW, logits);
            checkShape(out, inH, inW, coreH, coreW);
            for (int i = 0; i < n; i++) {
              stitcher.add(r, c0 + i, out.values(), i * plane);
              if (c0 + i >= carryFrom) {
                carryOut.write(c0 + i, out.values(), i * plane);
              }
            }
            done += n;
            if (progress != null) {
              progress.accept(done, total);
            }
          }
          // Once per chip row: the row's forward passes leave freed tensors in the malloc arenas.
          SegmentationModel.releaseFreedNativeMemory();
          int finished = stitcher.endRow(r);
          for (; taken < finished; taken++) {
            stitcher.takeRow(taken, rowLogits);
            sink.row(x0, taken, rowLogits, strip.valid(taken, x0, x1, allBandsNoData));
          }
          used = strip;
        }
        if (carryIn != null) {
          carryIn.close();
        }
        carryIn = carryOut == null ? null : carryOut.rewind();
        carryOut = null;
      }
    } finally {
      if (carryIn != null) {
        carryIn.close();
      }
      if (carryOut != null) {
        carryOut.close();
      }
    }
  }

  private void checkShape(SegmentationModel.Logits out, int inH, int inW, int coreH, int coreW)
      throws IOException {
    if (out.height() != coreH || out.width() != coreW || out.classes() != classes) {
      throw new IOException(
          model
              + " returned "
              + out.classes()
              + " x "
              + out.height()
              + " x "
              + out.width()
              + " logits for "
              + inH
              + " x "
              + inW
              + " chips; expected "
              + classes
              + " x "
              + coreH
              + " x "
              + coreW);
    }
  }

  /**
   * The scene columns block {@code k} reads: its own columns, and the input of its own chips
   * (mirrored into the scene where they reach past its edges).
   */
  private PixelWindow readColumns(ColumnBlocks blocks, int k, int[] colStarts, int inW) {
    int lo = blocks.start(k);
    int hi = blocks.end(k) - 1;
    int width = blocks.width();
    for (int c = blocks.firstColumn(colStarts, k); c < blocks.firstColumn(colStarts, k + 1); c++) {
      for (int i = 0; i < inW; i++) {
        int x = PredictionTiling.reflect(colStarts[c] - halo + i, width);
        lo = Math.min(lo, x);
        hi = Math.max(hi, x);
      }
    }
    return new PixelWindow(lo, 0, hi - lo + 1, 1);
  }

  /**
   * The model's logits for a batch, averaged over the transforms of the test-time augmentation:
   * with FLIPS, transform {@code t} (0 to 3) flips left-right when bit 0 is set and top-bottom when
   * bit 1 is; with D4, transform {@code t} (0 to 7) flips left-right when {@code t >= 4}, then
   * turns {@code t % 4} quarter turns counter-clockwise. The logits of each are turned and flipped
   * back before they are summed.
   */
  private SegmentationModel.Logits predictBatch(float[] input, int n, int h, int w, float[] reuse) {
    SegmentationModel.Logits plain = model.predict(input, n, bands.length, h, w, reuse);
    int transforms =
        switch (tta) {
          case NONE -> 1;
          case FLIPS -> 4;
          case D4 -> 8;
        };
    if (transforms == 1) {
      return plain;
    }
    float[] sum = plain.values().clone();
    int oh = plain.height();
    int ow = plain.width();
    for (int t = 1; t < transforms; t++) {
      boolean fx = tta == MappingRequest.TestTimeAugmentation.D4 ? t >= 4 : (t & 1) != 0;
      boolean fy = tta == MappingRequest.TestTimeAugmentation.FLIPS && (t & 2) != 0;
      int turns = tta == MappingRequest.TestTimeAugmentation.D4 ? t % 4 : 0;
      float[] transformed =
          turn(flip(input, n * bands.length, h, w, fx, fy), n * bands.length, h, w, turns);
      float[] out = model.predict(transformed, n, bands.length, h, w).values();
      float[] back =
          flip(
              turn(out, n * plain.classes(), oh, ow, (4 - turns) % 4),
              n * plain.classes(),
              oh,
              ow,
              fx,
              fy);
      for (int i = 0; i < sum.length; i++) {
        sum[i] += back[i];
      }
    }
    for (int i = 0; i < sum.length; i++) {
      sum[i] /= transforms;
    }
    return new SegmentationModel.Logits(sum, plain.classes(), oh, ow);
  }

  /**
   * Square planes of {@code size x size} values turned {@code turns} quarter turns
   * counter-clockwise (as numpy's {@code rot90}: {@code out[y][x] = in[x][size - 1 - y]} for one
   * turn).
   */
  static float[] turn(float[] values, int planes, int h, int w, int turns) {
    if (turns == 0) {
      return values;
    }
    if (h != w) {
      throw new IllegalArgumentException("Quarter turns need square chips: " + w + "x" + h);
    }
    float[] in = values;
    for (int k = 0; k < turns; k++) {
      float[] out = new float[in.length];
      for (int p = 0; p < planes; p++) {
        int base = p * h * w;
        for (int y = 0; y < h; y++) {
          for (int x = 0; x < w; x++) {
            out[base + y * w + x] = in[base + x * w + (w - 1 - y)];
          }
        }
      }
      in = out;
    }
    return in;
  }

  /** Planes of {@code h x w} values mirrored left-right and/or top-bottom. */
  static float[] flip(float[] values, int planes, int h, int w, boolean fx, boolean fy) {
    if (!fx && !fy) {
      return values;
    }
    float[] out = new float[values.length];
    for (int p = 0; p < planes; p++) {
      for (int y = 0; y < h; y++) {
        int sy = fy ? h - 1 - y : y;
        for (int x = 0; x < w; x++) {
          out[(p * h + y) * w + x] = values[(p * h + sy) * w + (fx ? w - 1 - x : x)];
        }
      }
    }
    return out;
  }

  private static Strip await(Future<Strip> strip) throws IOException {
    return Threads.await(strip, "reading the scene");
  }

  /** The first input row of chip row {@code r}'s strip (negative above the scene). */
  private int stripTop(int[] rowStarts, int r) {
    return rowStarts[r] - halo;
  }

  /**
   * The scene rows above which nothing is read once the strips of chip rows before {@code r} are:
   * the top of chip row {@code r}'s strip, or the whole scene when there is no chip row {@code r}.
   */
  private int doneAbove(SceneRaster scene, int[] rowStarts, int r) {
    return r < rowStarts.length ? Math.max(0, stripTop(rowStarts, r)) : scene.height();
  }

  /**
   * The rows of the scene a strip of {@code h} input rows from scene row {@code y0} needs, in the
   * scene columns {@code columns} spans (rows outside the scene are mirrored from these), in the
   * scene's sample type, with their validity; the scene is then told that no row above {@code
   * releaseAbove} will be read again. The strip is a copy, so {@code releaseAbove} is the next
   * strip's top: the scene keeps decoded blocks only for the rows the next strip shares with this
   * one.
   */
  private Strip readStrip(
      SceneRaster scene,
      PixelWindow columns,
      int y0,
      int h,
      int releaseAbove,
      RasterWindow recycled)
      throws IOException {
    int ya = Math.max(0, y0);
    int yb = Math.min(scene.height(), y0 + h);
    RasterWindow data =
        scene.read(new PixelWindow(columns.x(), ya, columns.width(), yb - ya), bands, recycled);
    scene.releaseRowsAbove(releaseAbove);
    return new Strip(y0, data, ya);
  }

  /**
   * Copies chips out of strips into a batch, normalized, with the pixels outside the scene mirrored
   * from inside it ({@link PredictionTiling#reflect}); one per scene, on the model's thread.
   */
  private final class ChipReader {
    private final int sceneWidth;
    private final int sceneHeight;
    private final int chipWidth;
    private final int chipHeight;
    private final int[] columns;
    private final float[] row;

    ChipReader(int sceneWidth, int sceneHeight, int chipWidth, int chipHeight) {
      this.sceneWidth = sceneWidth;
      this.sceneHeight = sceneHeight;
      this.chipWidth = chipWidth;
      this.chipHeight = chipHeight;
      this.columns = new int[chipWidth];
      this.row = new float[Math.min(chipWidth, sceneWidth)];
    }

    /**
     * Copies the normalized chip whose input begins at scene column {@code x} (may be negative or
     * reach past the scene: mirrored) of {@code strip} into {@code out} at {@code offset}, channels
     * first: {@code out[offset + (band * chipHeight + y) * chipWidth + x]}.
     */
    void copy(Strip strip, int x, float[] out, int offset) {
      int lo = Integer.MAX_VALUE;
      int hi = Integer.MIN_VALUE;
      for (int i = 0; i < chipWidth; i++) {
        columns[i] = PredictionTiling.reflect(x + i, sceneWidth);
        lo = Math.min(lo, columns[i]);
        hi = Math.max(hi, columns[i]);
      }
      RasterWindow data = strip.data();
      int insideH = data.window().height();
      int dataX = data.window().x();
      for (int b = 0; b < bands.length; b++) {
        for (int y = 0; y < chipHeight; y++) {
          int sy = PredictionTiling.reflect(strip.y0() + y, sceneHeight) - strip.dataY0();
          if (sy < 0 || sy >= insideH) {
            sy = Math.max(0, Math.min(insideH - 1, sy));
          }
          data.rowToFloat(b, sy, lo - dataX, hi - lo + 1, row, 0);
          int o = offset + (b * chipHeight + y) * chipWidth;
          for (int i = 0; i < chipWidth; i++) {
            out[o + i] = normalizer.apply(b, row[columns[i] - lo]);
          }
        }
      }
    }
  }

  /**
   * A strip of input rows from scene row {@code y0} (above the scene when negative): the scene's
   * rows it needs, from row {@code dataY0}.
   */
  private record Strip(int y0, RasterWindow data, int dataY0) {
    /**
     * Which pixels of scene columns {@code [x0, x1)} of a scene row hold data: no band nodata (or
     * NaN), or with {@code allBands} at least one band not nodata; never a pixel the scene's mask
     * masks.
     */
    boolean[] valid(int sceneRow, int x0, int x1, boolean allBands) {
      boolean[] v = new boolean[x1 - x0];
      int r = sceneRow - dataY0;
      int dx = x0 - data.window().x();
      for (int i = 0; i < v.length; i++) {
        int x = dx + i;
        if (!allBands) {
          v[i] = data.isValid(x, r);
          continue;
        }
        for (int b = 0; b < data.bandCount() && !v[i] && !data.isMasked(x, r); b++) {
          double value = data.sample(b, x, r);
          v[i] = !Double.isNaN(value) && value != data.noData(b);
        }
      }
      return v;
    }
  }

  /**
   * Logits of the chips of one block that reach into the next, kept in a temporary file from the
   * time they are predicted until the next block stitches them: for each chip row in turn, for each
   * such chip left to right, the columns at and past the block edge, {@code [class][y][x]} floats.
   * Memory holds one chip; the file grows with the scene's height.
   */
  private static final class SeamCarry implements AutoCloseable {
    private final Path file;
    private final FileChannel channel;
    private final int edge;
    private final int[] colStarts;
    private final int classes;
    private final int chipHeight;
    private final int chipWidth;
    private final ByteBuffer buffer;

    private SeamCarry(
        Path file, int edge, int[] colStarts, int classes, int chipHeight, int chipWidth)
        throws IOException {
      this.file = file;
      this.edge = edge;
      this.colStarts = colStarts;
      this.classes = classes;
      this.chipHeight = chipHeight;
      this.chipWidth = chipWidth;
      this.buffer =
          ByteBuffer.allocate(classes * chipHeight * chipWidth * Float.BYTES)
              .order(ByteOrder.nativeOrder());
      this.channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
    }

    /** A carry across the block edge at scene column {@code edge}, in a file in {@code folder}. */
    static SeamCarry create(
        Path folder, int edge, int[] colStarts, int classes, int chipHeight, int chipWidth)
        throws IOException {
      Path file =
          folder == null
              ? Files.createTempFile(".landcover-seam-", ".tmp")
              : Files.createTempFile(folder, ".landcover-seam-", ".tmp");
      try {
        return new SeamCarry(file, edge, colStarts, classes, chipHeight, chipWidth);
      } catch (IOException | RuntimeException e) {
        Files.deleteIfExists(file);
        throw e;
      }
    }

    /** Appends the columns past the edge of chip column {@code column}'s logits. */
    void write(int column, float[] logits, int offset) throws IOException {
      int cut = edge - colStarts[column];
      int w = chipWidth - cut;
      java.nio.FloatBuffer f = buffer.clear().asFloatBuffer();
      for (int c = 0; c < classes; c++) {
        for (int y = 0; y < chipHeight; y++) {
          f.put(logits, offset + (c * chipHeight + y) * chipWidth + cut, w);
        }
      }
      buffer.limit(f.position() * Float.BYTES);
      while (buffer.hasRemaining()) {
        channel.write(buffer);
      }
    }

    /** This carry, to be read from its start. */
    SeamCarry rewind() throws IOException {
      channel.position(0);
      return this;
    }

    /**
     * Reads the next chip's columns past the edge into {@code chip} (chip column {@code column}, a
     * whole chip's logits; the columns before the edge are left as they are).
     */
    void read(int column, float[] chip) throws IOException {
      int cut = edge - colStarts[column];
      int w = chipWidth - cut;
      buffer.clear().limit(classes * chipHeight * w * Float.BYTES);
      while (buffer.hasRemaining()) {
        if (channel.read(buffer) < 0) {
          throw new IOException("the carried chips in " + file + " end early");
        }
      }
      java.nio.FloatBuffer f = buffer.flip().asFloatBuffer();
      for (int c = 0; c < classes; c++) {
        for (int y = 0; y < chipHeight; y++) {
          f.get(chip, (c * chipHeight + y) * chipWidth + cut, w);
        }
      }
    }

    @Override
    public void close() throws IOException {
      channel.close();
      Files.deleteIfExists(file);
    }
  }
}

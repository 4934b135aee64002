package dev.landcover.vectors.internal;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.IntBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;

/**
 * The 4-connected (or 8-connected) components of a whole class raster, optionally sieved, with the
 * component of every pixel kept in a temporary file rather than in memory.
 *
 * <p>{@link #label} reads the rows once, top to bottom, labelling them with {@link OpenPatches}
 * (labels of finished patches are recycled, so at most about {@code 2 * width} labels exist at a
 * time). Each row's labels go to the temporary file as they are found. A patch gets its number when
 * it is finished (no pixel of the next row continues it); at that point the labels of the row above
 * are written with, for each label, either its patch's number or the label it continues as in the
 * next row. Reading the file back from the last row to the first then turns every label into its
 * patch's number (the last row's patches are all finished), rewriting each row in place, and counts
 * each patch's pixels and which patches touch. Patches are numbered in the order of their first
 * pixel in row-major order, as a whole-scene union-find keeping the smallest label would number
 * them. The sieve then runs on the table of patches and {@link #readRow} reads the rows of
 * components from the file.
 *
 * <p>Memory: about {@code 2 * width} labels and a few rows of {@code width} ints, two longs and an
 * int per row of the raster (file offsets), and per patch of the scene its class, last row, pixel
 * count and number (about 24 bytes), with the sieve 8 bytes per pair of touching patches twice
 * (adjacency arrays, about three pairs per patch in a planar map) and about 20 bytes more; nothing
 * per pixel. The temporary file holds 4 bytes per pixel plus 8 per distinct label per row; it is
 * created in a given folder (that of the output), unlinked as soon as it is opened where the system
 * allows (so nothing is left behind even if the process is killed) and deleted on {@link #close}
 * otherwise.
 */
public final class Components implements Closeable {
  /** Rows of a class raster. */
  public interface Rows {
    /**
     * The classes of row {@code row} (0-based, rows asked for in order), -1 where nodata.
     *
     * @throws IOException when the row cannot be read or holds an invalid class
     */
    int[] row(int row) throws IOException;
  }

  private static final int BUFFER_BYTES = 1 << 20;

  private final int width;
  private final int height;
  private final boolean diagonals;
  private final Path spillPath;
  private final FileChannel spill;
  private long spillEnd;

  /** Where row r's labels (later its patches) start in the file, in bytes. */
  private final long[] rowOffset;

  /** Where row r's map (pairs of label and patch or next-row label) starts, and its pair count. */
  private final long[] mapOffset;

  private final int[] mapPairs;

  private final ByteBuffer writeBuffer;
  private long writeBufferStart;

  // Labelling: per label (recycled), its first pixel, and its patch once finished.
  private long[] firstPixel = new long[256];
  private int[] patchOfLabel = new int[256];
  private int[] finishedAtRow = new int[256];
  private int[] mapStamp = new int[256];
  private int currentRow;
  private OpenPatches open;

  // Per patch, numbered in order of finishing during labelling, then of first pixel.
  private int patchCount;
  private int[] patchClass = new int[1024];
  private int[] patchLastRow = new int[1024];
  private long[] patchFirstPixel = new long[1024];
  private long[] patchPixels;

  private int[] componentOfPatch;
  private int[] componentClass;
  private int[] componentLastRow;
  private long[] componentPixels;
  private int componentCount;
  private long mergedPatches;

  private ByteBuffer readBuffer;

  private Components(int width, int height, boolean diagonals, Path folder) throws IOException {
    this.width = width;
    this.height = height;
    this.diagonals = diagonals;
    this.rowOffset = new long[height];
    this.mapOffset = new long[height];
    this.mapPairs = new int[height];
    Files.createDirectories(folder);
    spillPath = Files.createTempFile(folder, ".landcover-", ".labels");
    FileChannel channel;
    try {
      channel =
          FileChannel.open(
              spillPath,
              StandardOpenOption.READ,
              StandardOpenOption.WRITE,
              StandardOpenOption.DELETE_ON_CLOSE);
    } catch (IOException | RuntimeException e) {
      Files.deleteIfExists(spillPath);
      throw e;
    }
    spill = channel;
    writeBuffer = ByteBuffer.allocateDirect(BUFFER_BYTES).order(ByteOrder.nativeOrder());
    readBuffer = ByteBuffer.allocateDirect(8 * width).order(ByteOrder.nativeOrder());
  }

  /**
   * Finds the components of a raster and, when {@code minPixels > 1}, sieves them: every component
   * smaller than {@code minPixels} pixels is merged into its largest neighbour (smallest first; a
   * tie goes to the neighbour whose first pixel comes first in row-major order), joining with it
   * the neighbours of the same class it then touches. A component without neighbours (surrounded by
   * nodata) stays.
   *
   * @param rows the raster's rows, read once in order
   * @param diagonals 8-connectivity: pixels touching at a corner are of one component when of one
   *     class, and neighbours when not (as {@code gdal_sieve.py -8}); else 4-connectivity
   * @param folder where the temporary file goes (created if missing)
   * @throws IOException when a row cannot be read or the temporary file cannot be written; the
   *     temporary file is then gone
   */
  public static Components label(
      Rows rows, int width, int height, long minPixels, boolean diagonals, Path folder)
      throws IOException {
    Components components = new Components(width, height, diagonals, folder);
    try {
      components.labelRows(rows);
      components.resolve(minPixels);
      return components;
    } catch (IOException | RuntimeException | Error e) {
      try {
        components.close();
      } catch (IOException suppressed) {
        e.addSuppressed(suppressed);
      }
      throw e;
    }
  }

  /** Deletes the temporary file. */
  @Override
  public void close() throws IOException {
    try {
      spill.close();
    } finally {
      Files.deleteIfExists(spillPath);
    }
  }

  /** The number of final components. */
  public int componentCount() {
    return componentCount;
  }

  /** How many patches the sieve merged into a neighbour (including same-class joins). */
  public long mergedPatches() {
    return mergedPatches;
  }

  /** The class of a final component. */
  public int componentClass(int component) {
    return componentClass[component];
  }

  /** The last row (0-based) holding pixels of a final component. */
  public int componentLastRow(int component) {
    return componentLastRow[component];
  }

  /** The number of pixels of a final component. */
  public long componentPixels(int component) {
    return componentPixels[component];
  }

  /**
   * Reads the final components of one row.
   *
   * @param row the row (0-based; any order)
   * @param out receives {@code width} component numbers, -1 where nodata
   */
  public void readRow(int row, int[] out) throws IOException {
    readInts(rowOffset[row], out, width);
    for (int x = 0; x < width; x++) {
      if (out[x] >= 0) {
        out[x] = componentOfPatch[out[x]];
      }
    }
  }

  // ---- Labelling (rows top to bottom) ----

  private final OpenPatches.Listener listener =
      new OpenPatches.Listener() {
        @Override
        public void joined(int loser, int winner) {
          firstPixel[winner] = Math.min(firstPixel[winner], firstPixel[loser]);
        }

        @Override
        public void allocated(int label, int column) {
          if (label >= firstPixel.length) {
            int n = Math.max(label + 1, firstPixel.length * 2);
            firstPixel = Arrays.copyOf(firstPixel, n);
            patchOfLabel = Arrays.copyOf(patchOfLabel, n);
            finishedAtRow = Arrays.copyOf(finishedAtRow, n);
            mapStamp = Arrays.copyOf(mapStamp, n);
          }
          firstPixel[label] = (long) currentRow * width + column;
          finishedAtRow[label] = -1;
        }
      };

  private void labelRows(Rows rows) throws IOException {
    open = new OpenPatches(listener, diagonals);
    OpenPatches.FinishedSink finished = this::finish;
    int[] prevClasses = null;
    int[] prevLabels = null;
    int[] labels = new int[width];
    int[] other = new int[width];
    int[] prevRoots = new int[width];
    int[] pairs = new int[2 * width];
    for (int r = 0; r <= height; r++) {
      currentRow = r;
      int[] classes = null;
      if (r < height) {
        classes = rows.row(r);
        open.labelRow(prevClasses, prevLabels, classes, labels);
        rowOffset[r] = spillEnd;
        writeInts(labels, width);
      } else {
        Arrays.fill(labels, -1);
      }
      for (int x = 0; x < width; x++) {
        prevRoots[x] = r == 0 || prevLabels[x] < 0 ? -1 : open.root(prevLabels[x]);
      }
      open.endRow(r, prevRoots, labels, finished);
      if (r > 0) {
        // Row r - 1's labels: the patch of each finished here, else the label it goes on as.
        int n = 0;
        for (int x = 0; x < width; x++) {
          int label = prevLabels[x];
          if (label < 0 || mapStamp[label] == r) {
            continue;
          }
          mapStamp[label] = r;
          int root = prevRoots[x];
          pairs[n++] = label;
          pairs[n++] = finishedAtRow[root] == r ? patchOfLabel[root] : -(root + 1);
        }
        mapOffset[r - 1] = spillEnd;
        mapPairs[r - 1] = n / 2;
        writeInts(pairs, n);
      }
      prevClasses = classes;
      int[] free = prevLabels == null ? other : prevLabels;
      prevLabels = labels;
      labels = free;
    }
    flush();
  }

  /** A patch of the row above the current one is finished: it gets the next number. */
  private void finish(int label) {
    if (patchCount == patchClass.length) {
      int n = patchCount * 2;
      patchClass = Arrays.copyOf(patchClass, n);
      patchLastRow = Arrays.copyOf(patchLastRow, n);
      patchFirstPixel = Arrays.copyOf(patchFirstPixel, n);
    }
    patchClass[patchCount] = open.classOf(label);
    patchLastRow[patchCount] = currentRow - 1;
    patchFirstPixel[patchCount] = firstPixel[label];
    patchOfLabel[label] = patchCount;
    finishedAtRow[label] = currentRow;
    patchCount++;
  }

  // ---- Resolving (rows bottom to top), sieve ----

  private void resolve(long minPixels) throws IOException {
    int labelCapacity = open.capacity();
    open = null;
    firstPixel = null;
    patchOfLabel = null;
    finishedAtRow = null;
    mapStamp = null;
    // Number patches by first pixel: rank of each patch in finishing order.
    int[] rank = new int[patchCount];
    long[] sorted = Arrays.copyOf(patchFirstPixel, patchCount);
    Arrays.sort(sorted);
    int[] classByRank = new int[patchCount];
    int[] lastByRank = new int[patchCount];
    for (int p = 0; p < patchCount; p++) {
      int k = Arrays.binarySearch(sorted, patchFirstPixel[p]);
      rank[p] = k;
      classByRank[k] = patchClass[p];
      lastByRank[k] = patchLastRow[p];
    }
    sorted = null;
    patchFirstPixel = null;
    patchClass = classByRank;
    patchLastRow = lastByRank;

    boolean sieve = minPixels > 1;
    patchPixels = new long[patchCount];
    PairBuffer touching = sieve ? new PairBuffer() : null;
    int[] patchOfNext = new int[labelCapacity];
    int[] patchOfCurrent = new int[labelCapacity];
    int[] map = new int[2 * width];
    int[] row = new int[width];
    int[] below = new int[width];
    for (int r = height - 1; r >= 0; r--) {
      int n = 2 * mapPairs[r];
      readInts(mapOffset[r], map, n);
      for (int i = 0; i < n; i += 2) {
        int v = map[i + 1];
        patchOfCurrent[map[i]] = v >= 0 ? rank[v] : patchOfNext[-v - 1];
      }
      readInts(rowOffset[r], row, width);
      long lastPair = -1;
      for (int x = 0; x < width; x++) {
        int label = row[x];
        if (label < 0) {
          continue;
        }
        int p = patchOfCurrent[label];
        row[x] = p;
        patchPixels[p]++;
        if (sieve) {
          if (x > 0 && row[x - 1] >= 0 && row[x - 1] != p) {
            lastPair = touching.add(row[x - 1], p, lastPair);
          }
          if (r < height - 1 && below[x] >= 0 && below[x] != p) {
            lastPair = touching.add(below[x], p, lastPair);
          }
          if (diagonals && r < height - 1) {
            if (x > 0 && below[x - 1] >= 0 && below[x - 1] != p) {
              lastPair = touching.add(below[x - 1], p, lastPair);
            }
            if (x + 1 < width && below[x + 1] >= 0 && below[x + 1] != p) {
              lastPair = touching.add(below[x + 1], p, lastPair);
            }
          }
        }
      }
      writeRowInPlace(rowOffset[r], row);
      int[] swap = patchOfNext;
      patchOfNext = patchOfCurrent;
      patchOfCurrent = swap;
      int[] swapRow = below;
      below = row;
      row = swapRow;
    }
    rank = null;
    int[] merged = new int[patchCount];
    for (int p = 0; p < patchCount; p++) {
      merged[p] = p;
    }
    long[] area = patchPixels;
    int[] last = Arrays.copyOf(patchLastRow, patchCount);
    if (sieve) {
      area = Arrays.copyOf(patchPixels, patchCount);
      sieve(touching, area, last, merged, minPixels);
    }
    componentOfPatch = new int[patchCount];
    int[] dense = new int[patchCount];
    Arrays.fill(dense, -1);
    int count = 0;
    int[] rootOfComponent = new int[patchCount];
    for (int p = 0; p < patchCount; p++) {
      int root = findIn(merged, p);
      if (dense[root] < 0) {
        rootOfComponent[count] = root;
        dense[root] = count++;
      }
      componentOfPatch[p] = dense[root];
    }
    componentClass = new int[count];
    componentLastRow = new int[count];
    componentPixels = new long[count];
    for (int i = 0; i < count; i++) {
      int root = rootOfComponent[i];
      componentClass[i] = patchClass[root];
      componentLastRow[i] = last[root];
      componentPixels[i] = area[root];
    }
    componentCount = count;
    patchClass = null;
    patchLastRow = null;
    patchPixels = null;
  }

  private static int findIn(int[] merged, int x) {
    int root = x;
    while (merged[root] != root) {
      root = merged[root];
    }
    while (merged[x] != root) {
      int next = merged[x];
      merged[x] = root;
      x = next;
    }
    return root;
  }

  /**
   * Merges small patches. A patch's neighbours are the union of those of the patches merged into it
   * (a list of members per patch, each with its touching patches in adjacency arrays), resolved to
   * the patches they now belong to.
   */
  private void sieve(PairBuffer touching, long[] area, int[] last, int[] merged, long minPixels) {
    int patches = patchCount;
    int[] classOf = patchClass;
    // Touching pairs of patches, both ways, as adjacency arrays.
    long[] pairs = touching.sortedUnique();
    int n = touching.count;
    int[] start = new int[patches + 1];
    for (int i = 0; i < n; i++) {
      start[(int) (pairs[i] >>> 32) + 1]++;
      start[(int) pairs[i] + 1]++;
    }
    for (int p = 0; p < patches; p++) {
      start[p + 1] += start[p];
    }
    int[] fill = Arrays.copyOf(start, patches);
    int[] adjacent = new int[2 * n];
    for (int i = 0; i < n; i++) {
      int a = (int) (pairs[i] >>> 32);
      int b = (int) pairs[i];
      adjacent[fill[a]++] = b;
      adjacent[fill[b]++] = a;
    }
    fill = null;
    pairs = null;
    touching.release();
    // Members of each merged patch: a linked list from the root.
    int[] nextMember = new int[patches];
    Arrays.fill(nextMember, -1);
    int[] lastMember = new int[patches];
    for (int p = 0; p < patches; p++) {
      lastMember[p] = p;
    }
    int smallCount = 0;
    for (int p = 0; p < patches; p++) {
      if (area[p] < minPixels) {
        smallCount++;
      }
    }
    // Smallest first, ties by number: area in the high bits, the patch in the low 31.
    long[] small = new long[smallCount];
    smallCount = 0;
    for (int p = 0; p < patches; p++) {
      if (area[p] < minPixels) {
        small[smallCount++] = (area[p] << 31) | p;
      }
    }
    Arrays.sort(small);
    int[] queue = new int[16];
    for (long key : small) {
      int s = (int) (key & 0x7fffffff);
      if (findIn(merged, s) != s || area[s] >= minPixels) {
        continue;
      }
      int best = -1;
      for (int m = s; m >= 0; m = nextMember[m]) {
        for (int i = start[m]; i < start[m + 1]; i++) {
          int r = findIn(merged, adjacent[i]);
          if (r == s) {
            continue;
          }
          if (best < 0 || area[r] > area[best] || (area[r] == area[best] && r < best)) {
            best = r;
          }
        }
      }
      if (best < 0) {
        continue;
      }
      int head = 0;
      int tail = 0;
      queue[tail++] = s;
      while (head < tail) {
        int m = findIn(merged, queue[head++]);
        if (m == best) {
          continue;
        }
        merged[m] = best;
        mergedPatches++;
        area[best] += area[m];
        last[best] = Math.max(last[best], last[m]);
        for (int k = m; k >= 0; k = nextMember[k]) {
          for (int i = start[k]; i < start[k + 1]; i++) {
            int r = findIn(merged, adjacent[i]);
            if (r != best && classOf[r] == classOf[best]) {
              if (tail == queue.length) {
                if (head > 0) {
                  System.arraycopy(queue, head, queue, 0, tail - head);
                  tail -= head;
                  head = 0;
                } else {
                  queue = Arrays.copyOf(queue, queue.length * 2);
                }
              }
              queue[tail++] = r;
            }
          }
        }
        nextMember[lastMember[best]] = m;
        lastMember[best] = lastMember[m];
      }
    }
  }

  /**
   * Pairs of touching patches (the smaller number in the high half), sorted and deduplicated
   * whenever the buffer fills, which grows only when more than half of it is left after that.
   */
  private static final class PairBuffer {
    private long[] pairs = new long[1024];
    private int count;

    long add(int a, int b, long lastPair) {
      long key = a < b ? ((long) a << 32) | b : ((long) b << 32) | a;
      if (key != lastPair) {
        if (count == pairs.length) {
          count = sortUnique(pairs, count);
          if (count > pairs.length / 2) {
            pairs = Arrays.copyOf(pairs, pairs.length * 2);
          }
        }
        pairs[count++] = key;
      }
      return key;
    }

    long[] sortedUnique() {
      count = sortUnique(pairs, count);
      return pairs;
    }

    void release() {
      pairs = null;
      count = 0;
    }

    /** Sorts {@code values[0..n)} and drops repeats; returns how many are left. */
    private static int sortUnique(long[] values, int n) {
      Arrays.sort(values, 0, n);
      int m = 0;
      for (int i = 0; i < n; i++) {
        if (m == 0 || values[i] != values[m - 1]) {
          values[m++] = values[i];
        }
      }
      return m;
    }
  }

  // ---- The temporary file ----

  /** Appends {@code values[0..n)} to the file (buffered). */
  private void writeInts(int[] values, int n) throws IOException {
    int done = 0;
    while (done < n) {
      if (writeBuffer.remaining() < 4) {
        flush();
      }
      int k = Math.min(n - done, writeBuffer.remaining() / 4);
      IntBuffer ints = writeBuffer.asIntBuffer();
      ints.put(values, done, k);
      writeBuffer.position(writeBuffer.position() + 4 * k);
      done += k;
    }
    spillEnd += 4L * n;
  }

  private void flush() throws IOException {
    writeBuffer.flip();
    long position = writeBufferStart;
    while (writeBuffer.hasRemaining()) {
      position += spill.write(writeBuffer, position);
    }
    writeBufferStart = position;
    writeBuffer.clear();
  }

  private void writeRowInPlace(long offset, int[] values) throws IOException {
    ByteBuffer buffer = readBuffer;
    buffer.clear();
    buffer.limit(4 * width);
    buffer.asIntBuffer().put(values, 0, width);
    long position = offset;
    while (buffer.hasRemaining()) {
      position += spill.write(buffer, position);
    }
  }

  private void readInts(long offset, int[] out, int n) throws IOException {
    ByteBuffer buffer = readBuffer;
    buffer.clear();
    buffer.limit(4 * n);
    long position = offset;
    while (buffer.hasRemaining()) {
      int read = spill.read(buffer, position);
      if (read < 0) {
        throw new IOException(spillPath + ": ended early (temporary label file)");
      }
      position += read;
    }
    buffer.flip();
    buffer.asIntBuffer().get(out, 0, n);
  }
}

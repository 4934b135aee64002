package dev.landcover.vectors.internal;

import java.util.Arrays;

/**
 * 4-connected (or 8-connected) components of a class raster, found row by row (two passes over the
 * rows, one row and the row above in memory at a time), with an optional sieve.
 *
 * <p>Pass 1 ({@link #labelRow} with {@code firstPass}) gives every pixel a provisional label: the
 * label of its left neighbour when of the same class, else of its upper neighbour when of the same
 * class, else a new one; when both neighbours are of the pixel's class with different labels, the
 * labels are joined (union-find). {@link #resolve} then turns the provisional labels into final
 * components. Pass 2 labels the rows again: the provisional labels come out the same (they depend
 * on the pixels only) and {@link #component} maps them to final components. Memory grows with the
 * number of provisional labels (about the number of patches and their concavities: 20 bytes each in
 * pass 1, about 30 more while resolving) and, with the sieve, with the pairs of touching labels (8
 * to 16 bytes each, sorted and deduplicated whenever the buffer fills, then 8 bytes per pair of
 * touching patches as adjacency arrays), all in primitive arrays; not with the number of pixels.
 */
public final class Components {
  private int[] parent = new int[1024];
  private long[] pixels = new long[1024];
  private int[] classOf = new int[1024];
  private int[] lastRow = new int[1024];
  private int labels;
  private int nextLabel;
  private final boolean trackNeighbours;
  private final boolean diagonals;

  /** Touching label pairs (smaller label in the high half), sorted and unique up to pairsSorted. */
  private long[] pairs = new long[1024];

  private int pairCount;

  /** Pass 1: new labels are added to the table, and labels are joined. */
  private final RowLabelling.Labels firstPassLabels =
      new RowLabelling.Labels() {
        @Override
        public int allocate(int cls) {
          add(cls);
          return nextLabel++;
        }

        @Override
        public void union(int a, int b) {
          Components.this.union(a, b);
        }
      };

  /** Pass 2: labels come out as in pass 1, the table is not touched. */
  private final RowLabelling.Labels secondPassLabels =
      new RowLabelling.Labels() {
        @Override
        public int allocate(int cls) {
          return nextLabel++;
        }

        @Override
        public void union(int a, int b) {}
      };

  private int[] finalOf;
  private int[] componentClass;
  private int[] componentLastRow;
  private long[] componentPixels;
  private int componentCount;
  private long mergedPatches;

  /**
   * @param trackNeighbours whether to record which labels touch (needed for the sieve)
   */
  public Components(boolean trackNeighbours) {
    this(trackNeighbours, false);
  }

  /**
   * @param trackNeighbours whether to record which labels touch (needed for the sieve)
   * @param diagonals 8-connectivity: pixels touching at a corner are of one component when of one
   *     class, and neighbours when not
   */
  public Components(boolean trackNeighbours, boolean diagonals) {
    this.trackNeighbours = trackNeighbours;
    this.diagonals = diagonals;
  }

  /**
   * Labels one row.
   *
   * @param row the row index
   * @param prevClasses classes of the row above (-1 for nodata), or null for the first row
   * @param prevLabels labels of the row above, or null for the first row
   * @param classes classes of this row, -1 where nodata
   * @param out receives the labels of this row (-1 where nodata)
   * @param firstPass whether this is pass 1 (joins labels and counts pixels)
   */
  public void labelRow(
      int row, int[] prevClasses, int[] prevLabels, int[] classes, int[] out, boolean firstPass) {
    RowLabelling.labelRow(
        prevClasses,
        prevLabels,
        classes,
        out,
        firstPass ? firstPassLabels : secondPassLabels,
        diagonals);
    if (!firstPass) {
      return;
    }
    long lastPair = -1;
    for (int x = 0; x < classes.length; x++) {
      int c = classes[x];
      int label = out[x];
      if (c < 0) {
        continue;
      }
      pixels[label]++;
      lastRow[label] = row;
      if (trackNeighbours) {
        if (x > 0 && classes[x - 1] >= 0 && classes[x - 1] != c) {
          lastPair = pair(out[x - 1], label, lastPair);
        }
        if (prevClasses != null && prevClasses[x] >= 0 && prevClasses[x] != c) {
          lastPair = pair(prevLabels[x], label, lastPair);
        }
        if (diagonals && prevClasses != null) {
          if (x > 0 && prevClasses[x - 1] >= 0 && prevClasses[x - 1] != c) {
            lastPair = pair(prevLabels[x - 1], label, lastPair);
          }
          if (x + 1 < classes.length && prevClasses[x + 1] >= 0 && prevClasses[x + 1] != c) {
            lastPair = pair(prevLabels[x + 1], label, lastPair);
          }
        }
      }
    }
  }

  private long pair(int a, int b, long lastPair) {
    long key = a < b ? ((long) a << 32) | b : ((long) b << 32) | a;
    if (key != lastPair) {
      if (pairCount == pairs.length) {
        pairCount = sortUnique(pairs, pairCount);
        if (pairCount > pairs.length / 2) {
          pairs = Arrays.copyOf(pairs, pairs.length * 2);
        }
      }
      pairs[pairCount++] = key;
    }
    return key;
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

  /** Starts pass 2: provisional labels are handed out again from the first. */
  public void startSecondPass() {
    nextLabel = 0;
  }

  private void add(int cls) {
    if (labels == parent.length) {
      int n = labels * 2;
      parent = Arrays.copyOf(parent, n);
      pixels = Arrays.copyOf(pixels, n);
      classOf = Arrays.copyOf(classOf, n);
      lastRow = Arrays.copyOf(lastRow, n);
    }
    parent[labels] = labels;
    classOf[labels] = cls;
    labels++;
  }

  private int find(int label) {
    int root = label;
    while (parent[root] != root) {
      root = parent[root];
    }
    while (parent[label] != root) {
      int next = parent[label];
      parent[label] = root;
      label = next;
    }
    return root;
  }

  private void union(int a, int b) {
    int ra = find(a);
    int rb = find(b);
    if (ra != rb) {
      parent[Math.max(ra, rb)] = Math.min(ra, rb);
    }
  }

  /**
   * Ends pass 1: joins labels into components, then, when {@code minPixels > 1}, merges every
   * component smaller than {@code minPixels} pixels into its largest neighbour (smallest first; a
   * tie goes to the neighbour found first in row order), joining with it the neighbours of the same
   * class it then touches. A component without neighbours (surrounded by nodata) stays.
   *
   * @return the number of final components
   */
  public int resolve(long minPixels) {
    int[] rootOf = new int[labels];
    for (int l = 0; l < labels; l++) {
      rootOf[l] = find(l);
    }
    // Aggregate per root (roots are the smallest label of their component).
    long[] area = new long[labels];
    int[] last = new int[labels];
    Arrays.fill(last, -1);
    for (int l = 0; l < labels; l++) {
      int r = rootOf[l];
      area[r] += pixels[l];
      last[r] = Math.max(last[r], lastRow[l]);
    }
    int[] merged = new int[labels];
    for (int l = 0; l < labels; l++) {
      merged[l] = l;
    }
    if (minPixels > 1 && trackNeighbours) {
      pairCount = sortUnique(pairs, pairCount);
      sieve(rootOf, area, last, merged, minPixels);
    }
    finalOf = new int[labels];
    int[] dense = new int[labels];
    Arrays.fill(dense, -1);
    int count = 0;
    int[] rootOfComponent = new int[labels];
    for (int l = 0; l < labels; l++) {
      int r = findIn(merged, rootOf[l]);
      if (dense[r] < 0) {
        rootOfComponent[count] = r;
        dense[r] = count++;
      }
      finalOf[l] = dense[r];
    }
    componentClass = new int[count];
    componentLastRow = new int[count];
    componentPixels = new long[count];
    for (int i = 0; i < count; i++) {
      int r = rootOfComponent[i];
      componentClass[i] = classOf[r];
      componentLastRow[i] = last[r];
      componentPixels[i] = area[r];
    }
    pairs = new long[0];
    pairCount = 0;
    componentCount = count;
    return count;
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
  private void sieve(int[] rootOf, long[] area, int[] last, int[] merged, long minPixels) {
    // Touching pairs of patches (roots), both ways, as adjacency arrays.
    int n = 0;
    for (int i = 0; i < pairCount; i++) {
      int a = rootOf[(int) (pairs[i] >>> 32)];
      int b = rootOf[(int) pairs[i]];
      if (a != b) {
        pairs[n++] = a < b ? ((long) a << 32) | b : ((long) b << 32) | a;
      }
    }
    n = sortUnique(pairs, n);
    int[] start = new int[labels + 1];
    for (int i = 0; i < n; i++) {
      start[(int) (pairs[i] >>> 32) + 1]++;
      start[(int) pairs[i] + 1]++;
    }
    for (int l = 0; l < labels; l++) {
      start[l + 1] += start[l];
    }
    int[] fill = Arrays.copyOf(start, labels);
    int[] adjacent = new int[2 * n];
    for (int i = 0; i < n; i++) {
      int a = (int) (pairs[i] >>> 32);
      int b = (int) pairs[i];
      adjacent[fill[a]++] = b;
      adjacent[fill[b]++] = a;
    }
    fill = null;
    pairs = new long[0];
    pairCount = 0;
    // Members of each merged patch: a linked list from the root.
    int[] nextMember = new int[labels];
    Arrays.fill(nextMember, -1);
    int[] lastMember = new int[labels];
    for (int l = 0; l < labels; l++) {
      lastMember[l] = l;
    }
    int smallCount = 0;
    for (int l = 0; l < labels; l++) {
      if (rootOf[l] == l && area[l] < minPixels) {
        smallCount++;
      }
    }
    // Smallest first, ties by label: area in the high bits, the label in the low 31.
    long[] small = new long[smallCount];
    smallCount = 0;
    for (int l = 0; l < labels; l++) {
      if (rootOf[l] == l && area[l] < minPixels) {
        small[smallCount++] = (area[l] << 31) | l;
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

  /** The number of final components (after {@link #resolve}). */
  public int componentCount() {
    return componentCount;
  }

  /** How many patches the sieve merged into a neighbour (including same-class joins). */
  public long mergedPatches() {
    return mergedPatches;
  }

  /** The final component of a provisional label (after {@link #resolve}). */
  public int component(int label) {
    return finalOf[label];
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
}

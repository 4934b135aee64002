package dev.landcover.vectors.internal;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * 4-connected components of a class raster, found row by row (two passes over the rows, one row and
 * the row above in memory at a time), with an optional sieve.
 *
 * <p>Pass 1 ({@link #labelRow} with {@code firstPass}) gives every pixel a provisional label: the
 * label of its left neighbour when of the same class, else of its upper neighbour when of the same
 * class, else a new one; when both neighbours are of the pixel's class with different labels, the
 * labels are joined (union-find). {@link #resolve} then turns the provisional labels into final
 * components. Pass 2 labels the rows again: the provisional labels come out the same (they depend
 * on the pixels only) and {@link #component} maps them to final components. Memory grows with the
 * number of provisional labels (about the number of patches and their concavities), not with the
 * number of pixels.
 */
public final class Components {
  private int[] parent = new int[1024];
  private long[] pixels = new long[1024];
  private int[] classOf = new int[1024];
  private int[] lastRow = new int[1024];
  private int labels;
  private int nextLabel;
  private final boolean trackNeighbours;
  private final Set<Long> neighbourPairs = new HashSet<>();

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
    this.trackNeighbours = trackNeighbours;
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
    long lastPair = -1;
    for (int x = 0; x < classes.length; x++) {
      int c = classes[x];
      if (c < 0) {
        out[x] = -1;
        continue;
      }
      int label = -1;
      if (x > 0 && classes[x - 1] == c) {
        label = out[x - 1];
      }
      if (prevClasses != null && prevClasses[x] == c) {
        int up = prevLabels[x];
        if (label < 0) {
          label = up;
        } else if (firstPass && label != up) {
          union(label, up);
        }
      }
      if (label < 0) {
        label = nextLabel++;
        if (firstPass) {
          add(c);
        }
      }
      out[x] = label;
      if (firstPass) {
        pixels[label]++;
        lastRow[label] = row;
        if (trackNeighbours) {
          if (x > 0 && classes[x - 1] >= 0 && classes[x - 1] != c) {
            lastPair = pair(out[x - 1], label, lastPair);
          }
          if (prevClasses != null && prevClasses[x] >= 0 && prevClasses[x] != c) {
            lastPair = pair(prevLabels[x], label, lastPair);
          }
        }
      }
    }
  }

  private long pair(int a, int b, long lastPair) {
    long key = a < b ? ((long) a << 32) | b : ((long) b << 32) | a;
    if (key != lastPair) {
      neighbourPairs.add(key);
    }
    return key;
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
      sieve(rootOf, area, last, merged, minPixels);
    }
    finalOf = new int[labels];
    int[] dense = new int[labels];
    Arrays.fill(dense, -1);
    int count = 0;
    List<int[]> info = new ArrayList<>();
    for (int l = 0; l < labels; l++) {
      int r = findIn(merged, rootOf[l]);
      if (dense[r] < 0) {
        dense[r] = count++;
        info.add(new int[] {r});
      }
      finalOf[l] = dense[r];
    }
    componentClass = new int[count];
    componentLastRow = new int[count];
    componentPixels = new long[count];
    for (int i = 0; i < count; i++) {
      int r = info.get(i)[0];
      componentClass[i] = classOf[r];
      componentLastRow[i] = last[r];
      componentPixels[i] = area[r];
    }
    neighbourPairs.clear();
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

  private void sieve(int[] rootOf, long[] area, int[] last, int[] merged, long minPixels) {
    Map<Integer, Set<Integer>> neighbours = new HashMap<>();
    for (long key : neighbourPairs) {
      int a = rootOf[(int) (key >>> 32)];
      int b = rootOf[(int) key];
      if (a != b) {
        neighbours.computeIfAbsent(a, k -> new HashSet<>()).add(b);
        neighbours.computeIfAbsent(b, k -> new HashSet<>()).add(a);
      }
    }
    List<Integer> small = new ArrayList<>();
    for (int l = 0; l < labels; l++) {
      if (rootOf[l] == l && area[l] < minPixels) {
        small.add(l);
      }
    }
    small.sort(
        (a, b) -> area[a] != area[b] ? Long.compare(area[a], area[b]) : Integer.compare(a, b));
    for (int s : small) {
      if (findIn(merged, s) != s || area[s] >= minPixels) {
        continue;
      }
      int best = -1;
      for (int n : neighbours.getOrDefault(s, Set.of())) {
        int r = findIn(merged, n);
        if (r == s) {
          continue;
        }
        if (best < 0 || area[r] > area[best] || (area[r] == area[best] && r < best)) {
          best = r;
        }
      }
      if (best < 0) {
        continue;
      }
      ArrayDeque<Integer> absorb = new ArrayDeque<>();
      absorb.add(s);
      while (!absorb.isEmpty()) {
        int m = findIn(merged, absorb.poll());
        if (m == best) {
          continue;
        }
        merged[m] = best;
        mergedPatches++;
        area[best] += area[m];
        last[best] = Math.max(last[best], last[m]);
        Set<Integer> bestNeighbours = neighbours.computeIfAbsent(best, k -> new HashSet<>());
        for (int n : neighbours.getOrDefault(m, Set.of())) {
          int r = findIn(merged, n);
          if (r == best) {
            continue;
          }
          bestNeighbours.add(r);
          if (classOf[r] == classOf[best]) {
            absorb.add(r);
          }
        }
        neighbours.remove(m);
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

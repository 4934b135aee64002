package dev.landcover.vectors.internal;

import java.io.IOException;
import java.util.Arrays;

/**
 * 4-connected (or 8-connected) components of a class raster found in one pass over the rows,
 * keeping only the patches open across the current row: memory grows with the raster's width, not
 * its height.
 *
 * <p>{@link #labelRow} labels a row from the row above (union-find: the label of the left neighbour
 * of the same class, else of the upper one, joining the two when they differ ({@link
 * RowLabelling}); the {@link Listener} is told, so that for instance the losing label's closed
 * rings move to the winner in a {@link BoundaryTracer}) and rewrites the row to root labels. {@link
 * #endRow} then reports every patch of the row above that no pixel of this row continues (no later
 * row can reach it, so it is finished) and recycles its label and the labels joined away during the
 * row. After each row every live label is a root present in that row, so at most {@code width}
 * labels are live, and the label table holds at most about {@code 2 * width} entries whatever the
 * height.
 */
public final class OpenPatches {
  /** Receives a finished patch (its label is recycled after the call). */
  public interface FinishedSink {
    void accept(int label) throws IOException;
  }

  /** Told of what happens to labels while a row is labelled. */
  public interface Listener {
    /** Label {@code loser} was joined into {@code winner} (the smaller of the two roots). */
    void joined(int loser, int winner);

    /** Label {@code label} was handed out to the pixel at {@code column} of the row. */
    default void allocated(int label, int column) {}
  }

  private int[] parent = new int[256];
  private int[] classOf = new int[256];
  private int[] seenRow = new int[256];
  private int[] doneRow = new int[256];
  private int capacity;
  private int[] free = new int[256];
  private int freeCount;
  private int[] joined = new int[256];
  private int joinedCount;
  private final Listener listener;
  private final boolean diagonals;
  private final RowLabelling.Labels labels =
      new RowLabelling.Labels() {
        @Override
        public int allocate(int cls, int column) {
          int label = OpenPatches.this.allocate(cls);
          listener.allocated(label, column);
          return label;
        }

        @Override
        public void union(int a, int b) {
          OpenPatches.this.union(a, b);
        }
      };

  /**
   * @param listener receives the joins of labels (for a {@link BoundaryTracer}: the loser's edges
   *     move to the winner) and the new labels
   * @param diagonals whether pixels of one class touching only at a corner are one patch
   *     (8-connectivity) rather than two (4-connectivity)
   */
  public OpenPatches(Listener listener, boolean diagonals) {
    this.listener = listener;
    this.diagonals = diagonals;
  }

  /**
   * Labels one row and rewrites it to root labels.
   *
   * @param prevClasses classes of the row above (-1 for nodata), or null for the first row
   * @param prevLabels root labels of the row above as this method left them, or null
   * @param classes classes of this row, -1 where nodata
   * @param out receives the root labels of this row (-1 where nodata)
   */
  public void labelRow(int[] prevClasses, int[] prevLabels, int[] classes, int[] out) {
    RowLabelling.labelRow(prevClasses, prevLabels, classes, out, labels, diagonals);
    for (int x = 0; x < out.length; x++) {
      if (out[x] >= 0) {
        out[x] = root(out[x]);
      }
    }
  }

  /**
   * Ends row {@code row}: hands every patch of the row above that this row does not continue to
   * {@code sink}, then recycles the labels of finished patches and of labels joined away.
   *
   * @param row the row just labelled (or the raster's height, after the last row)
   * @param prevRoots the row above's labels as roots now ({@link #root}), -1 for nodata
   * @param roots this row's labels from {@link #labelRow}, all -1 after the last row
   */
  public void endRow(int row, int[] prevRoots, int[] roots, FinishedSink sink) throws IOException {
    for (int label : roots) {
      if (label >= 0) {
        seenRow[label] = row;
      }
    }
    for (int label : prevRoots) {
      if (label >= 0 && seenRow[label] != row && doneRow[label] != row) {
        doneRow[label] = row;
        sink.accept(label);
        release(label);
      }
    }
    for (int i = 0; i < joinedCount; i++) {
      release(joined[i]);
    }
    joinedCount = 0;
  }

  /** The root label of a label's patch as joined so far. */
  public int root(int label) {
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

  /** The class of a (root) label. */
  public int classOf(int label) {
    return classOf[label];
  }

  /** The size of the label table (labels ever handed out at the same time, live or recycled). */
  public int capacity() {
    return capacity;
  }

  private void union(int a, int b) {
    int ra = root(a);
    int rb = root(b);
    if (ra == rb) {
      return;
    }
    int winner = Math.min(ra, rb);
    int loser = Math.max(ra, rb);
    parent[loser] = winner;
    listener.joined(loser, winner);
    if (joinedCount == joined.length) {
      joined = Arrays.copyOf(joined, joinedCount * 2);
    }
    joined[joinedCount++] = loser;
  }

  private int allocate(int cls) {
    int label;
    if (freeCount > 0) {
      label = free[--freeCount];
    } else {
      if (capacity == parent.length) {
        int n = capacity * 2;
        parent = Arrays.copyOf(parent, n);
        classOf = Arrays.copyOf(classOf, n);
        seenRow = Arrays.copyOf(seenRow, n);
        doneRow = Arrays.copyOf(doneRow, n);
      }
      label = capacity++;
    }
    parent[label] = label;
    classOf[label] = cls;
    seenRow[label] = -1;
    doneRow[label] = -1;
    return label;
  }

  private void release(int label) {
    if (freeCount == free.length) {
      free = Arrays.copyOf(free, freeCount * 2);
    }
    free[freeCount++] = label;
  }
}

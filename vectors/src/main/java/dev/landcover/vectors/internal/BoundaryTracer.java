package dev.landcover.vectors.internal;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The outlines of 4-connected components, collected row by row as directed pixel edges and joined
 * into rings once a component's last row has passed.
 *
 * <p>Vertices are pixel corners in pixel coordinates (x right, y down; corner (x, y) is the upper
 * left corner of pixel (x, y)). Each boundary edge is directed with its component on the right when
 * looking along it in these y-down coordinates, so shells have a positive and holes a negative
 * shoelace area. Where a component touches itself only at a corner, the walk turns to the right
 * (towards the component: pixels meeting at a corner are not connected, 4-connectivity), and a walk
 * that comes back to a vertex it passed is cut there into simple rings, so that shells and holes
 * may touch at a vertex (valid in the OGC simple-features model) but no ring touches itself.
 */
public final class BoundaryTracer {
  /** Receives the rings of a finished component. */
  public interface RingSink {
    /**
     * @param component the component
     * @param shell the outer ring, closed (first vertex repeated), as x,y pairs in pixel units
     * @param holes the inner rings, closed
     */
    void accept(int component, int[] shell, List<int[]> holes) throws java.io.IOException;
  }

  private final Map<Integer, EdgeList> open = new HashMap<>();

  /** Adds the edge from (x0, y0) to (x1, y1) to a component. */
  public void edge(int component, int x0, int y0, int x1, int y1) {
    open.computeIfAbsent(component, k -> new EdgeList()).add(x0, y0, x1, y1);
  }

  /**
   * Moves the edges collected for component {@code from} to component {@code into} (two provisional
   * components found to be one); the shorter list is appended to the longer.
   */
  public void merge(int from, int into) {
    EdgeList moved = open.remove(from);
    if (moved == null) {
      return;
    }
    EdgeList kept = open.get(into);
    if (kept == null) {
      open.put(into, moved);
    } else if (moved.size > kept.size) {
      moved.addAll(kept);
      open.put(into, moved);
    } else {
      kept.addAll(moved);
    }
  }

  /** How many components have edges waiting. */
  public int openComponents() {
    return open.size();
  }

  /** Joins the edges of a finished component into rings and hands them to {@code sink}. */
  public void finish(int component, RingSink sink) throws java.io.IOException {
    EdgeList edges = open.remove(component);
    if (edges == null) {
      throw new IllegalStateException("Component " + component + " has no boundary");
    }
    int n = edges.size;
    int[] e = edges.data;
    Map<Long, int[]> outgoing = new HashMap<>(n * 2);
    for (int i = 0; i < n; i++) {
      long key = key(e[4 * i], e[4 * i + 1]);
      int[] list = outgoing.get(key);
      if (list == null) {
        outgoing.put(key, new int[] {i});
      } else {
        int[] more = Arrays.copyOf(list, list.length + 1);
        more[list.length] = i;
        outgoing.put(key, more);
      }
    }
    boolean[] used = new boolean[n];
    int[] shell = null;
    List<int[]> holes = new ArrayList<>();
    for (int first = 0; first < n; first++) {
      if (used[first]) {
        continue;
      }
      IntList ring = new IntList();
      int current = first;
      while (true) {
        used[current] = true;
        int x1 = e[4 * current + 2];
        int y1 = e[4 * current + 3];
        ring.add(e[4 * current]);
        ring.add(e[4 * current + 1]);
        int dx = Integer.signum(x1 - e[4 * current]);
        int dy = Integer.signum(y1 - e[4 * current + 1]);
        int next = choose(outgoing.get(key(x1, y1)), e, dx, dy);
        if (next == first) {
          break;
        }
        if (next < 0 || used[next]) {
          throw new IllegalStateException(
              "Broken boundary of component " + component + " at (" + x1 + ", " + y1 + ")");
        }
        current = next;
      }
      for (IntList simple : splitAtRepeatedVertices(ring)) {
        long area2 = 0;
        int m = simple.size / 2;
        for (int i = 0; i < m; i++) {
          int j = (i + 1) % m;
          area2 +=
              (long) simple.data[2 * i] * simple.data[2 * j + 1]
                  - (long) simple.data[2 * j] * simple.data[2 * i + 1];
        }
        int[] closed = dropCollinear(simple);
        if (area2 > 0) {
          if (shell != null) {
            throw new IllegalStateException("Component " + component + " has two outer rings");
          }
          shell = closed;
        } else {
          holes.add(closed);
        }
      }
    }
    if (shell == null) {
      throw new IllegalStateException("Component " + component + " has no outer ring");
    }
    sink.accept(component, shell, holes);
  }

  /**
   * Splits a closed walk that passes some vertices twice (a patch wrapped around a pixel it touches
   * at a corner) into simple rings: a loop from a vertex back to it becomes a ring of its own.
   */
  private static List<IntList> splitAtRepeatedVertices(IntList walk) {
    List<IntList> rings = new ArrayList<>();
    int n = walk.size / 2;
    Map<Long, Integer> position = new HashMap<>();
    IntList stack = new IntList();
    for (int i = 0; i < n; i++) {
      int x = walk.data[2 * i];
      int y = walk.data[2 * i + 1];
      long k = key(x, y);
      Integer at = position.get(k);
      if (at != null) {
        IntList loop = new IntList();
        for (int j = at; j < stack.size / 2; j++) {
          loop.add(stack.data[2 * j]);
          loop.add(stack.data[2 * j + 1]);
          if (j > at) {
            position.remove(key(stack.data[2 * j], stack.data[2 * j + 1]));
          }
        }
        rings.add(loop);
        stack.size = 2 * (at + 1);
      } else {
        position.put(k, stack.size / 2);
        stack.add(x);
        stack.add(y);
      }
    }
    rings.add(stack);
    return rings;
  }

  /** Among the edges leaving a vertex, the right turn, else straight on, else the left turn. */
  private static int choose(int[] candidates, int[] e, int dx, int dy) {
    if (candidates == null) {
      return -1;
    }
    if (candidates.length == 1) {
      return candidates[0];
    }
    int[][] preference = {{-dy, dx}, {dx, dy}, {dy, -dx}};
    for (int[] want : preference) {
      for (int c : candidates) {
        int cdx = Integer.signum(e[4 * c + 2] - e[4 * c]);
        int cdy = Integer.signum(e[4 * c + 3] - e[4 * c + 1]);
        if (cdx == want[0] && cdy == want[1]) {
          return c;
        }
      }
    }
    return -1;
  }

  /** The ring's vertices where its direction changes, closed (first vertex repeated). */
  private static int[] dropCollinear(IntList ring) {
    int n = ring.size / 2;
    IntList out = new IntList();
    for (int i = 0; i < n; i++) {
      int p = (i + n - 1) % n;
      int q = (i + 1) % n;
      int ax = ring.data[2 * i] - ring.data[2 * p];
      int ay = ring.data[2 * i + 1] - ring.data[2 * p + 1];
      int bx = ring.data[2 * q] - ring.data[2 * i];
      int by = ring.data[2 * q + 1] - ring.data[2 * i + 1];
      if ((long) ax * by - (long) ay * bx != 0) {
        out.add(ring.data[2 * i]);
        out.add(ring.data[2 * i + 1]);
      }
    }
    out.add(out.data[0]);
    out.add(out.data[1]);
    return Arrays.copyOf(out.data, out.size);
  }

  /** A vertex as one number (unique for coordinates in 0..2^31), spread for hashing. */
  private static long key(int x, int y) {
    return x * 2_147_483_659L + y;
  }

  private static final class EdgeList {
    int[] data = new int[16];
    int size;

    void add(int x0, int y0, int x1, int y1) {
      if (4 * size + 4 > data.length) {
        data = Arrays.copyOf(data, data.length * 2);
      }
      data[4 * size] = x0;
      data[4 * size + 1] = y0;
      data[4 * size + 2] = x1;
      data[4 * size + 3] = y1;
      size++;
    }

    void addAll(EdgeList other) {
      if (4 * (size + other.size) > data.length) {
        data = Arrays.copyOf(data, Math.max(data.length * 2, 4 * (size + other.size)));
      }
      System.arraycopy(other.data, 0, data, 4 * size, 4 * other.size);
      size += other.size;
    }
  }

  private static final class IntList {
    int[] data = new int[16];
    int size;

    void add(int v) {
      if (size == data.length) {
        data = Arrays.copyOf(data, size * 2);
      }
      data[size++] = v;
    }
  }
}

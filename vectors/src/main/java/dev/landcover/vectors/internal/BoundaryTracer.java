package dev.landcover.vectors.internal;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The outlines of 4-connected components (or 8-connected ones, as one shell per 4-connected part),
 * assembled into rings while the rows are scanned, one grid line at a time.
 *
 * <p>Vertices are pixel corners in pixel coordinates (x right, y down; corner (x, y) is the upper
 * left corner of pixel (x, y)). Each boundary is directed with its component on the right when
 * looking along it in these y-down coordinates, so shells have a positive and holes a negative
 * shoelace area. Where a component touches itself only at a corner, the walk turns to the right
 * (towards the component), keeping the pixels meeting there apart (with 4-connectivity they are not
 * connected; with 8-connectivity they are, and each 4-connected part gets a shell of its own, as an
 * OGC polygon's interior must be connected), and a walk that comes back to a vertex it passed is
 * cut there into simple rings, so that shells and holes may touch at a vertex (valid in the OGC
 * simple-features model) but no ring touches itself.
 *
 * <p>Memory: a component's outline is held as open chains (polylines whose two ends lie on the grid
 * line being scanned, at most two per column) and closed rings, each an {@code int} array of x, y
 * pairs holding only the vertices where the direction changes: 8 bytes per vertex (up to twice that
 * while a chain's array grows), nothing per straight run of pixel edges. Joining two chains copies
 * the shorter into the longer.
 */
public final class BoundaryTracer {
  /** Receives the rings of a finished component. */
  public interface RingSink {
    /**
     * @param component the component
     * @param shells the outer rings, closed (first vertex repeated), as x,y pairs in pixel units:
     *     one for a 4-connected component, one per 4-connected part of an 8-connected one (the
     *     parts touch at corners only)
     * @param holes for each shell, its inner rings, closed
     */
    void accept(int component, List<int[]> shells, List<List<int[]>> holes) throws IOException;
  }

  // Directions, clockwise on screen (y down): a right turn is the next one.
  private static final int SOUTH = 0;
  private static final int WEST = 1;
  private static final int NORTH = 2;
  private static final int EAST = 3;

  private final int width;

  /** Chains holding the vertical edge at x of the row above the line: its left side's (down). */
  private Chain[] down;

  /** ... and its right side's (up). */
  private Chain[] up;

  private Chain[] nextDown;
  private Chain[] nextUp;
  private final Map<Integer, List<int[]>> rings = new HashMap<>();
  private long heldVertices;

  /**
   * @param width the raster's width in pixels
   */
  public BoundaryTracer(int width) {
    this.width = width;
    down = new Chain[width + 1];
    up = new Chain[width + 1];
    nextDown = new Chain[width + 1];
    nextUp = new Chain[width + 1];
  }

  /**
   * Traces the edges on grid line {@code y} (between rows {@code y - 1} and {@code y}) and the
   * vertical edges of row {@code y}, joining them to the chains that reach the line. Lines are
   * traced in order from 0 to the raster's height.
   *
   * @param above each column's component in row {@code y - 1}, -1 for none (all -1 for line 0)
   * @param below each column's component in row {@code y}, -1 for none (all -1 after the last row)
   */
  public void traceLine(int[] above, int[] below, int y) {
    Chain carryEast = null;
    Chain carryWest = null;
    int[] inComp = new int[4];
    int[] inDir = new int[4];
    Chain[] inChain = new Chain[4];
    int[] outComp = new int[4];
    int[] outDir = new int[4];
    Chain[] outChain = new Chain[4];
    for (int x = 0; x <= width; x++) {
      int a = x > 0 ? above[x - 1] : -1;
      int b = x < width ? above[x] : -1;
      int c = x > 0 ? below[x - 1] : -1;
      int d = x < width ? below[x] : -1;
      if (a == b && a == c && a == d) {
        continue;
      }
      int ins = 0;
      int outs = 0;
      if (a != b && a >= 0) {
        inComp[ins] = a;
        inDir[ins] = SOUTH;
        inChain[ins++] = existing(down[x], x, y);
      }
      if (a != c && c >= 0) {
        inComp[ins] = c;
        inDir[ins] = EAST;
        inChain[ins++] = existing(carryEast, x, y);
      }
      if (b != d && b >= 0) {
        inComp[ins] = b;
        inDir[ins] = WEST;
        inChain[ins++] = null;
      }
      if (c != d && d >= 0) {
        inComp[ins] = d;
        inDir[ins] = NORTH;
        inChain[ins++] = null;
      }
      if (a != b && b >= 0) {
        outComp[outs] = b;
        outDir[outs] = NORTH;
        outChain[outs++] = existing(up[x], x, y);
      }
      if (a != c && a >= 0) {
        outComp[outs] = a;
        outDir[outs] = WEST;
        outChain[outs++] = existing(carryWest, x, y);
      }
      if (b != d && d >= 0) {
        outComp[outs] = d;
        outDir[outs] = EAST;
        outChain[outs++] = null;
      }
      if (c != d && c >= 0) {
        outComp[outs] = c;
        outDir[outs] = SOUTH;
        outChain[outs++] = null;
      }
      carryEast = null;
      carryWest = null;
      // Two diagonal pixels touching only at this corner: a ring through it may come back to it
      // (now, or once their components are found to be one), and is then split.
      boolean corner =
          (a >= 0 && d >= 0 && b != a && b != d && c != a && c != d)
              || (b >= 0 && c >= 0 && a != b && a != c && d != b && d != c);
      for (int i = 0; i < ins; i++) {
        int k = inComp[i];
        int partners = 0;
        for (int j = 0; j < ins; j++) {
          if (inComp[j] == k) {
            partners++;
          }
        }
        boolean pinch = partners > 1;
        int o = -1;
        for (int j = 0; j < outs; j++) {
          if (outComp[j] == k && (!pinch || outDir[j] == (inDir[i] + 1) % 4)) {
            o = j;
            break;
          }
        }
        if (o < 0) {
          throw new IllegalStateException(
              "Broken boundary of component " + k + " at (" + x + ", " + y + ")");
        }
        Chain joined = pair(k, inChain[i], inDir[i], outChain[o], outDir[o], x, y, corner);
        if (joined != null) {
          if (inChain[i] == null) {
            if (inDir[i] == WEST) {
              carryWest = joined;
            } else {
              nextUp[x] = joined;
            }
          }
          if (outChain[o] == null) {
            if (outDir[o] == EAST) {
              carryEast = joined;
            } else {
              nextDown[x] = joined;
            }
          }
        }
      }
    }
    Chain[] swap = down;
    down = nextDown;
    nextDown = swap;
    swap = up;
    up = nextUp;
    nextUp = swap;
    Arrays.fill(nextDown, null);
    Arrays.fill(nextUp, null);
  }

  private static Chain existing(Chain chain, int x, int y) {
    if (chain == null) {
      throw new IllegalStateException("No boundary reaches vertex (" + x + ", " + y + ")");
    }
    return chain.resolve();
  }

  /**
   * Joins the edge entering vertex (x, y) in direction {@code inDir} (from chain {@code in}, or a
   * new edge when null) to the edge leaving it in direction {@code outDir}; {@code corner} marks
   * the chain as passing a corner where its component may touch itself.
   *
   * @return the chain now holding both, or null when they closed a ring
   */
  private Chain pair(
      int component, Chain in, int inDir, Chain out, int outDir, int x, int y, boolean corner) {
    Chain joined;
    if (in != null && out != null) {
      in = in.resolve();
      out = out.resolve();
      if (in == out) {
        in.pinch |= corner;
        close(component, in);
        return null;
      }
      joined = join(in, out);
    } else if (in != null) {
      in = in.resolve();
      in.append(x + dx(outDir), y + dy(outDir));
      heldVertices++;
      joined = in;
    } else if (out != null) {
      out = out.resolve();
      out.prepend(x - dx(inDir), y - dy(inDir));
      heldVertices++;
      joined = out;
    } else {
      joined = new Chain();
      joined.append(x - dx(inDir), y - dy(inDir));
      joined.append(x, y);
      joined.append(x + dx(outDir), y + dy(outDir));
      heldVertices += 3;
    }
    joined.pinch |= corner;
    return joined;
  }

  private static int dx(int dir) {
    return dir == EAST ? 1 : dir == WEST ? -1 : 0;
  }

  private static int dy(int dir) {
    return dir == SOUTH ? 1 : dir == NORTH ? -1 : 0;
  }

  /** Appends chain {@code b} (which starts where {@code a} ends) to {@code a}. */
  private Chain join(Chain a, Chain b) {
    int before = a.size() + b.size();
    Chain kept;
    if (a.size() >= b.size()) {
      for (int i = b.head + 2; i < b.tail; i += 2) {
        a.append(b.xy[i], b.xy[i + 1]);
      }
      kept = a;
      b.forward = a;
    } else {
      for (int i = a.tail - 4; i >= a.head; i -= 2) {
        b.prepend(a.xy[i], a.xy[i + 1]);
      }
      kept = b;
      a.forward = b;
    }
    kept.pinch |= a.pinch | b.pinch;
    heldVertices += kept.size() - before;
    if (kept == a) {
      b.xy = null;
    } else {
      a.xy = null;
    }
    return kept;
  }

  /** A chain whose ends met: its rings (split at repeated vertices) go to the component. */
  private void close(int component, Chain chain) {
    int n = chain.size() - 1;
    int[] walk = new int[2 * n];
    System.arraycopy(chain.xy, chain.head, walk, 0, 2 * n);
    heldVertices -= n + 1;
    chain.xy = null;
    List<int[]> list = rings.computeIfAbsent(component, k -> new ArrayList<>());
    if (chain.pinch) {
      for (int[] ring : splitAtRepeatedVertices(walk)) {
        int[] closed = closeRing(ring);
        heldVertices += closed.length / 2;
        list.add(closed);
      }
    } else {
      int[] closed = closeRing(walk);
      heldVertices += closed.length / 2;
      list.add(closed);
    }
  }

  /**
   * Moves the rings collected for component {@code from} to component {@code into} (two provisional
   * components found to be one).
   */
  public void merge(int from, int into) {
    List<int[]> moved = rings.remove(from);
    if (moved == null) {
      return;
    }
    List<int[]> kept = rings.get(into);
    if (kept == null) {
      rings.put(into, moved);
    } else if (moved.size() > kept.size()) {
      moved.addAll(kept);
      rings.put(into, moved);
    } else {
      kept.addAll(moved);
    }
  }

  /** Vertices held in open chains and closed rings of unfinished components. */
  public long heldVertices() {
    return heldVertices;
  }

  /**
   * Hands the rings of a finished component (all its lines traced) to {@code sink}. Each hole goes
   * to the smallest shell around it: the centre of a pixel inside the hole next to its first edge
   * lies inside the shells around the hole only (no ring crosses another), tested by crossings of a
   * ray along the row through it (pixel centres are never on an edge).
   */
  public void finish(int component, RingSink sink) throws IOException {
    List<int[]> list = rings.remove(component);
    if (list == null) {
      throw new IllegalStateException("Component " + component + " has no boundary");
    }
    List<int[]> shells = new ArrayList<>();
    List<Long> shellArea2 = new ArrayList<>();
    List<int[]> holes = new ArrayList<>();
    for (int[] ring : list) {
      heldVertices -= ring.length / 2;
      long area2 = area2(ring);
      if (area2 > 0) {
        shells.add(ring);
        shellArea2.add(area2);
      } else {
        holes.add(ring);
      }
    }
    if (shells.isEmpty()) {
      throw new IllegalStateException("Component " + component + " has no outer ring");
    }
    List<List<int[]>> holesOf = new ArrayList<>();
    for (int i = 0; i < shells.size(); i++) {
      holesOf.add(new ArrayList<>());
    }
    if (shells.size() == 1) {
      holesOf.get(0).addAll(holes);
    } else {
      Integer[] bySize = new Integer[shells.size()];
      for (int i = 0; i < bySize.length; i++) {
        bySize[i] = i;
      }
      Arrays.sort(bySize, (i, j) -> Long.compare(shellArea2.get(i), shellArea2.get(j)));
      int[][] boxes = new int[shells.size()][];
      for (int i = 0; i < boxes.length; i++) {
        boxes[i] = box(shells.get(i));
      }
      for (int[] hole : holes) {
        int[] pixel = pixelInside(hole);
        int owner = -1;
        for (int i : bySize) {
          int[] b = boxes[i];
          if (pixel[0] >= b[0]
              && pixel[0] < b[2]
              && pixel[1] >= b[1]
              && pixel[1] < b[3]
              && contains(shells.get(i), pixel[0], pixel[1])) {
            owner = i;
            break;
          }
        }
        if (owner < 0) {
          throw new IllegalStateException("Component " + component + " has a hole outside it");
        }
        holesOf.get(owner).add(hole);
      }
    }
    sink.accept(component, shells, holesOf);
  }

  /** Twice the shoelace area of a closed ring (positive for a shell in y-down coordinates). */
  private static long area2(int[] ring) {
    long area2 = 0;
    for (int i = 0; i + 3 < ring.length; i += 2) {
      area2 += (long) ring[i] * ring[i + 3] - (long) ring[i + 2] * ring[i + 1];
    }
    return area2;
  }

  /** The pixels a ring's bounding box covers: {xmin, ymin, xmax, ymax}, max exclusive. */
  private static int[] box(int[] ring) {
    int[] b = {Integer.MAX_VALUE, Integer.MAX_VALUE, Integer.MIN_VALUE, Integer.MIN_VALUE};
    for (int i = 0; i < ring.length; i += 2) {
      b[0] = Math.min(b[0], ring[i]);
      b[1] = Math.min(b[1], ring[i + 1]);
      b[2] = Math.max(b[2], ring[i]);
      b[3] = Math.max(b[3], ring[i + 1]);
    }
    return b;
  }

  /** A pixel inside a ring, next to its first edge. */
  private static int[] pixelInside(int[] ring) {
    int x0 = ring[0];
    int y0 = ring[1];
    int x1 = ring[2];
    int y1 = ring[3];
    int[] a;
    int[] b;
    if (y0 == y1) {
      a = new int[] {Math.min(x0, x1), y0 - 1};
      b = new int[] {Math.min(x0, x1), y0};
    } else {
      a = new int[] {x0 - 1, Math.min(y0, y1)};
      b = new int[] {x0, Math.min(y0, y1)};
    }
    return contains(ring, a[0], a[1]) ? a : b;
  }

  /**
   * Whether the centre of pixel (px, py) lies inside a closed ring of horizontal and vertical
   * edges: an odd number of its vertical edges cross the ray from the centre towards +x.
   */
  private static boolean contains(int[] ring, int px, int py) {
    boolean inside = false;
    for (int i = 0; i + 3 < ring.length; i += 2) {
      int xa = ring[i];
      int ya = ring[i + 1];
      int yb = ring[i + 3];
      if (xa == ring[i + 2] && xa > px && Math.min(ya, yb) <= py && py < Math.max(ya, yb)) {
        inside = !inside;
      }
    }
    return inside;
  }

  /**
   * Splits a closed walk (x, y pairs, first vertex not repeated) that passes some vertices twice (a
   * patch wrapped around a pixel it touches at a corner) into simple rings: a loop from a vertex
   * back to it becomes a ring of its own. Only the repeated vertices, found by sorting, are kept in
   * a map.
   */
  private static List<int[]> splitAtRepeatedVertices(int[] walk) {
    int n = walk.length / 2;
    long[] keys = new long[n];
    for (int i = 0; i < n; i++) {
      keys[i] = key(walk[2 * i], walk[2 * i + 1]);
    }
    Arrays.sort(keys);
    Set<Long> repeated = new HashSet<>();
    for (int i = 1; i < n; i++) {
      if (keys[i] == keys[i - 1]) {
        repeated.add(keys[i]);
      }
    }
    if (repeated.isEmpty()) {
      return List.of(walk);
    }
    List<int[]> rings = new ArrayList<>();
    Map<Long, Integer> position = new HashMap<>();
    int[] stack = new int[walk.length];
    int size = 0;
    for (int i = 0; i < n; i++) {
      int x = walk[2 * i];
      int y = walk[2 * i + 1];
      long k = key(x, y);
      Integer at = repeated.contains(k) ? position.get(k) : null;
      if (at != null) {
        rings.add(Arrays.copyOfRange(stack, 2 * at, size));
        for (int j = at + 1; j < size / 2; j++) {
          position.remove(key(stack[2 * j], stack[2 * j + 1]));
        }
        size = 2 * (at + 1);
      } else {
        if (repeated.contains(k)) {
          position.put(k, size / 2);
        }
        stack[size++] = x;
        stack[size++] = y;
      }
    }
    rings.add(Arrays.copyOf(stack, size));
    return rings;
  }

  /** The ring's vertices where its direction changes, closed (first vertex repeated). */
  private static int[] closeRing(int[] ring) {
    int n = ring.length / 2;
    int[] out = new int[2 * n + 2];
    int size = 0;
    for (int i = 0; i < n; i++) {
      int p = (i + n - 1) % n;
      int q = (i + 1) % n;
      int ax = ring[2 * i] - ring[2 * p];
      int ay = ring[2 * i + 1] - ring[2 * p + 1];
      int bx = ring[2 * q] - ring[2 * i];
      int by = ring[2 * q + 1] - ring[2 * i + 1];
      if ((long) ax * by - (long) ay * bx != 0) {
        out[size++] = ring[2 * i];
        out[size++] = ring[2 * i + 1];
      }
    }
    out[size++] = out[0];
    out[size++] = out[1];
    return size == out.length ? out : Arrays.copyOf(out, size);
  }

  /** A vertex as one number (unique for coordinates in 0..2^31). */
  private static long key(int x, int y) {
    return ((long) x << 32) | y;
  }

  /**
   * An open polyline: vertices {@code xy[head..tail)} as x, y pairs, only where the direction
   * changes (plus both ends), with room to grow at both ends. A chain joined into another forwards
   * to it.
   */
  private static final class Chain {
    int[] xy = new int[12];
    int head = 4;
    int tail = 4;
    boolean pinch;
    Chain forward;

    Chain resolve() {
      Chain c = this;
      while (c.forward != null) {
        c = c.forward;
      }
      Chain p = this;
      while (p.forward != null && p.forward != c) {
        Chain next = p.forward;
        p.forward = c;
        p = next;
      }
      return c;
    }

    int size() {
      return (tail - head) / 2;
    }

    void append(int x, int y) {
      if (tail - head >= 4
          && collinear(xy[tail - 4], xy[tail - 3], xy[tail - 2], xy[tail - 1], x, y)) {
        xy[tail - 2] = x;
        xy[tail - 1] = y;
        return;
      }
      if (tail + 2 > xy.length) {
        grow();
      }
      xy[tail++] = x;
      xy[tail++] = y;
    }

    void prepend(int x, int y) {
      if (tail - head >= 4 && collinear(x, y, xy[head], xy[head + 1], xy[head + 2], xy[head + 3])) {
        xy[head] = x;
        xy[head + 1] = y;
        return;
      }
      if (head < 2) {
        grow();
      }
      xy[--head] = y;
      xy[--head] = x;
    }

    /** Doubles the room, centring the vertices. */
    private void grow() {
      int used = tail - head;
      int[] bigger = new int[Math.max(12, 2 * xy.length)];
      int start = ((bigger.length - used) / 4) * 2;
      System.arraycopy(xy, head, bigger, start, used);
      xy = bigger;
      head = start;
      tail = start + used;
    }

    private static boolean collinear(int x0, int y0, int x1, int y1, int x2, int y2) {
      return (x0 == x1 && x1 == x2) || (y0 == y1 && y1 == y2);
    }
  }
}

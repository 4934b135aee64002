package dev.landcover.app;

import java.io.PrintWriter;
import java.util.Locale;

/**
 * Progress of long work on the error stream: done out of total, rate and time left. Prints at most
 * about once a second, on one rewritten line when the output is a terminal.
 */
final class Progress {
  private final PrintWriter err;
  private final String what;
  private long total;
  private final long start = System.nanoTime();
  private final boolean terminal = System.console() != null;
  private long lastPrint;
  private long done;
  private String detail = "";

  Progress(PrintWriter err, String what, long total) {
    this.err = err;
    this.what = what;
    this.total = total;
  }

  /** Records {@code n} more items done. */
  synchronized void advance(long n) {
    done += n;
    long now = System.nanoTime();
    if (now - lastPrint > (terminal ? 500_000_000L : 5_000_000_000L)) {
      lastPrint = now;
      print(now, false);
    }
  }

  /** Text shown after the figures (e.g. a running loss), from the next print on. */
  synchronized void detail(String text) {
    this.detail = text.isEmpty() ? "" : ", " + text;
  }

  /** Records that {@code done} items out of {@code total} are done. */
  synchronized void set(long done, long total) {
    this.total = total;
    advance(done - this.done);
  }

  /** Prints the final line. */
  synchronized void finish() {
    print(System.nanoTime(), true);
  }

  /** Seconds since the start. */
  double elapsedSeconds() {
    return (System.nanoTime() - start) / 1e9;
  }

  private void print(long now, boolean last) {
    double seconds = Math.max(1e-9, (now - start) / 1e9);
    double rate = done / seconds;
    String left = rate > 0 && done < total ? duration((total - done) / rate) : "0s";
    String line =
        String.format(
            Locale.ROOT,
            "%s: %d/%d (%.0f%%), %.1f/s, %s left%s",
            what,
            done,
            total,
            total == 0 ? 100.0 : 100.0 * done / total,
            rate,
            left,
            detail);
    if (terminal) {
      err.print("\r" + line + (last ? "\n" : ""));
    } else {
      err.println(line);
    }
    err.flush();
  }

  static String duration(double seconds) {
    long s = Math.round(seconds);
    if (s < 60) {
      return s + "s";
    }
    if (s < 3600) {
      return (s / 60) + "m" + String.format(Locale.ROOT, "%02d", s % 60) + "s";
    }
    return (s / 3600) + "h" + String.format(Locale.ROOT, "%02d", (s % 3600) / 60) + "m";
  }
}

package dev.landcover.workflows;

/**
 * Told what a long use case is doing, so a caller can show it: lines for the user, warnings, and
 * the progress of named tasks. Every method has an empty default; {@link #NONE} ignores everything.
 * Methods may be called from threads other than the caller's, one at a time per task.
 */
public interface ProgressListener {
  /** Ignores everything. */
  ProgressListener NONE = new ProgressListener() {};

  /** A line worth showing (what is being done, a result of a step). */
  default void message(String line) {}

  /** Something went wrong but the work goes on (one scene of a batch failed). */
  default void warning(String line) {}

  /**
   * Task {@code task} has done {@code done} of {@code total} units.
   *
   * @param detail a short figure to show beside the count ("loss 0.4123"), or ""
   */
  default void progress(String task, long done, long total, String detail) {}

  /** Task {@code task} is over; its name may be used again for a new task. */
  default void finished(String task) {}
}

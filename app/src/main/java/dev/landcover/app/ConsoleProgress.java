package dev.landcover.app;

import dev.landcover.workflows.ProgressListener;
import java.io.PrintWriter;
import java.util.HashMap;
import java.util.Map;

/**
 * Shows what a use case tells: messages on the output stream, warnings ({@code landcover: ...}) and
 * progress lines ({@link Progress}, one per task) on the error stream.
 */
final class ConsoleProgress implements ProgressListener {
  private final PrintWriter out;
  private final PrintWriter err;
  private final Map<String, Progress> tasks = new HashMap<>();

  ConsoleProgress(PrintWriter out, PrintWriter err) {
    this.out = out;
    this.err = err;
  }

  @Override
  public synchronized void message(String line) {
    out.println(line);
    out.flush();
  }

  @Override
  public synchronized void warning(String line) {
    err.println("landcover: " + line);
    err.flush();
  }

  @Override
  public synchronized void progress(String task, long done, long total, String detail) {
    Progress p = tasks.computeIfAbsent(task, t -> new Progress(err, t, total));
    p.detail(detail);
    p.set(done, total);
  }

  @Override
  public synchronized void finished(String task) {
    Progress p = tasks.remove(task);
    if (p != null) {
      p.finish();
    }
  }
}

package dev.landcover.app;

import java.io.PrintWriter;
import picocli.CommandLine;

/** Entry point of the {@code landcover} command. */
public final class Main {
  private Main() {}

  /** Runs the command line and exits with its code (0 ok, 1 data error, 2 usage error). */
  public static void main(String[] args) {
    System.setProperty("derby.stream.error.file", "/dev/null");
    System.setProperty("ai.djl.offline", "true");
    System.setProperty("java.awt.headless", "true");
    System.exit(run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
  }

  /**
   * Runs the command line with the given output streams.
   *
   * @return the exit code: 0 success, 1 data error, 2 usage error
   */
  public static int run(String[] args, PrintWriter out, PrintWriter err) {
    CommandLine cli = LandcoverCommand.commandLine();
    cli.setOut(out);
    cli.setErr(err);
    int code;
    try {
      code = cli.execute(args);
    } catch (OutOfMemoryError e) {
      // On the command's own thread; its staged outputs were removed as the error unwound.
      err.println(
          "landcover: out of Java heap (its maximum is "
              + Runtime.getRuntime().maxMemory() / (1024 * 1024)
              + " MB): give Java more, e.g. LANDCOVER_JAVA_OPTS=-Xmx4g");
      code = ExitCodes.DATA_ERROR;
    }
    out.flush();
    err.flush();
    return code;
  }
}

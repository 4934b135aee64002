package dev.landcover.app;

import java.io.PrintWriter;
import java.io.StringWriter;

/** Runs the command line in-process and keeps what it printed. */
record Cli(int code, String out, String err) {
  static Cli run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = Main.run(args, new PrintWriter(out), new PrintWriter(err));
    return new Cli(code, out.toString(), err.toString());
  }

  /** The error output without progress lines. */
  String errorLines() {
    return err.lines().filter(l -> !l.startsWith("chips: ")).reduce("", (a, b) -> a + b + "\n");
  }
}

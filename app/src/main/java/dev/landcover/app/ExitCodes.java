package dev.landcover.app;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.IParameterExceptionHandler;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;

/**
 * The one place where errors become exit codes and one-line messages: 2 for usage errors (options
 * picocli refuses, and {@link IllegalArgumentException}s: values that are wrong, alone or against
 * the data), 1 for data errors (every {@link IOException}: unreadable or invalid input, unwritable
 * output). The stack trace is printed only with {@code --verbose}.
 */
final class ExitCodes implements IExecutionExceptionHandler, IParameterExceptionHandler {
  static final int OK = 0;
  static final int DATA_ERROR = 1;
  static final int USAGE_ERROR = 2;

  @Override
  public int handleParseException(ParameterException ex, String[] args) {
    CommandLine cmd = ex.getCommandLine();
    cmd.getErr().println("landcover: " + ex.getMessage());
    cmd.getErr().println("Try '" + cmd.getCommandSpec().qualifiedName() + " --help' for more.");
    if (verbose(cmd)) {
      ex.printStackTrace(cmd.getErr());
    }
    return USAGE_ERROR;
  }

  @Override
  public int handleExecutionException(Exception ex, CommandLine cmd, ParseResult parseResult) {
    Throwable e = ex;
    if (e instanceof UncheckedIOException u) {
      e = u.getCause();
    }
    int code;
    String message;
    if (e instanceof ParameterException || e instanceof IllegalArgumentException) {
      code = USAGE_ERROR;
      message = e.getMessage();
    } else if (e instanceof FileSystemException f && f.getReason() == null) {
      code = DATA_ERROR;
      String why =
          f instanceof NoSuchFileException
              ? "no such file or directory"
              : f instanceof AccessDeniedException
                  ? "permission denied"
                  : f.getClass().getSimpleName();
      message = f.getMessage() + ": " + why;
    } else if (e instanceof IOException) {
      code = DATA_ERROR;
      message = e.getMessage() == null ? e.toString() : e.getMessage();
    } else {
      code = DATA_ERROR;
      message = "internal error: " + e;
    }
    cmd.getErr().println("landcover: " + message);
    if (verbose(cmd)) {
      e.printStackTrace(cmd.getErr());
    }
    return code;
  }

  private static boolean verbose(CommandLine cmd) {
    CommandLine root = cmd;
    while (root.getParent() != null) {
      root = root.getParent();
    }
    return root.getCommand() instanceof LandcoverCommand c && c.verbose;
  }
}

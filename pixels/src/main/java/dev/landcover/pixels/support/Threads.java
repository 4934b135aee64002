package dev.landcover.pixels.support;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;

/** Daemon threads and waiting on their results with the task's own exception. */
public final class Threads {
  private Threads() {}

  /** A factory of daemon threads named {@code name} (they do not keep the JVM alive). */
  public static ThreadFactory daemon(String name) {
    return runnable -> {
      Thread t = new Thread(runnable, name);
      t.setDaemon(true);
      return t;
    };
  }

  /**
   * One long-lived daemon thread. Threads that allocate natively (libtorch, zlib) each get a glibc
   * malloc arena of their own; a thread kept for the process's life keeps that memory from growing
   * with every new thread.
   */
  public static ExecutorService singleDaemon(String name) {
    return Executors.newSingleThreadExecutor(daemon(name));
  }

  /**
   * The task's result, with the exception it threw: an {@link IOException} (also one wrapped in an
   * {@link UncheckedIOException}) or a {@link RuntimeException} as is, anything else wrapped.
   *
   * @param what what is awaited, for the message when interrupted ("reading the scene")
   */
  public static <T> T await(Future<T> future, String what) throws IOException {
    try {
      return future.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while " + what);
    } catch (ExecutionException e) {
      throw rethrow(e.getCause());
    }
  }

  /**
   * {@code cause} as an exception to throw: an {@link IOException} (unwrapped from an {@link
   * UncheckedIOException}) is returned, a {@link RuntimeException} or {@link Error} is thrown as
   * is, anything else is wrapped in an {@link IOException}.
   */
  public static IOException rethrow(Throwable cause) {
    if (cause instanceof UncheckedIOException u) {
      return u.getCause();
    }
    if (cause instanceof IOException io) {
      return io;
    }
    if (cause instanceof RuntimeException r) {
      throw r;
    }
    if (cause instanceof Error error) {
      throw error;
    }
    return new IOException(cause);
  }
}

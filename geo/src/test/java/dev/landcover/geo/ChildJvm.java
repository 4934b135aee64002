package dev.landcover.geo;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A child JVM for tests that need a fresh process: a small heap, class-loading logs, a run killed
 * mid-way. The child is the {@code java} launcher of the running JVM ({@code java.home}), always
 * with {@code -Dderby.stream.error.file=/dev/null} (so that Apache SIS's EPSG database writes no
 * {@code derby.log} into the working directory), then the caller's JVM options in their order,
 * {@code -cp}, the class path, the main class and its arguments.
 *
 * <p>The returned {@link ProcessBuilder} is not started: the caller sets its redirects and starts
 * it.
 */
public final class ChildJvm {
  private ChildJvm() {}

  /**
   * A child JVM on the class path of the running test JVM ({@code java.class.path}).
   *
   * @param main the class whose {@code main} the child runs
   * @param jvmOptions options placed before {@code -cp}, e.g. {@code -Xmx40m}; may be empty
   * @param args the arguments to {@code main}
   */
  public static ProcessBuilder builder(Class<?> main, List<String> jvmOptions, String... args) {
    return builder(System.getProperty("java.class.path"), main, jvmOptions, args);
  }

  /**
   * A child JVM on the given class path, for tests that put more on it than the test JVM has.
   *
   * @param classPath the value of {@code -cp}, entries separated by {@link
   *     java.io.File#pathSeparator}
   * @param main the class whose {@code main} the child runs
   * @param jvmOptions options placed before {@code -cp}, e.g. {@code -Xmx40m}; may be empty
   * @param args the arguments to {@code main}
   */
  public static ProcessBuilder builder(
      String classPath, Class<?> main, List<String> jvmOptions, String... args) {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-Dderby.stream.error.file=/dev/null");
    command.addAll(jvmOptions);
    command.add("-cp");
    command.add(classPath);
    command.add(main.getName());
    command.addAll(List.of(args));
    return new ProcessBuilder(command);
  }
}

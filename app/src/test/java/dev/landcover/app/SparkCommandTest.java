package dev.landcover.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * {@code landcover spark} on the app's own classpath, which holds no Spark (the spark module's
 * tests run the job itself).
 */
class SparkCommandTest {
  @Test
  void withoutSparkOnTheClasspathItSaysHowToGetIt() {
    Cli cli =
        Cli.run("spark", "predict", "--master", "local[1]", "--model", "m", "--out", "o", "x.tif");
    assertEquals(2, cli.code(), cli.err());
    assertTrue(cli.err().contains("needs Apache Spark on the classpath"), cli.err());
  }

  @Test
  void itIsListedWithItsSubcommands() {
    Cli cli = Cli.run("spark", "--help");
    assertEquals(0, cli.code());
    assertTrue(cli.out().contains("predict"), cli.out());
  }
}

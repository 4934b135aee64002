package dev.landcover.app;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import dev.landcover.geo.ChildJvm;
import dev.landcover.geo.GeoTiffRaster;
import dev.landcover.geo.GeoTiffWriter;
import dev.landcover.pixels.PixelWindow;
import dev.landcover.testdata.SyntheticScene;
import dev.landcover.workflows.TestBundles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code landcover spark predict} on a band stack, run as {@code ./landcover spark} runs it (a
 * child JVM with Spark from {@code spark/target/spark-lib} first on the classpath, {@code --master
 * local[1]}), writes the map and confidence that {@code landcover predict} writes for the same
 * stack, byte for byte.
 */
class SparkStackCliTest {
  @TempDir Path dir;

  /** Spark's classpath, as the spark module's build copies it; skipped without it, except on CI. */
  private static Path sparkLib() {
    Path lib = Path.of("..", "spark", "target", "spark-lib").toAbsolutePath().normalize();
    if (!Files.isDirectory(lib)) {
      if ("true".equalsIgnoreCase(System.getenv("CI"))) {
        fail("No " + lib + ": the spark module's package phase writes it");
      }
      Assumptions.abort("No " + lib + " (mvn package the spark module)");
    }
    return lib;
  }

  @Test
  void sparkPredictMapsABandStackAsPredictDoes() throws Exception {
    Path lib = sparkLib();
    Path bundle = TestBundles.smallUNet(dir);
    new SyntheticScene(96, 80, 11).write(dir.resolve("scene"), false);
    List<String> files = new ArrayList<>();
    try (GeoTiffRaster scene = GeoTiffRaster.open(dir.resolve("scene/scene.tif"))) {
      PixelWindow all = new PixelWindow(0, 0, scene.width(), scene.height());
      for (int b = 1; b <= scene.bandCount(); b++) {
        Path f = dir.resolve("T33_b" + b + ".tif");
        GeoTiffWriter writer =
            GeoTiffWriter.forGrid(scene.grid(), scene.sampleType(), 1)
                .bandDescriptions(List.of(scene.bandDescriptions().get(b - 1)));
        scene.noData(b).ifPresent(writer::noData);
        writer.write(f, scene.read(all, b));
        files.add(f.toString());
      }
    }
    String stack = String.join(",", files);

    Path cli = dir.resolve("cli");
    Cli plain =
        Cli.run(
            "predict",
            "--model",
            bundle.toString(),
            "--chip",
            "64",
            "--confidence",
            "--out",
            cli.toString(),
            stack);
    assertEquals(0, plain.code(), plain.err());

    Path out = dir.resolve("spark");
    List<String> options =
        new ArrayList<>(List.of("-Xmx1g", "-Dai.djl.offline=true", "-Dspark.ui.enabled=false"));
    for (String p :
        List.of(
            "java.lang",
            "java.lang.invoke",
            "java.lang.reflect",
            "java.io",
            "java.net",
            "java.nio",
            "java.util",
            "java.util.concurrent",
            "java.util.concurrent.atomic",
            "jdk.internal.ref",
            "sun.nio.ch",
            "sun.nio.cs",
            "sun.security.action",
            "sun.util.calendar")) {
      options.add("--add-opens=java.base/" + p + "=ALL-UNNAMED");
    }
    options.addAll(
        List.of(
            "-Djdk.reflect.useDirectMethodHandle=false",
            "-Dio.netty.tryReflectionSetAccessible=true"));
    ProcessBuilder command =
        ChildJvm.builder(
            lib + "/*" + java.io.File.pathSeparator + System.getProperty("java.class.path"),
            Main.class,
            options,
            "spark",
            "predict",
            "--master",
            "local[1]",
            "--model",
            bundle.toString(),
            "--chip",
            "64",
            "--confidence",
            "--out",
            out.toString(),
            stack);
    Path log = dir.resolve("spark.log");
    Process p = command.redirectErrorStream(true).redirectOutput(log.toFile()).start();
    if (!p.waitFor(600, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      fail("spark predict did not end in 600 s: " + Files.readString(log));
    }
    assertEquals(0, p.exitValue(), Files.readString(log));
    for (String file : List.of("T33_landcover.tif", "T33_confidence.tif")) {
      assertArrayEquals(
          Files.readAllBytes(cli.resolve(file)), Files.readAllBytes(out.resolve(file)), file);
    }
  }
}

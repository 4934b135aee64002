package dev.landcover.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.landcover.geo.Gdal;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bad input to {@code landcover chips}: exit code 2 for usage errors, 1 for data errors, one line
 * on stderr naming the file or value, and no output folder left behind.
 */
class BadInputTest {
  private static final Path NAIP = Gdal.sharedData().resolve("scenes/naip-4band-2019.tif");
  private static final Path S2 = Gdal.sharedData().resolve("scenes/s2-slovenia-13band.tif");
  private static final Path LULC = Gdal.sharedData().resolve("labels/s2-slovenia-lulc.tif");

  @TempDir Path dir;

  private Path out() {
    return dir.resolve("chips");
  }

  private Cli chips(String... extra) {
    String[] base = {"chips", "--out", out().toString()};
    String[] args = new String[base.length + extra.length];
    System.arraycopy(base, 0, args, 0, base.length);
    System.arraycopy(extra, 0, args, base.length, extra.length);
    return Cli.run(args);
  }

  private void assertRefused(Cli cli, int code, String... mentions) {
    assertEquals(code, cli.code(), cli.err());
    String err = cli.errorLines();
    assertEquals(1, err.lines().filter(l -> l.startsWith("landcover:")).count(), err);
    assertFalse(err.contains("\tat "), "stack trace without --verbose: " + err);
    for (String m : mentions) {
      assertTrue(err.contains(m), "'" + m + "' not in: " + err);
    }
    assertFalse(Files.exists(out()), "output folder left behind");
  }

  @Test
  void missingFile() {
    Path missing = dir.resolve("nope.tif");
    assertRefused(
        chips("--image", missing.toString(), "--size", "64"),
        1,
        missing.toString(),
        "no such file");
  }

  @Test
  void aDirectory() {
    assertRefused(chips("--image", dir.toString(), "--size", "64"), 1, dir.toString(), "directory");
  }

  @Test
  void notATiff() throws IOException {
    Path text = Files.writeString(dir.resolve("notes.tif"), "these are not pixels\n");
    assertRefused(
        chips("--image", text.toString(), "--size", "64"), 1, text.toString(), "not a TIFF");
  }

  @Test
  void truncatedTiff() throws IOException {
    byte[] all = Files.readAllBytes(NAIP);
    Path cut = dir.resolve("cut.tif");
    Files.write(cut, java.util.Arrays.copyOf(all, all.length / 2));
    assertRefused(chips("--image", cut.toString(), "--size", "64"), 1, cut.toString(), "truncated");
  }

  @Test
  void unsupportedCompression() {
    Path webp =
        Gdal.sharedData().resolve("corpus/image-tiff/tests_geotiff_usda_naip_256_webp_z3.tif");
    assertTrue(Files.exists(webp));
    Cli a = chips("--image", webp.toString(), "--size", "64");
    assertRefused(a, 1, webp.toString(), "unsupported compression WEBP", "gdal_translate");
  }

  @Test
  void labelGridMismatch() {
    assertRefused(
        chips("--image", NAIP.toString(), "--labels", LULC.toString(), "--size", "64"),
        1,
        LULC.toString(),
        NAIP.toString(),
        "EPSG:26914",
        "EPSG:32633");
  }

  @Test
  void sizeNotPositive() {
    assertRefused(chips("--image", S2.toString(), "--size", "0"), 2, "--size", "0");
    assertRefused(chips("--image", S2.toString(), "--size", "-5"), 2, "-5");
  }

  @Test
  void strideLargerThanSizeOrOverlapNotSmaller() {
    assertRefused(
        chips("--image", S2.toString(), "--size", "64", "--stride", "65"), 2, "stride=65");
    assertRefused(
        chips("--image", S2.toString(), "--size", "64", "--overlap", "64"), 2, "overlap=64");
    assertRefused(
        chips("--image", S2.toString(), "--size", "64", "--overlap", "8", "--stride", "8"),
        2,
        "mutually exclusive");
  }

  @Test
  void bandOutOfRange() {
    assertRefused(
        chips("--image", S2.toString(), "--size", "64", "--bands", "2,14"),
        2,
        "Band 14",
        "1 to 13");
  }

  @Test
  void notANumber() {
    assertRefused(chips("--image", S2.toString(), "--size", "big"), 2, "big");
  }

  @Test
  void unwritableOutputFolder() throws IOException {
    Path file = Files.writeString(dir.resolve("plain-file"), "x");
    Path under = file.resolve("chips");
    Cli cli = Cli.run("chips", "--image", S2.toString(), "--size", "64", "--out", under.toString());
    assertEquals(1, cli.code(), cli.err());
    assertTrue(cli.err().contains(file.toString()), cli.err());
    assertFalse(Files.isDirectory(under));
  }

  @Test
  void readOnlyOutputFolder() throws IOException {
    Assumptions.assumeFalse(
        "root".equals(System.getProperty("user.name")), "root can write anywhere");
    Path ro = Files.createDirectory(dir.resolve("ro"));
    assertTrue(ro.toFile().setWritable(false));
    Path under = ro.resolve("chips");
    Cli cli = Cli.run("chips", "--image", S2.toString(), "--size", "64", "--out", under.toString());
    assertEquals(1, cli.code(), cli.err());
    assertTrue(cli.err().contains("permission denied"), cli.err());
    ro.toFile().setWritable(true);
  }

  @Test
  void nonEmptyOutputNeedsOverwrite() throws IOException {
    Files.createDirectories(out());
    Files.writeString(out().resolve("keep.txt"), "mine");
    Cli cli = chips("--image", S2.toString(), "--size", "64");
    assertEquals(2, cli.code(), cli.err());
    assertTrue(cli.err().contains("--overwrite"), cli.err());
    assertEquals("mine", Files.readString(out().resolve("keep.txt")));
  }

  @Test
  void verboseShowsTheStackTrace() {
    Path missing = dir.resolve("nope.tif");
    Cli cli = chips("--image", missing.toString(), "--size", "64", "--verbose");
    assertEquals(1, cli.code());
    assertTrue(cli.err().contains("\tat "), cli.err());
  }
}

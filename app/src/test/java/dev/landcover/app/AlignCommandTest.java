package dev.landcover.app;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.landcover.geo.Gdal;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code landcover align}: the Zion NLCD (NAD83 / UTM 12N, about 31.5 m) aligned onto the Landsat
 * scene's grid (WGS 84 / UTM 12N, 30 m) is, in GDAL's reading, the shared label file that {@code
 * gdalwarp -r near} made: same pixels, geotransform, CRS and nodata. Bad options are usage errors.
 */
class AlignCommandTest {
  private static final Path LANDSAT = Gdal.sharedData().resolve("scenes/landsat8-zion-4band.tif");
  private static final Path NLCD = Gdal.sharedData().resolve("zion-sources/nlcd.tif");
  private static final Path LABELS = Gdal.sharedData().resolve("labels/nlcd2011-zion-8class.tif");

  @TempDir Path dir;

  @Test
  void nlcdOntoTheLandsatGridEqualsGdalwarp() throws IOException {
    Path out = dir.resolve("nlcd30.tif");
    Cli cli =
        Cli.run("align", NLCD.toString(), "--like", LANDSAT.toString(), "--out", out.toString());
    assertEquals(0, cli.code(), cli.err());
    Map<Path, Gdal.Reference> refs =
        Gdal.describe(List.of(new Gdal.Request(out), new Gdal.Request(LABELS)));
    Gdal.Reference ours = refs.get(out);
    Gdal.Reference gdal = refs.get(LABELS);
    assertTrue(ours.ok(), ours.error());
    assertEquals(gdal.width(), ours.width());
    assertEquals(gdal.height(), ours.height());
    assertEquals(gdal.dtype(), ours.dtype());
    assertArrayEquals(gdal.geotransform(), ours.geotransform(), 1e-9);
    assertEquals(gdal.epsg(), ours.epsg());
    assertEquals(gdal.nodata(1), ours.nodata(1));
    assertArrayEquals(gdal.data(0), ours.data(0));
  }

  @Test
  void usageErrors() throws IOException {
    Path out = dir.resolve("x.tif");
    Cli unknown =
        Cli.run(
            "align",
            NLCD.toString(),
            "--like",
            LANDSAT.toString(),
            "--out",
            out.toString(),
            "--resampling",
            "lanczos");
    assertEquals(2, unknown.code(), unknown.err());
    assertTrue(unknown.err().contains("lanczos"), unknown.err());
    Files.writeString(out, "keep");
    Cli exists =
        Cli.run("align", NLCD.toString(), "--like", LANDSAT.toString(), "--out", out.toString());
    assertEquals(2, exists.code(), exists.err());
    assertEquals("keep", Files.readString(out));
    Path down = dir.resolve("down.tif");
    Cli bilinear =
        Cli.run(
            "align",
            LANDSAT.toString(),
            "--like",
            NLCD.toString(),
            "--out",
            down.toString(),
            "--resampling",
            "bilinear");
    assertEquals(2, bilinear.code(), bilinear.err());
    assertTrue(bilinear.err().contains("average"), bilinear.err());
    assertFalse(Files.exists(down));
  }
}

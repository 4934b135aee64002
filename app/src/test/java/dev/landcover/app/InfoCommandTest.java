package dev.landcover.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.landcover.geo.Gdal;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;

class InfoCommandTest {
  @Test
  void printsWhatGdalSees() throws IOException {
    Path naip = Gdal.sharedData().resolve("scenes/naip-4band-2019.tif");
    Cli cli = Cli.run("info", naip.toString());
    assertEquals(0, cli.code(), cli.err());
    Gdal.Reference ref = Gdal.describe(List.of(new Gdal.Request(naip))).get(naip);
    String out = cli.out();
    assertTrue(out.contains(ref.width() + " x " + ref.height() + " pixels, 4 bands"), out);
    assertTrue(out.contains("Sample type:  " + ref.dtype()), out);
    assertTrue(out.contains("EPSG:" + ref.epsg()), out);
    assertTrue(out.contains("Compression:  " + ref.compression()), out);
    double[] gt = ref.geotransform();
    assertTrue(
        out.contains(
            "Origin:       (" + InfoCommand.format(gt[0]) + ", " + InfoCommand.format(gt[3])),
        out + " vs " + String.format(Locale.ROOT, "%f %f", gt[0], gt[3]));
  }

  @Test
  void unreadableFileIsADataError() {
    Cli cli = Cli.run("info", "/no/such/file.tif");
    assertEquals(1, cli.code());
    assertTrue(cli.err().startsWith("landcover: /no/such/file.tif: no such file"), cli.err());
  }
}

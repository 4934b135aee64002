package dev.landcover.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelCommandTest {
  private static final Path PARITY =
      Path.of(
          "..", "networks", "src", "test", "resources", "dev", "landcover", "networks", "parity");

  @Test
  void summaryOfTheSeedExample() {
    Cli cli =
        Cli.run(
            "model",
            "summary",
            "--preset",
            "geo-course",
            "--bands",
            "3",
            "--classes",
            "10",
            "--input",
            "256",
            "--batch",
            "12");
    assertEquals(0, cli.code(), cli.err());
    assertTrue(cli.out().contains("Total params: 2,315,322"), cli.out());
    assertTrue(cli.out().contains("Total mult-adds (G): 55.18"), cli.out());
  }

  @Test
  void summaryRefusesAnInputSizeThatDoesNotFit() {
    Cli cli = Cli.run("model", "summary", "--preset", "geo-course", "--input", "250");
    assertEquals(2, cli.code());
    assertTrue(cli.err().contains("240 and 256"), cli.err());
  }

  @Test
  void importedPyTorchWeightsMakeABundleThatInfoDescribes(@TempDir Path dir) throws Exception {
    Path out = dir.resolve("geo.zip");
    Cli cli =
        Cli.run(
            "model",
            "import",
            "--weights",
            PARITY.resolve("geo-course/weights.npz").toString(),
            "--config",
            PARITY.resolve("geo-course/config.json").toString(),
            "--scene-bands",
            "1,2,3",
            "--band-names",
            "blue,green,red",
            "--class-list",
            "1:a:#ff0000,2:b:#00ff00,3:c:#0000ff,4:d:#ffff00,5:e:#00ffff",
            "--chip",
            "64",
            "--out",
            out.toString());
    assertEquals(0, cli.code(), cli.err());
    assertTrue(Files.isRegularFile(out));
    Cli info = Cli.run("info", out.toString());
    assertEquals(0, info.code(), info.err());
    assertTrue(info.out().contains("landcover-model"), info.out());
    assertTrue(info.out().contains("#00ffff"), info.out());
    Cli summary = Cli.run("model", "summary", "--bundle", out.toString(), "--input", "64");
    assertEquals(0, summary.code(), summary.err());
    assertTrue(summary.out().contains("Total params: 145,901"), summary.out());
  }

  @Test
  void weightsOfAnotherArchitectureAreRefusedNamingTheTensor(@TempDir Path dir) {
    Cli cli =
        Cli.run(
            "model",
            "import",
            "--weights",
            PARITY.resolve("classic-same/weights.npz").toString(),
            "--config",
            PARITY.resolve("geo-course/config.json").toString(),
            "--scene-bands",
            "1,2,3",
            "--class-list",
            "1:a:#ff0000,2:b:#00ff00,3:c:#0000ff",
            "--out",
            dir.resolve("x").toString());
    assertEquals(1, cli.code(), cli.err());
    assertTrue(cli.err().contains("weights.npz"), cli.err());
    assertTrue(!Files.exists(dir.resolve("x")));
  }

  @Test
  void torchScriptImport(@TempDir Path dir) {
    Path out = dir.resolve("ts");
    Cli cli =
        Cli.run(
            "model",
            "import",
            "--torchscript",
            PARITY.resolve("torchscript/model.pt").toString(),
            "--scene-bands",
            "1,2,3,4",
            "--class-list",
            "1:a:#ff0000,2:b:#00ff00,3:c:#0000ff,4:d:#ffff00,5:e:#00ffff,6:f:#ffffff",
            "--chip",
            "64",
            "--mean",
            "0,0,0,0",
            "--std",
            "1,1,1,1",
            "--out",
            out.toString());
    assertEquals(0, cli.code(), cli.err());
    Cli info = Cli.run("info", out.toString());
    assertTrue(info.out().contains("TorchScript"), info.out());
  }
}

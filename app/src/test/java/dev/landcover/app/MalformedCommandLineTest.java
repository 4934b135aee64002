package dev.landcover.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.landcover.testdata.SyntheticScene;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * Malformed command lines for every command, as a table: each must end with its exit code (2 for a
 * bad option, 1 for a bad file), one line on stderr that names the option or file, the value and
 * what was expected, no stack trace, and nothing written at the output path. Every case runs before
 * any real work starts (no chip is cut, no scene mapped), so the table runs in seconds.
 */
class MalformedCommandLineTest {
  @TempDir static Path dir;
  static Path scene;
  static Path labels;
  static Path bundle;
  static Path torchScript;
  static Path out;
  static final List<String> FAILURES = new ArrayList<>();
  static int tried;

  private static final Path DEMO = Path.of("..", "testdata", "demo-model");
  private static final Path PARITY =
      Path.of(
          "..", "networks", "src", "test", "resources", "dev", "landcover", "networks", "parity");

  @BeforeAll
  static void prepare() throws IOException {
    new SyntheticScene(64, 48, 5).write(dir.resolve("s"), false);
    scene = dir.resolve("s/scene.tif");
    labels = dir.resolve("s/labels.tif");
    bundle = copyBundle("bundle", n -> {});
    torchScript = PARITY.resolve("torchscript/model.pt");
    out = dir.resolve("out");
  }

  @AfterAll
  static void summary() {
    System.out.printf(
        "MalformedCommandLineTest: %d cases, %d clean errors, %d failures%n",
        tried, tried - FAILURES.size(), FAILURES.size());
  }

  /** A copy of the demo bundle with model.json edited by {@code edit}. */
  static Path copyBundle(String name, Consumer<ObjectNode> edit) throws IOException {
    Path copy = Files.createDirectories(dir.resolve(name));
    Files.copy(DEMO.resolve("weights.npz"), copy.resolve("weights.npz"));
    ObjectMapper m = new ObjectMapper();
    ObjectNode json = (ObjectNode) m.readTree(DEMO.resolve("model.json").toFile());
    edit.accept(json);
    m.writeValue(copy.resolve("model.json").toFile(), json);
    return copy;
  }

  static Path zipOf(Path bundleDir, String name) throws IOException {
    Path zip = dir.resolve(name);
    try (ZipOutputStream z = new ZipOutputStream(Files.newOutputStream(zip))) {
      for (String f : List.of("model.json", "weights.npz")) {
        z.putNextEntry(new ZipEntry(f));
        Files.copy(bundleDir.resolve(f), z);
        z.closeEntry();
      }
    }
    return zip;
  }

  static ArrayNode array(ObjectNode json, String... path) {
    ObjectNode n = json;
    for (int i = 0; i < path.length - 1; i++) {
      n = (ObjectNode) n.get(path[i]);
    }
    return (ArrayNode) n.get(path[path.length - 1]);
  }

  /** One row of the table. */
  record Case(String name, int code, String[] args, String[] mentions) {}

  static Case usage(String name, String args, String... mentions) {
    return new Case(name, ExitCodes.USAGE_ERROR, split(args), mentions);
  }

  static Case data(String name, String args, String... mentions) {
    return new Case(name, ExitCodes.DATA_ERROR, split(args), mentions);
  }

  /** Splits on '|' so that empty arguments and arguments with spaces can be written. */
  static String[] split(String args) {
    return Arrays.stream(args.split("\\|", -1))
        .map(
            a ->
                a.replace("SCENE", scene.toString())
                    .replace("LABELS", labels.toString())
                    .replace("BUNDLE", bundle.toString())
                    .replace("TORCHSCRIPT", torchScript.toString())
                    .replace("OUT", out.toString())
                    .replace("DIR", dir.toString()))
        .toArray(String[]::new);
  }

  static List<Case> cases() throws IOException {
    Path truncatedZip = dir.resolve("truncated.zip");
    byte[] whole = Files.readAllBytes(zipOf(bundle, "whole.zip"));
    Files.write(truncatedZip, Arrays.copyOf(whole, whole.length / 2));
    Path std0 = copyBundle("std0", j -> array(j, "normalization", "std").set(2, 0.0));
    Path meanNaN = copyBundle("meanNaN", j -> array(j, "normalization", "mean").set(1, "NaN"));
    Path meanNull =
        copyBundle("meanNull", j -> array(j, "normalization", "mean").set(0, (String) null));
    Path chipNegative = copyBundle("chipNegative", j -> j.put("chipSize", -64));
    Path bandZero =
        copyBundle("bandZero", j -> ((ObjectNode) array(j, "bands").get(0)).put("index", 0));
    Path noClasses = copyBundle("noClasses", j -> array(j, "classes").removeAll());
    Path sameClass =
        copyBundle("sameClass", j -> ((ObjectNode) array(j, "classes").get(1)).put("id", 1));
    Path weightsOutside = copyBundle("weightsOutside", j -> j.put("weights", "../bundle/x.npz"));
    Path haloWrong = copyBundle("haloWrong", j -> j.put("halo", 7));
    Path nodataClassBig = copyBundle("nodataClassBig", j -> j.put("nodataClass", 300));
    Path nodataIsAClass = copyBundle("nodataIsAClass", j -> j.put("nodataClass", 2));
    Path textZip = Files.writeString(dir.resolve("text.zip"), "not a zip");
    Path notJson = Files.createDirectories(dir.resolve("notJson"));
    Files.writeString(notJson.resolve("model.json"), "{\"format\": ");
    Path windows = Files.writeString(dir.resolve("windows.txt"), "0 0 16 16\n0 0 sixteen 16\n");
    Path goodWindows = Files.writeString(dir.resolve("good.txt"), "0 0 16 16\n");
    Path noPt = dir.resolve("missing.pt");
    String scene = "SCENE";
    String predict = "predict|--model|BUNDLE|--out|OUT|";
    String ts = "predict|--model|TORCHSCRIPT|--out|OUT|";
    String chips = "chips|--image|SCENE|--out|OUT|";
    String train = "train|--image|SCENE|--labels|LABELS|--out|OUT|";
    String imp =
        "model|import|--weights|"
            + DEMO.resolve("weights.npz")
            + "|--encoder|8,16|--bottleneck|32|--decoder|16,8|--norm|batch|--padding|same"
            + "|--scene-bands|1,2,3,4|--class-list|1:a:#ff0000,2:b:#00ff00,3:c:#0000ff,"
            + "4:d:#ffff00,5:e:#00ffff,6:f:#ffffff|--out|OUT";
    return List.of(
        // landcover itself
        usage("unknown command", "frobnicate", "frobnicate"),
        usage("unknown option", "--frobnicate", "--frobnicate"),
        // info
        usage("info without file", "info", "FILE"),
        usage("info of an empty path", "info|", "FILE", "empty"),
        data("info of a missing file", "info|DIR/nope.tif", "nope.tif", "no such file"),
        data("info of a truncated bundle zip", "info|" + truncatedZip, truncatedZip.toString()),
        data("info of a bundle with std 0", "info|" + std0, "std0", "normalization.std", "0"),
        usage("info with an unknown option", "info|--bogus|SCENE", "--bogus"),
        // chips
        usage("chips with an empty image", "chips|--image||--size|16|--out|OUT", "--image"),
        usage("chips with an empty out", "chips|--image|SCENE|--size|16|--out|", "--out"),
        usage("chips without out", "chips|--image|SCENE|--size|16", "--out"),
        usage("chips size 0", chips + "--size|0", "--size", "0"),
        usage("chips size negative", chips + "--size|-5", "--size", "-5"),
        usage("chips size not a number", chips + "--size|big", "--size", "big"),
        usage("chips overlap negative", chips + "--size|16|--overlap|-1", "overlap", "-1"),
        usage("chips overlap = size", chips + "--size|16|--overlap|16", "overlap", "16"),
        usage("chips stride 0", chips + "--size|16|--stride|0", "stride", "0"),
        usage("chips stride negative", chips + "--size|16|--stride|-3", "stride", "-3"),
        usage("chips band 0", chips + "--size|16|--bands|0", "0", "1 to 4"),
        usage("chips band 99", chips + "--size|16|--bands|1,99", "99", "1 to 4"),
        usage("chips empty band", chips + "--size|16|--bands|1,,2", "--bands"),
        usage("chips max-nodata > 1", chips + "--size|16|--max-nodata|1.5", "--max-nodata", "1.5"),
        usage("chips max-nodata NaN", chips + "--size|16|--max-nodata|NaN", "--max-nodata", "NaN"),
        usage(
            "chips background-keep 2",
            chips + "--size|16|--labels|LABELS|--classes|1|--background-keep|2",
            "--background-keep",
            "2"),
        usage(
            "chips min-class-pixels 0",
            chips + "--size|16|--labels|LABELS|--classes|1|--min-class-pixels|0",
            "--min-class-pixels",
            "0"),
        usage("chips deflate level 0", chips + "--size|16|--deflate-level|0", "--deflate-level"),
        usage("chips deflate level 10", chips + "--size|16|--deflate-level|10", "10"),
        usage("chips threads 0", chips + "--size|16|--threads|0", "--threads", "0"),
        usage("chips compression zip", chips + "--size|16|--compress|zip", "--compress", "zip"),
        usage("chips classes without labels", chips + "--size|16|--classes|1", "--labels"),
        data("chips missing image", "chips|--image|DIR/nope.tif|--size|16|--out|OUT", "nope.tif"),
        data("chips missing labels", chips + "--size|16|--labels|DIR/nol.tif", "nol.tif"),
        // predict
        usage("predict without scene", "predict|--model|BUNDLE", "INPUT"),
        usage("predict no scene found", predict + "DIR/none*.tif", "none*.tif"),
        usage("predict chip 0", predict + "--chip|0|" + scene, "--chip", "0"),
        usage("predict chip negative", predict + "--chip|-64|" + scene, "--chip", "-64"),
        usage("predict overlap negative", predict + "--overlap|-1|" + scene, "--overlap", "-1"),
        usage("predict overlap = chip", predict + "--chip|64|--overlap|64|" + scene, "overlap"),
        usage(
            "predict overlap > chip",
            predict + "--chip|64|--overlap|900|" + scene,
            "overlap",
            "900"),
        usage("predict batch 0", predict + "--batch|0|" + scene, "--batch", "0"),
        usage("predict batch negative", predict + "--batch|-2|" + scene, "--batch", "-2"),
        usage("predict empty out", "predict|--model|BUNDLE|--out||" + scene, "--out"),
        usage("predict empty output", "predict|--model|BUNDLE|--output||" + scene, "--output"),
        usage("predict empty model", "predict|--model||" + scene, "--model"),
        usage("predict bands with a bundle", predict + "--bands|0|" + scene, "--bands"),
        usage("predict band 99 with a bundle", predict + "--bands|99|" + scene, "--bands"),
        usage("predict std with a bundle", predict + "--std|0,0,0,0|" + scene, "--std"),
        usage("predict device tpu", predict + "--device|tpu|" + scene, "--device", "tpu"),
        usage("predict blend cubic", predict + "--blend|cubic|" + scene, "--blend", "cubic"),
        usage("predict nodata rule", predict + "--nodata-rule|some|" + scene, "some"),
        usage("predict float alone", predict + "--float|" + scene, "--float", "--probabilities"),
        usage(
            "predict output with two scenes",
            "predict|--model|BUNDLE|--output|OUT/x.tif|" + scene + "|LABELS",
            "--output"),
        data("predict missing model", "predict|--out|OUT|--model|DIR/nomodel|SCENE", "nomodel"),
        data(
            "predict truncated zip",
            "predict|--out|OUT|--model|" + truncatedZip + "|SCENE",
            "truncated"),
        data(
            "predict model.json not JSON",
            "predict|--out|OUT|--model|" + notJson + "|SCENE",
            "notJson"),
        data(
            "predict std 0 in the model",
            "predict|--out|OUT|--model|" + std0 + "|SCENE",
            "std0",
            "std"),
        data(
            "predict NaN mean",
            "predict|--out|OUT|--model|" + meanNaN + "|SCENE",
            "meanNaN",
            "mean"),
        data(
            "predict null mean",
            "predict|--out|OUT|--model|" + meanNull + "|SCENE",
            "meanNull",
            "mean"),
        data(
            "predict negative chip",
            "predict|--out|OUT|--model|" + chipNegative + "|SCENE",
            "chipSize"),
        data(
            "predict band 0 in model", "predict|--out|OUT|--model|" + bandZero + "|SCENE", "bands"),
        data("predict no classes", "predict|--out|OUT|--model|" + noClasses + "|SCENE", "classes"),
        data(
            "predict duplicate class",
            "predict|--out|OUT|--model|" + sameClass + "|SCENE",
            "classes"),
        data(
            "predict weights outside",
            "predict|--out|OUT|--model|" + weightsOutside + "|SCENE",
            "weights"),
        data(
            "predict halo wrong", "predict|--out|OUT|--model|" + haloWrong + "|SCENE", "halo", "7"),
        data(
            "predict nodata class 300",
            "predict|--out|OUT|--model|" + nodataClassBig + "|SCENE",
            "300"),
        data(
            "predict nodata class is a class",
            "predict|--out|OUT|--model|" + nodataIsAClass + "|SCENE",
            "nodataClass",
            "2"),
        data("predict zip of text", "predict|--out|OUT|--model|" + textZip + "|SCENE", "text.zip"),
        usage("predict empty INPUT", "predict|--model|BUNDLE|--out|OUT|", "INPUT", "empty"),
        data(
            "predict missing TorchScript",
            "predict|--out|OUT|--model|" + noPt + "|SCENE",
            "missing.pt"),
        usage("TorchScript without bands", ts + "--classes|6|" + scene, "--bands"),
        usage("TorchScript without classes", ts + "--bands|1,2,3,4|" + scene, "--classes"),
        usage("TorchScript band 0", ts + "--bands|0,1,2,3|--classes|6|" + scene, "--bands", "0"),
        usage("TorchScript band 99", ts + "--bands|1,2,3,99|--classes|6|" + scene, "99", "4"),
        usage("TorchScript classes 0", ts + "--bands|1,2,3,4|--classes|0|" + scene, "--classes"),
        usage(
            "TorchScript three of four bands",
            ts + "--bands|1,2,3|--classes|6|" + scene,
            "3",
            "4",
            "bands"),
        usage("TorchScript 5 of 6 classes", ts + "--bands|1,2,3,4|--classes|5|" + scene, "5", "6"),
        usage(
            "TorchScript std 0",
            ts + "--bands|1,2,3,4|--classes|6|--mean|0,0,0,0|--std|1,0,1,1|" + scene,
            "--std",
            "0"),
        usage(
            "TorchScript NaN mean",
            ts + "--bands|1,2,3,4|--classes|6|--mean|0,NaN,0,0|--std|1,1,1,1|" + scene,
            "--mean",
            "NaN"),
        usage(
            "TorchScript 3 means for 4 bands",
            ts + "--bands|1,2,3,4|--classes|6|--mean|0,0,0|--std|1,1,1,1|" + scene,
            "--mean"),
        // assess
        usage("assess without reference", "assess|--prediction|LABELS", "--reference"),
        usage("assess empty reference", "assess|--prediction|LABELS|--reference|", "--reference"),
        data("assess missing map", "assess|--prediction|DIR/no.tif|--reference|LABELS", "no.tif"),
        data(
            "assess missing classes file",
            "assess|--prediction|LABELS|--reference|LABELS|--classes|DIR/c.json",
            "c.json"),
        usage(
            "assess empty report", "assess|--prediction|LABELS|--reference|LABELS|--out|", "--out"),
        // train
        usage("train without sources", "train|--out|OUT", "--image", "--chips"),
        usage("train image without labels", "train|--image|SCENE|--out|OUT", "--labels"),
        usage("train epochs 0", train + "--epochs|0", "--epochs", "0"),
        usage("train batch 0", train + "--batch|0", "--batch", "0"),
        usage("train lr 0", train + "--lr|0", "--lr", "0"),
        usage("train lr negative", train + "--lr|-0.1", "--lr", "-0.1"),
        usage("train lr NaN", train + "--lr|NaN", "--lr", "NaN"),
        usage("train val-fraction 1.5", train + "--val-fraction|1.5", "--val-fraction", "1.5"),
        usage("train chip 0", train + "--chip|0", "--chip", "0"),
        usage("train stride 0", train + "--stride|0", "--stride", "0"),
        usage("train loss", train + "--loss|hinge", "--loss", "hinge"),
        usage("train class weights", train + "--class-weights|1,x", "--class-weights"),
        usage("train augment", train + "--augment|spin", "--augment", "spin"),
        usage("train patience negative", train + "--patience|-1", "--patience", "-1"),
        usage("train empty out", "train|--image|SCENE|--labels|LABELS|--out|", "--out"),
        usage("train image band 0", train + "--image-bands|0", "--image-bands", "0"),
        usage("train image band 99", train + "--image-bands|99", "99"),
        usage("train depth 0", train + "--depth|0", "--depth", "0"),
        usage("train filters without depth", train + "--filters|16", "--filters", "--depth"),
        usage(
            "summary filters without depth", "model|summary|--filters|16", "--filters", "--depth"),
        // model
        usage("summary input 0", "model|summary|--input|0", "--input", "0"),
        usage("summary batch 0", "model|summary|--batch|0", "--batch", "0"),
        usage("summary preset", "model|summary|--preset|nope", "nope"),
        usage("summary bands 0", "model|summary|--bands|0", "--bands", "0"),
        data("summary truncated zip", "model|summary|--bundle|" + truncatedZip, "truncated"),
        usage("import band 0", imp.replace("1,2,3,4", "0,2,3,4"), "--scene-bands", "0"),
        usage("import class list", imp.replace("1:a:#ff0000", "1:a"), "1:a"),
        usage("import chip 0", imp + "|--chip|0", "--chip", "0"),
        usage("import std 0", imp + "|--mean|0,0,0,0|--std|1,0,1,1", "--std", "0"),
        usage("import NaN mean", imp + "|--mean|NaN,0,0,0|--std|1,1,1,1", "--mean", "NaN"),
        usage("import nodata class is a class", imp + "|--nodata-class|3", "--nodata-class", "3"),
        usage("import empty out", imp.replace("|--out|OUT", "|--out|"), "--out"),
        usage(
            "import without source",
            "model|import|--scene-bands|1|--class-list|1:a:#ff0000|--out|OUT",
            "--weights"),
        data("import missing weights", imp.replace("weights.npz", "nope.npz"), "nope.npz"),
        // testdata
        usage("testdata size 0", "testdata|scene|--size|0|--out|OUT", "--size", "0"),
        usage("testdata size negative", "testdata|scene|--size|-1|--out|OUT", "-1"),
        usage("testdata empty out", "testdata|scene|--size|8|--out|", "--out"),
        usage("testdata without size", "testdata|scene|--out|OUT", "--size"),
        // bench
        data(
            "bench read missing image",
            "bench|read|--image|DIR/no.tif|--windows|" + goodWindows,
            "no"),
        data("bench read bad windows", "bench|read|--image|SCENE|--windows|" + windows, "sixteen"),
        usage("bench forward batch 0", "bench|forward|--batch|0", "--batch", "0"),
        usage("bench forward input 0", "bench|forward|--input|0", "--input", "0"),
        usage("bench forward iterations 0", "bench|forward|--iterations|0", "--iterations", "0"),
        usage("bench forward preset", "bench|forward|--preset|nope", "nope"));
  }

  @TestFactory
  Stream<DynamicTest> everyMalformedCommandLineIsAOneLineError() throws IOException {
    return cases().stream().map(c -> DynamicTest.dynamicTest(c.name(), () -> check(c)));
  }

  private static void check(Case c) throws IOException {
    tried++;
    boolean passed = false;
    try {
      String[] args = c.args();
      Cli cli = Cli.run(args);
      String all = String.join(" ", args);
      assertEquals(c.code(), cli.code(), all + "\nstdout: " + cli.out() + "\nstderr: " + cli.err());
      List<String> lines =
          cli.err()
              .lines()
              .filter(l -> !l.startsWith("Try '") && !l.matches("^\\S+ chips: .*"))
              .toList();
      assertEquals(1, lines.size(), all + "\nexpected one line, got:\n" + cli.err());
      String line = lines.get(0);
      assertTrue(line.startsWith("landcover: "), line);
      assertFalse(line.matches(".*\\b(java|ai\\.djl|org\\.apache)\\.[a-z]+\\..*"), line);
      for (String m : c.mentions()) {
        String expected = split(m)[0];
        assertTrue(line.contains(expected), "'" + expected + "' not in: " + line);
      }
      assertFalse(Files.exists(out), "left behind: " + out);
      passed = true;
    } catch (AssertionError e) {
      throw new AssertionError(c.name() + ": " + e.getMessage(), e);
    } finally {
      if (!passed) {
        FAILURES.add(c.name());
      }
      if (Files.exists(out)) {
        dev.landcover.pixels.support.AtomicFiles.deleteTree(out);
      }
    }
  }
}

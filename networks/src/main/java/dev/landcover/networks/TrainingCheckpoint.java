package dev.landcover.networks;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.landcover.networks.internal.ResumableAdam;
import dev.landcover.pixels.InvalidInputException;
import dev.landcover.pixels.support.AtomicFiles;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Random;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

/**
 * The training checkpoint file, written by {@link UNetTrainer} after every epoch and read to
 * resume: a zip holding {@code checkpoint.json} (format {@value #FORMAT} version 1: the epoch, the
 * best epoch and its validation mean IoU, the serialized {@link java.util.Random}, the chip order,
 * the history and the caller's settings), {@code weights.npz} (the weights after the epoch), {@code
 * best.npz} (the best epoch's) and {@code optimizer.ndlist} (Adam's moments and steps by canonical
 * tensor name). Written to a temporary file and moved into place, so a killed run leaves the
 * previous checkpoint whole.
 */
public final class TrainingCheckpoint {
  /** The {@code format} of checkpoint.json. */
  public static final String FORMAT = "landcover-checkpoint";

  /**
   * What a checkpoint says about the run that wrote it.
   *
   * @param epoch epochs done
   * @param history the figures of those epochs
   * @param settings what the caller stored to check a resumed run against
   */
  public record Contents(int epoch, List<UNetTrainer.Epoch> history, JsonNode settings) {}

  /** What a resumed run continues from. */
  record State(
      int epoch,
      List<UNetTrainer.Epoch> history,
      int bestEpoch,
      double bestMeanIou,
      Random random,
      int[] order) {}

  private TrainingCheckpoint() {}

  /**
   * Reads what a checkpoint says (epochs done, history, the settings stored with it).
   *
   * @throws InvalidInputException when the file is not a Landcover training checkpoint
   */
  public static Contents read(Path file) throws IOException {
    try (ZipFile zip = open(file)) {
      JsonNode n = checkpointJson(file, zip);
      return new Contents(n.get("epoch").asInt(), history(n), n.get("settings"));
    }
  }

  /** Loads the weights, best weights (to {@code best}) and optimizer state; returns the rest. */
  static State restore(
      Path file, TrainableNet net, Path best, ResumableAdam adam, NDManager manager)
      throws IOException {
    try (ZipFile zip = open(file)) {
      JsonNode n = checkpointJson(file, zip);
      Path scratch = Files.createTempFile("landcover-resume", ".npz");
      try {
        extract(file, zip, "weights.npz", scratch);
        net.load(scratch);
      } finally {
        Files.deleteIfExists(scratch);
      }
      extract(file, zip, "best.npz", best);
      try (var in = zip.getInputStream(entry(file, zip, "optimizer.ndlist"))) {
        adam.load(in, manager);
      }
      return new State(
          n.get("epoch").asInt(),
          history(n),
          n.get("bestEpoch").asInt(),
          n.get("bestMeanIou").asDouble(),
          readRandom(file, n.get("random").asText()),
          new ObjectMapper().treeToValue(n.get("order"), int[].class));
    }
  }

  /** Writes the checkpoint of the epoch just done, replacing {@code file} atomically. */
  static void write(
      Path file,
      JsonNode settings,
      TrainableNet net,
      ResumableAdam adam,
      NDManager manager,
      Path best,
      Random random,
      int[] order,
      List<UNetTrainer.Epoch> history,
      int bestEpoch,
      double bestIou)
      throws IOException {
    ObjectMapper json = new ObjectMapper();
    ObjectNode n = json.createObjectNode();
    n.put("format", FORMAT);
    n.put("formatVersion", 1);
    n.put("epoch", history.get(history.size() - 1).epoch());
    n.put("bestEpoch", bestEpoch);
    n.put("bestMeanIou", bestIou);
    n.put("random", writeRandom(random));
    n.set("order", json.valueToTree(order));
    ArrayNode h = n.putArray("history");
    for (UNetTrainer.Epoch e : history) {
      h.addObject()
          .put("epoch", e.epoch())
          .put("trainLoss", e.trainLoss())
          .put("validationLoss", e.validationLoss())
          .put("validationAccuracy", e.validationAccuracy())
          .put("validationMeanIou", e.validationMeanIou())
          .put("seconds", e.seconds());
    }
    n.set("settings", settings);
    Path dir = file.toAbsolutePath().getParent();
    Files.createDirectories(dir);
    // A run killed while writing leaves its temporary file: remove those of earlier runs.
    try (var stale = Files.newDirectoryStream(dir, "." + file.getFileName() + "*.tmp")) {
      for (Path p : stale) {
        Files.deleteIfExists(p);
      }
    }
    Path current = Files.createTempFile("landcover-current", ".npz");
    try {
      net.save(current);
      AtomicFiles.write(
          file,
          tmp -> {
            try (OutputStream os = Files.newOutputStream(tmp);
                ZipOutputStream zip = new ZipOutputStream(os)) {
              zip.putNextEntry(new ZipEntry("checkpoint.json"));
              zip.write(json.writerWithDefaultPrettyPrinter().writeValueAsBytes(n));
              zip.putNextEntry(new ZipEntry("weights.npz"));
              Files.copy(current, zip);
              zip.putNextEntry(new ZipEntry("best.npz"));
              Files.copy(best, zip);
              zip.putNextEntry(new ZipEntry("optimizer.ndlist"));
              try (NDManager m = manager.newSubManager()) {
                adam.save(zip, m);
              }
              zip.closeEntry();
            }
          });
    } finally {
      Files.deleteIfExists(current);
    }
  }

  /** The epochs recorded in a checkpoint's JSON. */
  private static List<UNetTrainer.Epoch> history(JsonNode checkpointJson) {
    List<UNetTrainer.Epoch> history = new ArrayList<>();
    for (JsonNode e : checkpointJson.get("history")) {
      history.add(
          new UNetTrainer.Epoch(
              e.get("epoch").asInt(),
              e.get("trainLoss").asDouble(),
              e.get("validationLoss").asDouble(),
              e.get("validationAccuracy").asDouble(),
              e.get("validationMeanIou").asDouble(),
              e.get("seconds").asDouble()));
    }
    return history;
  }

  private static ZipFile open(Path file) throws IOException {
    try {
      return new ZipFile(file.toFile());
    } catch (IOException e) {
      throw new InvalidInputException(
          file + ": not a readable training checkpoint (" + e.getMessage() + ")", e);
    }
  }

  private static JsonNode checkpointJson(Path file, ZipFile zip) throws IOException {
    JsonNode n;
    try (var in = zip.getInputStream(entry(file, zip, "checkpoint.json"))) {
      n = new ObjectMapper().readTree(in);
    }
    if (!FORMAT.equals(n.path("format").asText())) {
      throw new InvalidInputException(
          file + ": format '" + n.path("format").asText() + "', expected " + FORMAT);
    }
    return n;
  }

  private static ZipEntry entry(Path file, ZipFile zip, String name) throws IOException {
    ZipEntry e = zip.getEntry(name);
    if (e == null) {
      throw new InvalidInputException(file + ": not a training checkpoint (no " + name + " in it)");
    }
    return e;
  }

  private static void extract(Path file, ZipFile zip, String name, Path target) throws IOException {
    try (var in = zip.getInputStream(entry(file, zip, name))) {
      Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
    }
  }

  private static String writeRandom(Random random) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
      out.writeObject(random);
    }
    return Base64.getEncoder().encodeToString(bytes.toByteArray());
  }

  private static Random readRandom(Path file, String base64) throws IOException {
    try (ObjectInputStream in =
        new ObjectInputStream(new ByteArrayInputStream(Base64.getDecoder().decode(base64)))) {
      return (Random) in.readObject();
    } catch (ClassNotFoundException | ClassCastException e) {
      throw new InvalidInputException(
          file + ": the random generator's state is unreadable: " + e.getMessage(), e);
    }
  }
}

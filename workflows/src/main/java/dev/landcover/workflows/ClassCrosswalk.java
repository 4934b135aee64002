package dev.landcover.workflows;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.landcover.pixels.InvalidInputException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.StringJoiner;

/**
 * A class crosswalk: source class ids (e.g. a model's classes) each mapped onto one target class id
 * (e.g. a reference map's classes), in the order given. Several sources may map onto one target; a
 * source is listed once. Class ids are class values, 0 to 65535.
 *
 * <p>Written ({@link #parse}) inline as {@code FROM=TO[,FROM=TO...]}, e.g. {@code 1=2,4=1,2=3}
 * (Dynamic World's trees, crops and grass onto forest, cultivated land and grassland), or as the
 * path of a JSON file (its name ends in {@code .json}) holding one object of the same pairs, e.g.
 * {@code {"1": 2, "4": 1, "2": 3}}.
 */
public final class ClassCrosswalk {
  private final Map<Integer, Integer> pairs;

  private ClassCrosswalk(Map<Integer, Integer> pairs) {
    this.pairs = Collections.unmodifiableMap(new LinkedHashMap<>(pairs));
  }

  /**
   * The crosswalk of {@code pairs} (source id to target id), in the map's iteration order.
   *
   * @throws IllegalArgumentException when empty or an id is outside 0 to 65535
   */
  public static ClassCrosswalk of(Map<Integer, Integer> pairs) {
    if (pairs.isEmpty()) {
      throw new IllegalArgumentException("A crosswalk needs at least one FROM=TO pair");
    }
    pairs.forEach(
        (from, to) -> {
          if (!isClassId(from) || !isClassId(to)) {
            throw new IllegalArgumentException(
                "Crosswalk pair " + from + "=" + to + ": class ids are 0 to 65535");
          }
        });
    return new ClassCrosswalk(pairs);
  }

  /**
   * Reads a crosswalk: a path ending in {@code .json} is a JSON file holding an object {@code
   * {"FROM": TO, ...}}; anything else is the inline form {@code FROM=TO[,FROM=TO...]}.
   *
   * @throws IllegalArgumentException when the inline form is malformed (naming the pair)
   * @throws InvalidInputException when the JSON file is not such an object (naming the file)
   * @throws IOException when the file cannot be read
   */
  public static ClassCrosswalk parse(String spec) throws IOException {
    if (spec.toLowerCase(Locale.ROOT).endsWith(".json")) {
      return read(Path.of(spec));
    }
    Map<Integer, Integer> pairs = new LinkedHashMap<>();
    for (String pair : spec.split(",", -1)) {
      String[] parts = pair.trim().split("=", -1);
      Integer from = parts.length == 2 ? classId(parts[0]) : null;
      Integer to = parts.length == 2 ? classId(parts[1]) : null;
      if (from == null || to == null) {
        throw new IllegalArgumentException(
            "Crosswalk '"
                + spec
                + "': '"
                + pair
                + "' is not FROM=TO with class ids 0 to 65535 (e.g. 1=2,4=1), nor a .json file");
      }
      if (pairs.put(from, to) != null) {
        throw new IllegalArgumentException(
            "Crosswalk '" + spec + "': class " + from + " is mapped twice");
      }
    }
    return new ClassCrosswalk(pairs);
  }

  private static ClassCrosswalk read(Path file) throws IOException {
    JsonNode root;
    try {
      root = new ObjectMapper().readTree(Files.readAllBytes(file));
    } catch (JsonProcessingException e) {
      throw new InvalidInputException(file + ": not valid JSON: " + e.getOriginalMessage(), e);
    }
    if (root == null || !root.isObject() || root.isEmpty()) {
      throw new InvalidInputException(
          file + ": expected a crosswalk, a non-empty JSON object {\"FROM\": TO, ...}");
    }
    Map<Integer, Integer> pairs = new LinkedHashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      Integer from = classId(e.getKey());
      JsonNode to = e.getValue();
      if (from == null
          || !to.canConvertToInt()
          || !to.isIntegralNumber()
          || !isClassId(to.asInt())) {
        throw new InvalidInputException(
            file
                + ": crosswalk pair \""
                + e.getKey()
                + "\": "
                + to
                + " is not a class id (0 to 65535) mapped onto a class id");
      }
      pairs.put(from, to.asInt());
    }
    return new ClassCrosswalk(pairs);
  }

  private static Integer classId(String text) {
    try {
      int id = Integer.parseInt(text.trim());
      return isClassId(id) ? id : null;
    } catch (NumberFormatException e) {
      return null;
    }
  }

  private static boolean isClassId(int id) {
    return id >= 0 && id <= 65535;
  }

  /** Source id to target id, in the order given. */
  public Map<Integer, Integer> pairs() {
    return pairs;
  }

  /** The target of {@code source}, or -1 when the crosswalk does not list it. */
  public int target(int source) {
    return pairs.getOrDefault(source, -1);
  }

  /** The first source (in the order given) mapped onto {@code target}, or -1 when none is. */
  public int firstSource(int target) {
    for (Map.Entry<Integer, Integer> e : pairs.entrySet()) {
      if (e.getValue() == target) {
        return e.getKey();
      }
    }
    return -1;
  }

  /** The inline form, {@code FROM=TO,...} in the order given. */
  @Override
  public String toString() {
    StringJoiner j = new StringJoiner(",");
    pairs.forEach((from, to) -> j.add(from + "=" + to));
    return j.toString();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ClassCrosswalk c && c.toString().equals(toString());
  }

  @Override
  public int hashCode() {
    return toString().hashCode();
  }
}

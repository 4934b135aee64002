package dev.landcover.workflows;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.landcover.pixels.InvalidInputException;
import dev.landcover.pixels.LandcoverClass;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Class lists in JSON files: a list of {@code {"id", "name", "color": "#rrggbb"}} (name and colour
 * optional: {@link LandcoverClass#unnamed} fills them in), or an object with such a {@code
 * "classes"} list (a bundle's model.json).
 */
public final class ClassListFile {
  private ClassListFile() {}

  /**
   * The classes of {@code file}, in order.
   *
   * @throws InvalidInputException naming the file and the entry when it is not such a list
   * @throws IOException when the file cannot be read
   */
  public static List<LandcoverClass> read(Path file) throws IOException {
    JsonNode root;
    byte[] bytes = Files.readAllBytes(file);
    try {
      root = new ObjectMapper().readTree(bytes);
    } catch (JsonProcessingException e) {
      throw new InvalidInputException(file + ": not valid JSON: " + e.getOriginalMessage(), e);
    }
    JsonNode list = root != null && root.isObject() ? root.get("classes") : root;
    if (list == null || !list.isArray() || list.isEmpty()) {
      throw new InvalidInputException(
          file + ": expected a non-empty JSON list of {\"id\", \"name\", \"color\"}");
    }
    List<LandcoverClass> classes = new ArrayList<>();
    for (JsonNode c : list) {
      JsonNode id = c.get("id");
      if (id == null || !id.canConvertToInt() || id.asInt() < 0 || id.asInt() > 65535) {
        throw new InvalidInputException(
            file + ": class " + c + " has no integer \"id\" from 0 to 65535");
      }
      LandcoverClass fallback = LandcoverClass.unnamed(id.asInt());
      String name = c.path("name").asText(fallback.name());
      try {
        classes.add(
            c.hasNonNull("color")
                ? LandcoverClass.withHexColor(id.asInt(), name, c.get("color").asText())
                : new LandcoverClass(
                    id.asInt(), name, fallback.red(), fallback.green(), fallback.blue()));
      } catch (IllegalArgumentException e) {
        throw new InvalidInputException(file + ": class " + c + ": " + e.getMessage(), e);
      }
    }
    return classes;
  }
}

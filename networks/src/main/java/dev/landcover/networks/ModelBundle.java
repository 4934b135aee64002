package dev.landcover.networks;

import ai.djl.Device;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.landcover.pixels.InvalidInputException;
import dev.landcover.pixels.LandcoverClass;
import dev.landcover.pixels.support.AtomicFiles;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

/**
 * Everything needed to apply a model to a scene: a folder (or the same as a {@code .zip}) holding
 * {@code model.json} and a weights file.
 *
 * <p>{@code model.json}: {@code format} ("landcover-model") and {@code formatVersion} (1); {@code
 * architecture}: {@code {"type": "unet", "preset": name or null, "config": {...}}} (see {@link
 * UNetConfig#toJson()}), {@code {"type": "graph", "graph": {...}}} (an imported network, see {@link
 * LayerGraph}), {@code {"type": "torchscript"}} or {@code {"type": "onnx"}}; {@code weights}: the
 * weights file's name ({@code .npz} for a UNet or a graph, {@code .pt} for TorchScript, {@code
 * .onnx} for ONNX); {@code bands}: the scene bands fed to the model, in order, by 1-based index and
 * name; {@code normalization}: how band values are scaled before the network (see {@link
 * InputNormalization}); {@code classes}: id, name and colour ({@code #rrggbb}) of each output
 * channel, in channel order; {@code chipSize}; {@code halo} (pixels lost at each side, 0 for same
 * padding); {@code nodataClass} (written where the input is nodata); {@code provenance} (free-form:
 * who made it, from what, when); optional: {@code alignment} (chip origins must be multiples of it
 * for stitched chips to equal a larger pass; default: see {@link #alignment()}) and {@code
 * attribution} (notice text the model's licence requires to be shown with it, e.g. an Apache-2.0
 * NOTICE; {@code landcover info} prints it).
 */
public record ModelBundle(
    String architectureType,
    String preset,
    UNetConfig config,
    LayerGraph graph,
    String weights,
    List<Band> bands,
    InputNormalization normalization,
    List<LandcoverClass> classes,
    int chipSize,
    int halo,
    int nodataClass,
    JsonNode provenance,
    int declaredAlignment,
    String attribution) {

  public static final String FORMAT = "landcover-model";
  public static final int FORMAT_VERSION = 1;

  /** One input band: its 1-based index in the scene and its name. */
  public record Band(int index, String name) {}

  /**
   * Checks the bundle: at least one band (1-based) and one class (distinct ids), a positive chip
   * size that passes through the UNet, the halo the UNet loses at that size (0 for TorchScript), a
   * nodata class that no class uses and that the class map's type holds, and a weights file name
   * without folders.
   *
   * @throws IllegalArgumentException naming the model.json field and its value
   */
  public ModelBundle {
    bands = List.copyOf(bands);
    classes = List.copyOf(classes);
    if (bands.isEmpty()) {
      throw new IllegalArgumentException("bands is empty: expected at least one input band");
    }
    for (int i = 0; i < bands.size(); i++) {
      if (bands.get(i).index() < 1) {
        throw new IllegalArgumentException(
            "bands[" + i + "].index is " + bands.get(i).index() + ": band numbers start at 1");
      }
    }
    if (classes.isEmpty()) {
      throw new IllegalArgumentException("classes is empty: expected at least one class");
    }
    Set<Integer> ids = new HashSet<>();
    for (int i = 0; i < classes.size(); i++) {
      if (!ids.add(classes.get(i).id())) {
        throw new IllegalArgumentException(
            "classes[" + i + "].id " + classes.get(i).id() + " is listed twice");
      }
    }
    if (weights.isEmpty() || weights.contains("/") || weights.contains("\\")) {
      throw new IllegalArgumentException(
          "weights is '" + weights + "': expected the name of a file beside model.json");
    }
    if (chipSize < 1) {
      throw new IllegalArgumentException("chipSize is " + chipSize + ": expected a positive size");
    }
    if (config != null && !config.fits(chipSize)) {
      throw new IllegalArgumentException(
          "chipSize " + chipSize + " does not pass through the UNet of architecture.config");
    }
    int expectedHalo = config == null ? 0 : config.margin(chipSize);
    if (halo != expectedHalo) {
      throw new IllegalArgumentException(
          "halo is " + halo + " but the network loses " + expectedHalo + " px at each side");
    }
    int maxId = Collections.max(ids);
    int largest = maxId <= 255 ? 255 : 65535;
    if (nodataClass < 0 || nodataClass > largest || ids.contains(nodataClass)) {
      throw new IllegalArgumentException(
          "nodataClass is "
              + nodataClass
              + ": expected 0 to "
              + largest
              + " (the class map's type) and no class's id");
    }
  }

  /** A UNet bundle. */
  public static ModelBundle unet(
      String preset,
      UNetConfig config,
      List<Band> bands,
      InputNormalization normalization,
      List<LandcoverClass> classes,
      int chipSize,
      int nodataClass,
      JsonNode provenance) {
    return new ModelBundle(
        "unet",
        preset,
        config,
        null,
        "weights.npz",
        bands,
        normalization,
        classes,
        chipSize,
        config.margin(chipSize),
        nodataClass,
        provenance,
        0,
        null);
  }

  /**
   * An imported graph's bundle (weights {@code weights.npz}).
   *
   * @param alignment chip-origin multiple for exact stitching (0: the default, 32)
   * @param attribution notice text to show with the model, or null
   */
  public static ModelBundle graph(
      LayerGraph graph,
      List<Band> bands,
      InputNormalization normalization,
      List<LandcoverClass> classes,
      int chipSize,
      int nodataClass,
      JsonNode provenance,
      int alignment,
      String attribution) {
    return new ModelBundle(
        "graph",
        null,
        null,
        graph,
        "weights.npz",
        bands,
        normalization,
        classes,
        chipSize,
        0,
        nodataClass,
        provenance,
        alignment,
        attribution);
  }

  /**
   * Reads a bundle folder, a {@code .zip} or a built-in bundle by name (see {@link #BUILT_IN}). A
   * zip or built-in bundle is extracted to {@code scratch} (a folder the caller deletes) so the
   * weights can be opened as a file.
   *
   * @return the bundle and the folder holding its files
   * @throws IOException naming the file and the missing or invalid field
   */
  public static Loaded load(Path path, Path scratch) throws IOException {
    Path dir = path;
    if (isBuiltIn(path)) {
      dir = scratch;
      extractBuiltIn(path.toString(), dir);
    } else if (Files.isRegularFile(path)
        && path.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".zip")) {
      dir = scratch;
      unzip(path, dir);
    }
    Path json = dir.resolve("model.json");
    if (!Files.isRegularFile(json)) {
      throw new InvalidInputException(path + ": not a model bundle (no model.json in it)");
    }
    ModelBundle bundle;
    try {
      bundle = fromJson(new ObjectMapper().readTree(json.toFile()));
    } catch (IllegalArgumentException e) {
      throw new InvalidInputException(path + ": model.json: " + e.getMessage(), e);
    } catch (JsonProcessingException e) {
      throw new InvalidInputException(
          path
              + ": model.json is not valid JSON: "
              + e.getOriginalMessage()
              + (e.getLocation() == null ? "" : " (line " + e.getLocation().getLineNr() + ")"),
          e);
    }
    if (!Files.isRegularFile(dir.resolve(bundle.weights()))) {
      throw new InvalidInputException(
          path + ": the weights file '" + bundle.weights() + "' is missing");
    }
    return new Loaded(bundle, dir);
  }

  /**
   * Bundles that ship inside Landcover, by the name {@code --model} accepts: {@value
   * DynamicWorld#NAME} (Dynamic World, imported from google/dynamicworld's SavedModel; see {@link
   * DynamicWorld}).
   */
  public static final List<String> BUILT_IN = List.of(DynamicWorld.NAME);

  private static final List<String> BUILT_IN_FILES =
      List.of("model.json", "weights.npz", "NOTICE", "LICENSE");

  /** Whether {@code path} names a built-in bundle (and no file or folder of that name exists). */
  public static boolean isBuiltIn(Path path) {
    return BUILT_IN.contains(path.toString()) && !Files.exists(path);
  }

  private static void extractBuiltIn(String name, Path dir) throws IOException {
    Files.createDirectories(dir);
    for (String file : BUILT_IN_FILES) {
      String resource = "models/" + name + "/" + file;
      try (var in = ModelBundle.class.getResourceAsStream(resource)) {
        if (in == null) {
          throw new InvalidInputException(
              "built-in model " + name + ": " + file + " is missing from Landcover's jar");
        }
        Files.copy(in, dir.resolve(file), StandardCopyOption.REPLACE_EXISTING);
      }
    }
  }

  /**
   * A TorchScript or ONNX model's bundle made in memory (for a {@code .pt} or {@code .onnx} file
   * given with its bands and classes; the architecture type follows the file's extension).
   *
   * @param weights the TorchScript ({@code .pt}) or ONNX ({@code .onnx}) file's name in the folder
   *     it will be read from
   */
  public static ModelBundle torchScript(
      String weights,
      List<Band> bands,
      InputNormalization normalization,
      List<LandcoverClass> classes,
      int chipSize,
      int nodataClass,
      JsonNode provenance) {
    return new ModelBundle(
        weights.toLowerCase(Locale.ROOT).endsWith(".onnx") ? "onnx" : "torchscript",
        null,
        null,
        null,
        weights,
        bands,
        normalization,
        classes,
        chipSize,
        0,
        nodataClass,
        provenance,
        0,
        null);
  }

  /**
   * Chip origins of a prediction tiling must be multiples of this for stitched chips to equal a
   * whole-scene pass: the bundle's declared {@code alignment} when it has one, else 2^levels for a
   * UNet (max pooling makes it shift-equivariant only by multiples of that) and 32 for other models
   * (their structure is unknown).
   */
  public int alignment() {
    if (declaredAlignment > 0) {
      return declaredAlignment;
    }
    return config == null ? 32 : 1 << config.levels();
  }

  /** This bundle declaring {@code alignment} (e.g. one probed from its model). */
  public ModelBundle withAlignment(int alignment) {
    return new ModelBundle(
        architectureType,
        preset,
        config,
        graph,
        weights,
        bands,
        normalization,
        classes,
        chipSize,
        halo,
        nodataClass,
        provenance,
        alignment,
        attribution);
  }

  /** Whether the model's structure is unknown to Landcover (a TorchScript or ONNX file). */
  public boolean isOpaque() {
    return config == null && graph == null;
  }

  /** Pixels the model loses at each side of a {@code chip} input (0 for same padding). */
  public int halo(int chip) {
    return config == null ? 0 : config.margin(chip);
  }

  /**
   * How far in from a chip's output edge the model's logits may differ from those of a larger
   * input, in pixels, where the bundle knows its structure: {@link UNetConfig#edgeReach()} for a
   * UNet, {@link LayerGraph#receptiveRadius()} for an imported graph; empty for TorchScript and
   * ONNX files and for graphs whose reach is unknown.
   */
  public java.util.OptionalInt edgeReach() {
    if (config != null) {
      return config.edgeReach();
    }
    return graph != null ? graph.receptiveRadius() : java.util.OptionalInt.empty();
  }

  /** A bundle read from disk, with the folder holding its files. */
  public record Loaded(ModelBundle bundle, Path dir) {
    public Path weightsFile() {
      return dir.resolve(bundle.weights());
    }

    /**
     * The model, ready to run: the UNet with its weights, or the TorchScript file.
     *
     * @param device where it runs, or null for the engine's default (a GPU when there is one)
     */
    public SegmentationModel open(Device device) throws IOException {
      return open(device, InferenceOptions.DEFAULT);
    }

    /**
     * As {@link #open(Device)}, prepared as {@code options} say (they apply to UNets and imported
     * graphs; TorchScript and ONNX files run as they are).
     */
    public SegmentationModel open(Device device, InferenceOptions options) throws IOException {
      if (bundle.config() != null) {
        return SegmentationModel.unet(bundle.config(), weightsFile(), device, options);
      }
      if (bundle.graph() != null) {
        return SegmentationModel.graph(bundle.graph(), weightsFile(), device, options);
      }
      if (bundle.architectureType().equals("onnx")) {
        return SegmentationModel.onnx(weightsFile());
      }
      return SegmentationModel.torchScript(weightsFile(), device);
    }
  }

  /**
   * Writes {@code model.json} and copies {@code weightsFile} into the folder {@code dir}, or into
   * {@code dir} as a zip when its name ends in {@code .zip}.
   */
  public void save(Path dir, Path weightsFile) throws IOException {
    save(dir, weightsFile, Map.of());
  }

  /**
   * Writes the bundle as {@link #save(Path, Path)} does, with more files in it (training curves,
   * reports), each under its name; model.json is written last.
   *
   * @param extras file name in the bundle to the file to copy there
   */
  public void save(Path dir, Path weightsFile, Map<String, Path> extras) throws IOException {
    byte[] json =
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsBytes(toJson());
    if (dir.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".zip")) {
      AtomicFiles.write(dir, tmp -> zip(tmp, json, weightsFile, extras));
      return;
    }
    Files.createDirectories(dir);
    if (!weightsFile.toAbsolutePath().equals(dir.resolve(weights).toAbsolutePath())) {
      Files.copy(weightsFile, dir.resolve(weights), StandardCopyOption.REPLACE_EXISTING);
    }
    for (Map.Entry<String, Path> e : extras.entrySet()) {
      Files.copy(e.getValue(), dir.resolve(e.getKey()), StandardCopyOption.REPLACE_EXISTING);
    }
    AtomicFiles.write(dir.resolve("model.json"), tmp -> Files.write(tmp, json));
  }

  private void zip(Path tmp, byte[] json, Path weightsFile, Map<String, Path> extras)
      throws IOException {
    try (ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(tmp))) {
      zip.putNextEntry(new ZipEntry("model.json"));
      zip.write(json);
      zip.closeEntry();
      zip.putNextEntry(new ZipEntry(weights));
      Files.copy(weightsFile, zip);
      zip.closeEntry();
      for (Map.Entry<String, Path> e : new TreeMap<>(extras).entrySet()) {
        zip.putNextEntry(new ZipEntry(e.getKey()));
        Files.copy(e.getValue(), zip);
        zip.closeEntry();
      }
    }
  }

  /**
   * Extracts the zip's files (read through its central directory, every entry's CRC checked) into
   * {@code dir}; entries that would land outside it are skipped.
   */
  private static void unzip(Path zip, Path dir) throws IOException {
    Files.createDirectories(dir);
    Path root = dir.toAbsolutePath().normalize();
    try (ZipFile file = new ZipFile(zip.toFile())) {
      for (ZipEntry e : Collections.list(file.entries())) {
        Path target = root.resolve(e.getName()).normalize();
        if (!target.startsWith(root) || e.isDirectory()) {
          continue;
        }
        Files.createDirectories(target.getParent());
        try (InputStream in = file.getInputStream(e);
            OutputStream out = Files.newOutputStream(target)) {
          in.transferTo(out);
        }
      }
    } catch (NoSuchFileException | AccessDeniedException e) {
      throw e;
    } catch (IOException e) {
      throw new InvalidInputException(
          zip + ": not a readable zip (truncated or damaged?): " + e.getMessage(), e);
    }
  }

  /** The bundle as model.json. */
  public ObjectNode toJson() {
    ObjectMapper m = new ObjectMapper();
    ObjectNode n = m.createObjectNode();
    n.put("format", FORMAT);
    n.put("formatVersion", FORMAT_VERSION);
    ObjectNode arch = n.putObject("architecture");
    arch.put("type", architectureType);
    if ("unet".equals(architectureType)) {
      arch.put("preset", preset);
      arch.set("config", config.toJson());
    } else if ("graph".equals(architectureType)) {
      arch.set("graph", graph.toJson());
    }
    n.put("weights", weights);
    ArrayNode b = n.putArray("bands");
    bands.forEach(x -> b.addObject().put("index", x.index()).put("name", x.name()));
    ObjectNode norm = n.putObject("normalization");
    norm.put("method", normalization.method());
    String[] keys = keys(normalization.method());
    ArrayNode first = norm.putArray(keys[0]);
    ArrayNode second = norm.putArray(keys[1]);
    for (double v : normalization.first()) {
      first.add(v);
    }
    for (double v : normalization.second()) {
      second.add(v);
    }
    ArrayNode c = n.putArray("classes");
    classes.forEach(
        x -> c.addObject().put("id", x.id()).put("name", x.name()).put("color", x.hexColor()));
    n.put("chipSize", chipSize);
    n.put("halo", halo);
    n.put("nodataClass", nodataClass);
    n.set("provenance", provenance == null ? m.createObjectNode() : provenance);
    if (declaredAlignment > 0) {
      n.put("alignment", declaredAlignment);
    }
    if (attribution != null) {
      n.put("attribution", attribution);
    }
    return n;
  }

  private static String[] keys(String method) {
    return switch (method) {
      case "meanstd" -> new String[] {"mean", "std"};
      case "scale" -> new String[] {"scale", "offset"};
      case "minmax" -> new String[] {"min", "max"};
      case "logsigmoid" -> new String[] {"logMean", "logStd"};
      default ->
          throw new IllegalArgumentException(
              "normalization.method is '"
                  + method
                  + "', expected one of "
                  + InputNormalization.METHODS);
    };
  }

  /** Reads model.json. @throws IllegalArgumentException naming the missing or invalid field */
  public static ModelBundle fromJson(JsonNode n) {
    String format = required(n, "format").asText();
    if (!FORMAT.equals(format)) {
      throw new IllegalArgumentException("format is '" + format + "', expected '" + FORMAT + "'");
    }
    int version = required(n, "formatVersion").asInt();
    if (version != FORMAT_VERSION) {
      throw new IllegalArgumentException(
          "formatVersion is " + version + ", this Landcover reads " + FORMAT_VERSION);
    }
    JsonNode arch = required(n, "architecture");
    String type = required(arch, "architecture.type", "type").asText();
    UNetConfig config = null;
    LayerGraph graph = null;
    String preset = null;
    if (type.equals("unet")) {
      config = UNetConfig.fromJson(required(arch, "architecture.config", "config"));
      preset = arch.path("preset").isTextual() ? arch.get("preset").asText() : null;
    } else if (type.equals("graph")) {
      graph = LayerGraph.fromJson(required(arch, "architecture.graph", "graph"));
    } else if (!type.equals("torchscript") && !type.equals("onnx")) {
      throw new IllegalArgumentException(
          "architecture.type is '" + type + "', expected unet, graph, torchscript or onnx");
    }
    List<Band> bands = new ArrayList<>();
    for (JsonNode b : required(n, "bands")) {
      int index =
          integer(required(b, "bands[].index", "index"), "bands[" + bands.size() + "].index");
      bands.add(new Band(index, b.path("name").asText("")));
    }
    JsonNode norm = required(n, "normalization");
    String method = required(norm, "normalization.method", "method").asText();
    String[] keys = keys(method);
    double[] first = doubles(required(norm, "normalization." + keys[0], keys[0]), keys[0]);
    double[] second = doubles(required(norm, "normalization." + keys[1], keys[1]), keys[1]);
    if (first.length != bands.size() || second.length != bands.size()) {
      throw new IllegalArgumentException(
          "normalization has "
              + first.length
              + " and "
              + second.length
              + " values for "
              + bands.size()
              + " bands");
    }
    List<LandcoverClass> classes = new ArrayList<>();
    for (JsonNode c : required(n, "classes")) {
      String at = "classes[" + classes.size() + "]";
      LandcoverClass k =
          LandcoverClass.withHexColor(
              integer(required(c, at + ".id", "id"), at + ".id"),
              required(c, at + ".name", "name").asText(),
              required(c, at + ".color", "color").asText());
      classes.add(k);
    }
    int chipSize = integer(required(n, "chipSize"), "chipSize");
    int halo = integer(required(n, "halo"), "halo");
    int nodataClass = integer(required(n, "nodataClass"), "nodataClass");
    String weights = required(n, "weights").asText();

    if (config != null && (config.bands() != bands.size() || config.classes() != classes.size())) {
      throw new IllegalArgumentException(
          "the UNet takes "
              + config.bands()
              + " bands and gives "
              + config.classes()
              + " classes, but bands lists "
              + bands.size()
              + " and classes "
              + classes.size());
    }
    if (graph != null && (graph.bands() != bands.size() || graph.classes() != classes.size())) {
      throw new IllegalArgumentException(
          "the graph takes "
              + graph.bands()
              + " bands and gives "
              + graph.classes()
              + " classes, but bands lists "
              + bands.size()
              + " and classes "
              + classes.size());
    }
    int alignment = n.path("alignment").asInt(0);
    if (alignment < 0) {
      throw new IllegalArgumentException("alignment is " + alignment + ", expected >= 1");
    }
    return new ModelBundle(
        type,
        preset,
        config,
        graph,
        weights,
        List.copyOf(bands),
        new InputNormalization(method, first, second),
        List.copyOf(classes),
        chipSize,
        halo,
        nodataClass,
        n.path("provenance"),
        alignment,
        n.path("attribution").isTextual() ? n.get("attribution").asText() : null);
  }

  private static JsonNode required(JsonNode n, String name) {
    return required(n, name, name);
  }

  private static JsonNode required(JsonNode n, String path, String name) {
    JsonNode v = n.get(name);
    if (v == null || v.isNull()) {
      throw new IllegalArgumentException("missing field '" + path + "'");
    }
    return v;
  }

  /** A list of numbers ({@code normalization.NAME}); text, null or NaN is refused. */
  private static double[] doubles(JsonNode n, String name) {
    if (!n.isArray()) {
      throw new IllegalArgumentException("normalization." + name + " is not a list of numbers");
    }
    double[] out = new double[n.size()];
    for (int i = 0; i < out.length; i++) {
      JsonNode v = n.get(i);
      if (!v.isNumber()) {
        throw new IllegalArgumentException(
            "normalization." + name + "[" + i + "] is " + v + ": expected a finite number");
      }
      out[i] = v.asDouble();
    }
    return out;
  }

  private static int integer(JsonNode v, String name) {
    if (!v.isIntegralNumber() || !v.canConvertToInt()) {
      throw new IllegalArgumentException(name + " is " + v + ": expected an integer");
    }
    return v.asInt();
  }

  /** A few lines describing the bundle, for {@code landcover info}. */
  public String describe() {
    StringBuilder sb = new StringBuilder();
    sb.append("Model bundle:  ").append(FORMAT).append(" v").append(FORMAT_VERSION).append('\n');
    sb.append("Architecture:  ")
        .append(
            switch (architectureType) {
              case "unet" -> (preset != null ? preset + " " : "") + config;
              case "graph" -> "imported " + graph;
              case "onnx" -> "ONNX";
              default -> "TorchScript";
            })
        .append('\n');
    sb.append("Weights:       ").append(weights).append('\n');
    sb.append("Input bands:   ");
    bands.forEach(
        b ->
            sb.append(b.index())
                .append(b.name().isEmpty() ? "" : " (" + b.name() + ")")
                .append("  "));
    sb.append('\n').append("Normalization: ").append(normalization.method()).append('\n');
    sb.append("Classes:\n");
    classes.forEach(
        c ->
            sb.append(
                String.format(Locale.ROOT, "  %3d  %-20s %s%n", c.id(), c.name(), c.hexColor())));
    sb.append("Chip size:     ").append(chipSize).append(", halo ").append(halo).append('\n');
    sb.append("Nodata class:  ").append(nodataClass).append('\n');
    sb.append("Alignment:     ").append(alignment()).append(" px (chip origins)\n");
    if (provenance != null && !provenance.isMissingNode() && provenance.size() > 0) {
      sb.append("Provenance:    ").append(provenance).append('\n');
    }
    if (attribution != null) {
      sb.append("Attribution:\n");
      attribution.lines().forEach(l -> sb.append("  ").append(l).append('\n'));
    }
    return sb.toString();
  }
}

package dev.landcover.networks;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.landcover.pixels.InvalidInputException;
import dev.landcover.pixels.LandcoverClass;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Google's Dynamic World land-cover model (Apache-2.0; google/dynamicworld, model/forward) as a
 * Landcover bundle: its Keras SavedModel imported by {@link KerasImport}, with the metadata the
 * SavedModel does not carry: the 9 Sentinel-2 L1C bands it reads (B2, B3, B4, B5, B6, B7, B8, B11,
 * B12, by default at their 1-based positions 2, 3, 4, 5, 6, 7, 8, 12, 13 in the usual 13-band stack
 * B01..B12 with B8A after B08), its {@code logsigmoid} normalization with the notebook's constants,
 * its 9 classes with the published colours, and the NOTICE attribution.
 */
public final class DynamicWorld {
  private DynamicWorld() {}

  /** The name {@code --model} accepts for the bundled model. */
  public static final String NAME = "dynamic-world";

  /** Band names in the model's input order. */
  public static final List<String> BANDS =
      List.of("B2", "B3", "B4", "B5", "B6", "B7", "B8", "B11", "B12");

  /** 1-based band positions in a 13-band L1C stack B01..B12 with B8A. */
  static final int[] STACK_INDEX = {2, 3, 4, 5, 6, 7, 8, 12, 13};

  private static final double[] LOG_MEAN = {
    1.7417268007636313, 1.7261204997060209, 1.6798346251414997, 1.7734969472909623,
    2.289154079164943, 2.382939712192371, 2.3828939530384052, 2.1952484264967844,
    1.554812948247501
  };
  private static final double[] LOG_STD = {
    2.023298706048351, 2.038905204308012, 2.179592821212937, 2.2890068333026603,
    2.6171674549378166, 2.773418590375327, 2.7578332604178284, 2.789092484314204,
    2.4140534947492487
  };

  /** The published class names and colours, in output-channel order, ids 0 to 8. */
  public static final List<LandcoverClass> CLASSES =
      List.of(
          LandcoverClass.withHexColor(0, "water", "#419BDF"),
          LandcoverClass.withHexColor(1, "trees", "#397D49"),
          LandcoverClass.withHexColor(2, "grass", "#88B053"),
          LandcoverClass.withHexColor(3, "flooded_vegetation", "#7A87C6"),
          LandcoverClass.withHexColor(4, "crops", "#E49635"),
          LandcoverClass.withHexColor(5, "shrub_and_scrub", "#DFC35A"),
          LandcoverClass.withHexColor(6, "built", "#C4281B"),
          LandcoverClass.withHexColor(7, "bare", "#A59B8F"),
          LandcoverClass.withHexColor(8, "snow_and_ice", "#B39FE1"));

  /** The class written where the scene is nodata. */
  public static final int NODATA_CLASS = 255;

  /** Dynamic World's input normalization (see {@link InputNormalization}, {@code logsigmoid}). */
  public static InputNormalization normalization() {
    return new InputNormalization("logsigmoid", LOG_MEAN, LOG_STD);
  }

  /** The model's bands at their positions in a 13-band L1C stack. */
  public static List<ModelBundle.Band> bands() {
    List<ModelBundle.Band> out = new ArrayList<>();
    for (int i = 0; i < BANDS.size(); i++) {
      out.add(new ModelBundle.Band(STACK_INDEX[i], BANDS.get(i)));
    }
    return out;
  }

  /**
   * Imports the SavedModel folder {@code savedModel} (google/dynamicworld's model/forward) and
   * writes the bundle folder (or {@code .zip}) {@code out}: {@code model.json}, {@code
   * weights.npz}, and the folder's {@code NOTICE} and {@code LICENSE}.
   *
   * @throws InvalidInputException when the folder is not that model (9 bands in, 9 classes out) or
   *     has no NOTICE
   */
  public static ModelBundle importBundle(Path savedModel, Path out) throws IOException {
    if (!Files.isRegularFile(savedModel.resolve("NOTICE"))) {
      throw new InvalidInputException(
          savedModel + ": no NOTICE file (Dynamic World's licence requires its attribution)");
    }
    ObjectNode provenance = new ObjectMapper().createObjectNode();
    provenance.put("source", "google/dynamicworld model/forward (TensorFlow SavedModel)");
    provenance.put("licence", "Apache-2.0, see LICENSE and NOTICE");
    provenance.put("imported", "landcover model import-keras --dynamic-world");
    provenance.put(
        "inputs", "Sentinel-2 L1C digital numbers (reflectance x 10000), bands " + BANDS);
    return KerasImport.importBundle(
        savedModel, out, bands(), normalization(), CLASSES, 256, NODATA_CLASS, 2, provenance);
  }
}

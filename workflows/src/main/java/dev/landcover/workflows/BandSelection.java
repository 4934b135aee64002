package dev.landcover.workflows;

import dev.landcover.networks.ModelBundle;
import dev.landcover.pixels.InvalidInputException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Which scene bands (1-based) feed a model, in the model's order: the bands given by the user
 * ({@code --bands}); else, when the bundle's bands are Sentinel-2 bands (B1..B12, B8A) and the
 * scene's band descriptions name Sentinel-2 bands ({@code B02}, {@code B8A}, {@code b2}, ...), the
 * scene band of each name; else the bundle's band positions.
 */
final class BandSelection {
  private static final Pattern SENTINEL2 = Pattern.compile("(?i)^(?:S2_?)?B0*(1[0-2]|[1-9])(A?)$");

  private BandSelection() {}

  /**
   * The scene bands for {@code bundle}.
   *
   * @param override bands the user chose, or null
   * @param descriptions the scene's band descriptions (empty when it has none)
   * @throws IllegalArgumentException when {@code override} has the wrong count
   * @throws InvalidInputException naming the scene when a band is missing from it
   */
  static int[] choose(
      ModelBundle bundle, int[] override, Path scene, int bandCount, List<String> descriptions)
      throws InvalidInputException {
    List<ModelBundle.Band> model = bundle.bands();
    if (override != null) {
      if (override.length != model.size()) {
        throw new IllegalArgumentException(
            "--bands lists "
                + override.length
                + " bands but the model takes "
                + model.size()
                + " ("
                + names(model)
                + ")");
      }
      return check(override.clone(), scene, bandCount, "");
    }
    List<String> wanted = new ArrayList<>();
    for (ModelBundle.Band b : model) {
      wanted.add(sentinel2(b.name()));
    }
    List<String> have = new ArrayList<>();
    for (String d : descriptions) {
      have.add(sentinel2(d));
    }
    if (!wanted.contains(null) && have.stream().anyMatch(x -> x != null)) {
      int[] chosen = new int[wanted.size()];
      for (int i = 0; i < wanted.size(); i++) {
        int first = have.indexOf(wanted.get(i));
        if (first < 0 || have.lastIndexOf(wanted.get(i)) != first) {
          throw new InvalidInputException(
              scene
                  + ": the model needs Sentinel-2 band "
                  + wanted.get(i)
                  + " but "
                  + (first < 0 ? "no" : "more than one")
                  + " band description names it (descriptions: "
                  + String.join(", ", descriptions)
                  + "); choose the bands with --bands");
        }
        chosen[i] = first + 1;
      }
      return chosen;
    }
    return check(
        model.stream().mapToInt(ModelBundle.Band::index).toArray(),
        scene,
        bandCount,
        "; choose the bands with --bands");
  }

  private static int[] check(int[] bands, Path scene, int bandCount, String hint)
      throws InvalidInputException {
    for (int b : bands) {
      if (b < 1 || b > bandCount) {
        throw new InvalidInputException(
            scene
                + ": the model needs scene band "
                + b
                + " but the scene has "
                + bandCount
                + " bands"
                + hint);
      }
    }
    return bands;
  }

  /** The canonical Sentinel-2 band name ({@code B2}, {@code B8A}) of {@code name}, or null. */
  static String sentinel2(String name) {
    Matcher m = SENTINEL2.matcher(name.strip());
    if (!m.matches() || (!m.group(2).isEmpty() && !m.group(1).equals("8"))) {
      return null;
    }
    return "B" + m.group(1) + m.group(2).toUpperCase(Locale.ROOT);
  }

  private static String names(List<ModelBundle.Band> bands) {
    return String.join(
        ", ",
        Arrays.stream(bands.toArray(ModelBundle.Band[]::new))
            .map(b -> b.name().isEmpty() ? "band " + b.index() : b.name())
            .toList());
  }
}

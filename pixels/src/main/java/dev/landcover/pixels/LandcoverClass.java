package dev.landcover.pixels;

/**
 * One class of a landcover map: the pixel value that stands for it, its name and the colour it is
 * drawn with.
 *
 * @param id the pixel value, 0 to 65535
 * @param name a short human name ("forest")
 * @param red red, 0 to 255
 * @param green green, 0 to 255
 * @param blue blue, 0 to 255
 */
public record LandcoverClass(int id, String name, int red, int green, int blue) {

  /** Checks the ranges. */
  public LandcoverClass {
    if (id < 0 || id > 65535) {
      throw new IllegalArgumentException("Class id must be 0 to 65535: id=" + id);
    }
    for (int c : new int[] {red, green, blue}) {
      if (c < 0 || c > 255) {
        throw new IllegalArgumentException(
            "Colour components must be 0 to 255: class "
                + id
                + " has "
                + red
                + ","
                + green
                + ","
                + blue);
      }
    }
    if (name == null || name.isBlank()) {
      throw new IllegalArgumentException("Class " + id + " needs a name");
    }
  }

  /**
   * A class whose colour is given as {@code #rrggbb}.
   *
   * @throws IllegalArgumentException when the colour is not {@code #rrggbb}
   */
  public static LandcoverClass withHexColor(int id, String name, String hex) {
    if (hex == null || !hex.matches("#[0-9a-fA-F]{6}")) {
      throw new IllegalArgumentException(
          "Class " + id + " (" + name + "): colour '" + hex + "' is not #rrggbb");
    }
    int rgb = Integer.parseInt(hex.substring(1), 16);
    return new LandcoverClass(id, name, rgb >> 16, (rgb >> 8) & 0xFF, rgb & 0xFF);
  }

  /**
   * The class Landcover uses for a value nothing names: "class ID", with the default palette's
   * colour for that id (colours spread over the hues by id, the same for a given id everywhere).
   */
  public static LandcoverClass unnamed(int id) {
    int g = (id * 67) % 256;
    return new LandcoverClass(id, "class " + id, g, (g * 3) % 256, 255 - g);
  }

  /**
   * A class written {@code id:name:#rrggbb} (as on the command line).
   *
   * @throws IllegalArgumentException naming the entry when it is not of that form
   */
  public static LandcoverClass parse(String entry) {
    String[] f = entry.split(":");
    if (f.length != 3) {
      throw new IllegalArgumentException("Class entry '" + entry + "': expected id:name:#rrggbb");
    }
    int id;
    try {
      id = Integer.parseInt(f[0].trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          "Class entry '" + entry + "': the id '" + f[0] + "' is not an integer");
    }
    return withHexColor(id, f[1], f[2]);
  }

  /** The colour as {@code #rrggbb}. */
  public String hexColor() {
    return String.format("#%02x%02x%02x", red, green, blue);
  }
}

package dev.landcover.core.model;

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

  /** The colour as {@code #rrggbb}. */
  public String hexColor() {
    return String.format("#%02x%02x%02x", red, green, blue);
  }
}

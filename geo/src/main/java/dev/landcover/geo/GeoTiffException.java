package dev.landcover.geo;

import dev.landcover.pixels.InvalidInputException;
import java.nio.file.Path;

/**
 * A GeoTIFF that cannot be read or written: the message names the file, what was found against what
 * was expected, and where there is one, a way out (such as a {@code gdal_translate} command).
 */
public class GeoTiffException extends InvalidInputException {
  private static final long serialVersionUID = 1L;

  private final transient Path file;

  /**
   * @param file the file concerned
   * @param problem what is wrong, found against expected
   * @param remedy what the user can do about it, or null
   */
  public GeoTiffException(Path file, String problem, String remedy) {
    this(file, problem, remedy, null);
  }

  /**
   * @param file the file concerned
   * @param problem what is wrong, found against expected
   * @param remedy what the user can do about it, or null
   * @param cause the underlying error, or null
   */
  public GeoTiffException(Path file, String problem, String remedy, Throwable cause) {
    super(file + ": " + problem + (remedy == null ? "" : " (" + remedy + ")"), cause);
    this.file = file;
  }

  /** The file concerned. */
  public Path file() {
    return file;
  }
}

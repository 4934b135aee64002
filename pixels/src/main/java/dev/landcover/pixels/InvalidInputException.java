package dev.landcover.pixels;

import java.io.IOException;

/**
 * Input data that is not what Landcover expects: a file, a value in it, or a value given with it
 * that does not fit the data (a band the file lacks, chips of different sizes, a checkpoint written
 * by another run). The message is one line naming the file or value, what was found and what was
 * expected.
 *
 * <p>Bad arguments that are wrong whatever the data (a negative chip size) are {@link
 * IllegalArgumentException}s; failures of the file system are plain {@link IOException}s. The
 * command line maps this exception, like other I/O errors, to exit code 1 (data error).
 */
public class InvalidInputException extends IOException {
  private static final long serialVersionUID = 1L;

  /**
   * @param message names the file or value, what was found and what was expected
   */
  public InvalidInputException(String message) {
    super(message);
  }

  /**
   * @param message names the file or value, what was found and what was expected
   * @param cause the underlying error, or null
   */
  public InvalidInputException(String message, Throwable cause) {
    super(message, cause);
  }
}

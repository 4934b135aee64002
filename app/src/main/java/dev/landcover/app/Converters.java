package dev.landcover.app;

import ai.djl.Device;
import dev.landcover.networks.UNetTrainer;
import dev.landcover.workflows.ClassWeights;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** picocli type converters for option values that are not plain numbers, paths or enums. */
final class Converters {
  private Converters() {}

  /**
   * A file or folder path: refuses an empty value (which Java would read as the current folder, so
   * that outputs would land there) and text that is not a path on this system (a NUL character).
   */
  static final class PathConverter implements ITypeConverter<Path> {
    @Override
    public Path convert(String text) {
      if (text.isBlank()) {
        throw new TypeConversionException("expected a file or folder path but was empty");
      }
      try {
        return Path.of(text);
      } catch (InvalidPathException e) {
        throw new TypeConversionException("'" + text + "' is not a path: " + e.getReason());
      }
    }
  }

  /**
   * A size in bytes: digits, optionally followed by k, m or g (powers of 1024), e.g. {@code 2g}.
   */
  static final class ByteSizeConverter implements ITypeConverter<Long> {
    @Override
    public Long convert(String text) {
      java.util.regex.Matcher m =
          java.util.regex.Pattern.compile("(?i)(\\d{1,12})([kmg]?)").matcher(text.trim());
      if (!m.matches()) {
        throw new TypeConversionException(
            "'" + text + "' is not a size: expected bytes, or a number with k, m or g (e.g. 2g)");
      }
      int shift =
          switch (m.group(2).toLowerCase(Locale.ROOT)) {
            case "k" -> 10;
            case "m" -> 20;
            case "g" -> 30;
            default -> 0;
          };
      return Long.parseLong(m.group(1)) << shift;
    }
  }

  /**
   * {@code auto} (null: the engine chooses, a GPU when there is one), {@code cpu}, {@code gpu[:N]}.
   */
  static final class DeviceConverter implements ITypeConverter<Device> {
    @Override
    public Device convert(String text) {
      String d = text.toLowerCase(Locale.ROOT);
      if (d.equals("auto")) {
        return null;
      }
      if (d.equals("cpu")) {
        return Device.cpu();
      }
      if (d.equals("gpu")) {
        return Device.gpu();
      }
      if (d.matches("gpu:\\d+")) {
        return Device.gpu(Integer.parseInt(d.substring(4)));
      }
      throw new TypeConversionException("expected auto, cpu, gpu or gpu:N but was '" + text + "'");
    }
  }

  /** {@code ce}, {@code dice} or {@code ce+dice}. */
  static final class LossConverter implements ITypeConverter<UNetTrainer.Loss> {
    @Override
    public UNetTrainer.Loss convert(String text) {
      try {
        return UNetTrainer.Loss.of(text);
      } catch (IllegalArgumentException e) {
        throw new TypeConversionException("expected ce, dice or ce+dice but was '" + text + "'");
      }
    }
  }

  /** {@code auto}, {@code sqrt}, {@code none} or one weight per class. */
  static final class ClassWeightsConverter implements ITypeConverter<ClassWeights> {
    @Override
    public ClassWeights convert(String text) {
      try {
        return ClassWeights.parse(text);
      } catch (IllegalArgumentException e) {
        throw new TypeConversionException(e.getMessage());
      }
    }
  }

  /** Random transformations of training chips. */
  enum Augmentation {
    NONE(false, false),
    FLIPS(true, false),
    ROT90(false, true),
    BOTH(true, true);

    final boolean flips;
    final boolean rotations;

    Augmentation(boolean flips, boolean rotations) {
      this.flips = flips;
      this.rotations = rotations;
    }
  }

  /** {@code flips}, {@code rot90}, both ({@code flips,rot90} or {@code both}) or {@code none}. */
  static final class AugmentationConverter implements ITypeConverter<Augmentation> {
    @Override
    public Augmentation convert(String text) {
      Set<String> parts = new TreeSet<>();
      for (String a : text.split(",")) {
        String p = a.trim().toLowerCase(Locale.ROOT);
        if (!Set.of("flips", "rot90", "both", "none").contains(p)) {
          throw new TypeConversionException(
              "expected flips, rot90, both or none but was '" + a + "'");
        }
        parts.add(p);
      }
      boolean flips = parts.contains("flips") || parts.contains("both");
      boolean rotations = parts.contains("rot90") || parts.contains("both");
      return flips && rotations
          ? Augmentation.BOTH
          : flips ? Augmentation.FLIPS : rotations ? Augmentation.ROT90 : Augmentation.NONE;
    }
  }
}

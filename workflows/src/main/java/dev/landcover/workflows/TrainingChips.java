package dev.landcover.workflows;

import dev.landcover.geo.BandStack;
import dev.landcover.geo.Chip;
import dev.landcover.geo.ChipFolder;
import dev.landcover.geo.ChipGenerator;
import dev.landcover.geo.GeoTiffException;
import dev.landcover.geo.GeoTiffRaster;
import dev.landcover.geo.RasterWindow;
import dev.landcover.geo.SceneRaster;
import dev.landcover.pixels.InvalidInputException;
import dev.landcover.pixels.PixelWindow;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;

/**
 * The chips a training run reads, from image/label raster pairs (cut on a regular grid) or from
 * folders written by {@code landcover chips --labels}. Only where each chip lies is kept in memory;
 * {@link #read} reads a chip's pixels again each time, so a training set may be larger than the
 * heap. Safe to read from several threads.
 */
final class TrainingChips implements AutoCloseable {
  /**
   * One chip: its source (index into the sources), its window in that source's pixel grid
   * (half-open, upper-left origin) and, for chip folders, its files, or for chip tables, its table
   * and row.
   */
  record Ref(
      int source, PixelWindow window, Path imageFile, Path labelFile, ChipTable table, int row)
      implements ValidationSplit.Located {
    Ref(int source, PixelWindow window, Path imageFile, Path labelFile) {
      this(source, window, imageFile, labelFile, null, -1);
    }
  }

  /**
   * A chip's pixels: image {@code bands x size x size} (band-major, raw sample values) and label
   * values, with -1 where the pixel is nodata in the labels or in the image, or the ignored value.
   */
  record Pixels(float[] image, int[] labels) {}

  private final List<Ref> refs = new ArrayList<>();
  private final List<String> sourceNames = new ArrayList<>();
  private final List<SceneRaster[]> rasters = new ArrayList<>();
  private final List<ChipTable> tables = new ArrayList<>();
  private final List<Long> sourceAreas = new ArrayList<>();
  private final int[] bands;
  private final Integer ignore;
  private int size;
  private int bandCount = -1;
  private Integer labelNoData;
  private Map<Path, BandStack> stacks = Map.of();

  private TrainingChips(int[] bands, Integer ignore) {
    this.bands = bands;
    this.ignore = ignore;
  }

  /**
   * Chips from image/label pairs (chips with more than half nodata are left out) and chip folders.
   *
   * @param bands image bands, 1-based, or null for all
   * @param ignore a label value to treat as unlabelled, or null
   * @param stacks the images given as band stacks, keyed by their path in {@code images}
   */
  static TrainingChips open(
      List<Path> images,
      List<Path> labels,
      List<Path> chipFolders,
      int size,
      int stride,
      int[] bands,
      Integer ignore,
      Map<Path, BandStack> stacks)
      throws IOException {
    TrainingChips chips = new TrainingChips(bands, ignore);
    chips.stacks = stacks;
    boolean ok = false;
    try {
      for (int i = 0; i < images.size(); i++) {
        chips.addPair(images.get(i), labels.get(i), size, stride);
      }
      for (Path folder : chipFolders) {
        if (ChipTable.isTable(folder)) {
          chips.addTable(folder);
        } else {
          for (Path f : chipFolders(folder)) {
            chips.addFolder(f);
          }
        }
      }
      ok = true;
      return chips;
    } finally {
      if (!ok) {
        chips.close();
      }
    }
  }

  private void addPair(Path image, Path labels, int chipSize, int stride) throws IOException {
    setSize(chipSize, image);
    BandStack stack = stacks.get(image);
    SceneRaster img = stack != null ? stack.open() : SceneRaster.open(image);
    GeoTiffRaster lbl;
    try {
      lbl = GeoTiffRaster.open(labels);
    } catch (GeoTiffException e) {
      img.close();
      throw e;
    }
    int source = sourceNames.size();
    sourceNames.add(image.toString());
    rasters.add(new SceneRaster[] {img, lbl});
    sourceAreas.add((long) img.width() * img.height());
    // Without --image-bands, the data bands: an alpha band serving as the mask (always the last)
    // is left out.
    checkBands(image, bands == null ? img.dataBands().length : img.bandCount());
    rememberNoData(lbl.noData(1));
    ChipGenerator generator =
        ChipGenerator.builder(img)
            .labels(lbl)
            .chipSize(chipSize)
            .stride(stride)
            .bands(bands == null ? img.dataBands() : bands)
            .maxNoDataFraction(0.5)
            .build();
    for (Chip c : (Iterable<Chip>) generator.stream()::iterator) {
      refs.add(new Ref(source, c.window(), null, null));
    }
  }

  /**
   * The chip folders of a {@code --chips} folder: itself when it has an index, else its sub-folders
   * that have one (a folder per scene, as {@code landcover chips --out DIR IMAGE...} and {@code
   * landcover spark chips} write them), sorted by name, hidden ones left out.
   */
  private static List<Path> chipFolders(Path folder) throws IOException {
    if (Files.exists(folder.resolve(ChipFolder.INDEX)) || !Files.isDirectory(folder)) {
      return List.of(folder);
    }
    List<Path> scenes;
    try (java.util.stream.Stream<Path> s = Files.list(folder)) {
      scenes =
          s.filter(p -> !p.getFileName().toString().startsWith("."))
              .filter(p -> Files.isRegularFile(p.resolve(ChipFolder.INDEX)))
              .sorted()
              .toList();
    }
    return scenes.isEmpty() ? List.of(folder) : scenes;
  }

  /** A folder of {@code landcover chips --labels}: chips.csv, images/, labels/. */
  private void addFolder(Path folder) throws IOException {
    ChipFolder chips = ChipFolder.read(folder);
    int source = sourceNames.size();
    sourceNames.add(folder.toString());
    rasters.add(null);
    long right = 0;
    long bottom = 0;
    Ref first = null;
    for (ChipFolder.Entry e : chips.entries()) {
      Path imageFile = chips.imageFile(e);
      Path labelFile = chips.labelFile(e);
      int w = e.window().width();
      int h = e.window().height();
      if (w != h) {
        throw new InvalidInputException(
            imageFile + ": chip " + w + " x " + h + ", training needs square chips");
      }
      setSize(w, imageFile);
      if (!Files.isRegularFile(labelFile)) {
        throw new InvalidInputException(
            labelFile + ": missing (the chips were written without --labels?)");
      }
      right = Math.max(right, (long) e.window().endX());
      bottom = Math.max(bottom, (long) e.window().endY());
      Ref ref = new Ref(source, e.window(), imageFile, labelFile);
      refs.add(ref);
      first = first == null ? ref : first;
    }
    sourceAreas.add(right * bottom);
    if (first != null) {
      try (GeoTiffRaster img = GeoTiffRaster.open(first.imageFile());
          GeoTiffRaster lbl = GeoTiffRaster.open(first.labelFile())) {
        checkBands(first.imageFile(), img.bandCount());
        rememberNoData(lbl.noData(1));
      }
    }
  }

  /**
   * A chip table ({@link ChipTable}): each of its scenes a source, as a chip folder of that scene
   * would be, its chips in the table's order.
   */
  private void addTable(Path path) throws IOException {
    ChipTable table = ChipTable.open(path);
    tables.add(table);
    List<ChipTable.Chip> chips = table.chips();
    String scene = null;
    int source = -1;
    long right = 0;
    long bottom = 0;
    for (int row = 0; row < chips.size(); row++) {
      ChipTable.Chip c = chips.get(row);
      if (!c.scene().equals(scene)) {
        if (scene != null) {
          sourceAreas.add(right * bottom);
        }
        scene = c.scene();
        source = sourceNames.size();
        sourceNames.add(table.name() + ":" + scene);
        rasters.add(null);
        right = 0;
        bottom = 0;
      }
      int w = c.window().width();
      int h = c.window().height();
      String where = path + ": " + scene + " chip " + c.index();
      if (w != h) {
        throw new InvalidInputException(
            where + ": chip " + w + " x " + h + ", training needs square chips");
      }
      setSize(w, where);
      right = Math.max(right, (long) c.window().endX());
      bottom = Math.max(bottom, (long) c.window().endY());
      refs.add(new Ref(source, c.window(), null, null, table, row));
    }
    if (scene != null) {
      sourceAreas.add(right * bottom);
      checkBands(path, table.bandCount());
      double noData = table.labels(0).noData(0);
      rememberNoData(Double.isNaN(noData) ? OptionalDouble.empty() : OptionalDouble.of(noData));
    }
  }

  private void setSize(int chipSize, Object where) throws InvalidInputException {
    if (size == 0) {
      size = chipSize;
    } else if (size != chipSize) {
      throw new InvalidInputException(
          where + ": chips of " + chipSize + " px where the other sources give " + size);
    }
  }

  private void checkBands(Path file, int count) throws InvalidInputException {
    int used = bands == null ? count : bands.length;
    if (bands != null) {
      for (int b : bands) {
        if (b < 1 || b > count) {
          throw new IllegalArgumentException(
              "--image-bands asks for band " + b + " but " + file + " has " + count + " bands");
        }
      }
    }
    if (bandCount >= 0 && bandCount != used) {
      throw new InvalidInputException(
          file + ": gives " + used + " bands where the other sources give " + bandCount);
    }
    bandCount = used;
  }

  private void rememberNoData(OptionalDouble value) {
    if (labelNoData == null && value.isPresent()) {
      labelNoData = (int) value.getAsDouble();
    }
  }

  List<Ref> refs() {
    return refs;
  }

  /**
   * Pixels in a source: the raster's for an image, the chips' extent for a chip folder.
   *
   * @param source index of the source, as in {@link Ref#source()}
   */
  long sourceArea(int source) {
    return sourceAreas.get(source);
  }

  /** The chips' side in pixels (chips are square). */
  int chipSize() {
    return size;
  }

  /** Bands fed to the network. */
  int bandCount() {
    return bandCount;
  }

  /** The first source's label nodata value, if it has one. */
  Integer labelNoData() {
    return labelNoData;
  }

  /** What the sources are, for the bundle's provenance. */
  List<String> sourceNames() {
    return List.copyOf(sourceNames);
  }

  /** The band indices (1-based) the network reads, as given or all of them. */
  int[] bandIndices() {
    if (bands != null) {
      return bands.clone();
    }
    int[] all = new int[bandCount];
    for (int i = 0; i < all.length; i++) {
      all[i] = i + 1;
    }
    return all;
  }

  /** Reads a chip's pixels. */
  Pixels read(Ref ref) throws IOException {
    RasterWindow image;
    RasterWindow labels;
    if (ref.table() != null) {
      image = ref.table().image(ref.row(), bandIndices());
      labels = ref.table().labels(ref.row());
    } else if (ref.imageFile() == null) {
      SceneRaster[] pair = rasters.get(ref.source());
      image = pair[0].read(ref.window(), bandIndices());
      labels = pair[1].read(ref.window(), 1);
    } else {
      PixelWindow whole = new PixelWindow(0, 0, size, size);
      try (GeoTiffRaster img = GeoTiffRaster.open(ref.imageFile());
          GeoTiffRaster lbl = GeoTiffRaster.open(ref.labelFile())) {
        if (img.width() != size || img.height() != size) {
          throw new GeoTiffException(
              ref.imageFile(),
              "is " + img.width() + " x " + img.height() + ", chips.csv says " + size,
              "write the chips again");
        }
        image = img.read(whole, bandIndices());
        labels = lbl.read(whole, 1);
      }
    }
    int plane = size * size;
    int[] values = labels.raster().getSamples(0, 0, size, size, 0, (int[]) null);
    boolean[] labelValid = labels.validMask();
    boolean[] imageValid = image.validMask();
    for (int p = 0; p < plane; p++) {
      if (!labelValid[p] || !imageValid[p] || (ignore != null && values[p] == ignore)) {
        values[p] = -1;
      }
    }
    return new Pixels(image.toFloatChw(), values);
  }

  @Override
  public void close() throws IOException {
    IOException first = null;
    for (ChipTable table : tables) {
      try {
        table.close();
      } catch (IOException e) {
        first = first == null ? e : first;
      }
    }
    for (SceneRaster[] pair : rasters) {
      if (pair == null) {
        continue;
      }
      for (SceneRaster r : pair) {
        try {
          r.close();
        } catch (IOException e) {
          first = first == null ? e : first;
        }
      }
    }
    if (first != null) {
      throw first;
    }
  }
}

package dev.landcover.workflows;

import dev.landcover.pixels.support.AtomicFiles;
import dev.landcover.vectors.LabelRasterizer;
import dev.landcover.vectors.RasterizeRequest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Polygon labels for chips and training ({@code --vector-labels}): each vector file burnt onto its
 * image's grid by {@link LabelRasterizer} (gdal_rasterize's pixel-centre rule, or its all-touched
 * rule {@code -at}, reprojected to the image's CRS, uncovered pixels nodata 0) into a temporary
 * label GeoTIFF, used as {@code --labels} would be, and deleted by {@link #close}.
 */
public final class VectorLabels implements AutoCloseable {
  private final Path dir;
  private final List<Path> labels;

  private VectorLabels(Path dir, List<Path> labels) {
    this.dir = dir;
    this.labels = List.copyOf(labels);
  }

  /**
   * Rasterizes {@code vectors.get(i)} onto the grid of {@code images.get(i)} with the pixel-centre
   * rule.
   *
   * @param layer the layer of every file, or null for each file's only layer
   * @param field the integer attribute holding the class
   * @throws IllegalArgumentException when the lists differ in length
   */
  public static VectorLabels rasterize(
      List<Path> images, List<Path> vectors, String layer, String field) throws IOException {
    return rasterize(images, vectors, layer, field, false);
  }

  /**
   * Rasterizes {@code vectors.get(i)} onto the grid of {@code images.get(i)}.
   *
   * @param allTouched gdal_rasterize's {@code -at}: also burn every pixel a polygon's outline
   *     passes through, not only pixels whose centre is inside
   * @param layer the layer of every file, or null for each file's only layer
   * @param field the integer attribute holding the class
   * @throws IllegalArgumentException when the lists differ in length
   */
  public static VectorLabels rasterize(
      List<Path> images, List<Path> vectors, String layer, String field, boolean allTouched)
      throws IOException {
    if (images.size() != vectors.size()) {
      throw new IllegalArgumentException(
          images.size()
              + " images but "
              + vectors.size()
              + " --vector-labels: give one vector file per image, in the same order");
    }
    Path dir = Files.createTempDirectory("landcover-vector-labels");
    List<Path> out = new ArrayList<>();
    try {
      for (int i = 0; i < images.size(); i++) {
        Path target = dir.resolve("labels-" + i + ".tif");
        LabelRasterizer.rasterize(
            new RasterizeRequest(
                vectors.get(i), layer, field, images.get(i), target, allTouched, 0));
        out.add(target);
      }
    } catch (IOException | RuntimeException e) {
      AtomicFiles.deleteTree(dir);
      throw e;
    }
    return new VectorLabels(dir, out);
  }

  /** The label rasters, one per image, in order. */
  public List<Path> labels() {
    return labels;
  }

  /** Deletes the label rasters. */
  @Override
  public void close() throws IOException {
    AtomicFiles.deleteTree(dir);
  }
}

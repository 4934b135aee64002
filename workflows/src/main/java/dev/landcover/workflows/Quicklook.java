package dev.landcover.workflows;

import dev.landcover.geo.GeoTiffRaster;
import dev.landcover.geo.RasterWindow;
import dev.landcover.pixels.LandcoverClass;
import dev.landcover.pixels.PixelWindow;
import dev.landcover.pixels.support.AtomicFiles;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.imageio.ImageIO;

/** A PNG picture of a class map with a legend (class colours, names and shares). */
final class Quicklook {
  private static final int MAX_SIDE = 1024;

  private Quicklook() {}

  /**
   * Draws {@code map} (nearest-neighbour downsampled to at most 1024 pixels a side, nodata in
   * white) with a legend listing each class with its share of the valid pixels.
   */
  static void write(
      Path map, List<LandcoverClass> classes, long[] counts, int nodataClass, Path png)
      throws IOException {
    try (GeoTiffRaster raster = GeoTiffRaster.open(map)) {
      int w = raster.width();
      int h = raster.height();
      double scale = Math.min(1.0, (double) MAX_SIDE / Math.max(w, h));
      int pw = Math.max(1, (int) Math.round(w * scale));
      int ph = Math.max(1, (int) Math.round(h * scale));
      int legendWidth = 260;
      int legendHeight = 40 + 24 * classes.size();
      BufferedImage image =
          new BufferedImage(
              pw + legendWidth, Math.max(ph, legendHeight), BufferedImage.TYPE_INT_RGB);
      Map<Integer, Integer> rgb = new HashMap<>();
      for (LandcoverClass c : classes) {
        rgb.put(c.id(), (c.red() << 16) | (c.green() << 8) | c.blue());
      }
      Graphics2D g = image.createGraphics();
      g.setColor(Color.WHITE);
      g.fillRect(0, 0, image.getWidth(), image.getHeight());
      for (int y = 0; y < ph; y++) {
        int sy = Math.min(h - 1, (int) ((y + 0.5) / scale));
        RasterWindow row = raster.read(new PixelWindow(0, sy, w, 1), 1);
        for (int x = 0; x < pw; x++) {
          int sx = Math.min(w - 1, (int) ((x + 0.5) / scale));
          int v = (int) row.sample(0, sx, 0);
          image.setRGB(x, y, v == nodataClass ? 0xFFFFFF : rgb.getOrDefault(v, 0x000000));
        }
      }
      long total = 0;
      for (long n : counts) {
        total += n;
      }
      g.setRenderingHint(
          RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
      g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 14));
      g.setColor(Color.BLACK);
      g.drawString("Landcover", pw + 16, 24);
      g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
      for (int i = 0; i < classes.size(); i++) {
        LandcoverClass c = classes.get(i);
        int y = 40 + 24 * i;
        g.setColor(new Color(c.red(), c.green(), c.blue()));
        g.fillRect(pw + 16, y, 18, 18);
        g.setColor(Color.DARK_GRAY);
        g.drawRect(pw + 16, y, 18, 18);
        g.setColor(Color.BLACK);
        double share = total == 0 ? 0 : 100.0 * counts[i] / total;
        g.drawString(String.format(Locale.ROOT, "%s  %.1f%%", c.name(), share), pw + 42, y + 14);
      }
      g.dispose();
      AtomicFiles.write(png, tmp -> ImageIO.write(image, "png", tmp.toFile()));
    }
  }
}

package dev.landcover.workflows;

import dev.landcover.networks.UNetTrainer;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.function.ToDoubleFunction;
import javax.imageio.ImageIO;

/**
 * A PNG of the training curves: training and validation loss (left axis), validation OA and mean
 * IoU (right axis, 0 to 1).
 */
final class TrainingCurves {
  private TrainingCurves() {}

  static void write(List<UNetTrainer.Epoch> epochs, Path png) throws IOException {
    int w = 720;
    int h = 420;
    int left = 60;
    int right = 160;
    int top = 30;
    int bottom = 50;
    BufferedImage image = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = image.createGraphics();
    g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
    g.setColor(Color.WHITE);
    g.fillRect(0, 0, w, h);
    int pw = w - left - right;
    int ph = h - top - bottom;
    g.setColor(Color.LIGHT_GRAY);
    for (int i = 0; i <= 4; i++) {
      int y = top + ph * i / 4;
      g.drawLine(left, y, left + pw, y);
    }
    g.setColor(Color.BLACK);
    g.drawRect(left, top, pw, ph);
    g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
    double maxLoss =
        epochs.stream()
            .mapToDouble(e -> Math.max(e.trainLoss(), e.validationLoss()))
            .filter(Double::isFinite)
            .max()
            .orElse(1);
    int n = epochs.size();
    for (int i = 0; i <= 4; i++) {
      int y = top + ph * i / 4;
      g.drawString(String.format(Locale.ROOT, "%.2f", 1 - i / 4.0), left + pw + 6, y + 4);
      g.drawString(String.format(Locale.ROOT, "%.2f", maxLoss * (1 - i / 4.0)), 8, y + 4);
    }
    g.drawString("epoch", left + pw / 2 - 16, h - 12);
    for (int e = 1; e <= n; e++) {
      int x = left + (n == 1 ? pw / 2 : pw * (e - 1) / (n - 1));
      g.drawString(String.valueOf(e), x - 4, top + ph + 16);
    }
    curve(g, epochs, e -> e.trainLoss() / maxLoss, new Color(200, 60, 40), left, top, pw, ph);
    curve(g, epochs, e -> e.validationLoss() / maxLoss, new Color(230, 150, 40), left, top, pw, ph);
    curve(
        g,
        epochs,
        UNetTrainer.Epoch::validationAccuracy,
        new Color(40, 90, 210),
        left,
        top,
        pw,
        ph);
    curve(
        g, epochs, UNetTrainer.Epoch::validationMeanIou, new Color(30, 140, 60), left, top, pw, ph);
    String[] labels = {
      "training loss (left)",
      "validation loss (left)",
      "validation OA (right)",
      "validation mIoU (right)"
    };
    Color[] colors = {
      new Color(200, 60, 40),
      new Color(230, 150, 40),
      new Color(40, 90, 210),
      new Color(30, 140, 60)
    };
    // The legend sits in the middle band, between the accuracies (near 1) and the losses.
    int legendTop = top + ph / 3;
    g.setColor(new Color(255, 255, 255, 220));
    g.fillRect(left + pw - 190, legendTop - 4, 182, 18 * labels.length + 6);
    for (int i = 0; i < labels.length; i++) {
      g.setColor(colors[i]);
      g.fillRect(left + pw - 184, legendTop + 18 * i, 12, 12);
      g.setColor(Color.BLACK);
      g.drawString(labels[i], left + pw - 166, legendTop + 10 + 18 * i);
    }
    g.dispose();
    ImageIO.write(image, "png", png.toFile());
  }

  private static void curve(
      Graphics2D g,
      List<UNetTrainer.Epoch> epochs,
      ToDoubleFunction<UNetTrainer.Epoch> value,
      Color color,
      int left,
      int top,
      int pw,
      int ph) {
    g.setColor(color);
    g.setStroke(new BasicStroke(2f));
    int n = epochs.size();
    int px = -1;
    int py = -1;
    for (int i = 0; i < n; i++) {
      double v = value.applyAsDouble(epochs.get(i));
      int x = left + (n == 1 ? pw / 2 : pw * i / (n - 1));
      int y = top + (int) Math.round(ph * (1 - Math.max(0, Math.min(1, Double.isNaN(v) ? 0 : v))));
      if (px >= 0) {
        g.drawLine(px, py, x, y);
      }
      g.fillOval(x - 3, y - 3, 6, 6);
      px = x;
      py = y;
    }
    g.setStroke(new BasicStroke(1f));
  }
}

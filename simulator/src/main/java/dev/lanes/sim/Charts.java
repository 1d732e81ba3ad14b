package dev.lanes.sim;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import javax.imageio.ImageIO;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * One PNG per scenario: the limit, the device's p99 and the goodput over time, second by second,
 * for the Lanes algorithms, the oracle and the Netflix contender with the best goodput.
 */
final class Charts {

  private static final int WIDTH = 900;
  private static final int HEIGHT = 250;

  private Charts() {}

  static void write(Scenario scenario, List<RunResult> results, Path png) throws IOException {
    System.setProperty("java.awt.headless", "true");
    List<RunResult> shown = leading(results);
    String[] titles = {"limit", "device p99 (ms)", "goodput (fraction of capacity)"};
    List<BufferedImage> panels = new ArrayList<>();
    for (int panel = 0; panel < titles.length; panel++) {
      XYChart chart = new XYChartBuilder().width(WIDTH).height(HEIGHT)
          .title(scenario.name() + ": " + titles[panel])
          .xAxisTitle("time (s)").yAxisTitle(titles[panel]).build();
      chart.getStyler().setChartBackgroundColor(Color.WHITE);
      chart.getStyler().setLegendVisible(panel == 0);
      for (RunResult r : shown) {
        double[][] series = r.series();
        double[][] points = withoutGaps(series[0], series[panel + 1]);
        if (points[0].length == 0) {
          continue;
        }
        XYSeries s = chart.addSeries(r.contender().name(), points[0], points[1]);
        s.setMarker(SeriesMarkers.NONE);
      }
      panels.add(BitmapEncoder.getBufferedImage(chart));
    }
    BufferedImage image = new BufferedImage(WIDTH, HEIGHT * panels.size(),
        BufferedImage.TYPE_INT_RGB);
    Graphics2D g = image.createGraphics();
    for (int i = 0; i < panels.size(); i++) {
      g.drawImage(panels.get(i), 0, i * HEIGHT, null);
    }
    g.dispose();
    ImageIO.write(image, "png", png.toFile());
  }

  /** The Lanes algorithms, the oracle, and the Netflix contender with the best goodput. */
  private static List<RunResult> leading(List<RunResult> results) {
    List<RunResult> shown = new ArrayList<>();
    for (RunResult r : results) {
      if (r.contender().group() == Contender.Group.LANES || r.contender().name().startsWith("oracle")) {
        shown.add(r);
      }
    }
    results.stream().filter(r -> r.contender().group() == Contender.Group.NETFLIX)
        .max(Comparator.comparingDouble(RunResult::goodput)).ifPresent(shown::add);
    return shown;
  }

  private static double[][] withoutGaps(double[] x, double[] y) {
    int n = 0;
    for (double v : y) {
      if (!Double.isNaN(v)) {
        n++;
      }
    }
    double[][] points = new double[2][n];
    int j = 0;
    for (int i = 0; i < x.length; i++) {
      if (!Double.isNaN(y[i])) {
        points[0][j] = x[i];
        points[1][j] = y[i];
        j++;
      }
    }
    return points;
  }
}

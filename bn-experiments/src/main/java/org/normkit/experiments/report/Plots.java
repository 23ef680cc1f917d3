package org.normkit.experiments.report;

import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.TreeSet;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;
import org.normkit.autograd.io.AtomicFiles;

/**
 * The PNG line charts of the reports, drawn with XChart: curves per epoch (test accuracy, training loss) and
 * final accuracy across a sweep. Every series is a mean line with markers over a translucent band of the same
 * colour; charts are rendered to bytes so that a report can both save them (through {@link AtomicFiles}) and embed
 * them in its HTML.
 *
 * <p>Drawing needs AWT, which on a server without a display must run headless. Loading this class therefore sets
 * {@code java.awt.headless=true} unless the property was already set, so an application with a real display
 * keeps it.
 */
public final class Plots {

    static {
        if (System.getProperty("java.awt.headless") == null) {
            System.setProperty("java.awt.headless", "true");
        }
    }

    private static final int WIDTH = 800;
    private static final int HEIGHT = 500;
    // Okabe and Ito's palette, which stays distinguishable for the common forms of colour blindness.
    private static final Color[] PALETTE = {
        new Color(0x00, 0x72, 0xB2), new Color(0xD5, 0x5E, 0x00), new Color(0x00, 0x9E, 0x73),
        new Color(0xCC, 0x79, 0xA7), new Color(0xE6, 0x9F, 0x00), new Color(0x56, 0xB4, 0xE9),
        new Color(0x00, 0x00, 0x00), new Color(0xF0, 0xE4, 0x42)};

    /** The norms with a colour of their own, in palette order. */
    private static final List<String> NORM_ORDER = List.of("batch_norm", "layer_norm", "group_norm", "instance_norm",
            "batch_norm2d", "batch_norm1d", "none");

    private Plots() {}

    /** A chart of a metric per epoch, e.g. test accuracy: one series per configuration. */
    public static byte[] epochPlot(String title, String yAxisTitle, List<PlotSeries> series) {
        XYChart chart = chart(title, "epoch", yAxisTitle, series, false);
        chart.getStyler().setXAxisDecimalPattern("#");
        return png(chart);
    }

    /**
     * A chart of final accuracy against a swept setting, e.g. batch size, one series per norm; {@code logX} for
     * settings that are swept in powers (batch size, learning rate).
     */
    public static byte[] sweepPlot(String title, String sweptSetting, boolean logX, List<PlotSeries> series) {
        if (!logX) {
            return png(chart(title, sweptSetting, "final test accuracy", series, false));
        }
        // XChart's log axis ticks powers of ten only ("10", "100"). Instead the x values are drawn at their
        // logarithm on a linear axis, whose ticks fall on whole numbers: base 2 when the grid is powers of two (batch
        // sizes), else base 10; a tick is labelled when it is a grid value, so every grid value of such a grid is.
        TreeSet<Double> grid = new TreeSet<>();
        series.forEach(one -> Arrays.stream(one.x()).filter(Double::isFinite).forEach(grid::add));
        double base = grid.stream().allMatch(Plots::isPowerOfTwo) ? 2 : 10;
        List<PlotSeries> logged = series.stream().map(one -> new PlotSeries(one.name(),
                Arrays.stream(one.x()).map(x -> Math.log(x) / Math.log(base)).toArray(), one.mean(), one.lower(),
                one.upper())).toList();
        XYChart chart = chart(title, sweptSetting + " (logarithmic axis)", "final test accuracy", logged, false);
        chart.getStyler().setXAxisTickMarkSpacingHint(40);
        chart.setCustomXAxisTickLabelsFormatter(tick -> grid.stream()
                .filter(value -> Math.abs(Math.log(value) / Math.log(base) - tick) < 1e-9)
                .map(Numbers::plain).findFirst().orElse(""));
        return png(chart);
    }

    private static boolean isPowerOfTwo(double value) {
        return value >= 1 && value == Math.rint(value) && Long.bitCount((long) value) == 1;
    }

    /** Writes {@code png} to {@code file} atomically. */
    public static void save(Path file, byte[] png) {
        AtomicFiles.writeBytes(file, png);
    }

    private static XYChart chart(String title, String xTitle, String yTitle, List<PlotSeries> series, boolean logX) {
        if (series.isEmpty()) {
            throw new IllegalArgumentException("chart '" + title + "' has no series to draw");
        }
        XYChart chart = new XYChartBuilder().width(WIDTH).height(HEIGHT).title(title)
                .xAxisTitle(xTitle).yAxisTitle(yTitle).build();
        Styler styler = chart.getStyler();
        styler.setChartBackgroundColor(Color.WHITE);
        styler.setLegendPosition(Styler.LegendPosition.OutsideE);
        styler.setAntiAlias(true);
        chart.getStyler().setXAxisLogarithmic(logX);
        chart.getStyler().setPlotGridLinesVisible(true);
        List<Color> colors = colors(series);
        // Bands first, so that every line is drawn over every band.
        for (int i = 0; i < series.size(); i++) {
            addBand(chart, series.get(i), colors.get(i));
        }
        for (int i = 0; i < series.size(); i++) {
            addLine(chart, series.get(i), colors.get(i));
        }
        return chart;
    }

    /**
     * One colour per norm in every figure: the norm a series' label starts with picks it, the usual norms a fixed
     * one and any other a colour by its name. Two series of one chart never share a colour: the later takes the
     * next free one.
     */
    static List<Color> colors(List<PlotSeries> series) {
        List<Color> chosen = new ArrayList<>();
        for (PlotSeries one : series) {
            String norm = one.name().split("[ ,(]", 2)[0];
            int index = NORM_ORDER.indexOf(norm);
            int start = index >= 0 ? index : Math.floorMod(norm.hashCode(), PALETTE.length);
            Color color = PALETTE[start];
            for (int step = 1; chosen.contains(color) && step < PALETTE.length; step++) {
                color = PALETTE[(start + step) % PALETTE.length];
            }
            chosen.add(color);
        }
        return chosen;
    }

    private static void addLine(XYChart chart, PlotSeries series, Color color) {
        List<double[]> points = finitePoints(series);
        if (points.isEmpty()) {
            return;
        }
        XYSeries line = chart.addSeries(series.name(), column(points, 0), column(points, 1));
        line.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
        line.setLineColor(color);
        line.setLineStyle(new BasicStroke(2f));
        line.setMarker(SeriesMarkers.CIRCLE);
        line.setMarkerColor(color);
    }

    /** The band as one closed polygon: along the upper edge left to right, back along the lower edge. */
    private static void addBand(XYChart chart, PlotSeries series, Color color) {
        List<double[]> points = finitePoints(series);
        boolean spread = points.stream().anyMatch(point -> point[3] > point[2]);
        if (points.size() < 2 || !spread) {
            return;
        }
        int n = points.size();
        double[] x = new double[2 * n];
        double[] y = new double[2 * n];
        for (int i = 0; i < n; i++) {
            x[i] = points.get(i)[0];
            y[i] = points.get(i)[3];
            x[2 * n - 1 - i] = points.get(i)[0];
            y[2 * n - 1 - i] = points.get(i)[2];
        }
        XYSeries band = chart.addSeries(series.name() + " (band)", x, y);
        band.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.PolygonArea);
        band.setFillColor(new Color(color.getRed(), color.getGreen(), color.getBlue(), 48));
        band.setLineColor(new Color(color.getRed(), color.getGreen(), color.getBlue(), 0));
        band.setMarker(SeriesMarkers.NONE);
        band.setShowInLegend(false);
    }

    /** Points {x, mean, lower, upper} whose values are all finite. */
    private static List<double[]> finitePoints(PlotSeries series) {
        List<double[]> points = new ArrayList<>();
        for (int i = 0; i < series.x().length; i++) {
            double[] point = {series.x()[i], series.mean()[i], series.lower()[i], series.upper()[i]};
            if (Double.isFinite(point[0]) && Double.isFinite(point[1])) {
                if (!Double.isFinite(point[2]) || !Double.isFinite(point[3])) {
                    point[2] = point[1];
                    point[3] = point[1];
                }
                points.add(point);
            }
        }
        return points;
    }

    private static double[] column(List<double[]> points, int index) {
        return points.stream().mapToDouble(point -> point[index]).toArray();
    }

    private static byte[] png(XYChart chart) {
        try {
            return BitmapEncoder.getBitmapBytes(chart, BitmapEncoder.BitmapFormat.PNG);
        } catch (IOException e) {
            throw new UncheckedIOException("could not render the chart '" + chart.getTitle() + "' as PNG", e);
        }
    }
}

package org.normkit.experiments.report;

import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.CategorySeries;
import org.knowm.xchart.internal.chartpart.Chart;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.CategoryStyler;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;
import org.normkit.autograd.io.AtomicFiles;

/**
 * The PNG charts of the reports, drawn with XChart: curves per epoch (test accuracy, training loss), final
 * accuracy across a numeric sweep (a mean line with markers over a translucent band of the same colour), and final
 * accuracy per value of a categorical sweep (grouped bars with error bars). Charts are rendered to bytes so that a
 * report can both save them (through {@link AtomicFiles}) and embed them in its HTML.
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
        return png(sweepChart(title, sweptSetting, logX, series));
    }

    /** The chart {@link #sweepPlot} renders; on a logarithmic setting, its x axis is a {@link SweepAxis}. */
    static XYChart sweepChart(String title, String sweptSetting, boolean logX, List<PlotSeries> series) {
        if (!logX) {
            return chart(title, sweptSetting, "final test accuracy", series, false);
        }
        SweepAxis axis = SweepAxis.of(sweptSetting, series.stream().map(PlotSeries::x).toList());
        List<PlotSeries> placed = series.stream().map(one -> new PlotSeries(one.name(), axis.positions(one.x()),
                one.mean(), one.lower(), one.upper())).toList();
        XYChart chart = emptyChart(title, axis.title(), "final test accuracy");
        // XChart ticks the x values themselves only when they are equally spaced in the order the series first
        // show them, so an invisible series at every grid position goes first: a norm missing a point (a run
        // that diverged) would otherwise leave a gap and an order that XChart does not recognise.
        addGridSeries(chart, axis, placed);
        draw(chart, placed);
        chart.setCustomXAxisTickLabelsFormatter(tick -> axis.label(tick).orElse(""));
        return chart;
    }

    /** A series without line, marker or legend entry at every grid position, at a height some series has. */
    private static void addGridSeries(XYChart chart, SweepAxis axis, List<PlotSeries> placed) {
        double height = placed.stream().flatMapToDouble(one -> Arrays.stream(one.mean())).filter(Double::isFinite)
                .findFirst().orElse(0);
        double[] x = new double[axis.grid().length];
        Arrays.setAll(x, i -> i);
        double[] y = new double[x.length];
        Arrays.fill(y, height);
        XYSeries grid = chart.addSeries(" grid", x, y);
        grid.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
        grid.setLineColor(new Color(0, 0, 0, 0));
        grid.setMarker(SeriesMarkers.NONE);
        grid.setShowInLegend(false);
    }

    /**
     * A grouped bar chart of final accuracy per value of a categorical setting (initialisation, optimizer, …): one
     * group of bars per value in {@code categories}, one bar colour per series (norm), each bar the series' mean at
     * that value with an error bar from {@code lower} to {@code upper} (the reports give the 95 % interval). A
     * series' {@code x} are positions in {@code categories}; a value it lacks, or whose mean is NaN, has no bar. The
     * y axis starts at {@code yMin}, which the caller states in its caption, so that differences of a point show.
     */
    public static byte[] barPlot(String title, String setting, List<String> categories, List<PlotSeries> series,
                                 double yMin) {
        return png(barChart(title, setting, categories, series, yMin));
    }

    /** The chart {@link #barPlot} renders. */
    static CategoryChart barChart(String title, String setting, List<String> categories, List<PlotSeries> series,
                                  double yMin) {
        if (series.isEmpty()) {
            throw new IllegalArgumentException("chart '" + title + "' has no series to draw");
        }
        CategoryChart chart = new CategoryChartBuilder().width(WIDTH).height(HEIGHT).title(title)
                .xAxisTitle(setting).yAxisTitle("final test accuracy").build();
        CategoryStyler styler = chart.getStyler();
        styler.setChartBackgroundColor(Color.WHITE);
        styler.setLegendPosition(Styler.LegendPosition.OutsideE);
        styler.setAntiAlias(true);
        styler.setPlotGridLinesVisible(true);
        styler.setOverlapped(false);
        styler.setYAxisMin(yMin);
        styler.setYAxisDecimalPattern("0.00");
        styler.setErrorBarsColor(Color.BLACK);
        List<Color> colors = colors(series);
        for (int i = 0; i < series.size(); i++) {
            PlotSeries one = series.get(i);
            List<Double> means = new ArrayList<>();
            List<Double> errors = new ArrayList<>();
            for (int c = 0; c < categories.size(); c++) {
                int at = indexOf(one.x(), c);
                double mean = at < 0 ? Double.NaN : one.mean()[at];
                // XChart 3.8 cannot take a null value beside error bars, so a missing value is a bar of no height at
                // the foot of the axis; the table beside the chart says "—" there.
                means.add(Double.isFinite(mean) ? mean : yMin);
                double error = at < 0 ? Double.NaN : (one.upper()[at] - one.lower()[at]) / 2;
                errors.add(Double.isFinite(mean) && Double.isFinite(error) ? error : 0.0);
            }
            CategorySeries bars = chart.addSeries(one.name(), categories, means, errors);
            bars.setFillColor(colors.get(i));
        }
        return chart;
    }

    private static int indexOf(double[] positions, int category) {
        for (int i = 0; i < positions.length; i++) {
            if (positions[i] == category) {
                return i;
            }
        }
        return -1;
    }

    /** Writes {@code png} to {@code file} atomically. */
    public static void save(Path file, byte[] png) {
        AtomicFiles.writeBytes(file, png);
    }

    private static XYChart chart(String title, String xTitle, String yTitle, List<PlotSeries> series, boolean logX) {
        XYChart chart = emptyChart(title, xTitle, yTitle);
        chart.getStyler().setXAxisLogarithmic(logX);
        draw(chart, series);
        return chart;
    }

    private static XYChart emptyChart(String title, String xTitle, String yTitle) {
        XYChart chart = new XYChartBuilder().width(WIDTH).height(HEIGHT).title(title)
                .xAxisTitle(xTitle).yAxisTitle(yTitle).build();
        Styler styler = chart.getStyler();
        styler.setChartBackgroundColor(Color.WHITE);
        styler.setLegendPosition(Styler.LegendPosition.OutsideE);
        styler.setAntiAlias(true);
        chart.getStyler().setPlotGridLinesVisible(true);
        return chart;
    }

    private static void draw(XYChart chart, List<PlotSeries> series) {
        if (series.isEmpty()) {
            throw new IllegalArgumentException("chart '" + chart.getTitle() + "' has no series to draw");
        }
        List<Color> colors = colors(series);
        // Bands first, so that every line is drawn over every band.
        for (int i = 0; i < series.size(); i++) {
            addBand(chart, series.get(i), colors.get(i));
        }
        for (int i = 0; i < series.size(); i++) {
            addLine(chart, series.get(i), colors.get(i));
        }
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

    private static byte[] png(Chart<?, ?> chart) {
        try {
            return BitmapEncoder.getBitmapBytes(chart, BitmapEncoder.BitmapFormat.PNG);
        } catch (IOException e) {
            throw new UncheckedIOException("could not render the chart '" + chart.getTitle() + "' as PNG", e);
        }
    }
}

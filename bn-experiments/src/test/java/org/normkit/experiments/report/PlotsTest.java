package org.normkit.experiments.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.awt.Color;
import java.lang.reflect.Method;
import java.util.List;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.internal.chartpart.Axis;
import org.knowm.xchart.internal.chartpart.Chart;

class PlotsTest {

    private static PlotSeries series(String name) {
        return new PlotSeries(name, new double[] {1}, new double[] {0.5}, new double[] {0.5}, new double[] {0.5});
    }

    @Test
    void aNormHasTheSameColourInEveryFigureWhateverElseIsDrawn() {
        List<Color> one = Plots.colors(List.of(series("none"), series("batch_norm"), series("group_norm")));
        List<Color> other = Plots.colors(List.of(series("group_norm"), series("batch_norm")));

        assertEquals(one.get(1), other.get(1));
        assertEquals(one.get(2), other.get(0));
    }

    @Test
    void twoSeriesOfOneChartNeverShareAColour() {
        List<Color> colors = Plots.colors(List.of(series("batch_norm lr=0.1"), series("batch_norm lr=0.01")));

        assertNotEquals(colors.get(0), colors.get(1));
    }

    private static PlotSeries sweep(String name, double[] grid, double accuracy) {
        double[] mean = IntStream.range(0, grid.length).mapToDouble(i -> accuracy + 0.01 * i).toArray();
        double[] lower = java.util.Arrays.stream(mean).map(m -> m - 0.005).toArray();
        double[] upper = java.util.Arrays.stream(mean).map(m -> m + 0.005).toArray();
        return new PlotSeries(name, grid, mean, lower, upper);
    }

    /**
     * The labels XChart drew under the x axis: the chart is rendered, then its axis model read back (XChart keeps
     * the axis package-private, hence the reflection).
     */
    private static List<String> renderedXTickLabels(XYChart chart) throws Exception {
        BitmapEncoder.getBufferedImage(chart);
        Method xAxis = Chart.class.getDeclaredMethod("getXAxis");
        xAxis.setAccessible(true);
        Axis<?, ?> axis = (Axis<?, ?>) xAxis.invoke(chart);
        return axis.getAxisTickCalculator().getTickLabels().stream().filter(label -> !label.isEmpty()).toList();
    }

    @Test
    void aSweepPlotTicksEveryValueOfALearningRateGridThatIsNotPowersOfTen() throws Exception {
        double[] grid = {0.0001, 0.0003, 0.001, 0.003, 0.01};
        XYChart chart = Plots.sweepChart("t", "learning rate", true,
                List.of(sweep("batch_norm", grid, 0.8), sweep("group_norm", grid, 0.7)));

        assertEquals(List.of("0.0001", "0.0003", "0.001", "0.003", "0.01"), renderedXTickLabels(chart));
    }

    @Test
    void aSweepPlotTicksEveryBatchSizeEvenWhenANormMissesTheFirstPoints() throws Exception {
        XYChart chart = Plots.sweepChart("t", "batch size", true,
                List.of(sweep("batch_norm", new double[] {32, 128}, 0.8),
                        sweep("group_norm", new double[] {2, 8, 32, 128}, 0.7)));

        assertEquals(List.of("2", "8", "32", "128"), renderedXTickLabels(chart));
        assertEquals("batch size (logarithmic axis)", chart.getXAxisTitle());
    }

    @Test
    void aBarChartHasOneBarPerValueAndSeriesAndNoneWhereASeriesHasNoRuns() throws Exception {
        PlotSeries both = new PlotSeries("batch_norm", new double[] {0, 1, 2}, new double[] {0.80, 0.86, 0.81},
                new double[] {0.79, 0.85, 0.80}, new double[] {0.81, 0.87, 0.82});
        PlotSeries gap = new PlotSeries("none", new double[] {0, 2}, new double[] {0.75, 0.78},
                new double[] {0.70, 0.77}, new double[] {0.80, 0.79});

        org.knowm.xchart.CategoryChart chart = Plots.barChart("accuracy", "initialisation",
                List.of("default", "xavier", "kaiming"), List.of(both, gap), 0.65);
        BitmapEncoder.getBufferedImage(chart);

        assertEquals(List.of("batch_norm", "none"), List.copyOf(chart.getSeriesMap().keySet()));
        assertEquals(List.of(0.75, 0.65, 0.78), chart.getSeriesMap().get("none").getYData(), "no bar above the foot");
        assertEquals(0.05, chart.getSeriesMap().get("none").getExtraValues().iterator().next().doubleValue(), 1e-12);
        assertEquals(0.65, chart.getStyler().getYAxisMin(), 0);
    }
}

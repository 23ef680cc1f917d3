package org.normkit.experiments.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.awt.Color;
import java.util.List;

import org.junit.jupiter.api.Test;

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
}

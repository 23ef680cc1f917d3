package org.normkit.experiments.report;

/**
 * One line of a plot with its band: at each {@code x}, the {@code mean} over seeds and the range
 * {@code lower..upper} the band shades (the reports use the seeds' minimum and maximum, which is defined even for
 * two seeds, where a 95 % interval is too wide to draw usefully). Points whose mean is NaN are left out.
 *
 * @param name  the legend entry
 * @param x     the x values, ascending
 * @param mean  the line
 * @param lower the lower edge of the band
 * @param upper the upper edge of the band
 */
public record PlotSeries(String name, double[] x, double[] mean, double[] lower, double[] upper) {

    public PlotSeries {
        if (mean.length != x.length || lower.length != x.length || upper.length != x.length) {
            throw new IllegalArgumentException("plot series '" + name + "' needs as many means, lower and upper "
                    + "values as x values (" + x.length + "), got " + mean.length + ", " + lower.length + ", "
                    + upper.length);
        }
    }

    /** A series without a band. */
    public static PlotSeries line(String name, double[] x, double[] y) {
        return new PlotSeries(name, x, y, y.clone(), y.clone());
    }
}

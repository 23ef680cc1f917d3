package org.normkit.experiments.report;

/**
 * A mean over seeds and the half-width of its 95 % confidence interval: the true mean lies in
 * {@code mean ± halfWidth} with 95 % confidence, assuming the seeds' results are normally distributed.
 *
 * @param mean      the arithmetic mean; NaN when there are no values
 * @param halfWidth the half-width of the 95 % interval; NaN for fewer than two values
 * @param n         how many values the mean is over
 */
public record MeanInterval(double mean, double halfWidth, int n) {

    /**
     * "0.8320 ± 0.0239"; "0.8320 (1 seed)" for one value, whose spread is unknown so it has no interval (the
     * reports say so beside their tables); "n/a" for none.
     */
    public String format(int decimals) {
        if (n == 0) {
            return "n/a";
        }
        if (n == 1) {
            return Numbers.fixed(mean, decimals) + " (1 seed)";
        }
        return Numbers.fixed(mean, decimals) + " ± " + Numbers.fixed(halfWidth, decimals);
    }

    @Override
    public String toString() {
        return format(4) + " (n=" + n + ")";
    }
}

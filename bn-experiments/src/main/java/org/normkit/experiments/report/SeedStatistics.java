package org.normkit.experiments.report;

import java.util.OptionalDouble;
import org.apache.commons.math3.distribution.TDistribution;
import org.apache.commons.math3.stat.inference.TTest;

/**
 * The two statistics a report over seeds needs: a mean with its confidence interval, and whether two
 * configurations differ by more than seed noise.
 *
 * <p>Thread safety: stateless.
 */
public final class SeedStatistics {

    /** The confidence level of every interval in our reports. */
    public static final double CONFIDENCE = 0.95;
    /** The significance level the reports' sentences use. */
    public static final double ALPHA = 0.05;

    private SeedStatistics() {}

    /**
     * The mean of {@code values} and the half-width {@code t · s / √n} of its 95 % confidence interval, where
     * {@code s} is the sample standard deviation (Bessel's correction, dividing by {@code n − 1}) and {@code t} the
     * 0.975 quantile of Student's t with {@code n − 1} degrees of freedom (Commons Math {@link TDistribution}).
     * With few seeds {@code t} is large (12.7 for two, 4.3 for three), which is the honest price of few seeds. One
     * value gives a NaN half-width, no values a NaN mean.
     */
    public static MeanInterval meanWithConfidence(double[] values) {
        int n = values.length;
        if (n == 0) {
            return new MeanInterval(Double.NaN, Double.NaN, 0);
        }
        double sum = 0;
        for (double value : values) {
            sum += value;
        }
        double mean = sum / n;
        if (n == 1) {
            return new MeanInterval(mean, Double.NaN, 1);
        }
        double squares = 0;
        for (double value : values) {
            squares += (value - mean) * (value - mean);
        }
        double standardError = Math.sqrt(squares / (n - 1) / n);
        double t = new TDistribution(n - 1).inverseCumulativeProbability(1 - (1 - CONFIDENCE) / 2);
        return new MeanInterval(mean, t * standardError, n);
    }

    /**
     * The two-sided p-value of Welch's t-test (unequal variances, Welch–Satterthwaite degrees of freedom; Commons
     * Math {@link TTest#tTest(double[], double[])}) that {@code a} and {@code b} have the same mean. Absent when
     * either has fewer than two values, or when both have zero spread, where the test is undefined.
     */
    public static OptionalDouble welch(double[] a, double[] b) {
        if (a.length < 2 || b.length < 2 || (spread(a) == 0 && spread(b) == 0)) {
            return OptionalDouble.empty();
        }
        return OptionalDouble.of(new TTest().tTest(a, b));
    }

    /** The sum of squared deviations from the mean: zero exactly when all values are equal. */
    private static double spread(double[] values) {
        double mean = 0;
        for (double value : values) {
            mean += value / values.length;
        }
        double squares = 0;
        for (double value : values) {
            squares += (value - mean) * (value - mean);
        }
        return squares;
    }
}

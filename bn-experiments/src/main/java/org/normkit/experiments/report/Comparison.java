package org.normkit.experiments.report;

import java.util.OptionalDouble;

/**
 * Two groups of seeds compared: their means with intervals, the difference {@code a − b}, and Welch's p-value,
 * with the words a report uses for the outcome. Keeping the words here means every sentence judges evidence the
 * same way: significant below {@link SeedStatistics#ALPHA}, and never a verdict without a test.
 */
record Comparison(MeanInterval a, MeanInterval b, double difference, OptionalDouble p) {

    static Comparison of(double[] a, double[] b) {
        MeanInterval first = SeedStatistics.meanWithConfidence(a);
        MeanInterval second = SeedStatistics.meanWithConfidence(b);
        return new Comparison(first, second, first.mean() - second.mean(), SeedStatistics.welch(a, b));
    }

    /** Both groups have values, so there is a difference to talk about. */
    boolean comparable() {
        return a.n() > 0 && b.n() > 0;
    }

    /** Tested and below the significance level. */
    boolean significant() {
        return p.isPresent() && p.getAsDouble() < SeedStatistics.ALPHA;
    }

    /** "Welch p = 0.003, larger than seed noise at the 5 % level", or why there is no test. */
    String verdict() {
        if (p.isEmpty()) {
            return a.n() < 2 || b.n() < 2 ? "not enough seeds to test"
                    : "every seed gave the same value, so the t-test is undefined";
        }
        String pValue = "Welch " + Numbers.pValue(p.getAsDouble());
        return significant() ? pValue + ", larger than seed noise at the 5 % level"
                : pValue + ", not distinguishable from seed noise with " + a.n() + " and " + b.n() + " seeds";
    }
}

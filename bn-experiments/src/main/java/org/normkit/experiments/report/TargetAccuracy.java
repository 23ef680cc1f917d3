package org.normkit.experiments.report;

import java.util.List;
import java.util.Optional;

/**
 * The test accuracy whose epochs-to-reach measure convergence speed, with the sentence that tells the reader how it
 * was chosen, since "epochs to target" means nothing without the target.
 *
 * <p>Given explicitly, it is used as is. Otherwise it is the final mean accuracy of the baseline ({@code none}),
 * which turns the count into "epochs a norm needs to match what training without normalization reaches at the
 * end"; with no single baseline configuration, 0.95 × the best final mean accuracy of any configuration.
 */
record TargetAccuracy(double value, String explanation) {

    static TargetAccuracy choose(ReportContext context, List<ConfigSummary> summaries) {
        if (context.targetAccuracy().isPresent()) {
            double target = context.targetAccuracy().getAsDouble();
            return new TargetAccuracy(target, Numbers.fixed(target, 4) + ", as given for this experiment");
        }
        List<ConfigSummary> baselines = summaries.stream()
                .filter(summary -> summary.config().norm().equals(context.baselineNorm()))
                .filter(summary -> summary.finalAccuracies().length > 0)
                .toList();
        if (baselines.size() == 1) {
            double target = SeedStatistics.meanWithConfidence(baselines.get(0).finalAccuracies()).mean();
            return new TargetAccuracy(target, Numbers.fixed(target, 4) + ", the final mean test accuracy of "
                    + context.baselineNorm() + ": the epochs each norm needs to match what training without "
                    + "normalization reaches at its last epoch");
        }
        Optional<Double> best = summaries.stream()
                .map(summary -> SeedStatistics.meanWithConfidence(summary.finalAccuracies()).mean())
                .filter(mean -> !mean.isNaN())
                .max(Double::compare);
        if (best.isEmpty()) {
            return new TargetAccuracy(Double.NaN, "n/a: no run finished");
        }
        double target = 0.95 * best.get();
        return new TargetAccuracy(target, Numbers.fixed(target, 4) + ", 0.95 × the best final mean test accuracy ("
                + Numbers.fixed(best.get(), 4) + "), since there is no single " + context.baselineNorm()
                + " configuration to take the target from");
    }
}

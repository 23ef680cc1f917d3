package org.normkit.experiments.report;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * The closing sentences of an experiment report ("What these numbers say"), generated only from what the rows
 * show. Each norm is compared with the baseline of the same configuration on final accuracy, on epoch-1 accuracy
 * and epochs to the target (convergence speed), on divergence and on time per epoch. A claim is made only when a
 * Welch test supports it; otherwise the sentence says the difference is within seed noise or that there are not
 * enough seeds to test.
 */
final class ExperimentFindings {

    private final List<ConfigSummary> summaries;
    private final Map<RunConfig, String> labels;
    private final ReportContext context;
    private final TargetAccuracy target;

    ExperimentFindings(List<ConfigSummary> summaries, Map<RunConfig, String> labels, ReportContext context,
                       TargetAccuracy target) {
        this.summaries = summaries;
        this.labels = labels;
        this.context = context;
        this.target = target;
    }

    List<String> sentences() {
        List<String> sentences = new ArrayList<>();
        seedsSentence().ifPresent(sentences::add);
        boolean anyBaseline = false;
        for (ConfigSummary summary : summaries) {
            if (summary.config().norm().equals(context.baselineNorm())) {
                divergence(summary).ifPresent(sentences::add);
                continue;
            }
            Optional<ConfigSummary> baseline = baselineOf(summary);
            if (baseline.isPresent()) {
                anyBaseline = true;
                sentences.addAll(againstBaseline(summary, baseline.get()));
            } else {
                divergence(summary).ifPresent(sentences::add);
            }
        }
        boolean onlyBaseline = summaries.stream().allMatch(s -> s.config().norm().equals(context.baselineNorm()));
        if (onlyBaseline) {
            sentences.add("Only " + context.baselineNorm() + " ran: there is no norm to compare with it.");
        } else if (!anyBaseline) {
            sentences.add("There is no " + context.baselineNorm() + " run to compare with, so nothing here says what "
                    + "normalization changes against training without it.");
            ranking().ifPresent(sentences::add);
        }
        for (ConfigSummary summary : summaries) {
            List<Long> seeds = summary.seedsThatDidNotLearn();
            if (!seeds.isEmpty()) {
                sentences.add("Did not learn: " + labels.get(summary.config()) + " ended at chance level (final test "
                        + "accuracy at most " + Numbers.fixed(TrainingFailures.CHANCE_LEVEL_LIMIT, 2) + ") with "
                        + seeds.size() + " of " + summary.seedCount() + " seeds; try a smaller learning rate.");
            }
        }
        sentences.add("These statements hold for this data set, net and configuration only; p-values are two-sided "
                + "Welch t-tests over seeds, not corrected for comparing several norms at once.");
        if (context.syntheticData()) {
            sentences.add("The data is synthetic, so none of this says how the norms behave on real images.");
        }
        return sentences;
    }

    private Optional<String> seedsSentence() {
        int most = summaries.stream().mapToInt(summary -> summary.finalAccuracies().length).max().orElse(0);
        int fewest = summaries.stream().mapToInt(summary -> summary.finalAccuracies().length).min().orElse(0);
        if (most < 2) {
            return Optional.of("No configuration has two finished seeds, so there are not enough seeds to test any "
                    + "difference: each number below is a single run, and another seed could change it.");
        }
        if (fewest < 2) {
            return Optional.of("Some configurations have fewer than two finished seeds: their differences are "
                    + "reported, but there are not enough seeds to test them.");
        }
        return Optional.empty();
    }

    private List<String> againstBaseline(ConfigSummary norm, ConfigSummary baseline) {
        String name = labels.get(norm.config());
        String base = labels.get(baseline.config());
        List<String> sentences = new ArrayList<>();
        if (norm.finalEpoch() == 0) {
            sentences.add(name + " diverged in every seed (" + norm.seedCount() + "), so there is nothing to "
                    + "compare with " + base + ".");
            return sentences;
        }
        Comparison last = Comparison.of(norm.finalAccuracies(), baseline.finalAccuracies());
        if (last.comparable()) {
            String epochs = norm.finalEpoch() == baseline.finalEpoch() ? ""
                    : " (compared at epoch " + norm.finalEpoch() + " against epoch " + baseline.finalEpoch() + ")";
            sentences.add("Final accuracy: " + name + " ends at " + last.a().format(4) + " against "
                    + last.b().format(4) + " for " + base + epochs + ", a difference of "
                    + Numbers.signed(last.difference(), 4) + " (" + last.verdict() + ").");
        }
        sentences.add(convergence(norm, baseline, name, base));
        divergence(norm).ifPresent(sentences::add);
        double ratio = norm.meanSecondsPerEpoch() / baseline.meanSecondsPerEpoch();
        if (Double.isFinite(ratio)) {
            sentences.add("Time: an epoch with " + name + " takes " + Numbers.fixed(ratio, 2) + "× as long as with "
                    + base + " (" + Numbers.fixed(norm.meanSecondsPerEpoch(), 2) + " s against "
                    + Numbers.fixed(baseline.meanSecondsPerEpoch(), 2) + " s, epochs 2 on: the first epoch of each "
                    + "run pays the JVM's warm-up).");
        } else {
            sentences.add("Time: " + name + " and " + base + " cannot be compared: with one epoch per run every "
                    + "timing includes the JVM's warm-up, and the norm that ran first pays the most for it.");
        }
        return sentences;
    }

    private String convergence(ConfigSummary norm, ConfigSummary baseline, String name, String base) {
        Comparison first = Comparison.of(norm.valuesAt(1, ResultRow::testAccuracy),
                baseline.valuesAt(1, ResultRow::testAccuracy));
        StringBuilder sentence = new StringBuilder("Convergence: ");
        if (first.comparable()) {
            sentence.append("after epoch 1, ").append(name).append(" is at ").append(first.a().format(4))
                    .append(" against ").append(first.b().format(4)).append(" (")
                    .append(Numbers.signed(first.difference(), 4)).append("; ").append(first.verdict()).append("); ");
        }
        OptionalInt normEpoch = norm.firstEpochReaching(target.value());
        OptionalInt baseEpoch = baseline.firstEpochReaching(target.value());
        sentence.append(reachPhrase(name, normEpoch, norm.finalEpoch())).append(", ")
                .append(reachPhrase(base, baseEpoch, baseline.finalEpoch())).append(". ");
        boolean reachesSooner = normEpoch.isPresent()
                && (baseEpoch.isEmpty() || normEpoch.getAsInt() < baseEpoch.getAsInt());
        if (first.significant() && first.difference() > 0) {
            if (reachesSooner) {
                sentence.append("This run supports faster convergence with ").append(name).append('.');
            } else if (normEpoch.isPresent() && normEpoch.equals(baseEpoch)) {
                sentence.append(name).append(" starts ahead, but reaches the target in the same epoch.");
            } else {
                sentence.append(name).append(" starts ahead, but its mean curve does not reach the target sooner.");
            }
        } else if (first.significant()) {
            sentence.append(name).append(" starts behind ").append(base).append(": no sign of faster convergence.");
        } else if (first.p().isEmpty()) {
            sentence.append("Whether ").append(name).append(" converges faster cannot be tested here (")
                    .append(first.verdict()).append(").");
        } else {
            sentence.append("The epoch-1 difference is within seed noise, so this run shows no evidence of faster "
                    + "convergence").append(reachesSooner ? ", although the mean curve reaches the target first" : "")
                    .append('.');
        }
        return sentence.toString();
    }

    private String reachPhrase(String name, OptionalInt epoch, int epochsRun) {
        String targetText = Numbers.fixed(target.value(), 4);
        return epoch.isPresent() ? name + " reaches the target " + targetText + " at epoch " + epoch.getAsInt()
                : name + " does not reach " + targetText + " in its " + epochsRun + " epochs";
    }

    private Optional<String> divergence(ConfigSummary summary) {
        List<ResultRow> diverged = summary.divergedRows();
        if (diverged.isEmpty()) {
            return Optional.empty();
        }
        String epochs = String.join(", ", diverged.stream().map(row -> Integer.toString(row.epoch())).toList());
        return Optional.of("Divergence: " + labels.get(summary.config()) + " diverged in " + diverged.size() + " of "
                + summary.seedCount() + " seeds (at epoch " + epochs + ").");
    }

    private Optional<String> ranking() {
        List<ConfigSummary> ranked = summaries.stream()
                .filter(summary -> summary.finalAccuracies().length > 0)
                .sorted(Comparator.comparingDouble(
                        (ConfigSummary summary) -> SeedStatistics.meanWithConfidence(summary.finalAccuracies()).mean())
                        .reversed())
                .toList();
        if (ranked.size() < 2) {
            return Optional.empty();
        }
        Comparison top = Comparison.of(ranked.get(0).finalAccuracies(), ranked.get(1).finalAccuracies());
        return Optional.of("Highest mean final accuracy: " + labels.get(ranked.get(0).config()) + " ("
                + top.a().format(4) + "), then " + labels.get(ranked.get(1).config()) + " (" + top.b().format(4)
                + "); their difference " + Numbers.signed(top.difference(), 4) + " (" + top.verdict() + ").");
    }

    private Optional<ConfigSummary> baselineOf(ConfigSummary summary) {
        RunConfig wanted = summary.config().withNorm(context.baselineNorm());
        return summaries.stream().filter(other -> other.config().equals(wanted)).findFirst();
    }
}

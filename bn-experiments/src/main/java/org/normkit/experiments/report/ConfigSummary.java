package org.normkit.experiments.report;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.TreeMap;
import java.util.function.ToDoubleFunction;
import java.util.stream.Stream;

/**
 * The runs of one {@link RunConfig} over its seeds, as the reports read them.
 *
 * <p>Each seed's run is one of three things. <em>Finished</em>: it has a row for the configuration's final epoch
 * (the highest epoch any of its non-diverged runs reached). <em>Diverged</em>: it has a diverged row; its earlier
 * epochs are left out of every mean and curve, so that a curve never jumps where a seed drops out. <em>Incomplete</em>:
 * neither (still running, or interrupted); it counts in the per-epoch curves for the epochs it has, but not in the
 * final accuracy.
 */
final class ConfigSummary {

    private final RunConfig config;
    private final Map<Long, TreeMap<Integer, ResultRow>> okRunsBySeed = new LinkedHashMap<>();
    private final Map<Long, ResultRow> divergedBySeed = new LinkedHashMap<>();
    private final List<ResultRow> allOkRows = new ArrayList<>();

    private ConfigSummary(RunConfig config) {
        this.config = config;
    }

    /**
     * The configurations in {@code rows}, {@code baselineNorm}'s first and the others in the order they first
     * appear, which is the order the experiment ran them in.
     */
    static List<ConfigSummary> group(List<ResultRow> rows, String baselineNorm) {
        Map<RunConfig, ConfigSummary> byConfig = new LinkedHashMap<>();
        for (ResultRow row : rows) {
            byConfig.computeIfAbsent(row.key().config(), ConfigSummary::new).add(row);
        }
        List<ConfigSummary> summaries = new ArrayList<>(byConfig.values());
        summaries.sort(Comparator.comparing(summary -> !summary.config.norm().equals(baselineNorm)));
        return summaries;
    }

    private void add(ResultRow row) {
        long seed = row.key().seed();
        okRunsBySeed.computeIfAbsent(seed, s -> new TreeMap<>());
        if (row.isDiverged()) {
            divergedBySeed.put(seed, row);
        } else {
            okRunsBySeed.get(seed).put(row.epoch(), row);
            allOkRows.add(row);
        }
    }

    RunConfig config() {
        return config;
    }

    int seedCount() {
        return okRunsBySeed.size();
    }

    List<ResultRow> divergedRows() {
        return List.copyOf(divergedBySeed.values());
    }

    /** The highest epoch a non-diverged run reached; 0 when every run diverged. */
    int finalEpoch() {
        int last = 0;
        for (Map.Entry<Long, TreeMap<Integer, ResultRow>> run : liveRuns().entrySet()) {
            if (!run.getValue().isEmpty()) {
                last = Math.max(last, run.getValue().lastKey());
            }
        }
        return last;
    }

    /** Seeds that neither reached the final epoch nor diverged. */
    List<Long> incompleteSeeds() {
        int last = finalEpoch();
        return liveRuns().entrySet().stream()
                .filter(run -> !run.getValue().containsKey(last))
                .map(Map.Entry::getKey).toList();
    }

    /** Test accuracy at the final epoch, one value per finished seed. */
    double[] finalAccuracies() {
        return valuesAt(finalEpoch(), ResultRow::testAccuracy);
    }

    /** {@code metric} at {@code epoch}, one value per non-diverged seed that has the epoch. */
    double[] valuesAt(int epoch, ToDoubleFunction<ResultRow> metric) {
        return liveRuns().values().stream()
                .filter(run -> run.containsKey(epoch))
                .mapToDouble(run -> metric.applyAsDouble(run.get(epoch)))
                .toArray();
    }

    /** Mean test accuracy over seeds at each epoch from 1 to the final one (NaN where no seed has the epoch). */
    double[] meanAccuracyCurve() {
        int last = finalEpoch();
        double[] curve = new double[last];
        for (int epoch = 1; epoch <= last; epoch++) {
            curve[epoch - 1] = SeedStatistics.meanWithConfidence(valuesAt(epoch, ResultRow::testAccuracy)).mean();
        }
        return curve;
    }

    /** The first epoch at which the mean test accuracy over seeds is at least {@code target}. */
    OptionalInt firstEpochReaching(double target) {
        double[] curve = meanAccuracyCurve();
        for (int i = 0; i < curve.length; i++) {
            if (curve[i] >= target) {
                return OptionalInt.of(i + 1);
            }
        }
        return OptionalInt.empty();
    }

    /** Mean over seeds of {@code metric} at each epoch, with the seeds' minimum and maximum as its band. */
    PlotSeries curve(String name, ToDoubleFunction<ResultRow> metric) {
        int last = finalEpoch();
        double[] epochs = new double[last];
        double[] mean = new double[last];
        double[] low = new double[last];
        double[] high = new double[last];
        for (int epoch = 1; epoch <= last; epoch++) {
            double[] values = valuesAt(epoch, metric);
            epochs[epoch - 1] = epoch;
            mean[epoch - 1] = SeedStatistics.meanWithConfidence(values).mean();
            low[epoch - 1] = values.length == 0 ? Double.NaN : Arrays.stream(values).min().getAsDouble();
            high[epoch - 1] = values.length == 0 ? Double.NaN : Arrays.stream(values).max().getAsDouble();
        }
        return new PlotSeries(name, epochs, mean, low, high);
    }

    /**
     * Mean wall-clock seconds per epoch over the finished epochs of every run from epoch 2 on; NaN when the runs have
     * one epoch. A run's first epoch pays the JVM's warm-up (class loading, JIT compilation), the first run of a job
     * most: counting it would make whichever norm ran first look slow.
     */
    double meanSecondsPerEpoch() {
        return afterWarmUp().mapToDouble(ResultRow::seconds).filter(Double::isFinite).average().orElse(Double.NaN);
    }

    /** Mean training throughput over the finished epochs of every run from epoch 2 on (see above); NaN without. */
    double meanSamplesPerSecond() {
        return afterWarmUp().mapToDouble(ResultRow::samplesPerSecond).filter(Double::isFinite).average()
                .orElse(Double.NaN);
    }

    /** Mean of {@code metric} over the finished first epochs of every run; NaN when none has a finite value. */
    double meanFirstEpoch(ToDoubleFunction<ResultRow> metric) {
        return allOkRows.stream().filter(row -> row.epoch() == 1).mapToDouble(metric).filter(Double::isFinite)
                .average().orElse(Double.NaN);
    }

    /** Mean of {@code metric} over the finished epochs from 2 on; NaN when none has a finite value. */
    double meanLaterEpoch(ToDoubleFunction<ResultRow> metric) {
        return afterWarmUp().mapToDouble(metric).filter(Double::isFinite).average().orElse(Double.NaN);
    }

    private Stream<ResultRow> afterWarmUp() {
        return allOkRows.stream().filter(row -> row.epoch() >= 2);
    }

    /** The finished seeds whose final test accuracy is at chance level ({@link TrainingFailures#didNotLearn}). */
    List<Long> seedsThatDidNotLearn() {
        int last = finalEpoch();
        return liveRuns().entrySet().stream()
                .filter(run -> run.getValue().containsKey(last)
                        && TrainingFailures.didNotLearn(run.getValue().get(last).testAccuracy()))
                .map(Map.Entry::getKey).toList();
    }

    private Map<Long, TreeMap<Integer, ResultRow>> liveRuns() {
        Map<Long, TreeMap<Integer, ResultRow>> live = new LinkedHashMap<>(okRunsBySeed);
        live.keySet().removeAll(divergedBySeed.keySet());
        return live;
    }
}

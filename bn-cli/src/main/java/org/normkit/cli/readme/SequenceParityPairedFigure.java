package org.normkit.cli.readme;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;

import com.fasterxml.jackson.databind.JsonNode;

import org.apache.commons.math3.stat.descriptive.rank.Median;
import org.normkit.experiments.report.MarkdownTable;
import org.normkit.experiments.report.MeanInterval;
import org.normkit.experiments.report.ResultRow;
import org.normkit.experiments.report.SeedStatistics;

/**
 * The paired comparison with PyTorch (issue 13's bar: mean accuracy within 1 point, bits per character within 0.05):
 * both sides start every run from the same initial weights and visit the same batches in the same order
 * ({@code normkit experiment --export-init DIR}, the PyTorch scripts' {@code --init-from DIR}), so a seed's two
 * results differ only by the arithmetic, and the difference per seed is a paired sample. Per run and norm: the final
 * epoch's difference per seed, their mean with its 95 % confidence interval (Student's t over the seeds, Commons
 * Math), the largest difference at any epoch, and whether the interval lies inside the bound. Only the seeds that
 * finished on both sides are paired. normkit's side is
 * {@code parity-paired/normkit-RUN/results.csv}, PyTorch's {@code parity-paired/pytorch-RUN.jsonl}, both made by
 * {@code docs/results/sequence/run-parity-paired.sh}. Where {@code parity-paired/pytorch64-RUN.jsonl} exists (the
 * script's {@code float64} side: PyTorch trained again in float64 from the same start), a last column gives PyTorch
 * float32 − float64 at the final epoch: the spread that float32 rounding alone causes in one framework, against which
 * normkit − PyTorch is to be read.
 */
final class SequenceParityPairedFigure implements ReadmeFigure {

    static final String FOLDER = "docs/results/sequence/parity-paired/";
    static final String SCRIPT = "docs/results/sequence/run-parity-paired.sh";
    /** Seeds listed one by one in a row; beyond this a row summarises them. */
    static final int LISTED_SEEDS = 10;

    @Override
    public String key() {
        return "sequence-parity-paired";
    }

    @Override
    public String render(Path repositoryRoot) {
        List<List<String>> table = new ArrayList<>();
        String torch = "";
        for (SequenceParityFigure.Run run : SequenceParityFigure.RUNS) {
            List<ResultRow> rows = ResultFiles.resultRows(repositoryRoot, FOLDER + "normkit-" + run.name()
                    + "/results.csv");
            int last = rows.stream().mapToInt(ResultRow::epoch).max().orElseThrow();
            // norm → epoch → seed → metric
            Map<String, TreeMap<Integer, TreeMap<Long, Double>>> normkit = new LinkedHashMap<>();
            for (ResultRow row : rows) {
                normkit.computeIfAbsent(row.key().config().norm(), n -> new TreeMap<>())
                        .computeIfAbsent(row.epoch(), e -> new TreeMap<>())
                        .put(row.key().seed(), run.text() ? row.testLoss() / Math.log(2) : row.testAccuracy());
            }
            String file = FOLDER + "pytorch-" + run.name() + ".jsonl";
            Map<String, TreeMap<Integer, TreeMap<Long, Double>>> pytorch = pytorchRuns(repositoryRoot, file, run);
            for (JsonNode line : SequenceParityFigure.jsonLines(repositoryRoot, file)) {
                torch = line.has("torch") ? " " + line.path("torch").asText() : torch;
            }
            String file64 = FOLDER + "pytorch64-" + run.name() + ".jsonl";
            Map<String, TreeMap<Integer, TreeMap<Long, Double>>> float64 = Files.exists(repositoryRoot.resolve(file64))
                    ? pytorchRuns(repositoryRoot, file64, run) : Map.of();
            // Only seeds that finished their last epoch on both sides are paired (an interrupted run stays out).
            for (Map.Entry<String, TreeMap<Integer, TreeMap<Long, Double>>> norm : normkit.entrySet()) {
                TreeMap<Integer, TreeMap<Long, Double>> peer = pytorch.getOrDefault(norm.getKey(), new TreeMap<>());
                TreeSet<Long> seeds = new TreeSet<>(norm.getValue().getOrDefault(last, new TreeMap<>()).keySet());
                seeds.retainAll(peer.getOrDefault(last, new TreeMap<>()).keySet());
                if (seeds.isEmpty()) {
                    table.add(List.of(run.title(), norm.getKey(), "–", "–", "–", "–",
                            "not paired: no seed finished on both sides", "–"));
                    continue;
                }
                double largest = 0;
                double[] finalDifferences = null;
                for (Map.Entry<Integer, TreeMap<Long, Double>> epoch : norm.getValue().entrySet()) {
                    TreeMap<Long, Double> mine = epoch.getValue();
                    TreeMap<Long, Double> other = peer.get(epoch.getKey());
                    if (other == null || !other.keySet().containsAll(seeds) || !mine.keySet().containsAll(seeds)) {
                        throw new IllegalStateException(file + " and normkit's results.csv lack a seed of " + seeds
                                + " of " + norm.getKey() + " at epoch " + epoch.getKey() + ": rerun " + SCRIPT + " "
                                + run.name());
                    }
                    double[] differences = seeds.stream().mapToDouble(s -> mine.get(s) - other.get(s)).toArray();
                    for (double d : differences) {
                        largest = Math.max(largest, Math.abs(d));
                    }
                    if (epoch.getKey() == last) {
                        finalDifferences = differences;
                    }
                }
                MeanInterval mean = SeedStatistics.meanWithConfidence(finalDifferences);
                double low = mean.mean() - mean.halfWidth();
                double high = mean.mean() + mean.halfWidth();
                table.add(List.of(run.title(), norm.getKey(),
                        seedList(seeds), perSeed(finalDifferences, run.text(), run.bound()),
                        signed(mean.mean(), run.text(), 2) + (run.text() ? "" : " points") + (seeds.size() < 2
                                ? " (one seed: no interval)" : " [" + signed(low, run.text(), 2) + ", "
                                + signed(high, run.text(), 2) + "]"),
                        signed(largest, run.text(), 1).substring(1) + (run.text() ? "" : " points"),
                        verdict(low, high, run.bound()),
                        roundingAlone(peer.get(last), float64.getOrDefault(norm.getKey(), new TreeMap<>()).get(last),
                                run.text())));
            }
        }
        return new MarkdownTable(List.of("net, data", "norm", "seeds", "normkit − PyTorch" + torch
                + ", final epoch, per seed", "mean [95 % CI]", "largest |difference|, any epoch and seed",
                "bound", "PyTorch float32 − float64, final epoch, per seed → mean [95 % CI]"), table).markdown()
                + "\nBoth sides start each seed from normkit's initial weights and train on normkit's batch order; "
                + "a seed is paired once it finished on both sides. Test accuracy (images, in points; bound ±1 point) "
                + "or held-out bits per character (text; bound ±0.05); the interval is Student's t over the paired "
                + "per-seed differences. \"inside\": the whole interval lies within the bound; \"not shown\": it "
                + "crosses the bound. The last column trains PyTorch's side again in float64 from the same start "
                + "(`" + SCRIPT + " float64`, `pytorch64-RUN.jsonl`): how far float32 rounding alone moves the same "
                + "run in one framework, over the seeds that have it (– where none has). Made by `" + SCRIPT + "`.\n";
    }

    /** Up to {@value #LISTED_SEEDS} seeds one by one; more as their range ("0–39, 40 seeds") when it has no gap. */
    static String seedList(TreeSet<Long> seeds) {
        if (seeds.size() > LISTED_SEEDS && seeds.last() - seeds.first() + 1 == seeds.size()) {
            return seeds.first() + "–" + seeds.last() + ", " + seeds.size() + " seeds";
        }
        return seeds.stream().map(String::valueOf).collect(Collectors.joining(", "));
    }

    /**
     * Up to {@value #LISTED_SEEDS} differences one by one; more would make the table unreadable, so then their
     * median, their extremes and how many seeds lie beyond the bound (the seeds themselves stay in the result files).
     */
    static String perSeed(double[] differences, boolean text, double bound) {
        if (differences.length <= LISTED_SEEDS) {
            return listed(differences, text);
        }
        double[] sorted = differences.clone();
        java.util.Arrays.sort(sorted);
        double median = new Median().evaluate(sorted);
        // Accuracies move in steps of 0.001 and PyTorch writes them from float32 (0.554 as 0.5540000200...): a
        // difference of exactly one point must not count as beyond it.
        long beyond = java.util.Arrays.stream(differences).filter(d -> Math.abs(d) - bound > 1e-6).count();
        return "median " + signed(median, text, 1) + ", from " + signed(sorted[0], text, 1) + " to "
                + signed(sorted[sorted.length - 1], text, 1) + "; " + beyond + " of " + differences.length
                + " beyond ±" + (text ? bound : Math.round(bound * 100) + " point");
    }

    /** The differences one by one, "+0.1 / -0.3 / …". */
    private static String listed(double[] differences, boolean text) {
        return java.util.Arrays.stream(differences).mapToObj(d -> signed(d, text, 1))
                .collect(Collectors.joining(" / "));
    }

    /** A paired PyTorch file: norm → epoch → seed → metric; a line without init_from is refused. */
    private static Map<String, TreeMap<Integer, TreeMap<Long, Double>>> pytorchRuns(Path root, String file,
            SequenceParityFigure.Run run) {
        Map<String, TreeMap<Integer, TreeMap<Long, Double>>> out = new LinkedHashMap<>();
        for (JsonNode line : SequenceParityFigure.jsonLines(root, file)) {
            if (!line.has("init_from")) {
                throw new IllegalStateException(file + " holds a line without init_from: not a paired run; rerun "
                        + SCRIPT + " " + run.name());
            }
            out.computeIfAbsent(line.path("norm").asText(), n -> new TreeMap<>())
                    .computeIfAbsent(line.path("epoch").asInt(), e -> new TreeMap<>())
                    .put(line.path("seed").asLong(), line.path(run.text() ? "bits_per_character"
                            : "test_accuracy").asDouble());
        }
        return out;
    }

    /**
     * PyTorch float32 − PyTorch float64 at the final epoch over the seeds both have: per seed, then the mean with its
     * interval; a lone seed's value; or – when no seed has both.
     */
    static String roundingAlone(Map<Long, Double> float32, Map<Long, Double> float64, boolean text) {
        if (float32 == null || float64 == null) {
            return "–";
        }
        double[] differences = float32.keySet().stream().filter(float64::containsKey)
                .mapToDouble(s -> float32.get(s) - float64.get(s)).toArray();
        if (differences.length == 0) {
            return "–";
        }
        String unit = text ? "" : " points";
        String perSeed = listed(differences, text);
        if (differences.length == 1) {
            return perSeed + " (one seed)";
        }
        MeanInterval mean = SeedStatistics.meanWithConfidence(differences);
        return perSeed + " → " + signed(mean.mean(), text, 2) + unit + " [" + signed(mean.mean() - mean.halfWidth(),
                text, 2) + ", " + signed(mean.mean() + mean.halfWidth(), text, 2) + "]";
    }

    /**
     * A difference with its sign, in points of accuracy with 1 decimal (1000 test images move in steps of 0.1 point)
     * or in bits per character with 3, and {@code extra} − 1 decimals more (means and their intervals: 1). A value
     * that rounds to zero is written with +.
     */
    static String signed(double difference, boolean text, int extra) {
        int decimals = (text ? 3 : 1) + extra - 1;
        double shown = text ? difference : difference * 100;
        String s = String.format(Locale.ROOT, "%+." + decimals + "f", shown);
        return s.matches("-0\\.0*") ? s.replace("-", "+") : s;
    }

    static String verdict(double low, double high, double bound) {
        if (!Double.isFinite(low) || !Double.isFinite(high)) {
            return "not shown (one seed)";
        }
        if (low >= -bound && high <= bound) {
            return "inside";
        }
        return low > bound || high < -bound ? "outside" : "not shown";
    }
}

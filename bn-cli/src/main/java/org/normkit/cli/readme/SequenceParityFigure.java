package org.normkit.cli.readme;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.TreeMap;
import java.util.function.DoubleUnaryOperator;
import java.util.stream.Collectors;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.normkit.experiments.report.MarkdownTable;
import org.normkit.experiments.report.ResultRow;
import org.normkit.experiments.report.SeedStatistics;

/**
 * The sequence nets against PyTorch on the same net, data, sizes and seeds (issue 13's quality bar: mean accuracy
 * within 1 point, bits per character within 0.05): per run and norm, the final epoch's metric per seed and its mean
 * on both sides, the difference, Welch's p for it, and whether it is inside the bound. normkit's side is
 * {@code parity/normkit-RUN/results.csv}, PyTorch's {@code parity/pytorch-RUN.jsonl}
 * ({@code scripts/pytorch/train_sequence_reference.py}), both made by {@code docs/results/sequence/run-parity.sh}.
 */
final class SequenceParityFigure implements ReadmeFigure {

    static final String FOLDER = "docs/results/sequence/parity/";
    static final String SCRIPT = "docs/results/sequence/run-parity.sh";

    /** A run of the parity script and how its metric is read and bounded. */
    record Run(String name, String title, boolean text) {
        String metricName() {
            return text ? "held-out bits per character" : "test accuracy";
        }

        /** The bound of issue 13, in the metric's units. */
        double bound() {
            return text ? 0.05 : 0.01;
        }

        /** The difference in the metric's units; one that rounds to zero is written +0 rather than -0. */
        String difference(double d) {
            double shown = text ? Math.round(d * 1000) / 1000.0 : Math.round(d * 1000) / 10.0;
            return String.format(Locale.ROOT, text ? "%+.3f" : "%+.1f points", shown == 0 ? 0.0 : shown);
        }
    }

    static final List<Run> RUNS = List.of(
            new Run("transformer-fashion", "transformer, row-sequential Fashion-MNIST", false),
            new Run("lstm-fashion", "LSTM, row-sequential Fashion-MNIST", false),
            new Run("transformer-text", "transformer, fortunes (character language model)", true));

    @Override
    public String key() {
        return "sequence-parity";
    }

    @Override
    public String render(Path repositoryRoot) {
        List<List<String>> table = new ArrayList<>();
        String torch = "";
        for (Run run : RUNS) {
            List<ResultRow> rows = ResultFiles.resultRows(repositoryRoot, FOLDER + "normkit-" + run.name()
                    + "/results.csv");
            int last = rows.stream().mapToInt(ResultRow::epoch).max().orElseThrow();
            DoubleUnaryOperator metric = run.text() ? nats -> nats / Math.log(2) : accuracy -> accuracy;
            Map<String, TreeMap<Long, Double>> normkit = new LinkedHashMap<>();
            for (ResultRow row : rows) {
                if (row.epoch() == last) {
                    normkit.computeIfAbsent(row.key().config().norm(), norm -> new TreeMap<>()).put(row.key().seed(),
                            metric.applyAsDouble(run.text() ? row.testLoss() : row.testAccuracy()));
                }
            }
            String file = FOLDER + "pytorch-" + run.name() + ".jsonl";
            Map<String, TreeMap<Long, Double>> pytorch = new LinkedHashMap<>();
            for (JsonNode line : jsonLines(repositoryRoot, file)) {
                if (line.path("epoch").asInt() == last) {
                    pytorch.computeIfAbsent(line.path("norm").asText(), norm -> new TreeMap<>()).put(
                            line.path("seed").asLong(), line.path(run.text() ? "bits_per_character"
                                    : "test_accuracy").asDouble());
                }
                torch = line.has("torch") ? " " + line.path("torch").asText() : torch;
            }
            for (Map.Entry<String, TreeMap<Long, Double>> norm : normkit.entrySet()) {
                TreeMap<Long, Double> peer = pytorch.get(norm.getKey());
                if (peer == null || !peer.keySet().equals(norm.getValue().keySet())) {
                    throw new IllegalStateException(file + " has seeds " + (peer == null ? "[]" : peer.keySet())
                            + " of " + norm.getKey() + " at epoch " + last + ", normkit's results "
                            + norm.getValue().keySet() + ": rerun " + SCRIPT + " " + run.name());
                }
                double[] a = values(norm.getValue());
                double[] b = values(peer);
                double difference = mean(a) - mean(b);
                OptionalDouble p = SeedStatistics.welch(a, b);
                table.add(List.of(run.title(), norm.getKey(), perSeedAndMean(a), perSeedAndMean(b),
                        run.difference(difference), p.isPresent() ? String.format(Locale.ROOT, "p = %.2f", p.getAsDouble()) : "–",
                        Math.abs(difference) <= run.bound() ? "yes" : "no"));
            }
        }
        return new MarkdownTable(List.of("net, data", "norm", "normkit, per seed → mean",
                "PyTorch" + torch + ", per seed → mean", "normkit − PyTorch", "Welch", "|difference| ≤ bound"), table)
                .markdown()
                + "\nFinal epoch's test accuracy (images; bound ±1 point) or held-out bits per character (text; bound "
                + "±0.05), seeds " + seedsOf(repositoryRoot) + ". Made by `" + SCRIPT + "`.\n";
    }

    private String seedsOf(Path root) {
        List<ResultRow> rows = ResultFiles.resultRows(root, FOLDER + "normkit-" + RUNS.get(0).name() + "/results.csv");
        return rows.stream().map(r -> r.key().seed()).distinct().sorted().map(String::valueOf)
                .collect(Collectors.joining(", "));
    }

    static List<JsonNode> jsonLines(Path root, String relative) {
        ObjectMapper mapper = new ObjectMapper();
        List<JsonNode> lines = new ArrayList<>();
        try {
            for (String line : Files.readAllLines(ResultFiles.existing(root, relative))) {
                if (!line.isBlank()) {
                    lines.add(mapper.readTree(line));
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + relative + ": " + e.getMessage(), e);
        }
        if (lines.isEmpty()) {
            throw new IllegalStateException("committed result file " + relative + " holds no rows");
        }
        return lines;
    }

    private static double[] values(TreeMap<Long, Double> bySeed) {
        return bySeed.values().stream().mapToDouble(Double::doubleValue).toArray();
    }

    private static double mean(double[] values) {
        double sum = 0;
        for (double v : values) {
            sum += v;
        }
        return sum / values.length;
    }

    private static String perSeedAndMean(double[] values) {
        String each = java.util.Arrays.stream(values).mapToObj(v -> String.format(Locale.ROOT, "%.3f", v))
                .collect(Collectors.joining(" / "));
        return each + " → " + String.format(Locale.ROOT, "%.3f", mean(values));
    }
}

package org.normkit.cli.readme;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

import com.fasterxml.jackson.databind.JsonNode;

import org.normkit.experiments.report.MarkdownTable;
import org.normkit.experiments.report.ResultRow;

/**
 * normkit against PyTorch on the same net, data and seeds: final test accuracy per seed and their mean, normkit's
 * from {@code docs/results/parity/results.csv}, PyTorch's from the {@code pytorch-NORM.json} files that
 * {@code scripts/pytorch/train_reference.py --out} wrote beside it.
 */
final class PytorchParityFigure implements ReadmeFigure {

    static final String FOLDER = "docs/results/parity/";

    @Override
    public String key() {
        return "pytorch-parity";
    }

    @Override
    public String render(Path repositoryRoot) {
        List<ResultRow> rows = ResultFiles.resultRows(repositoryRoot, FOLDER + "results.csv");
        int finalEpoch = rows.stream().mapToInt(ResultRow::epoch).max().orElseThrow();
        Map<String, TreeMap<Long, Double>> normkit = new LinkedHashMap<>();
        for (ResultRow row : rows) {
            if (row.epoch() == finalEpoch) {
                normkit.computeIfAbsent(row.key().config().norm(), norm -> new TreeMap<>())
                        .put(row.key().seed(), row.testAccuracy());
            }
        }
        String torchVersion = "";
        List<List<String>> table = new ArrayList<>();
        for (Map.Entry<String, TreeMap<Long, Double>> norm : normkit.entrySet()) {
            String file = FOLDER + "pytorch-" + norm.getKey() + ".json";
            JsonNode doc = ResultFiles.json(repositoryRoot, file);
            torchVersion = doc.path("torch").asText("?");
            TreeMap<Long, Double> pytorch = new TreeMap<>();
            for (JsonNode row : doc.path("rows")) {
                if (row.path("epoch").asInt() == finalEpoch) {
                    pytorch.put(row.path("seed").asLong(), row.path("testAccuracy").asDouble());
                }
            }
            if (!pytorch.keySet().equals(norm.getValue().keySet())) {
                throw new IllegalStateException(file + " has seeds " + pytorch.keySet() + " at epoch " + finalEpoch
                        + ", normkit's results " + norm.getValue().keySet() + ": rerun the script with the same seeds "
                        + "and epochs");
            }
            table.add(List.of(norm.getKey(), seedsAndMean(norm.getValue()), seedsAndMean(pytorch),
                    String.format(Locale.ROOT, "%+.4f", mean(norm.getValue()) - mean(pytorch))));
        }
        String seeds = String.join(" / ", normkit.values().iterator().next().keySet().stream()
                .map(String::valueOf).toList());
        return new MarkdownTable(List.of("norm", "normkit, seed " + seeds + " → mean",
                "PyTorch " + torchVersion + ", seed " + seeds + " → mean", "normkit − PyTorch"), table).markdown()
                + "\nTest accuracy after epoch " + finalEpoch + ".\n";
    }

    private static String seedsAndMean(TreeMap<Long, Double> bySeed) {
        return String.join(" / ", bySeed.values().stream().map(PytorchParityFigure::fixed).toList()) + " → "
                + fixed(mean(bySeed));
    }

    private static double mean(TreeMap<Long, Double> bySeed) {
        return bySeed.values().stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
    }

    private static String fixed(double value) {
        return String.format(Locale.ROOT, "%.4f", value);
    }
}

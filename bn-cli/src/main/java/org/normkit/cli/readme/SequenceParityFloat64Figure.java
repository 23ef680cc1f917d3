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

import org.normkit.experiments.report.MarkdownTable;
import org.normkit.experiments.report.ResultRow;

/**
 * The paired runs again with both sides in float64 ({@code normkit experiment --dtype float64}, the PyTorch script's
 * {@code --float64}), from the same start as the float32 pairs (the float32 initial values, widened) and the same
 * batches: if normkit and PyTorch compute the same function, their float64 runs agree far more closely than their
 * float32 runs, and what separates the float32 runs is float32 rounding, which each framework shows on its own
 * (float32 − float64 of the same start). Per run and norm with float64 files on both sides: the final epoch's accuracy
 * (bits per character on text) difference per seed, the largest relative difference of the test loss over the seeds
 * at each epoch (how fast the trajectory amplifies float64 rounding; a difference in what is computed would show from
 * the first epoch on), and each framework's float32 − float64 at the final epoch. normkit's float64 side is
 * {@code parity-paired/normkit64-RUN/results.csv}, PyTorch's {@code parity-paired/pytorch64-RUN.jsonl}, both made by
 * {@code run-parity-paired.sh float64}; the float32 sides are the paired block's files.
 */
final class SequenceParityFloat64Figure implements ReadmeFigure {

    static final String FOLDER = SequenceParityPairedFigure.FOLDER;
    static final String SCRIPT = SequenceParityPairedFigure.SCRIPT;

    @Override
    public String key() {
        return "sequence-parity-float64";
    }

    /** One side's runs: norm → epoch → seed → (metric, test loss). */
    private record Side(Map<String, TreeMap<Integer, TreeMap<Long, double[]>>> runs) {
        TreeMap<Long, double[]> at(String norm, int epoch) {
            return runs.getOrDefault(norm, new TreeMap<>()).getOrDefault(epoch, new TreeMap<>());
        }

        void put(String norm, int epoch, long seed, double metric, double loss) {
            runs.computeIfAbsent(norm, n -> new TreeMap<>()).computeIfAbsent(epoch, e -> new TreeMap<>())
                    .put(seed, new double[] {metric, loss});
        }
    }

    @Override
    public String render(Path repositoryRoot) {
        List<List<String>> table = new ArrayList<>();
        for (SequenceParityFigure.Run run : SequenceParityFigure.RUNS) {
            String normkit64 = FOLDER + "normkit64-" + run.name() + "/results.csv";
            String pytorch64 = FOLDER + "pytorch64-" + run.name() + ".jsonl";
            if (!Files.exists(repositoryRoot.resolve(normkit64))) {
                continue;
            }
            Side nk64 = normkit(repositoryRoot, normkit64, run);
            Side pt64 = pytorch(repositoryRoot, pytorch64, run, true);
            Side nk32 = normkit(repositoryRoot, FOLDER + "normkit-" + run.name() + "/results.csv", run);
            Side pt32 = pytorch(repositoryRoot, FOLDER + "pytorch-" + run.name() + ".jsonl", run, false);
            for (String norm : nk64.runs().keySet()) {
                int last = nk64.runs().get(norm).lastKey();
                TreeSet<Long> seeds = new TreeSet<>(nk64.at(norm, last).keySet());
                seeds.retainAll(pt64.at(norm, last).keySet());
                if (seeds.isEmpty()) {
                    table.add(List.of(run.title(), norm, "–", "not paired: no seed finished on both sides", "–",
                            "–", "–"));
                    continue;
                }
                List<String> largest = new ArrayList<>();
                for (int epoch : nk64.runs().get(norm).keySet()) {
                    double worst = 0;
                    for (long seed : seeds) {
                        double[] mine = nk64.at(norm, epoch).get(seed);
                        double[] other = pt64.at(norm, epoch).get(seed);
                        if (mine == null || other == null) {
                            throw new IllegalStateException(normkit64 + " or " + pytorch64 + " lacks epoch " + epoch
                                    + " of " + norm + " seed " + seed + ": rerun " + SCRIPT + " float64 " + run.name());
                        }
                        worst = Math.max(worst, Math.abs(mine[1] - other[1]) / Math.abs(other[1]));
                    }
                    largest.add(worst == 0 ? "0" : String.format(Locale.ROOT, "%.0e", worst));
                }
                table.add(List.of(run.title(), norm, seeds.stream().map(String::valueOf)
                                .collect(Collectors.joining(", ")),
                        perSeed(nk64.at(norm, last), pt64.at(norm, last), seeds, run.text()),
                        String.join(" / ", largest),
                        rounding(nk32.at(norm, last), nk64.at(norm, last), run.text()),
                        rounding(pt32.at(norm, last), pt64.at(norm, last), run.text())));
            }
        }
        if (table.isEmpty()) {
            throw new IllegalStateException("no run has float64 results under " + FOLDER + ": run " + SCRIPT
                    + " float64 lstm-fashion");
        }
        return new MarkdownTable(List.of("net, data", "norm", "seeds",
                "normkit − PyTorch, both float64, final epoch, per seed",
                "largest relative difference of the test loss over the seeds, both float64, epoch 1 / 2 / …",
                "normkit float32 − float64, final epoch, per seed → mean [95 % CI]",
                "PyTorch float32 − float64, final epoch, per seed → mean [95 % CI]"), table).markdown()
                + "\nThe paired runs of the block above, trained again with both sides in float64 (`normkit experiment "
                + "--dtype float64`, the PyTorch script's `--float64`) from the same start (the float32 initial "
                + "values, widened) and the same batches. Test accuracy in points (images) or held-out bits per "
                + "character (text); the last two columns are each framework's own float32 run minus its float64 run "
                + "of the same start and batches: what float32 rounding alone does to a run. Made by `" + SCRIPT
                + " float64`.\n";
    }

    /** normkit − PyTorch per seed at the final epoch. */
    private static String perSeed(Map<Long, double[]> mine, Map<Long, double[]> other, TreeSet<Long> seeds,
            boolean text) {
        return seeds.stream().map(s -> SequenceParityPairedFigure.signed(mine.get(s)[0] - other.get(s)[0], text, 1))
                .collect(Collectors.joining(" / "));
    }

    /** float32 − float64 of one framework at the final epoch, over the seeds both have. */
    private static String rounding(Map<Long, double[]> float32, Map<Long, double[]> float64, boolean text) {
        Map<Long, Double> narrow = new LinkedHashMap<>();
        Map<Long, Double> wide = new LinkedHashMap<>();
        float32.forEach((seed, v) -> narrow.put(seed, v[0]));
        float64.forEach((seed, v) -> wide.put(seed, v[0]));
        return SequenceParityPairedFigure.roundingAlone(narrow, wide, text);
    }

    private static Side normkit(Path root, String file, SequenceParityFigure.Run run) {
        Side side = new Side(new LinkedHashMap<>());
        for (ResultRow row : ResultFiles.resultRows(root, file)) {
            double metric = run.text() ? row.testLoss() / Math.log(2) : row.testAccuracy();
            side.put(row.key().config().norm(), row.epoch(), row.key().seed(), metric, row.testLoss());
        }
        return side;
    }

    /** A paired PyTorch file; a line without init_from, or of another dtype than {@code float64} says, is refused. */
    private static Side pytorch(Path root, String file, SequenceParityFigure.Run run, boolean float64) {
        Side side = new Side(new LinkedHashMap<>());
        for (JsonNode line : SequenceParityFigure.jsonLines(root, file)) {
            if (!line.has("init_from") || line.path("dtype").asText("float32").equals("float64") != float64) {
                throw new IllegalStateException(file + " holds a line that is not a paired " + (float64 ? "float64"
                        : "float32") + " run (init_from, dtype): rerun " + SCRIPT + " " + (float64 ? "float64 "
                        : "both ") + run.name());
            }
            double metric = line.path(run.text() ? "bits_per_character" : "test_accuracy").asDouble();
            side.put(line.path("norm").asText(), line.path("epoch").asInt(), line.path("seed").asLong(), metric,
                    line.path("test_loss").asDouble());
        }
        return side;
    }
}

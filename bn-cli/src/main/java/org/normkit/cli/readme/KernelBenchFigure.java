package org.normkit.cli.readme;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

import org.normkit.bench.BenchReport;
import org.normkit.bench.PeerComparison;
import org.normkit.bench.ReportJson;
import org.normkit.experiments.report.MarkdownTable;

/**
 * The norm kernels against PyTorch's: normkit's time ÷ copy over PyTorch's time ÷ copy, per norm and shape, for
 * each dtype's three passes, from {@code docs/results/bench/bench.json} (fused face, one thread).
 */
final class KernelBenchFigure implements ReadmeFigure {

    static final String RESULTS = "docs/results/bench/bench.json";
    private static final String FACE = "fused";
    private static final List<String> PASSES = List.of("train_forward", "eval_forward", "train_forward_backward");
    private static final List<String> DTYPES = List.of("float32", "float64");

    @Override
    public String key() {
        return "bench-kernels";
    }

    @Override
    public String render(Path repositoryRoot) {
        BenchReport report = ReportJson.read(ResultFiles.existing(repositoryRoot, RESULTS));
        List<PeerComparison.Row> matched = PeerComparison.match(report).stream()
                .filter(row -> row.ours().face().equals(FACE) && row.ours().threads() == 1 && row.peer() != null)
                .toList();
        Map<String, Map<String, Double>> byNormShape = new TreeMap<>();
        for (PeerComparison.Row row : matched) {
            byNormShape.computeIfAbsent(row.ours().norm() + "\t" + row.ours().shape(), k -> new TreeMap<>())
                    .put(row.ours().dtype() + "\t" + row.ours().pass(), row.normkitOverPytorch());
        }
        List<List<String>> table = new ArrayList<>();
        byNormShape.forEach((normShape, cells) -> {
            List<String> line = new ArrayList<>(List.of(normShape.split("\t")));
            for (String dtype : DTYPES) {
                line.add(String.join(" / ", PASSES.stream().map(pass -> {
                    Double ratio = cells.get(dtype + "\t" + pass);
                    return ratio == null ? "—" : String.format(Locale.ROOT, "%.2f", ratio);
                }).toList()));
            }
            table.add(line);
        });
        List<String> header = new ArrayList<>(List.of("norm", "shape"));
        DTYPES.forEach(dtype -> header.add(dtype + ": train fwd / eval fwd / fwd+bwd"));
        return new MarkdownTable(header, table).markdown() + "\n" + String.format(Locale.ROOT,
                "Geometric mean over the %d rows: %.2f. Measured %s.%n", matched.size(),
                PeerComparison.geometricMean(matched, FACE), report.machine().date().substring(0, 10));
    }
}

package org.normkit.cli.readme;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.normkit.bench.BenchKind;
import org.normkit.bench.BenchReport;
import org.normkit.bench.BenchResult;
import org.normkit.experiments.report.MarkdownTable;

/** Whole training steps, samples per second per net and norm and face, from {@code docs/results/bench/training.json}. */
final class TrainingStepFigure implements ReadmeFigure {

    static final String RESULTS = "docs/results/bench/training.json";

    @Override
    public String key() {
        return "bench-training";
    }

    @Override
    public String render(Path repositoryRoot) {
        BenchReport report = BenchReport.read(ResultFiles.existing(repositoryRoot, RESULTS));
        Map<String, Map<String, BenchResult>> byNetNorm = new LinkedHashMap<>();
        report.results(BenchKind.TRAINING).stream().filter(row -> row.threads() == 1)
                .forEach(row -> byNetNorm.computeIfAbsent(row.net() + "\t" + row.norm(), k -> new LinkedHashMap<>())
                        .put(row.face(), row));
        List<List<String>> table = new ArrayList<>();
        byNetNorm.forEach((netNorm, faces) -> {
            List<String> line = new ArrayList<>(List.of(netNorm.split("\t")));
            BenchResult fused = faces.containsKey("fused") ? faces.get("fused") : faces.get("-");
            line.add(cell(fused));
            line.add(cell(faces.get("reference")));
            table.add(line);
        });
        return new MarkdownTable(List.of("net", "norm", "normkit fused face, samples/s",
                "normkit reference face, samples/s"), table).markdown()
                + "\n± is JMH's 99.9 % interval; " + report.settings() + "; measured "
                + report.machine().date().substring(0, 10)
                + (report.commit() == null ? "" : " at commit " + report.commit()) + ".\n";
    }

    private static String cell(BenchResult row) {
        if (row == null) {
            return "—";
        }
        String error = Double.isFinite(row.samplesPerSecondError())
                ? String.format(Locale.ROOT, " ± %,.0f", row.samplesPerSecondError()) : "";
        return String.format(Locale.ROOT, "%,.0f", row.samplesPerSecond()) + error;
    }
}

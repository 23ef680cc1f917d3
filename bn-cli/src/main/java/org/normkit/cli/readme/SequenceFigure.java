package org.normkit.cli.readme;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

import org.normkit.experiments.report.MarkdownTable;
import org.normkit.experiments.report.ProbeCsv;
import org.normkit.experiments.report.ProbeReport;
import org.normkit.experiments.report.ProbeRow;
import org.normkit.experiments.report.ResultRow;

/**
 * The sequence nets (issue 13), from the small runs under {@code docs/results/sequence/}: final test accuracy of the
 * transformer and the LSTM on row-sequential Fashion-MNIST and bits per character of masked and unmasked BatchNorm
 * in the transformer on padded text (normkit's side of the parity runs, {@link SequenceParityFigure}), and the
 * batch-statistics probe of image and sequence nets.
 */
final class SequenceFigure implements ReadmeFigure {

    static final String FOLDER = "docs/results/sequence/";
    static final List<String> IMAGE_RUNS = List.of("parity/normkit-transformer-fashion",
            "parity/normkit-lstm-fashion");
    static final String TEXT_RUN = "parity/normkit-transformer-text";
    static final List<String> PROBE_RUNS = List.of("probe-mlp", "probe-lenet", "probe-transformer", "probe-lstm",
            TEXT_RUN);

    @Override
    public String key() {
        return "sequence";
    }

    @Override
    public String render(Path repositoryRoot) {
        StringBuilder out = new StringBuilder();
        List<List<String>> images = new ArrayList<>();
        for (String run : IMAGE_RUNS) {
            List<ResultRow> rows = ResultFiles.resultRows(repositoryRoot, FOLDER + run + "/results.csv");
            finalEpochs(rows).forEach((norm, last) -> images.add(List.of(last.get(0).key().config().net(), norm,
                    Integer.toString(last.size()), perSeedAndMean(last, ResultRow::testAccuracy),
                    perSeedAndMean(last, ResultRow::trainAccuracy))));
        }
        out.append(new MarkdownTable(List.of("net (row-sequential Fashion-MNIST)", "norm", "seeds",
                "final test accuracy, per seed → mean", "final train accuracy, per seed → mean"), images).markdown());

        List<ResultRow> text = ResultFiles.resultRows(repositoryRoot, FOLDER + TEXT_RUN + "/results.csv");
        List<List<String>> lines = new ArrayList<>();
        finalEpochs(text).forEach((norm, last) -> lines.add(List.of(norm, Integer.toString(last.size()),
                perSeedAndMean(last, r -> r.testLoss() / Math.log(2)), perSeedAndMean(last, ResultRow::testAccuracy),
                perSeedAndMean(last, r -> r.trainLoss() / Math.log(2)))));
        out.append('\n').append(new MarkdownTable(List.of("transformer on padded text: norm", "seeds",
                "held-out bits per character, per seed → mean", "next-character accuracy",
                "training bits per character"), lines).markdown());

        List<String> header = null;
        List<List<String>> probe = new ArrayList<>();
        for (String run : PROBE_RUNS) {
            List<ProbeRow> rows = ProbeCsv.read(ResultFiles.existing(repositoryRoot, FOLDER + run + "/"
                    + ProbeCsv.FILE_NAME));
            MarkdownTable table = ProbeReport.of(rows).table();
            header = new ArrayList<>(List.of("data"));
            header.addAll(table.header());
            for (List<String> row : table.rows()) {
                List<String> cells = new ArrayList<>(List.of(run.equals(TEXT_RUN) ? "padded text" : "images"));
                cells.addAll(row);
                probe.add(cells);
            }
        }
        out.append('\n').append(new MarkdownTable(header, probe).markdown());
        return out.toString();
    }

    /** The final epoch's rows of each norm, in the order the norms first appear. */
    private static Map<String, List<ResultRow>> finalEpochs(List<ResultRow> rows) {
        int last = rows.stream().mapToInt(ResultRow::epoch).max().orElseThrow();
        Map<String, List<ResultRow>> byNorm = new LinkedHashMap<>();
        for (ResultRow row : rows) {
            if (row.epoch() == last) {
                byNorm.computeIfAbsent(row.key().config().norm(), norm -> new ArrayList<>()).add(row);
            }
        }
        return byNorm;
    }

    private static String perSeedAndMean(List<ResultRow> rows, java.util.function.ToDoubleFunction<ResultRow> metric) {
        String each = rows.stream().map(r -> String.format(Locale.ROOT, "%.3f", metric.applyAsDouble(r)))
                .collect(Collectors.joining(" / "));
        double mean = rows.stream().mapToDouble(metric).average().orElseThrow();
        return rows.size() == 1 ? each : each + " → " + String.format(Locale.ROOT, "%.3f", mean);
    }
}

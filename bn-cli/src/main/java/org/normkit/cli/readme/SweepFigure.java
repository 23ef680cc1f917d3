package org.normkit.cli.readme;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import org.normkit.experiments.report.ReportContext;
import org.normkit.experiments.report.ResultRow;
import org.normkit.experiments.report.SweepReport;
import org.normkit.experiments.report.SweptSetting;

/**
 * A committed sweep: the sweep report's table, its training time and the sentences that say what its numbers say,
 * from the sweep's {@code results.csv}. A numeric sweep states where the curves cross; a categorical one its
 * findings (Welch t-tests of every value against the first).
 */
final class SweepFigure implements ReadmeFigure {
    private final String key;
    private final String results;
    private final SweptSetting setting;
    private final Function<SweepReport, List<String>> sentences;

    private SweepFigure(String key, String results, SweptSetting setting,
                        Function<SweepReport, List<String>> sentences) {
        this.key = key;
        this.results = results;
        this.setting = setting;
        this.sentences = sentences;
    }

    /** The small-batch sweep: where BatchNorm's curve crosses the others'. */
    static SweepFigure batchSize() {
        return new SweepFigure("sweep-batch-size", "docs/results/sweep-batch-size/results.csv",
                SweptSetting.BATCH_SIZE, SweepReport::crossingSentences);
    }

    /** A categorical sweep, the initialisation of LeNet. */
    static SweepFigure init() {
        return new SweepFigure("sweep-init", "docs/results/sweep-init/results.csv", SweptSetting.INIT,
                SweepReport::findings);
    }

    @Override
    public String key() {
        return key;
    }

    @Override
    public String render(Path repositoryRoot) {
        List<ResultRow> rows = ResultFiles.resultRows(repositoryRoot, results);
        SweepReport report = SweepReport.of(rows, setting, ReportContext.of(Map.of(), "", false));
        StringBuilder out = new StringBuilder(report.accuracyTable().markdown());
        out.append('\n').append("Training took ").append(ResultFiles.trainingTime(rows))
                .append(" in all (the `seconds` column of `").append(results).append("` summed).\n\n");
        sentences.apply(report).forEach(sentence -> out.append("- ").append(sentence).append('\n'));
        return out.toString();
    }
}

package org.normkit.cli.readme;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.normkit.experiments.report.ReportContext;
import org.normkit.experiments.report.ResultRow;
import org.normkit.experiments.report.SweepReport;
import org.normkit.experiments.report.SweptSetting;

/** The small-batch sweep: the sweep report's table and crossing sentence, from its committed {@code results.csv}. */
final class BatchSizeSweepFigure implements ReadmeFigure {

    static final String RESULTS = "docs/results/sweep-batch-size/results.csv";

    @Override
    public String key() {
        return "sweep-batch-size";
    }

    @Override
    public String render(Path repositoryRoot) {
        List<ResultRow> rows = ResultFiles.resultRows(repositoryRoot, RESULTS);
        SweepReport report = SweepReport.of(rows, SweptSetting.BATCH_SIZE, ReportContext.of(Map.of(), "", false));
        StringBuilder out = new StringBuilder(report.accuracyTable().markdown());
        out.append('\n').append("Training took ").append(ResultFiles.trainingTime(rows))
                .append(" in all (the `seconds` column of `").append(RESULTS).append("` summed).\n\n");
        report.crossingSentences().forEach(sentence -> out.append("- ").append(sentence).append('\n'));
        return out.toString();
    }
}

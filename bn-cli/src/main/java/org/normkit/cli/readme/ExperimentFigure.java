package org.normkit.cli.readme;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.normkit.experiments.report.ExperimentReport;
import org.normkit.experiments.report.ReportContext;
import org.normkit.experiments.report.ResultRow;

/** The main experiment: the report's results table and findings, from {@code docs/results/experiment/results.csv}. */
final class ExperimentFigure implements ReadmeFigure {

    static final String RESULTS = "docs/results/experiment/results.csv";

    @Override
    public String key() {
        return "experiment";
    }

    @Override
    public String render(Path repositoryRoot) {
        List<ResultRow> rows = ResultFiles.resultRows(repositoryRoot, RESULTS);
        ExperimentReport report = ExperimentReport.of(rows, ReportContext.of(Map.of(), "", false));
        StringBuilder out = new StringBuilder(report.resultsTable().markdown());
        out.append('\n').append("Training took ").append(ResultFiles.trainingTime(rows))
                .append(" in all (the `seconds` column of `").append(RESULTS)
                .append("` summed: training epochs only, without start-up and evaluation). What the run says:\n\n");
        report.findings().forEach(sentence -> out.append("- ").append(sentence).append('\n'));
        return out.toString();
    }
}

package org.normkit.cli.readme;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.normkit.experiments.report.ReportContext;
import org.normkit.experiments.report.ResultRow;
import org.normkit.experiments.report.SweepReport;
import org.normkit.experiments.report.SweptSetting;

/**
 * A categorical sweep, the initialisation of LeNet: the sweep report's table and what its numbers say, from its
 * committed {@code results.csv}.
 */
final class InitSweepFigure implements ReadmeFigure {

    static final String RESULTS = "docs/results/sweep-init/results.csv";

    @Override
    public String key() {
        return "sweep-init";
    }

    @Override
    public String render(Path repositoryRoot) {
        List<ResultRow> rows = ResultFiles.resultRows(repositoryRoot, RESULTS);
        SweepReport report = SweepReport.of(rows, SweptSetting.INIT, ReportContext.of(Map.of(), "", false));
        StringBuilder out = new StringBuilder(report.accuracyTable().markdown());
        out.append('\n').append("Training took ").append(ResultFiles.trainingTime(rows))
                .append(" in all (the `seconds` column of `").append(RESULTS).append("` summed).\n\n");
        report.findings().forEach(sentence -> out.append("- ").append(sentence).append('\n'));
        return out.toString();
    }
}

package org.normkit.experiments.report;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The default {@link ReportWriter}: the Markdown report, the HTML report with its images embedded, and the PNG plots
 * the Markdown links, each written atomically into the results folder.
 */
public final class ReportFiles implements ReportWriter {

    @Override
    public List<Path> write(ExperimentReport report, Path folder) {
        return mainFirst(report.writeTo(folder), ExperimentReport.MARKDOWN_FILE, ExperimentReport.HTML_FILE);
    }

    @Override
    public List<Path> write(SweepReport report, Path folder) {
        return mainFirst(report.writeTo(folder), SweepReport.MARKDOWN_FILE, SweepReport.HTML_FILE);
    }

    /** The Markdown file, then the HTML file, then the plots in the order they were written. */
    private static List<Path> mainFirst(List<Path> written, String markdown, String html) {
        List<Path> ordered = new ArrayList<>(written);
        ordered.sort(Comparator.comparingInt(path -> {
            String name = path.getFileName().toString();
            return name.equals(markdown) ? 0 : name.equals(html) ? 1 : 2;
        }));
        return ordered;
    }
}

package org.normkit.experiments.report;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.TreeSet;
import org.normkit.autograd.io.AtomicFiles;

/**
 * The report of one experiment, made from the rows of {@code results.csv}: {@value #MARKDOWN_FILE} with its plots
 * beside it, and {@value #HTML_FILE}, the same content with the plots embedded.
 *
 * <p>In order: the data notice when the data is synthetic (the first line, so no reader takes synthetic numbers
 * for real ones); the configuration, including how the target accuracy was chosen ({@link TargetAccuracy}); a
 * table with one row per configuration (norm): final test accuracy as mean ± 95 % confidence half-width over seeds,
 * epoch-1 accuracy, epochs until the mean curve reaches the target, seconds per epoch, samples per second, and
 * the Welch p-value of the final accuracy against the baseline {@code none}; the mean test accuracy per epoch;
 * plots of test accuracy and training loss per epoch (mean over seeds, band from the lowest to the highest seed);
 * the diverged and the incomplete runs; and "What these numbers say", sentences generated from these numbers alone
 * ({@link ExperimentFindings}).
 *
 * <p>A report can be made at any time, also from the partial results of a running experiment; it then says which
 * runs are incomplete.
 */
public final class ExperimentReport {

    public static final String MARKDOWN_FILE = "report.md";
    public static final String HTML_FILE = "report.html";
    public static final String ACCURACY_PLOT = "accuracy.png";
    public static final String LOSS_PLOT = "loss.png";

    private final String title;
    private final ReportDocument document;
    private final MarkdownTable resultsTable;
    private final List<String> findings;

    private ExperimentReport(String title, ReportDocument document, MarkdownTable resultsTable,
                             List<String> findings) {
        this.title = title;
        this.document = document;
        this.resultsTable = resultsTable;
        this.findings = List.copyOf(findings);
    }

    /** The report of {@code rows}; plots are rendered here, once. */
    public static ExperimentReport of(List<ResultRow> rows, ReportContext context) {
        List<ConfigSummary> summaries = ConfigSummary.group(rows, context.baselineNorm());
        Map<RunConfig, String> labels = ConfigLabels.of(summaries.stream().map(ConfigSummary::config).toList(), "");
        TargetAccuracy target = TargetAccuracy.choose(context, summaries);
        ReportDocument document = new ReportDocument();
        if (context.syntheticData()) {
            document.warning(context.dataNotice());
        }
        document.heading(1, context.title());
        if (!context.syntheticData() && !context.dataNotice().isBlank()) {
            document.paragraph(context.dataNotice());
        }
        if (rows.isEmpty()) {
            document.paragraph("The results hold no rows yet: there is nothing to report.");
            return new ExperimentReport(context.title(), document, new MarkdownTable(List.of(), List.of()),
                    List.of());
        }
        configuration(document, context, rows, target);
        MarkdownTable resultsTable = results(document, summaries, labels, context, target);
        perEpoch(document, summaries, labels);
        firstEpoch(document, summaries, labels);
        plots(document, summaries, labels);
        divergedAndIncomplete(document, summaries, labels);
        List<String> findings = new ExperimentFindings(summaries, labels, context, target).sentences();
        document.heading(2, "What these numbers say");
        document.bullets(findings);
        return new ExperimentReport(context.title(), document, resultsTable, findings);
    }

    /** The table of the "Results" section: one row per configuration (empty when there are no rows). */
    public MarkdownTable resultsTable() {
        return resultsTable;
    }

    /** The sentences of "What these numbers say". */
    public List<String> findings() {
        return findings;
    }

    public String markdown() {
        return document.markdown();
    }

    public String html() {
        return document.html(title);
    }

    /** Writes the Markdown file, its plots and the HTML file into {@code dir}, each atomically; returns their paths. */
    public List<Path> writeTo(Path dir) {
        List<Path> written = new ArrayList<>();
        document.images().forEach((name, png) -> {
            Plots.save(dir.resolve(name), png);
            written.add(dir.resolve(name));
        });
        AtomicFiles.writeString(dir.resolve(MARKDOWN_FILE), markdown());
        AtomicFiles.writeString(dir.resolve(HTML_FILE), html());
        written.add(dir.resolve(MARKDOWN_FILE));
        written.add(dir.resolve(HTML_FILE));
        return written;
    }

    private static void configuration(ReportDocument document, ReportContext context, List<ResultRow> rows,
                                      TargetAccuracy target) {
        List<List<String>> table = new ArrayList<>();
        context.configuration().forEach((name, value) -> table.add(List.of(name, value)));
        TreeSet<Long> seeds = new TreeSet<>();
        rows.forEach(row -> seeds.add(row.key().seed()));
        table.add(List.of("seeds", seeds.size() + " (" + String.join(", ", seeds.stream().map(String::valueOf)
                .toList()) + ")"));
        table.add(List.of("target accuracy", target.explanation()));
        document.heading(2, "Configuration");
        document.table(List.of("setting", "value"), table);
    }

    private static MarkdownTable results(ReportDocument document, List<ConfigSummary> summaries, Map<RunConfig, String> labels,
                                ReportContext context, TargetAccuracy target) {
        String baseline = context.baselineNorm();
        String targetText = Numbers.fixed(target.value(), 4);
        document.heading(2, "Results");
        document.paragraph("Final test accuracy is the mean over the seeds that finished, ± the half-width of its 95 % "
                + "confidence interval (Student t; n/a for one seed). Epochs to " + targetText + " counts until the "
                + "mean test accuracy over seeds first reaches the target. p is the two-sided Welch t-test of the "
                + "final test accuracy against " + baseline + " in the same configuration. A single seed has no "
                + "interval, since the spread over seeds is unknown (its cells say \"1 seed\"; run --seeds 2 or more "
                + "for one). s / epoch and samples / s leave out each run's first epoch, which pays the JVM's warm-up "
                + "(n/a when the runs have one epoch).");
        List<List<String>> table = new ArrayList<>();
        for (ConfigSummary summary : summaries) {
            Optional<ConfigSummary> base = summaries.stream()
                    .filter(other -> other.config().equals(summary.config().withNorm(baseline))).findFirst();
            table.add(List.of(
                    labels.get(summary.config()),
                    seedsCell(summary),
                    summary.finalEpoch() == 0 ? "diverged"
                            : SeedStatistics.meanWithConfidence(summary.finalAccuracies()).format(4),
                    SeedStatistics.meanWithConfidence(summary.valuesAt(1, ResultRow::testAccuracy)).format(4),
                    epochCell(summary.firstEpochReaching(target.value())),
                    Numbers.fixed(summary.meanSecondsPerEpoch(), 2),
                    Numbers.fixed(summary.meanSamplesPerSecond(), 0),
                    pCell(summary, base, baseline)));
        }
        MarkdownTable results = new MarkdownTable(List.of("configuration", "seeds", "final test accuracy",
                "epoch-1 test accuracy", "epochs to " + targetText, "s / epoch", "samples / s", "p vs " + baseline),
                table);
        document.table(results);
        return results;
    }

    private static void perEpoch(ReportDocument document, List<ConfigSummary> summaries,
                                 Map<RunConfig, String> labels) {
        int last = summaries.stream().mapToInt(ConfigSummary::finalEpoch).max().orElse(0);
        if (last == 0) {
            return;
        }
        List<String> header = new ArrayList<>(List.of("epoch"));
        summaries.forEach(summary -> header.add(labels.get(summary.config())));
        List<List<String>> table = new ArrayList<>();
        for (int epoch = 1; epoch <= last; epoch++) {
            List<String> row = new ArrayList<>(List.of(Integer.toString(epoch)));
            for (ConfigSummary summary : summaries) {
                double[] values = summary.valuesAt(epoch, ResultRow::testAccuracy);
                row.add(values.length == 0 ? "" : Numbers.fixed(SeedStatistics.meanWithConfidence(values).mean(), 4));
            }
            table.add(row);
        }
        document.heading(2, "Mean test accuracy per epoch");
        document.table(header, table);
    }

    /**
     * Epoch 1 against the later epochs: seconds, and what the JVM spent compiling (JIT) and collecting garbage in
     * each, so that the first epoch's excess can be set against its compilation. Left out when the rows hold no JVM
     * seconds (a results file written before they were recorded) or have no later epoch.
     */
    private static void firstEpoch(ReportDocument document, List<ConfigSummary> summaries,
                                   Map<RunConfig, String> labels) {
        List<List<String>> table = new ArrayList<>();
        for (ConfigSummary summary : summaries) {
            double first = summary.meanFirstEpoch(ResultRow::seconds);
            double later = summary.meanLaterEpoch(ResultRow::seconds);
            double jitFirst = summary.meanFirstEpoch(ResultRow::jitSeconds);
            double jitLater = summary.meanLaterEpoch(ResultRow::jitSeconds);
            if (!Double.isFinite(later) || !Double.isFinite(jitFirst) || !Double.isFinite(jitLater)) {
                continue;
            }
            double gcFirst = summary.meanFirstEpoch(ResultRow::gcSeconds);
            double gcLater = summary.meanLaterEpoch(ResultRow::gcSeconds);
            table.add(List.of(labels.get(summary.config()), Numbers.fixed(first, 2), Numbers.fixed(later, 2),
                    Numbers.fixed(first / later, 2), Numbers.fixed(jitFirst, 2) + " / " + Numbers.fixed(jitLater, 2),
                    Numbers.fixed(gcFirst, 2) + " / " + Numbers.fixed(gcLater, 2),
                    compilationShare(first - later, jitFirst - jitLater)));
        }
        if (table.isEmpty()) {
            return;
        }
        document.heading(2, "Epoch 1 against later epochs");
        document.paragraph("Means over the runs. JIT and GC are the seconds the JVM spent compiling (all compiler "
                + "threads summed, CompilationMXBean) and collecting garbage (GarbageCollectorMXBeans) while the epoch "
                + "trained, JVM-wide: runs training side by side in one JVM share them. Compilation runs on threads of "
                + "its own, so on a machine with a spare core its seconds are not taken from the epoch; what it costs "
                + "the epoch is the interpreted and C1-compiled code that runs until it is done. \"JIT excess ÷ epoch "
                + "excess\" sets epoch 1's extra compilation against its extra seconds: near 1 or above, the excess is "
                + "of the order of the compilation; near 0, something else.");
        document.table(List.of("configuration", "epoch 1 s", "later s", "epoch 1 ÷ later", "JIT s, epoch 1 / later",
                "GC s, epoch 1 / later", "JIT excess ÷ epoch excess"), table);
    }

    /** Epoch 1's extra JIT seconds over its extra wall seconds; n/a when epoch 1 was not slower. */
    static String compilationShare(double epochExcess, double jitExcess) {
        return epochExcess > 0 ? Numbers.fixed(jitExcess / epochExcess, 2) : "n/a (epoch 1 not slower)";
    }

    private static void plots(ReportDocument document, List<ConfigSummary> summaries, Map<RunConfig, String> labels) {
        List<ConfigSummary> drawn = summaries.stream().filter(summary -> summary.finalEpoch() > 0).toList();
        if (drawn.isEmpty()) {
            return;
        }
        document.heading(2, "Curves");
        document.paragraph(bandCaption(drawn.stream().mapToInt(ConfigSummary::seedCount).max().orElse(0)));
        document.image("test accuracy per epoch", ACCURACY_PLOT, () -> Plots.epochPlot("Test accuracy", "test accuracy",
                drawn.stream().map(s -> s.curve(labels.get(s.config()), ResultRow::testAccuracy)).toList()));
        document.image("training loss per epoch", LOSS_PLOT, () -> Plots.epochPlot("Training loss", "training loss",
                drawn.stream().map(s -> s.curve(labels.get(s.config()), ResultRow::trainLoss)).toList()));
    }

    /** What the lines and bands of a figure are, and over how many seeds. */
    static String bandCaption(int seeds) {
        return seeds < 2 ? "Lines are single runs (one seed), so there is no band: the spread over seeds is unknown."
                : "Lines are means over " + seeds + " seeds; the shaded band runs from the lowest to the highest seed "
                        + "(the range of the seeds, not a confidence interval).";
    }

    private static void divergedAndIncomplete(ReportDocument document, List<ConfigSummary> summaries,
                                              Map<RunConfig, String> labels) {
        List<List<String>> diverged = new ArrayList<>();
        List<String> incomplete = new ArrayList<>();
        for (ConfigSummary summary : summaries) {
            String label = labels.get(summary.config());
            for (ResultRow row : summary.divergedRows()) {
                diverged.add(List.of(label, Long.toString(row.key().seed()), Integer.toString(row.epoch()),
                        Numbers.plain(row.trainLoss())));
            }
            for (long seed : summary.incompleteSeeds()) {
                incomplete.add(label + ", seed " + seed + ": stopped before epoch " + summary.finalEpoch()
                        + ", so it counts in the per-epoch curves but not in the final accuracy");
            }
        }
        document.heading(2, "Diverged runs");
        String definition = "A run diverges when a step's training loss is not finite or above "
                + Numbers.fixed(TrainingFailures.LOSS_LIMIT, 1) + " (ten times ln 10, the loss of a uniform guess over "
                + "ten classes, where training starts); it stops there and is left out of every mean and curve.";
        if (diverged.isEmpty()) {
            document.paragraph(definition + " None diverged.");
        } else {
            document.paragraph(definition);
            document.table(List.of("configuration", "seed", "epoch", "train loss"), diverged);
        }
        List<String> didNotLearn = new ArrayList<>();
        for (ConfigSummary summary : summaries) {
            for (long seed : summary.seedsThatDidNotLearn()) {
                didNotLearn.add(labels.get(summary.config()) + ", seed " + seed);
            }
        }
        document.heading(2, "Runs that did not learn");
        document.paragraph("A finished run did not learn when its final test accuracy is at chance level, at most "
                + Numbers.fixed(TrainingFailures.CHANCE_LEVEL_LIMIT, 2) + " (chance is "
                + Numbers.fixed(TrainingFailures.CHANCE, 2) + " for ten classes)."
                + (didNotLearn.isEmpty() ? " Every finished run learned." : ""));
        if (!didNotLearn.isEmpty()) {
            document.bullets(didNotLearn);
        }
        if (!incomplete.isEmpty()) {
            document.heading(2, "Incomplete runs");
            document.bullets(incomplete);
        }
    }

    private static String seedsCell(ConfigSummary summary) {
        List<String> notes = new ArrayList<>();
        if (!summary.divergedRows().isEmpty()) {
            notes.add(summary.divergedRows().size() + " diverged");
        }
        if (!summary.incompleteSeeds().isEmpty()) {
            notes.add(summary.incompleteSeeds().size() + " incomplete");
        }
        return summary.seedCount() + (notes.isEmpty() ? "" : " (" + String.join(", ", notes) + ")");
    }

    private static String epochCell(OptionalInt epoch) {
        return epoch.isPresent() ? Integer.toString(epoch.getAsInt()) : "not reached";
    }

    private static String pCell(ConfigSummary summary, Optional<ConfigSummary> base, String baseline) {
        if (summary.config().norm().equals(baseline)) {
            return "baseline";
        }
        if (base.isEmpty()) {
            return "no baseline";
        }
        OptionalDouble p = SeedStatistics.welch(summary.finalAccuracies(), base.get().finalAccuracies());
        return p.isPresent() ? Numbers.pCell(p.getAsDouble()) : "n/a";
    }
}

package org.normkit.experiments.report;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import org.normkit.autograd.io.AtomicFiles;

/**
 * The report of a sweep over one setting (batch size or learning rate), made from the rows of {@code results.csv}:
 * {@value #MARKDOWN_FILE} with {@value #PLOT} beside it, and {@value #HTML_FILE} with the plot embedded.
 *
 * <p>It holds a table with one row per norm and one column per swept value, each cell the final test accuracy as
 * mean ± 95 % confidence half-width over seeds ("diverged" when every seed diverged); the plot of final accuracy
 * against the swept value, each grid value ticked ({@link SweepAxis}: a logarithmic axis when the grid is geometric,
 * else the values evenly spaced by rank); and a closing sentence on whether the BatchNorm and GroupNorm
 * curves cross ({@link Crossing}). The two are found by name: the norms named {@value #BATCH_NORM} and
 * {@value #GROUP_NORM}, or starting with those names ({@code batch_norm2d}).
 */
public final class SweepReport {

    public static final String MARKDOWN_FILE = "sweep.md";
    public static final String HTML_FILE = "sweep.html";
    public static final String PLOT = "sweep.png";
    static final String BATCH_NORM = "batch_norm";
    static final String GROUP_NORM = "group_norm";

    private final String title;
    private final ReportDocument document;
    private final MarkdownTable accuracyTable;
    private final List<String> crossings;

    private SweepReport(String title, ReportDocument document, MarkdownTable accuracyTable, List<String> crossings) {
        this.title = title;
        this.document = document;
        this.accuracyTable = accuracyTable;
        this.crossings = crossings;
    }

    /** The report of a sweep over {@code setting}; plots are rendered here, once. */
    public static SweepReport of(List<ResultRow> rows, SweptSetting setting, ReportContext context) {
        Map<String, NavigableMap<Double, ConfigSummary>> curves = curves(rows, setting, context.baselineNorm());
        String title = context.title() + ": " + setting.words() + " sweep";
        ReportDocument document = new ReportDocument();
        if (context.syntheticData()) {
            document.warning(context.dataNotice());
        }
        document.heading(1, title);
        if (!context.syntheticData() && !context.dataNotice().isBlank()) {
            document.paragraph(context.dataNotice());
        }
        if (rows.isEmpty()) {
            document.paragraph("The results hold no rows yet: there is nothing to report.");
            return new SweepReport(title, document, new MarkdownTable(List.of(), List.of()), List.of());
        }
        List<List<String>> settings = new ArrayList<>();
        context.configuration().forEach((name, value) -> settings.add(List.of(name, value)));
        document.heading(2, "Configuration");
        document.table(List.of("setting", "value"), settings);
        MarkdownTable accuracyTable = table(document, curves, setting);
        plot(document, curves, setting);
        List<String> crossings = crossings(curves, setting);
        List<String> findings = new ArrayList<>(crossings);
        if (setting == SweptSetting.LEARNING_RATE) {
            curves.forEach((label, curve) -> tolerance(label, curve, setting).ifPresent(findings::add));
        }
        document.heading(2, "What these numbers say");
        document.bullets(findings);
        return new SweepReport(title, document, accuracyTable, crossings);
    }

    /** The table of final test accuracy: one row per norm, one column per swept value (empty without rows). */
    public MarkdownTable accuracyTable() {
        return accuracyTable;
    }

    public String markdown() {
        return document.markdown();
    }

    public String html() {
        return document.html(title);
    }

    /** The sentences on whether the BatchNorm and GroupNorm curves cross, one per pair found. */
    public List<String> crossingSentences() {
        return crossings;
    }

    /** Writes the Markdown file, the plot and the HTML file into {@code dir}, each atomically; returns their paths. */
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

    /** One curve per configuration apart from the swept setting, named by its label, with a summary per value. */
    private static Map<String, NavigableMap<Double, ConfigSummary>> curves(List<ResultRow> rows, SweptSetting setting,
                                                                           String baselineNorm) {
        List<ConfigSummary> summaries = ConfigSummary.group(rows, baselineNorm);
        Map<RunConfig, String> labels =
                ConfigLabels.of(summaries.stream().map(ConfigSummary::config).toList(), setting.column());
        Map<String, NavigableMap<Double, ConfigSummary>> curves = new LinkedHashMap<>();
        for (ConfigSummary summary : summaries) {
            curves.computeIfAbsent(labels.get(summary.config()), label -> new TreeMap<>())
                    .put(setting.valueOf(summary.config()), summary);
        }
        return curves;
    }

    private static MarkdownTable table(ReportDocument document, Map<String, NavigableMap<Double, ConfigSummary>> curves,
                              SweptSetting setting) {
        TreeSet<Double> values = new TreeSet<>();
        curves.values().forEach(curve -> values.addAll(curve.keySet()));
        List<String> header = new ArrayList<>(List.of("norm"));
        values.forEach(value -> header.add(setting.at(value)));
        List<List<String>> table = new ArrayList<>();
        curves.forEach((label, curve) -> {
            List<String> row = new ArrayList<>(List.of(label));
            values.forEach(value -> row.add(cell(curve.get(value))));
            table.add(row);
        });
        document.heading(2, "Final test accuracy");
        document.paragraph("Each cell is the final test accuracy, mean over seeds ± the half-width of its 95 % "
                + "confidence interval (Student t). A single seed has no interval, since the spread over seeds is "
                + "unknown: its cells say \"1 seed\" (run --seeds 2 or more for one).");
        MarkdownTable accuracy = new MarkdownTable(header, table);
        document.table(accuracy);
        return accuracy;
    }

    private static String cell(ConfigSummary summary) {
        if (summary == null) {
            return "—";
        }
        if (summary.finalEpoch() == 0) {
            return "diverged";
        }
        String cell = SeedStatistics.meanWithConfidence(summary.finalAccuracies()).format(4);
        int diverged = summary.divergedRows().size();
        return diverged == 0 ? cell : cell + " (" + diverged + " of " + summary.seedCount() + " diverged)";
    }

    private static void plot(ReportDocument document, Map<String, NavigableMap<Double, ConfigSummary>> curves,
                             SweptSetting setting) {
        List<PlotSeries> series = new ArrayList<>();
        curves.forEach((label, curve) -> {
            List<Double> x = new ArrayList<>();
            List<double[]> finals = new ArrayList<>();
            curve.forEach((value, summary) -> {
                if (summary.finalAccuracies().length > 0) {
                    x.add(value);
                    finals.add(summary.finalAccuracies());
                }
            });
            if (!x.isEmpty()) {
                series.add(new PlotSeries(label, x.stream().mapToDouble(Double::doubleValue).toArray(),
                        finals.stream().mapToDouble(f -> SeedStatistics.meanWithConfidence(f).mean()).toArray(),
                        finals.stream().mapToDouble(f -> Arrays.stream(f).min().getAsDouble()).toArray(),
                        finals.stream().mapToDouble(f -> Arrays.stream(f).max().getAsDouble()).toArray()));
            }
        });
        if (series.isEmpty()) {
            return;
        }
        document.heading(2, "Curves");
        document.paragraph(ExperimentReport.bandCaption(curves.values().stream()
                .flatMap(curve -> curve.values().stream()).mapToInt(ConfigSummary::seedCount).max().orElse(0)));
        document.image("final test accuracy against " + setting.words(), PLOT,
                () -> Plots.sweepPlot("Final test accuracy against " + setting.words(), setting.words(), true, series));
    }

    /** How far below its best final accuracy a setting may be and still count as within tolerance. */
    static final double TOLERANCE = 0.01;

    /**
     * "batch_norm: best 0.8731 at learning rate 0.001; within 0.01 of it at learning rate 0.0001, 0.001 and 0.01
     * (3 of 4 values)": how tolerant a norm is of the swept setting, the values whose mean final accuracy is within
     * {@value #TOLERANCE} of the norm's best.
     */
    static Optional<String> tolerance(String label, NavigableMap<Double, ConfigSummary> curve,
                                                SweptSetting setting) {
        Map<Double, Double> means = new TreeMap<>();
        curve.forEach((value, summary) -> {
            double mean = SeedStatistics.meanWithConfidence(summary.finalAccuracies()).mean();
            if (Double.isFinite(mean)) {
                means.put(value, mean);
            }
        });
        if (means.isEmpty()) {
            return Optional.empty();
        }
        Map.Entry<Double, Double> best = means.entrySet().stream().max(Map.Entry.comparingByValue()).orElseThrow();
        List<String> within = means.entrySet().stream().filter(e -> e.getValue() >= best.getValue() - TOLERANCE)
                .map(e -> Numbers.plain(e.getKey())).toList();
        String values = within.size() == 1 ? within.get(0)
                : String.join(", ", within.subList(0, within.size() - 1)) + " and " + within.get(within.size() - 1);
        return Optional.of("Tolerance of the " + setting.words() + ": " + label + " is best at "
                + setting.at(best.getKey()) + " (" + Numbers.fixed(best.getValue(), 4) + "); within "
                + Numbers.fixed(TOLERANCE, 2) + " of that at " + setting.words() + " " + values + " (" + within.size()
                + " of " + curve.size() + " values" + (within.size() < means.size() ? "" : ", the whole grid") + ").");
    }

    private static List<String> crossings(Map<String, NavigableMap<Double, ConfigSummary>> curves,
                                          SweptSetting setting) {
        List<String> sentences = new ArrayList<>();
        curves.forEach((labelA, curveA) -> curves.forEach((labelB, curveB) -> {
            RunConfig a = curveA.firstEntry().getValue().config();
            RunConfig b = curveB.firstEntry().getValue().config();
            if (a.norm().startsWith(BATCH_NORM) && b.norm().startsWith(GROUP_NORM)
                    && ConfigLabels.settingsExcept(a, setting.column())
                            .equals(ConfigLabels.settingsExcept(b, setting.column()))) {
                sentences.add(Crossing.sentence(labelA, curveA, labelB, curveB, setting));
            }
        }));
        if (sentences.isEmpty()) {
            sentences.add("This sweep has no " + BATCH_NORM + " and " + GROUP_NORM + " runs with the same other "
                    + "settings, so it cannot say whether their curves cross.");
        }
        return sentences;
    }
}

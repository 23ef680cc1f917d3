package org.normkit.experiments.report;

import java.math.BigDecimal;
import java.math.MathContext;
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
 * The report of a sweep over one setting ({@link SweptSetting}: batch size, learning rate, initialisation, a norm's
 * option, …), made from the rows of {@code results.csv}: {@value #MARKDOWN_FILE} with {@value #PLOT} beside it, and
 * {@value #HTML_FILE} with the plot embedded.
 *
 * <p>It holds a table with one row per curve (a norm, and any other setting that differs between the runs, such as
 * the second setting of a two-setting grid) and one column per swept value, each cell the final test accuracy as
 * mean ± 95 % confidence half-width over seeds ("diverged" when every seed diverged). A numeric setting is plotted
 * as lines of final accuracy against the value, each grid value ticked ({@link SweepAxis}: a logarithmic axis when
 * the grid is geometric, else the values evenly spaced by rank); a categorical one as grouped bars, one group per
 * value and one colour per curve, with the 95 % interval as error bars. What the numbers say: per curve, every value
 * against the first value of the axis (the default of a categorical setting, the smallest of a numeric one) by
 * Welch's t-test over seeds, and the best value; for a numeric setting also whether the BatchNorm and GroupNorm
 * curves cross ({@link Crossing}), found by name: the norms named {@value #BATCH_NORM} and {@value #GROUP_NORM}, or
 * starting with those names ({@code batch_norm2d}); for the learning rate, each norm's tolerance of it.
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
    private final List<String> findings;

    private SweepReport(String title, ReportDocument document, MarkdownTable accuracyTable, List<String> crossings,
                        List<String> findings) {
        this.title = title;
        this.document = document;
        this.accuracyTable = accuracyTable;
        this.crossings = crossings;
        this.findings = findings;
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
        if (curves.isEmpty()) {
            document.paragraph("The results hold no rows yet: there is nothing to report.");
            return new SweepReport(title, document, new MarkdownTable(List.of(), List.of()), List.of(), List.of());
        }
        List<List<String>> settings = new ArrayList<>();
        context.configuration().forEach((name, value) -> settings.add(List.of(name, value)));
        document.heading(2, "Configuration");
        document.table(List.of("setting", "value"), settings);
        MarkdownTable accuracyTable = table(document, curves, setting);
        if (setting.isNumeric()) {
            plot(document, curves, setting);
        } else {
            bars(document, curves, setting);
        }
        List<String> crossings = setting.isNumeric() ? crossings(curves, setting) : List.of();
        List<String> findings = new ArrayList<>(crossings);
        if (setting == SweptSetting.LEARNING_RATE) {
            curves.forEach((label, curve) -> tolerance(label, curve, setting).ifPresent(findings::add));
        }
        findings.addAll(comparisons(curves, setting));
        if (context.syntheticData()) {
            findings.add("The data is synthetic, so none of this says how the settings behave on real images.");
        }
        document.heading(2, "What these numbers say");
        document.bullets(findings);
        return new SweepReport(title, document, accuracyTable, crossings, findings);
    }

    /** The table of final test accuracy: one row per curve, one column per swept value (empty without rows). */
    public MarkdownTable accuracyTable() {
        return accuracyTable;
    }

    public String markdown() {
        return document.markdown();
    }

    public String html() {
        return document.html(title);
    }

    /** The sentences on whether the BatchNorm and GroupNorm curves cross, one per pair found (numeric sweeps). */
    public List<String> crossingSentences() {
        return crossings;
    }

    /** Every sentence of "What these numbers say", in order. */
    public List<String> findings() {
        return findings;
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

    /**
     * One curve per configuration apart from the swept setting, named by its label, with a summary per position of
     * the setting's value on the axis. Rows whose configuration does not set the setting (a norm without the swept
     * option) belong to no curve.
     */
    private static Map<String, NavigableMap<Double, ConfigSummary>> curves(List<ResultRow> rows, SweptSetting setting,
                                                                           String baselineNorm) {
        List<ConfigSummary> summaries = ConfigSummary.group(rows, baselineNorm).stream()
                .filter(summary -> !setting.valueOf(summary.config()).isEmpty()).toList();
        Map<RunConfig, String> labels = ConfigLabels.of(summaries.stream()
                .map(summary -> curveOf(summary.config(), setting)).distinct().toList(), "");
        Map<String, NavigableMap<Double, ConfigSummary>> curves = new LinkedHashMap<>();
        for (ConfigSummary summary : summaries) {
            curves.computeIfAbsent(labels.get(curveOf(summary.config(), setting)), label -> new TreeMap<>())
                    .put(setting.position(setting.valueOf(summary.config())), summary);
        }
        return curves;
    }

    /**
     * The configuration that stands for a whole curve: {@code config} with the swept setting neutral. With linear
     * learning-rate scaling the learning rate follows the batch size, so a batch-size curve is one base rate, not
     * one rate per point.
     */
    static RunConfig curveOf(RunConfig config, SweptSetting setting) {
        RunConfig curve = config;
        if (setting == SweptSetting.BATCH_SIZE && config.lrScaling().equals("linear")) {
            double base = config.lr() * RunConfig.LR_REFERENCE_BATCH / config.batchSize();
            curve = config.withLr(new BigDecimal(base).round(new MathContext(12)).doubleValue());
        }
        return setting.neutral(curve);
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

    /** The grouped bar chart of a categorical sweep: a group per value, a bar per curve, 95 % intervals as errors. */
    private static void bars(ReportDocument document, Map<String, NavigableMap<Double, ConfigSummary>> curves,
                             SweptSetting setting) {
        TreeSet<Double> positions = new TreeSet<>();
        curves.values().forEach(curve -> curve.forEach((position, summary) -> {
            if (summary.finalAccuracies().length > 0) {
                positions.add(position);
            }
        }));
        if (positions.isEmpty()) {
            return;
        }
        List<Double> present = List.copyOf(positions);
        List<String> categories = present.stream().map(setting::label).toList();
        List<PlotSeries> series = new ArrayList<>();
        double lowest = 1;
        for (Map.Entry<String, NavigableMap<Double, ConfigSummary>> curve : curves.entrySet()) {
            List<double[]> points = new ArrayList<>();
            for (Map.Entry<Double, ConfigSummary> at : curve.getValue().entrySet()) {
                MeanInterval m = SeedStatistics.meanWithConfidence(at.getValue().finalAccuracies());
                if (m.n() > 0) {
                    double half = Double.isFinite(m.halfWidth()) ? m.halfWidth() : 0;
                    points.add(new double[] {present.indexOf(at.getKey()), m.mean(), m.mean() - half, m.mean() + half});
                    lowest = Math.min(lowest, m.mean() - half);
                }
            }
            if (!points.isEmpty()) {
                series.add(new PlotSeries(curve.getKey(), column(points, 0), column(points, 1), column(points, 2),
                        column(points, 3)));
            }
        }
        double yMin = barFloor(lowest);
        int seeds = curves.values().stream().flatMap(curve -> curve.values().stream())
                .mapToInt(ConfigSummary::seedCount).max().orElse(0);
        document.heading(2, "Bars");
        document.paragraph("Each bar is the mean final test accuracy over seeds" + (seeds >= 2
                ? ", its error bar the 95 % confidence interval of that mean (Student t)"
                : "; a single seed has no interval") + (yMin == 0 ? "." : ". The y axis starts at "
                + Numbers.fixed(yMin, 2) + ", not at 0, so that differences of a point are visible: compare bar tops, "
                + "not bar lengths."));
        document.image("final test accuracy per " + setting.words(), PLOT,
                () -> Plots.barPlot("Final test accuracy per " + setting.words(), setting.words(), categories, series,
                        yMin));
    }

    /** A round y-axis start a little below the lowest interval: a multiple of 0.05, at least 0. */
    static double barFloor(double lowest) {
        return Math.max(0, Math.floor((lowest - 0.02) / 0.05) * 0.05);
    }

    private static double[] column(List<double[]> points, int index) {
        return points.stream().mapToDouble(point -> point[index]).toArray();
    }

    /**
     * Per curve, every value against the first value of the axis that has finished runs (for a categorical setting
     * the default, listed first), by Welch's t-test over seeds, and the best value; then how to read them.
     */
    static List<String> comparisons(Map<String, NavigableMap<Double, ConfigSummary>> curves, SweptSetting setting) {
        List<String> sentences = new ArrayList<>();
        boolean compared = false;
        for (Map.Entry<String, NavigableMap<Double, ConfigSummary>> curve : curves.entrySet()) {
            String label = curve.getKey();
            NavigableMap<Double, ConfigSummary> finished = new TreeMap<>();
            curve.getValue().forEach((position, summary) -> {
                if (summary.finalAccuracies().length > 0) {
                    finished.put(position, summary);
                } else if (summary.finalEpoch() == 0) {
                    sentences.add(label + " diverged in every seed at " + setting.at(position) + ".");
                }
            });
            if (finished.size() < 2) {
                sentences.add(label + " has finished runs at fewer than two " + setting.words() + " values, so "
                        + "this sweep compares none of its values.");
                continue;
            }
            Map.Entry<Double, ConfigSummary> first = finished.firstEntry();
            compared = true;
            for (Map.Entry<Double, ConfigSummary> other : finished.tailMap(first.getKey(), false).entrySet()) {
                Comparison c = Comparison.of(other.getValue().finalAccuracies(), first.getValue().finalAccuracies());
                sentences.add(label + ", " + setting.at(other.getKey()) + " against " + setting.label(first.getKey())
                        + ": final accuracy " + c.a().format(4) + " against " + c.b().format(4) + ", a difference of "
                        + Numbers.signed(c.difference(), 4) + " (" + c.verdict() + ").");
            }
            Map.Entry<Double, ConfigSummary> best = finished.entrySet().stream().max((a, b) -> Double.compare(
                    mean(a.getValue()), mean(b.getValue()))).orElseThrow();
            List<String> tied = new ArrayList<>();
            finished.forEach((position, summary) -> {
                if (!position.equals(best.getKey()) && !Comparison.of(best.getValue().finalAccuracies(),
                        summary.finalAccuracies()).significant()) {
                    tied.add(setting.label(position));
                }
            });
            sentences.add(label + " has its highest mean at " + setting.at(best.getKey()) + " ("
                    + Numbers.fixed(mean(best.getValue()), 4) + "); " + (tied.isEmpty()
                    ? "every other value is below it by more than seed noise at the 5 % level."
                    : "not distinguishable from it at the 5 % level: " + String.join(", ", tied) + "."));
            curve.getValue().forEach((position, summary) -> {
                List<Long> chance = summary.seedsThatDidNotLearn();
                if (!chance.isEmpty()) {
                    sentences.add("Did not learn: " + label + " at " + setting.at(position) + " ended at chance "
                            + "level (final test accuracy at most " + Numbers.fixed(TrainingFailures.CHANCE_LEVEL_LIMIT,
                            2) + ") with " + chance.size() + " of " + summary.seedCount() + " seeds.");
                }
            });
        }
        if (compared) {
            sentences.add("These statements hold for this data set, net and configuration only; p-values are "
                    + "two-sided Welch t-tests over seeds against the first " + setting.words() + " of each row ("
                    + (setting.isNumeric() ? "the smallest" : "the default, listed first") + "), not corrected "
                    + "for comparing several values at once.");
        }
        return sentences;
    }

    private static double mean(ConfigSummary summary) {
        return SeedStatistics.meanWithConfidence(summary.finalAccuracies()).mean();
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
            RunConfig a = curveOf(curveA.firstEntry().getValue().config(), setting);
            RunConfig b = curveOf(curveB.firstEntry().getValue().config(), setting);
            if (a.norm().startsWith(BATCH_NORM) && b.norm().startsWith(GROUP_NORM)
                    && ConfigLabels.settingsExcept(a, "").equals(ConfigLabels.settingsExcept(b, ""))) {
                sentences.add(Crossing.sentence(labelA, curveA, labelB, curveB, setting));
            }
        }));
        // Whether BatchNorm and GroupNorm cross is what batch-size (and learning-rate) sweeps test; others need not say.
        if (sentences.isEmpty() && (setting == SweptSetting.BATCH_SIZE || setting == SweptSetting.LEARNING_RATE)) {
            sentences.add("This sweep has no " + BATCH_NORM + " and " + GROUP_NORM + " runs with the same other "
                    + "settings, so it cannot say whether their curves cross.");
        }
        return sentences;
    }
}

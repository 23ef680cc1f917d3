package org.normkit.experiments.report;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.normkit.autograd.io.AtomicFiles;

/**
 * The batch-statistics probe's report ({@value #MARKDOWN_FILE}, {@value #PLOT}): per configuration (net, norm and
 * batch size) and epoch, the mean shift and the variance shift of the batch statistics from the running ones,
 * averaged over seeds, as a table and a chart of the mean shift per epoch. {@link ProbeRow} defines the figures.
 */
public final class ProbeReport {
    public static final String MARKDOWN_FILE = "probe.md";
    public static final String PLOT = "probe.png";

    private final Map<String, TreeMap<Integer, List<ProbeRow>>> byConfiguration;

    private ProbeReport(List<ProbeRow> rows) {
        byConfiguration = new LinkedHashMap<>();
        for (ProbeRow row : rows) {
            byConfiguration.computeIfAbsent(label(row.key()), k -> new TreeMap<>())
                    .computeIfAbsent(row.epoch(), k -> new ArrayList<>()).add(row);
        }
    }

    public static ProbeReport of(List<ProbeRow> rows) {
        return new ProbeReport(rows);
    }

    /**
     * {@code lstm/batch_norm:per_step=true b64}: what separates the probe's configurations, with the settings that
     * differ from a plain run's ({@code lenet/batch_norm b128 init=xavier}), which a sweep may vary.
     */
    static String label(RunKey key) {
        StringBuilder label = new StringBuilder(key.config().net() + "/" + key.config().norm() + " b"
                + key.config().batchSize());
        key.config().nonDefaultExtras().forEach(extra -> label.append(' ').append(extra));
        return label.toString();
    }

    public boolean isEmpty() {
        return byConfiguration.isEmpty();
    }

    /** One row per configuration: seeds, then "mean shift / variance shift" of every epoch, means over seeds. */
    public MarkdownTable table() {
        int epochs = byConfiguration.values().stream().mapToInt(TreeMap::lastKey).max().orElse(0);
        List<String> header = new ArrayList<>(List.of("configuration", "norm layers", "seeds"));
        for (int e = 1; e <= epochs; e++) {
            header.add("epoch " + e + ": mean shift / variance shift");
        }
        List<List<String>> rows = new ArrayList<>();
        byConfiguration.forEach((label, perEpoch) -> {
            List<String> cells = new ArrayList<>();
            List<ProbeRow> first = perEpoch.values().iterator().next();
            cells.add(label);
            cells.add(Integer.toString(first.get(0).layers()));
            cells.add(Integer.toString(first.size()));
            for (int e = 1; e <= epochs; e++) {
                List<ProbeRow> at = perEpoch.get(e);
                cells.add(at == null ? "-" : String.format("%.3f / %.3f",
                        at.stream().mapToDouble(ProbeRow::meanShift).average().orElseThrow(),
                        at.stream().mapToDouble(ProbeRow::varianceShift).average().orElseThrow()));
            }
            rows.add(cells);
        });
        return new MarkdownTable(header, rows);
    }

    /** Writes {@value #MARKDOWN_FILE} and {@value #PLOT} into {@code folder}. */
    public void writeTo(Path folder, String title) {
        List<PlotSeries> series = new ArrayList<>();
        byConfiguration.forEach((label, perEpoch) -> series.add(PlotSeries.line(label,
                perEpoch.keySet().stream().mapToDouble(Integer::doubleValue).toArray(),
                perEpoch.values().stream().mapToDouble(at -> at.stream().mapToDouble(ProbeRow::meanShift).average()
                        .orElseThrow()).toArray())));
        AtomicFiles.writeBytes(folder.resolve(PLOT), Plots.epochPlot(title,
                "mean |batch mean - running mean| / running sd", series));
        String text = "# " + title + "\n\n"
                + "How far each training batch's statistics stray from the running statistics evaluation normalises "
                + "with (the training-inference discrepancy), per norm layer with running statistics, before the "
                + "batch is folded in: mean shift = |batch mean - running mean| / running standard deviation, "
                + "variance shift = |batch variance - running variance| / running variance, averaged over the "
                + "epoch's forwards, the layers and their channels, then over seeds. Epoch 1 includes the running "
                + "statistics' warm-up from mean 0 and variance 1.\n\n"
                + table().markdown() + "\n![mean shift per epoch](" + PLOT + ")\n";
        AtomicFiles.writeString(folder.resolve(MARKDOWN_FILE), text);
    }
}

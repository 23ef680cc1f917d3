package org.normkit.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.normkit.autograd.io.AtomicFiles;
import org.normkit.autograd.spi.Face;
import org.normkit.bench.versus.VersusTable;

/**
 * A {@link BenchReport} as tables, for the terminal ({@link #text}) and as a Markdown file ({@link #markdown}).
 * Kernel rows: norm, shape, dtype, pass, face, mask, threads, ms, × copy, GB/s, and for masked rows × unmasked (the
 * same call without the mask, from the same run). Training rows: net, norm, face, threads, ms/step, samples/s, its
 * 99.9 % interval, the median iteration. Parts that did not run appear as {@code n/a} (skipped) or {@code failed}
 * among the kernel rows, and with the reason below the table. A head-to-head report (rows of
 * {@link BenchKind#HEAD_TO_HEAD}, {@code normkit bench --peer}) has tables of its own: {@link VersusTable}.
 */
public final class ReportTable {
    private static final List<String> KERNEL_HEADERS = List.of("norm", "shape", "dtype", "pass", "face", "mask",
            "threads", "ms", "× copy", "GB/s");
    private static final String UNMASKED = "× unmasked";
    private static final List<String> TRAINING_HEADERS = List.of("net", "norm", "face", "threads", "ms/step",
            "samples/s", "± (99.9 %)", "median");

    private ReportTable() {}

    /** The terminal tables, with header lines about the machine and the settings, then what did not run. */
    public static String text(BenchReport report) {
        if (!report.results(BenchKind.HEAD_TO_HEAD).isEmpty()) {
            return VersusTable.text(report);
        }
        StringBuilder s = new StringBuilder();
        MachineInfo m = report.machine();
        s.append("# ").append(m.cpu()).append(", ").append(m.cores()).append(" cores, ").append(m.runtime())
                .append(", ").append(m.date()).append('\n');
        s.append("# ").append(report.settings()).append('\n');
        s.append("# threads: ").append(report.threadsHook()).append('\n');
        if (!report.results(BenchKind.TRAINING).isEmpty()) {
            s.append("# training step: zero gradients, forward, cross-entropy, backward, optimizer step; batch ")
                    .append(report.batch()).append('\n');
            appendText(s, TRAINING_HEADERS, trainingRows(report), 4);
        }
        if (!report.results(BenchKind.KERNEL).isEmpty() || report.results().isEmpty()) {
            List<String> headers = kernelHeaders(report);
            appendText(s, headers, kernelRows(report, headers.size()), KERNEL_HEADERS.indexOf("threads"));
        }
        if (!report.skipped().isEmpty()) {
            s.append("not run:\n");
            report.skipped().forEach(k -> s.append("  ").append(k.what()).append(": ").append(k.reason()).append('\n'));
        }
        return s.toString();
    }

    /** The Markdown report: machine header, results tables, what did not run, the bytes model and specs of kernels. */
    public static String markdown(BenchReport report) {
        if (!report.results(BenchKind.HEAD_TO_HEAD).isEmpty()) {
            return VersusTable.markdown(report);
        }
        boolean training = !report.results(BenchKind.TRAINING).isEmpty();
        boolean kernel = !report.results(BenchKind.KERNEL).isEmpty() || !training;
        StringBuilder s = new StringBuilder(training && !kernel ? "# normkit training-step benchmark\n\n"
                : "# normkit benchmark\n\n");
        MachineInfo m = report.machine();
        s.append("| | |\n|---|---|\n");
        s.append("| CPU | ").append(cell(m.cpu())).append(" |\n");
        s.append("| cores | ").append(m.cores()).append(" |\n");
        s.append("| runtime | ").append(cell(m.runtime())).append(" |\n");
        s.append("| flags | `").append(m.flags().replace("`", "'").replace("|", "\\|")).append("` |\n");
        s.append("| date | ").append(cell(m.date())).append(" |\n");
        s.append("| settings | ").append(cell(report.settings())).append(" |\n");
        s.append("| threads | ").append(cell(report.threadsHook())).append(" |\n");
        if (training) {
            s.append("\n## Training steps\n\n");
            s.append("One step: zero gradients, forward, cross-entropy, backward, optimizer step; batch ")
                    .append(report.batch()).append(". samples/s: JMH's score, ± its 99.9 % interval; median: the "
                            + "median iteration.\n\n");
            appendMarkdown(s, TRAINING_HEADERS, trainingRows(report), 4);
        }
        if (kernel) {
            s.append("\n## Results\n\n");
            s.append("ms: average time of one call (JMH). × copy: ms ÷ the time of copying a tensor of the same size "
                    + "and dtype with the same number of threads, timed in the same run. GB/s: the bytes model below "
                    + "÷ ms. mask padded: the masked call with the last " + BenchMask.PADDED_PERCENT + " % of every "
                    + "sample's positions padding; × unmasked: its ms ÷ the same call's without a mask, same run.");
            s.append("\n\n");
            List<String> headers = kernelHeaders(report);
            appendMarkdown(s, headers, kernelRows(report, headers.size()), KERNEL_HEADERS.indexOf("ms"));
        }
        if (!report.skipped().isEmpty()) {
            s.append("\n## Not run\n\n");
            report.skipped().forEach(k -> s.append("- ").append(k.what()).append(": ").append(cell(k.reason()))
                    .append('\n'));
        }
        if (kernel) {
            appendBytesModel(s);
            if (!report.specs().isEmpty()) {
                s.append("\n## Layers\n\n");
                report.specs().forEach((k, v) -> s.append("- `").append(k).append("`: ").append(cell(v)).append('\n'));
            }
        }
        return s.toString();
    }

    /** Writes {@link #markdown} atomically (temporary file, then a move). */
    public static void writeMarkdown(Path target, BenchReport report) {
        AtomicFiles.writeString(target, markdown(report));
    }

    /** Milliseconds to four significant digits (whole milliseconds from a second up). */
    public static String formatMs(double ms) {
        if (!Double.isFinite(ms)) {
            return "—";
        }
        if (ms >= 1000) {
            return String.format(Locale.ROOT, "%.0f", ms);
        }
        return new java.math.BigDecimal(ms).round(new java.math.MathContext(4)).stripTrailingZeros().toPlainString();
    }

    private static String format(double v, String pattern) {
        return Double.isFinite(v) ? String.format(Locale.ROOT, pattern, v) : "—";
    }

    private static List<String> kernelHeaders(BenchReport report) {
        boolean masked = report.results(BenchKind.KERNEL).stream()
                .anyMatch(r -> !r.maskOrNone().equals(BenchMask.NONE.id()));
        List<String> headers = new ArrayList<>(KERNEL_HEADERS);
        if (masked) {
            headers.add(UNMASKED);
        }
        return headers;
    }

    /** Kernel rows in a stable order, each (norm, shape) followed by its n/a and failed rows. */
    private static List<String[]> kernelRows(BenchReport report, int columns) {
        List<BenchResult> sorted = new ArrayList<>(report.results(BenchKind.KERNEL));
        Map<String, Double> unmaskedMs = new HashMap<>();
        for (BenchResult r : sorted) {
            if (r.maskOrNone().equals(BenchMask.NONE.id())) {
                unmaskedMs.put(callKey(r), r.ms());
            }
        }
        // Norms by name, each norm's shapes in the order its contract lists them (the order the rows came in).
        List<String> shapeOrder = sorted.stream().map(r -> r.norm() + " " + r.shape()).distinct().toList();
        sorted.sort(Comparator.comparing(BenchResult::norm)
                .thenComparing(r -> shapeOrder.indexOf(r.norm() + " " + r.shape()))
                .thenComparing(BenchResult::dtype)
                .thenComparing(r -> passOrder(r.pass()))
                .thenComparing(r -> faceOrder(r.face()))
                .thenComparing(BenchResult::threads)
                .thenComparing(r -> !r.maskOrNone().equals(BenchMask.NONE.id())));
        List<String[]> out = new ArrayList<>();
        List<BenchPlan.Skip> pending = new ArrayList<>(report.skipped().stream().filter(s -> s.net() == null)
                .toList());
        String group = null;
        for (BenchResult r : sorted) {
            String g = r.norm() + " " + r.shape();
            if (group != null && !g.equals(group)) {
                flushSkips(out, pending, group, columns);
            }
            group = g;
            String[] row = Arrays.copyOf(new String[] {r.norm(), r.shape(), r.dtype(), r.pass(), r.face(),
                r.maskOrNone(), Integer.toString(r.threads()), formatMs(r.ms()), format(r.ratioToCopy(), "%.2f"),
                format(r.gbPerSecond(), "%.1f")}, columns);
            if (columns > KERNEL_HEADERS.size()) {
                row[columns - 1] = r.maskOrNone().equals(BenchMask.NONE.id()) ? ""
                        : format(r.ms() / unmaskedMs.getOrDefault(callKey(r), Double.NaN), "%.2f");
            }
            out.add(row);
        }
        if (group != null) {
            flushSkips(out, pending, group, columns);
        }
        for (BenchPlan.Skip s : pending) {
            out.add(skipRow(s, columns));
        }
        return out;
    }

    /** Everything that names a call but its mask. */
    private static String callKey(BenchResult r) {
        return String.join("/", r.norm(), r.shape(), r.dtype(), r.pass(), r.face(), Integer.toString(r.threads()));
    }

    private static void flushSkips(List<String[]> out, List<BenchPlan.Skip> pending, String group, int columns) {
        var it = pending.iterator();
        while (it.hasNext()) {
            BenchPlan.Skip s = it.next();
            if ((s.norm() + " " + s.shape()).equals(group)) {
                out.add(skipRow(s, columns));
                it.remove();
            }
        }
    }

    private static String[] skipRow(BenchPlan.Skip s, int columns) {
        String status = s.reason().startsWith("failed") ? "failed" : "n/a";
        String[] row = new String[columns];
        Arrays.fill(row, "");
        String[] cells = {s.norm(), s.shape(), s.dtype(), s.pass(), s.face(), s.mask(), s.threads(), status};
        for (int c = 0; c < cells.length; c++) {
            row[c] = cells[c] == null ? "*" : cells[c];
        }
        return row;
    }

    /** Training rows: by net, the net without norms first, then norms by name, faces, threads. */
    private static List<String[]> trainingRows(BenchReport report) {
        List<BenchResult> sorted = new ArrayList<>(report.results(BenchKind.TRAINING));
        sorted.sort(Comparator.comparing(BenchResult::net)
                .thenComparing(r -> !r.norm().equals(TrainingWorkload.NONE))
                .thenComparing(BenchResult::norm).thenComparingInt(r -> faceOrder(r.face()))
                .thenComparingInt(BenchResult::threads));
        List<String[]> rows = new ArrayList<>();
        for (BenchResult r : sorted) {
            rows.add(new String[] {r.net(), r.norm(), r.face(), Integer.toString(r.threads()),
                String.format(Locale.ROOT, "%.3f", r.msPerStep()), format(r.samplesPerSecond(), "%,.0f"),
                format(r.samplesPerSecondError(), "%,.0f"), format(r.samplesPerSecondMedian(), "%,.0f")});
        }
        return rows;
    }

    private static void appendBytesModel(StringBuilder s) {
        s.append("\n## Bytes model\n\n");
        s.append("Units of one read or one write of a tensor of the input's size; GB/s = units × numel × bytes per "
                + "element ÷ time. BatchNorm's statistics span the batch, which does not stay in cache: x is read "
                + "for the moments and again to normalise. The per-sample norms' rows stay in cache between reads.\n\n");
        s.append("| model | train_forward | eval_forward | train_forward_backward |\n|---|---:|---:|---:|\n");
        for (BytesModel model : List.of(BytesModel.BATCH, BytesModel.PER_SAMPLE)) {
            s.append("| ").append(model == BytesModel.BATCH ? "batch statistics (`batch_norm*`)"
                    : "per-sample statistics (layer, group, instance norms; plugins unless they declare their own)");
            for (BenchPass p : BenchPass.values()) {
                s.append(" | ").append(model.units(p));
            }
            s.append(" |\n");
        }
        s.append("| copy baseline | ").append(BytesModel.COPY_UNITS).append(" | ").append(BytesModel.COPY_UNITS)
                .append(" | ").append(BytesModel.COPY_UNITS).append(" |\n");
    }

    private static int passOrder(String pass) {
        try {
            return BenchPass.parse(pass).ordinal();
        } catch (IllegalArgumentException e) {
            return BenchPass.values().length;
        }
    }

    /** The face without norms ({@code -}), then reference, then fused, then anything else. */
    private static int faceOrder(String face) {
        if (face.equals("-")) {
            return -1;
        }
        try {
            return Face.BOTH.indexOf(Face.parseConcrete(face));
        } catch (IllegalArgumentException e) {
            return Face.BOTH.size();
        }
    }

    /** A text table: columns up to {@code firstNumber} left-aligned, figures right-aligned. */
    private static void appendText(StringBuilder s, List<String> headers, List<String[]> rows, int firstNumber) {
        int[] width = new int[headers.size()];
        for (int c = 0; c < width.length; c++) {
            width[c] = headers.get(c).length();
            for (String[] r : rows) {
                width[c] = Math.max(width[c], r[c].length());
            }
        }
        appendLine(s, headers.toArray(String[]::new), width, firstNumber);
        s.append("-".repeat(Arrays.stream(width).sum() + 2 * (width.length - 1))).append('\n');
        for (String[] r : rows) {
            appendLine(s, r, width, firstNumber);
        }
    }

    private static void appendMarkdown(StringBuilder s, List<String> headers, List<String[]> rows, int firstNumber) {
        s.append('|');
        headers.forEach(h -> s.append(' ').append(h).append(" |"));
        s.append("\n|");
        for (int c = 0; c < headers.size(); c++) {
            s.append(c >= firstNumber ? "---:|" : "---|");
        }
        s.append('\n');
        for (String[] r : rows) {
            s.append('|');
            for (String cell : r) {
                s.append(' ').append(cell(cell)).append(" |");
            }
            s.append('\n');
        }
    }

    private static void appendLine(StringBuilder s, String[] cells, int[] width, int firstNumber) {
        for (int c = 0; c < cells.length; c++) {
            if (c > 0) {
                s.append("  ");
            }
            String fill = " ".repeat(Math.max(0, width[c] - cells[c].length()));
            s.append(c >= firstNumber ? fill + cells[c] : cells[c] + fill);
        }
        int end = s.length();
        while (end > 0 && s.charAt(end - 1) == ' ') {
            end--;
        }
        s.setLength(end);
        s.append('\n');
    }

    private static String cell(String v) {
        return v.replace("|", "\\|").replace("\n", " ");
    }
}

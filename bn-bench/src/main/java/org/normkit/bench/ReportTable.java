package org.normkit.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

import org.normkit.autograd.spi.Face;
import org.normkit.autograd.io.AtomicFiles;

/**
 * The report as a table, for the terminal ({@link #text}) and as a Markdown file ({@link #markdown}): norm, shape,
 * dtype, pass, face, threads, ms, × copy, GB/s. (The comparison with PyTorch is {@code normkit bench --peer}'s own
 * report, {@link org.normkit.bench.versus.VersusTable}.)
 * Parts that did not run appear as {@code n/a} (skipped) or {@code failed}, with the reason listed below the table.
 */
public final class ReportTable {
    private static final String[] HEADERS = {"norm", "shape", "dtype", "pass", "face", "threads", "ms", "× copy",
        "GB/s"};
    private static final int FIRST_NUMBER_COLUMN = 5;

    private ReportTable() {}

    /** The terminal table, with header lines about the machine and the settings. */
    public static String text(BenchReport report) {
        StringBuilder s = new StringBuilder();
        MachineInfo m = report.machine();
        s.append("# ").append(m.cpu()).append(", ").append(m.cores()).append(" cores, ").append(m.runtime())
                .append(", ").append(m.date()).append('\n');
        s.append("# ").append(report.settings()).append('\n');
        s.append("# kernel threads hook: ").append(report.threadsHook()).append('\n');
        List<String[]> rows = rows(report);
        String[] headers = HEADERS;
        int[] width = new int[headers.length];
        for (int c = 0; c < headers.length; c++) {
            width[c] = headers[c].length();
            for (String[] r : rows) {
                width[c] = Math.max(width[c], r[c].length());
            }
        }
        appendLine(s, headers, width);
        s.append("-".repeat(java.util.Arrays.stream(width).sum() + 2 * (width.length - 1))).append('\n');
        for (String[] r : rows) {
            appendLine(s, r, width);
        }
        appendNotRun(s, report, "");
        return s.toString();
    }

    /** The Markdown report: machine header, results table, what did not run, bytes model, specs. */
    public static String markdown(BenchReport report) {
        StringBuilder s = new StringBuilder("# normkit benchmark\n\n");
        MachineInfo m = report.machine();
        s.append("| | |\n|---|---|\n");
        s.append("| CPU | ").append(cell(m.cpu())).append(" |\n");
        s.append("| cores | ").append(m.cores()).append(" |\n");
        s.append("| runtime | ").append(cell(m.runtime())).append(" |\n");
        s.append("| flags | `").append(m.flags().replace("`", "'").replace("|", "\\|")).append("` |\n");
        s.append("| date | ").append(cell(m.date())).append(" |\n");
        s.append("| settings | ").append(cell(report.settings())).append(" |\n");
        s.append("| kernel threads | ").append(cell(report.threadsHook())).append(" |\n");
        s.append("\n## Results\n\n");
        s.append("ms: average time of one call (JMH). × copy: ms ÷ the time of copying a tensor of the same size and "
                + "dtype with the same number of threads, timed in the same run. GB/s: the bytes model below ÷ ms.");
        s.append("\n\n");
        String[] headers = HEADERS;
        s.append('|');
        for (String h : headers) {
            s.append(' ').append(h).append(" |");
        }
        s.append("\n|");
        for (int c = 0; c < headers.length; c++) {
            s.append(c > FIRST_NUMBER_COLUMN ? "---:|" : "---|");
        }
        s.append('\n');
        for (String[] r : rows(report)) {
            s.append('|');
            for (String cell : r) {
                s.append(' ').append(cell(cell)).append(" |");
            }
            s.append('\n');
        }
        if (!report.skipped().isEmpty()) {
            s.append("\n## Not run\n\n");
            appendNotRun(s, report, "- ");
        }
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
        if (!report.specs().isEmpty()) {
            s.append("\n## Layers\n\n");
            report.specs().forEach((k, v) -> s.append("- `").append(k).append("`: ").append(cell(v)).append('\n'));
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

    /** Result rows in a stable order, each (norm, shape) followed by its n/a and failed rows. */
    private static List<String[]> rows(BenchReport report) {
        List<BenchResult> sorted = new ArrayList<>(report.results());
        // Norms by name, each norm's shapes in the order its contract lists them (the order the rows came in).
        List<String> shapeOrder = sorted.stream().map(r -> r.norm() + " " + r.shape()).distinct().toList();
        sorted.sort(Comparator.comparing(BenchResult::norm)
                .thenComparing(r -> shapeOrder.indexOf(r.norm() + " " + r.shape()))
                .thenComparing(BenchResult::dtype)
                .thenComparing(r -> passOrder(r.pass()))
                .thenComparing(r -> faceOrder(r.face()))
                .thenComparing(BenchResult::threads));
        List<String[]> out = new ArrayList<>();
        List<SuitePlan.Skip> pending = new ArrayList<>(report.skipped());
        String group = null;
        for (BenchResult r : sorted) {
            String g = r.norm() + " " + r.shape();
            if (group != null && !g.equals(group)) {
                flushSkips(out, pending, group);
            }
            group = g;
            out.add(new String[] {r.norm(), r.shape(), r.dtype(), r.pass(), r.face(), Integer.toString(r.threads()),
                formatMs(r.ms()), format(r.ratioToCopy(), "%.2f"), format(r.gbPerSecond(), "%.1f")});
        }
        if (group != null) {
            flushSkips(out, pending, group);
        }
        for (SuitePlan.Skip s : pending) {
            out.add(skipRow(s));
        }
        return out;
    }

    private static void flushSkips(List<String[]> out, List<SuitePlan.Skip> pending, String group) {
        var it = pending.iterator();
        while (it.hasNext()) {
            SuitePlan.Skip s = it.next();
            if ((s.norm() + " " + s.shape()).equals(group)) {
                out.add(skipRow(s));
                it.remove();
            }
        }
    }

    private static String[] skipRow(SuitePlan.Skip s) {
        String status = s.reason().startsWith("failed") ? "failed" : "n/a";
        return new String[] {s.norm(), s.shape(), s.dtype(), s.pass(), s.face(), s.threads(), status, "", ""};
    }

    private static void appendNotRun(StringBuilder s, BenchReport report, String bullet) {
        if (report.skipped().isEmpty()) {
            return;
        }
        if (bullet.isEmpty()) {
            s.append("not run:\n");
        }
        for (SuitePlan.Skip k : report.skipped()) {
            s.append(bullet.isEmpty() ? "  " : bullet).append(k.norm()).append(' ').append(k.shape());
            for (String v : new String[] {k.dtype(), k.pass(), k.face(), k.threads()}) {
                if (!v.equals("*")) {
                    s.append(' ').append(v.matches("\\d+") ? "t=" + v : v);
                }
            }
            s.append(": ").append(bullet.isEmpty() ? k.reason() : cell(k.reason())).append('\n');
        }
    }

    private static int passOrder(String pass) {
        try {
            return BenchPass.parse(pass).ordinal();
        } catch (IllegalArgumentException e) {
            return BenchPass.values().length;
        }
    }

    private static int faceOrder(String face) {
        try {
            return Face.BOTH.indexOf(Face.parseConcrete(face));
        } catch (IllegalArgumentException e) {
            return Face.BOTH.size();
        }
    }

    private static void appendLine(StringBuilder s, String[] cells, int[] width) {
        for (int c = 0; c < cells.length; c++) {
            if (c > 0) {
                s.append("  ");
            }
            boolean number = c >= FIRST_NUMBER_COLUMN;
            s.append(number ? pad(cells[c], width[c], true) : pad(cells[c], width[c], false));
        }
        int end = s.length();
        while (end > 0 && s.charAt(end - 1) == ' ') {
            end--;
        }
        s.setLength(end);
        s.append('\n');
    }

    private static String pad(String v, int width, boolean right) {
        String fill = " ".repeat(Math.max(0, width - v.length()));
        return right ? fill + v : v + fill;
    }

    private static String cell(String v) {
        return v.replace("|", "\\|").replace("\n", " ");
    }
}

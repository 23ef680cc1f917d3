package org.normkit.bench.versus;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import org.normkit.bench.BenchKind;
import org.normkit.bench.BenchMask;
import org.normkit.bench.BenchPlan;
import org.normkit.bench.BenchReport;
import org.normkit.bench.BenchResult;
import org.normkit.bench.BenchResult.PeerComparison;

/**
 * The head-to-head rows of a {@link BenchReport} as text: the full table (every case, thread count and side, in
 * milliseconds, the ratios and the floor), the {@link Roofline} table, and the summary the README shows (normkit ÷ each peer per norm and pass,
 * one column per dtype and thread count, with geometric means). A masked row names its mask beside the pass; a peer
 * without that call has "—" there, and the report's list of what did not run says why.
 */
public final class VersusTable {
    private VersusTable() {}

    /** The terminal report: the full table as plain text. */
    public static String text(BenchReport report) {
        return markdown(report);
    }

    /** The full report as Markdown: what was measured, the summary, then every row. */
    public static String markdown(BenchReport r) {
        StringBuilder b = new StringBuilder();
        b.append("# normkit against its peers, same calls, same session\n\n");
        b.append(header(r)).append('\n');
        b.append(summary(r)).append('\n');
        b.append("## Every row\n\n");
        List<String> peers = new ArrayList<>(r.peers().keySet());
        b.append("| norm | shape | dtype | pass | threads | normkit ms |");
        peers.forEach(p -> b.append(' ').append(p).append(" ms |"));
        peers.forEach(p -> b.append(" ÷ ").append(p).append(" |"));
        b.append(" × fastest copy | fastest copy ms (whose) |\n|---|---|---|---|---|---|");
        peers.forEach(p -> b.append("---|---|"));
        b.append("---|---|\n");
        for (BenchResult row : rows(r)) {
            PeerComparison c = row.comparison();
            b.append("| ").append(row.norm()).append(" | ").append(row.shape()).append(" | ").append(row.dtype())
                    .append(" | ").append(pass(row)).append(" | ").append(row.threads()).append(" | ")
                    .append(ms(row.ms())).append(" |");
            peers.forEach(p -> b.append(' ').append(ms(c.peerMs().get(p))).append(" |"));
            peers.forEach(p -> b.append(' ').append(ratio(c.normkitOver().get(p))).append(" |"));
            b.append(' ').append(fixed(c.timesFloor())).append(" | ").append(ms(c.floorMs())).append(" (")
                    .append(c.floorBy()).append(") |\n");
        }
        if (!r.skipped().isEmpty()) {
            b.append("\nNot measured:\n\n");
            r.skipped().forEach(s -> b.append("- ").append(skipLine(s)).append('\n'));
        }
        b.append('\n').append(Roofline.markdown(r));
        return b.toString();
    }

    /** Date, commit, machine, peers and method: what any figure of the report was measured under. */
    public static String header(BenchReport r) {
        StringBuilder b = new StringBuilder();
        b.append("Measured ").append(r.machine().date()).append(" at commit ").append(r.commit()).append(" on ")
                .append(r.machine().describe()).append(".\n\n");
        r.peers().forEach((name, what) -> b.append("- ").append(name).append(": ").append(what).append('\n'));
        b.append("- method: ").append(r.settings()).append(". ÷ peer = normkit ms ÷ the peer's ms for the same call "
                + "(below 1: normkit is faster); × fastest copy = normkit ms ÷ the fastest copy of the same tensor "
                + "sampled in the same round, by any side, on one thread or on the row's thread count.\n");
        return b.toString();
    }

    /**
     * normkit ÷ each peer per norm, shape and pass, one column per (dtype, threads); ratios above 1 in bold; the last
     * line of each peer's table is the geometric mean of its column.
     */
    public static String summary(BenchReport r) {
        StringBuilder b = new StringBuilder();
        Set<String> columns = new LinkedHashSet<>();
        Map<String, Map<String, BenchResult>> byLine = byLine(r, columns);
        for (String peer : r.peers().keySet()) {
            b.append("normkit ms ÷ ").append(peer).append(" ms (median of the rounds; below 1 normkit is faster):\n\n");
            b.append("| norm | shape | pass |");
            columns.forEach(c -> b.append(' ').append(c).append(" |"));
            b.append("\n|---|---|---|");
            columns.forEach(c -> b.append("---|"));
            b.append('\n');
            Map<String, double[]> logs = new LinkedHashMap<>();
            byLine.forEach((line, cells) -> {
                b.append("| ").append(line).append(" |");
                for (String c : columns) {
                    BenchResult row = cells.get(c);
                    Double v = row == null ? null : row.comparison().normkitOver().get(peer);
                    b.append(' ').append(ratio(v)).append(" |");
                    if (v != null && v > 0 && Double.isFinite(v)) {
                        double[] acc = logs.computeIfAbsent(c, k -> new double[2]);
                        acc[0] += Math.log(v);
                        acc[1]++;
                    }
                }
                b.append('\n');
            });
            b.append("| geometric mean | | |");
            for (String c : columns) {
                double[] acc = logs.get(c);
                b.append(' ').append(acc == null ? "—" : fixed(Math.exp(acc[0] / acc[1]))).append(" |");
            }
            b.append("\n\n");
        }
        return b.toString();
    }

    /**
     * normkit's milliseconds over the fastest copy of the same tensor, per norm, shape and pass, one column per
     * (dtype, threads): how far each kernel is from the memory bound.
     */
    public static String floors(BenchReport r) {
        Set<String> columns = new LinkedHashSet<>();
        Map<String, Map<String, BenchResult>> byLine = byLine(r, columns);
        StringBuilder b = new StringBuilder("normkit ms × the fastest copy of the same tensor (any side's, sampled in "
                + "the same round):\n\n| norm | shape | pass |");
        columns.forEach(c -> b.append(' ').append(c).append(" |"));
        b.append("\n|---|---|---|");
        columns.forEach(c -> b.append("---|"));
        b.append('\n');
        byLine.forEach((line, cells) -> {
            b.append("| ").append(line).append(" |");
            for (String c : columns) {
                BenchResult row = cells.get(c);
                b.append(' ').append(row == null ? "—" : fixed(row.comparison().timesFloor())).append(" |");
            }
            b.append('\n');
        });
        return b.toString();
    }

    /** The geometric mean of normkit ÷ {@code peer} over every row that has it; NaN when none has. */
    public static double geometricMean(BenchReport r, String peer) {
        double sum = 0;
        int n = 0;
        for (BenchResult row : rows(r)) {
            Double v = row.comparison().normkitOver().get(peer);
            if (v != null && v > 0 && Double.isFinite(v)) {
                sum += Math.log(v);
                n++;
            }
        }
        return n == 0 ? Double.NaN : Math.exp(sum / n);
    }

    private static List<BenchResult> rows(BenchReport r) {
        return r.results(BenchKind.HEAD_TO_HEAD);
    }

    /** The rows by table line ({@code norm | shape | pass}), each line's cells by column; the columns in order. */
    private static Map<String, Map<String, BenchResult>> byLine(BenchReport r, Set<String> columns) {
        Map<String, Map<String, BenchResult>> byLine = new LinkedHashMap<>();
        for (BenchResult row : rows(r)) {
            String column = row.dtype() + ", " + row.threads() + (row.threads() == 1 ? " thread" : " threads");
            columns.add(column);
            byLine.computeIfAbsent(row.norm() + " | " + row.shape() + " | " + pass(row), k -> new LinkedHashMap<>())
                    .put(column, row);
        }
        return byLine;
    }

    /** The pass, and the mask when the call is masked: {@code train_forward, padded}. */
    private static String pass(BenchResult row) {
        return row.maskOrNone().equals(BenchMask.NONE.id()) ? row.pass() : row.pass() + ", " + row.mask();
    }

    private static String skipLine(BenchPlan.Skip s) {
        String what = s.what();
        return what.isEmpty() ? s.reason() : what + ": " + s.reason();
    }

    private static String ratio(Double v) {
        if (v == null || !Double.isFinite(v)) {
            return "—";
        }
        return v > 1 ? "**" + fixed(v) + "**" : fixed(v);
    }

    private static String fixed(double v) {
        return String.format(Locale.ROOT, "%.2f", v);
    }

    private static String ms(Double v) {
        if (v == null || !Double.isFinite(v)) {
            return "—";
        }
        return String.format(Locale.ROOT, v < 1 ? "%.4f" : "%.3f", v);
    }
}

package org.normkit.bench.versus;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

import org.normkit.autograd.tensor.DType;
import org.normkit.bench.BenchKind;
import org.normkit.bench.BenchPass;
import org.normkit.bench.BenchReport;
import org.normkit.bench.BenchResult;
import org.normkit.bench.BenchResult.PeerComparison;
import org.normkit.bench.BytesModel;

/**
 * How far each head-to-head row is from the memory bound, from what the report already holds: the rows' times and
 * the copies every round sampled beside them. Nothing here is measured; a report written before these figures existed
 * gives them too.
 *
 * <p>Per row: the {@linkplain BytesModel minimal traffic} of its norm and pass in tensor passes, so the floor in
 * × the fastest copy is {@code units ÷ 2} (a copy reads and writes the tensor once: BatchNorm's training forward
 * 3 ÷ 2 = 1.5, its forward + backward 8 ÷ 2 = 4.0, LayerNorm's 1.0 and 2.5); the achieved bandwidth under that traffic
 * and the fastest copy's own; and, for a row of more than one thread, its speed-up over the same call on one thread
 * beside the copy's own speed-up from one thread to that many in the same rounds. A streaming kernel cannot gain more
 * from threads than a copy does: when the copy gains 1.2 ×, memory bandwidth caps every kernel that moves its tensor
 * from memory at about that.
 *
 * @param row             the head-to-head row
 * @param units           tensor-sized reads and writes the call needs at the least
 * @param floorTimesCopy  {@code units ÷ 2}: the least × fastest copy a kernel at copy bandwidth could reach
 * @param timesCopy       the row's median over the rounds of normkit ms ÷ the round's fastest copy
 * @param gbPerSecond     {@code units · bytes of the tensor ÷ normkit's median ms}
 * @param copyGbPerSecond {@code 2 · bytes of the tensor ÷ the median fastest copy}
 * @param speedUp         normkit's one-thread ms ÷ this row's ms (same norm, shape, dtype, pass, mask); NaN for a
 *                        one-thread row or when the one-thread row is missing
 * @param copySpeedUp     the median over the rounds of (fastest one-thread copy ÷ fastest copy on this row's
 *                        thread count), any side's; NaN for a one-thread row
 */
public record Roofline(BenchResult row, int units, double floorTimesCopy, double timesCopy, double gbPerSecond,
                       double copyGbPerSecond, double speedUp, double copySpeedUp) {

    /** One entry per head-to-head row of {@code report}, in the report's order. */
    public static List<Roofline> of(BenchReport report) {
        List<BenchResult> rows = report.results(BenchKind.HEAD_TO_HEAD);
        Map<String, BenchResult> oneThread = new HashMap<>();
        for (BenchResult r : rows) {
            if (r.threads() == 1) {
                oneThread.put(callKey(r), r);
            }
        }
        List<Roofline> out = new ArrayList<>(rows.size());
        for (BenchResult r : rows) {
            out.add(of(r, oneThread.get(callKey(r))));
        }
        return out;
    }

    /** The figures of {@code row}, with {@code oneThread} the same call's one-thread row (null if none). */
    static Roofline of(BenchResult row, BenchResult oneThread) {
        int units = BytesModel.forName(row.norm()).units(BenchPass.parse(row.pass()));
        PeerComparison c = row.comparison();
        double bytes = numel(row.shape()) * (double) dtype(row.dtype()).bytesPerElement();
        double gb = units * bytes / (row.ms() * 1e6);
        double copyGb = BytesModel.COPY_UNITS * bytes / (c.floorMs() * 1e6);
        double speedUp = row.threads() > 1 && oneThread != null ? oneThread.ms() / row.ms() : Double.NaN;
        double copySpeedUp = row.threads() > 1 ? copySpeedUp(c.perRound(), row.threads()) : Double.NaN;
        return new Roofline(row, units, units / (double) BytesModel.COPY_UNITS, c.timesFloor(), gb, copyGb, speedUp,
                copySpeedUp);
    }

    /** This row's × fastest copy over its floor: 1 would be a kernel at copy bandwidth moving the least it must. */
    public double timesFloor() {
        return timesCopy / floorTimesCopy;
    }

    /** Bytes of the row's input tensor. */
    public long tensorBytes() {
        return numel(row.shape()) * dtype(row.dtype()).bytesPerElement();
    }

    /**
     * The median over the rounds of the fastest one-thread copy ÷ the fastest {@code threads}-thread copy, any
     * side's; NaN when the rounds hold no copy on that many threads.
     */
    static double copySpeedUp(Map<String, List<Double>> perRound, int threads) {
        String one = " copy ×1";
        String many = " copy ×" + threads;
        int rounds = perRound.values().stream().mapToInt(List::size).max().orElse(0);
        double[] ratios = new double[rounds];
        int n = 0;
        for (int r = 0; r < rounds; r++) {
            double best1 = fastest(perRound, one, r);
            double bestN = fastest(perRound, many, r);
            if (Double.isFinite(best1) && Double.isFinite(bestN)) {
                ratios[n++] = best1 / bestN;
            }
        }
        return n == 0 ? Double.NaN : HeadToHead.median(java.util.Arrays.copyOf(ratios, n));
    }

    private static double fastest(Map<String, List<Double>> perRound, String suffix, int round) {
        double best = Double.POSITIVE_INFINITY;
        for (Map.Entry<String, List<Double>> e : perRound.entrySet()) {
            if (e.getKey().endsWith(suffix) && round < e.getValue().size()) {
                best = Math.min(best, e.getValue().get(round));
            }
        }
        return best;
    }

    private static String callKey(BenchResult r) {
        return r.norm() + "|" + r.shape() + "|" + r.dtype() + "|" + r.pass() + "|" + r.maskOrNone();
    }

    static long numel(String shape) {
        long n = 1;
        for (String d : shape.split("x")) {
            n *= Long.parseLong(d.trim());
        }
        return n;
    }

    static DType dtype(String label) {
        for (DType d : DType.values()) {
            if (d.label().equals(label)) {
                return d;
            }
        }
        throw new IllegalArgumentException("unknown dtype '" + label + "' in a head-to-head row");
    }

    /**
     * The roofline table of a report as Markdown: per row, × fastest copy against its floor, the achieved and the
     * copy's bandwidth, and for rows of more than one thread the speed-up over one thread beside the copy's.
     */
    public static String markdown(BenchReport report) {
        List<Roofline> all = of(report);
        if (all.isEmpty()) {
            return "";
        }
        StringBuilder b = new StringBuilder("## Roofline\n\n");
        b.append("Each row's least memory traffic in tensor passes (a read or a write of a tensor of the input's size; "
                + "BatchNorm's training forward reads x for the moments and again to normalise, then writes y: 3; its "
                + "forward + backward 8; the per-sample norms' forward 2, forward + backward 5; every evaluation "
                + "forward 2; a copy 2), so its floor is passes ÷ 2 × the fastest copy. GB/s is that traffic over "
                + "normkit's median time; the copy's is its 2 passes over the median fastest copy of the round. "
                + "Speed-up: normkit's one-thread time ÷ this row's; the copy's: the fastest one-thread copy ÷ the "
                + "fastest copy on the row's threads, median over the rounds. A kernel that streams its tensor from "
                + "memory gains from threads about what the copy gains.\n\n");
        b.append("| norm | shape | dtype | pass | threads | MB | passes | × fastest copy | floor | × floor | GB/s | "
                + "copy GB/s | speed-up over 1 thread | copy's speed-up |\n");
        b.append("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
        for (Roofline r : all) {
            BenchResult row = r.row();
            String pass = row.maskOrNone().equals("none") ? row.pass() : row.pass() + ", " + row.mask();
            b.append("| ").append(row.norm()).append(" | ").append(row.shape()).append(" | ").append(row.dtype())
                    .append(" | ").append(pass).append(" | ").append(row.threads()).append(" | ")
                    .append(fixed(r.tensorBytes() / 1e6, 1)).append(" | ").append(r.units()).append(" | ")
                    .append(fixed(r.timesCopy(), 2)).append(" | ").append(fixed(r.floorTimesCopy(), 1)).append(" | ")
                    .append(fixed(r.timesFloor(), 2)).append(" | ").append(fixed(r.gbPerSecond(), 1)).append(" | ")
                    .append(fixed(r.copyGbPerSecond(), 1)).append(" | ").append(speed(r.speedUp())).append(" | ")
                    .append(speed(r.copySpeedUp())).append(" |\n");
        }
        return b.toString();
    }

    /** The rows of {@code report} whose thread count is {@code threads}. */
    public static List<Roofline> withThreads(List<Roofline> all, int threads) {
        return all.stream().filter(r -> r.row().threads() == threads).toList();
    }

    /** The entry of one row, if the report has it. */
    public static Optional<Roofline> find(List<Roofline> all, String norm, String shape, String dtype, String pass,
                                          int threads) {
        return all.stream().filter(r -> r.row().norm().equals(norm) && r.row().shape().equals(shape)
                && r.row().dtype().equals(dtype) && r.row().pass().equals(pass) && r.row().threads() == threads
                && r.row().maskOrNone().equals("none")).findFirst();
    }

    private static String speed(double v) {
        return Double.isFinite(v) ? fixed(v, 2) + " ×" : "—";
    }

    static String fixed(double v, int decimals) {
        return Double.isFinite(v) ? String.format(Locale.ROOT, "%." + decimals + "f", v) : "—";
    }
}

package org.normkit.bench;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Puts each normkit row beside the PyTorch peer's row of the same norm, shape, dtype, pass and threads.
 *
 * <p>The headline figure is a ratio of ratios: {@code normkit ÷ PyTorch = (ms / copyMs)_normkit ÷
 * (ms / copyMs)_PyTorch}. Each side divides its time by a copy of the same tensor timed in its own run, right beside
 * it, so what the machine was doing during either run (clock, neighbours) cancels to first order; the two runs are
 * minutes apart and a plain ratio of milliseconds would carry that drift. The plain ratio is kept too
 * ({@link Row#msRatio()}); when the two copy baselines run at about the same speed (see
 * {@link #medianCopyRatio}), the two ratios agree. Below 1 means normkit is faster.
 */
public final class PeerComparison {

    /** One of our rows and its peer row (null when the peer did not time that combination). */
    public record Row(BenchResult ours, BenchResult peer) {
        public double peerRatioToCopy() {
            return peer == null ? Double.NaN : peer.ratioToCopy();
        }

        /** (ms / copyMs) ours ÷ (ms / copyMs) PyTorch's; below 1: normkit is faster. */
        public double normkitOverPytorch() {
            return peer == null ? Double.NaN : ours.ratioToCopy() / peer.ratioToCopy();
        }

        /** ms ours ÷ ms PyTorch's: the plain ratio, exposed to machine drift between the two runs. */
        public double msRatio() {
            return peer == null ? Double.NaN : ours.ms() / peer.ms();
        }
    }

    private PeerComparison() {}

    /** Every one of our rows, with its peer row when the report has one. */
    public static List<Row> match(BenchReport report) {
        Map<BenchResult.Key, BenchResult> peers = new HashMap<>();
        report.peer().ifPresent(p -> p.results().forEach(r -> peers.put(r.key(), r)));
        List<Row> rows = new ArrayList<>();
        for (BenchResult r : report.results()) {
            rows.add(new Row(r, peers.get(r.key())));
        }
        return rows;
    }

    /** Geometric mean of normkit ÷ PyTorch over the matched rows of one face; NaN when none match. */
    public static double geometricMean(List<Row> rows, String face) {
        double logSum = 0;
        int n = 0;
        for (Row r : rows) {
            double v = r.normkitOverPytorch();
            if (r.ours().face().equals(face) && Double.isFinite(v) && v > 0) {
                logSum += Math.log(v);
                n++;
            }
        }
        return n == 0 ? Double.NaN : Math.exp(logSum / n);
    }

    /** How many rows of one face have a peer row. */
    public static long matched(List<Row> rows, String face) {
        return rows.stream().filter(r -> r.ours().face().equals(face) && r.peer() != null).count();
    }

    /** Median over matched rows of copyMs ours ÷ copyMs PyTorch's: 1 when both copies run at the same speed. */
    public static double medianCopyRatio(List<Row> rows) {
        double[] v = rows.stream().filter(r -> r.peer() != null)
                .mapToDouble(r -> r.ours().copyMs() / r.peer().copyMs()).filter(Double::isFinite).sorted().toArray();
        if (v.length == 0) {
            return Double.NaN;
        }
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }
}

package org.normkit.cli.readme;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Predicate;

import com.fasterxml.jackson.databind.JsonNode;

import org.normkit.bench.BenchKind;
import org.normkit.bench.BenchReport;
import org.normkit.bench.BenchResult;
import org.normkit.bench.Versus;
import org.normkit.bench.versus.Roofline;
import org.normkit.experiments.report.MarkdownTable;

/**
 * Issue 16's targets, one row each, against the committed result files: what was measured, the target, met or not,
 * and what limits it as the files show it (the roofline floor and bandwidths of {@link Roofline}, the copy's own
 * speed-up from a second thread, the JIT's share of epoch 1's excess). Every number is computed here from
 * {@code docs/results/bench/versus.json} (the kernels against PyTorch 2.10, with the copies of every round) and
 * {@code docs/results/training-epochs/results.json} (epoch times against PyTorch's script); what was tried per target
 * is in docs/performance.md's "Limits" section, which the README links.
 */
final class PerformanceTargetsFigure implements ReadmeFigure {

    static final String KERNELS = KernelBenchFigure.RESULTS;
    static final String EPOCHS = TrainingEpochsFigure.FILE;
    /** Issue 16's threshold for "a large tensor", where two threads must gain 1.7 ×. */
    static final long LARGE_BYTES = 4L << 20;

    @Override
    public String key() {
        return "performance-targets";
    }

    @Override
    public String render(Path root) {
        BenchReport kernels = BenchReport.read(ResultFiles.existing(root, KERNELS));
        List<BenchResult> rows = kernels.results(BenchKind.HEAD_TO_HEAD).stream()
                .filter(r -> r.maskOrNone().equals("none") && ratio(r) != null).toList();
        if (rows.isEmpty()) {
            throw new IllegalStateException(KERNELS + " holds no unmasked row against " + Versus.LIBTORCH
                    + ": rerun the README's bench command with --peer " + Versus.LIBTORCH);
        }
        List<Roofline> roof = Roofline.of(kernels);
        List<List<String>> table = new ArrayList<>();
        everyRow(rows, roof, table);
        geometricMeans(rows, table);
        layerAndBatchNorm1d(rows, roof, table);
        copyTargets(roof, table);
        twoThreads(roof, table);
        epochs(ResultFiles.json(root, EPOCHS), table);
        return new MarkdownTable(List.of("target (issue 16)", "measured", "target", "met", "what limits it, from the files"),
                table).markdown()
                + "\nKernels: " + KERNELS + " (" + kernels.machine().date() + ", commit " + kernels.commit()
                + "), float32 and float64, one and two threads, unmasked rows. Floors: the least memory traffic of the "
                + "call in tensor passes ÷ a copy's 2 (`Roofline`). Epochs: " + EPOCHS + ". What was tried per target: "
                + "[docs/performance.md, \"Limits\"](docs/performance.md#limits).\n";
    }

    private static Double ratio(BenchResult r) {
        return r.comparison().normkitOver().get(Versus.LIBTORCH);
    }

    private static String name(BenchResult r) {
        return r.norm() + " " + r.shape() + " " + r.dtype() + " " + r.pass() + " ×" + r.threads();
    }

    private static void everyRow(List<BenchResult> rows, List<Roofline> roof, List<List<String>> table) {
        List<BenchResult> above = rows.stream().filter(r -> ratio(r) > 1.0).toList();
        BenchResult worst = rows.stream().max(Comparator.comparingDouble(PerformanceTargetsFigure::ratio)).get();
        Roofline w = find(roof, worst);
        table.add(List.of("every kernel row ÷ PyTorch 2.10",
                above.size() + " of " + rows.size() + " rows above 1; worst " + f2(ratio(worst)) + " (" + name(worst)
                        + ")",
                "≤ 1.0", met(above.isEmpty()), "the worst row " + limit(w)));
    }

    private static void geometricMeans(List<BenchResult> rows, List<List<String>> table) {
        Map<String, double[]> logs = new LinkedHashMap<>();
        for (BenchResult r : rows) {
            double[] acc = logs.computeIfAbsent(r.dtype() + " ×" + r.threads(), k -> new double[2]);
            acc[0] += Math.log(ratio(r));
            acc[1]++;
        }
        List<String> parts = new ArrayList<>();
        int over = 0;
        for (Map.Entry<String, double[]> e : logs.entrySet()) {
            double g = Math.exp(e.getValue()[0] / e.getValue()[1]);
            parts.add(e.getKey() + " " + f2(g));
            if (g > 0.7) {
                over++;
            }
        }
        table.add(List.of("geometric mean ÷ PyTorch 2.10, per dtype and thread count", String.join(", ", parts),
                "≤ 0.7", over == 0 ? "met" : "not met (" + over + " of " + logs.size() + ")",
                over == 0 ? "—" : "the rows above 1 (previous line)"));
    }

    private static void layerAndBatchNorm1d(List<BenchResult> rows, List<Roofline> roof, List<List<String>> table) {
        List<BenchResult> these = rows.stream().filter(r -> (r.norm().equals("layer_norm")
                && r.shape().equals("32x128x768")) || (r.norm().equals("batch_norm1d") && r.shape().equals("256x1024")))
                .toList();
        if (these.isEmpty()) {
            table.add(List.of("layer_norm 32x128x768, batch_norm1d 256x1024 ÷ PyTorch 2.10", "not in " + KERNELS,
                    "≤ 0.8", "—", "—"));
            return;
        }
        List<BenchResult> above = these.stream().filter(r -> ratio(r) > 0.8).toList();
        BenchResult worst = these.stream().max(Comparator.comparingDouble(PerformanceTargetsFigure::ratio)).get();
        table.add(List.of("layer_norm 32x128x768, batch_norm1d 256x1024, every pass ÷ PyTorch 2.10",
                above.size() + " of " + these.size() + " rows above 0.8; worst " + f2(ratio(worst)) + " ("
                        + name(worst) + ")",
                "≤ 0.8", met(above.isEmpty()), "the worst row " + limit(find(roof, worst))));
    }

    /** The × fastest copy targets: BatchNorm2d 32x64x56x56 and LayerNorm 32x128x768, forward and forward + backward. */
    private static void copyTargets(List<Roofline> roof, List<List<String>> table) {
        copyTarget(roof, table, "batch_norm2d", "32x64x56x56", "train_forward", "BatchNorm2d train forward", 1.9);
        copyTarget(roof, table, "batch_norm2d", "32x64x56x56", "train_forward_backward",
                "BatchNorm2d forward + backward", 4.8);
        copyTarget(roof, table, "layer_norm", "32x128x768", "train_forward", "LayerNorm train forward", 1.5);
        copyTarget(roof, table, "layer_norm", "32x128x768", "train_forward_backward", "LayerNorm forward + backward",
                3.5);
    }

    private static void copyTarget(List<Roofline> roof, List<List<String>> table, String norm, String shape,
                                   String pass, String label, double target) {
        List<Roofline> these = roof.stream().filter(r -> r.row().norm().equals(norm) && r.row().shape().equals(shape)
                && r.row().pass().equals(pass) && r.row().maskOrNone().equals("none")).toList();
        if (these.isEmpty()) {
            table.add(List.of(label + " " + shape + ", × fastest copy", "not in " + KERNELS, "≤ " + f1(target), "—",
                    "—"));
            return;
        }
        List<String> measured = new ArrayList<>();
        List<String> limits = new ArrayList<>();
        int over = 0;
        for (Roofline r : these) {
            String col = r.row().dtype() + " ×" + r.row().threads();
            measured.add(col + " " + f2(r.timesCopy()));
            limits.add(col + " " + f1(r.gbPerSecond()) + " / " + f1(r.copyGbPerSecond()));
            if (r.timesCopy() > target) {
                over++;
            }
        }
        table.add(List.of(label + " " + shape + ", × fastest copy", String.join(", ", measured), "≤ " + f1(target),
                over == 0 ? "met" : "not met (" + over + " of " + these.size() + ")",
                "floor " + f1(these.get(0).floorTimesCopy()) + " (" + these.get(0).units() + " tensor passes ÷ a "
                        + "copy's 2); GB/s achieved / the copy's: " + String.join(", ", limits)));
    }

    private static void twoThreads(List<Roofline> roof, List<List<String>> table) {
        List<Roofline> multi = roof.stream().filter(r -> r.row().threads() > 1 && r.row().maskOrNone().equals("none")
                && Double.isFinite(r.speedUp())).toList();
        if (multi.isEmpty()) {
            table.add(List.of("two threads ÷ one", "no rows of more than one thread in " + KERNELS, "", "—", "—"));
            return;
        }
        Predicate<Roofline> large = r -> r.tensorBytes() >= LARGE_BYTES;
        List<Roofline> big = multi.stream().filter(large).toList();
        List<Roofline> small = multi.stream().filter(large.negate()).toList();
        if (!big.isEmpty()) {
            long met = big.stream().filter(r -> r.speedUp() >= 1.7).count();
            table.add(List.of("two threads on tensors ≥ 4 MB, speed-up over one thread",
                    range(big, Roofline::speedUp) + " (" + met + " of " + big.size() + " rows ≥ 1.7 ×)", "≥ 1.7 ×",
                    met(met == big.size()),
                    "the fastest copy gains " + range(big, Roofline::copySpeedUp) + " from the second thread in the "
                            + "same rounds (" + belowCopy(big) + "); a kernel that streams its tensor from memory "
                            + "cannot gain more than the copy"));
        }
        if (!small.isEmpty()) {
            long slower = small.stream().filter(r -> r.speedUp() < 1.0).count();
            table.add(List.of("two threads on smaller tensors, speed-up over one thread",
                    range(small, Roofline::speedUp) + " (" + slower + " of " + small.size() + " rows below 1 ×)",
                    "never below 1 ×", met(slower == 0),
                    "the copy gains " + range(small, Roofline::copySpeedUp) + " (" + belowCopy(small) + "); a norm "
                            + "kernel's pass stays on the caller when its estimated one-thread time is below the "
                            + "pool's hand-off (KernelPass)"));
        }
    }

    private static void epochs(JsonNode doc, List<List<String>> table) {
        List<String> firstOverLater = new ArrayList<>();
        List<String> jit = new ArrayList<>();
        List<String> laterOverPytorch = new ArrayList<>();
        List<String> firstOverPytorch = new ArrayList<>();
        int firstOver = 0;
        int laterOver = 0;
        int firstBehind = 0;
        int n = 0;
        for (JsonNode row : doc.path("summary")) {
            String config = row.path("net").asText() + (row.path("norm").asText().equals("none") ? ""
                    : " + " + row.path("norm").asText());
            double first = row.path("normkit").path("firstEpoch").asDouble(Double.NaN);
            double later = row.path("normkit").path("laterEpoch").asDouble(Double.NaN);
            double ptFirst = row.path("pytorch").path("firstEpoch").asDouble(Double.NaN);
            double ptLater = row.path("pytorch").path("laterEpoch").asDouble(Double.NaN);
            if (!(first > 0 && later > 0 && ptFirst > 0 && ptLater > 0)) {
                throw new IllegalStateException(EPOCHS + " lacks an epoch time of " + config
                        + ": rerun scripts/pytorch/epoch_times.py with --out " + EPOCHS);
            }
            n++;
            firstOverLater.add(config + " " + f2(first / later));
            firstOver += first / later > 1.15 ? 1 : 0;
            laterOverPytorch.add(config + " " + f2(later / ptLater));
            laterOver += later / ptLater > 1.0 ? 1 : 0;
            firstOverPytorch.add(config + " " + f2(first / ptFirst));
            firstBehind += first / ptFirst > 1.0 ? 1 : 0;
            JsonNode j = row.path("normkit").path("jitSeconds");
            if (j.isObject() && first > later) {
                double excess = j.path("firstEpoch").asDouble() - j.path("laterEpoch").asDouble();
                jit.add(config + " " + f2(excess) + " s of " + f2(first - later) + " s");
            }
        }
        if (n == 0) {
            throw new IllegalStateException(EPOCHS + " holds no summary: rerun scripts/pytorch/epoch_times.py");
        }
        String jitText = jit.isEmpty()
                ? "JIT seconds per epoch are not in this file (recorded in results.csv since the sixth session; the "
                        + "next epoch_times.py run carries them)"
                : "epoch 1's extra JIT compilation against its extra seconds: " + String.join(", ", jit);
        table.add(List.of("epoch 1 ÷ a later epoch, normkit experiment", String.join(", ", firstOverLater), "≤ 1.15",
                firstOver == 0 ? "met" : "not met (" + firstOver + " of " + n + ")", jitText));
        table.add(List.of("later epochs ÷ PyTorch's (train_reference.py)", String.join(", ", laterOverPytorch),
                "≤ 1.0", laterOver == 0 ? "met" : "not met (" + laterOver + " of " + n + ")",
                "see docs/training-throughput.md (where a step's time goes)"));
        table.add(List.of("epoch 1 ÷ PyTorch's epoch 1", String.join(", ", firstOverPytorch), "≤ 1.0",
                firstBehind == 0 ? "met" : "not met (" + firstBehind + " of " + n + ")",
                "the JVM's warm-up: see the epoch 1 ÷ later line"));
    }

    private static Roofline find(List<Roofline> roof, BenchResult row) {
        return roof.stream().filter(r -> r.row() == row).findFirst()
                .orElseThrow(() -> new IllegalStateException("no roofline entry for " + name(row)));
    }

    private static String range(List<Roofline> rows, java.util.function.ToDoubleFunction<Roofline> f) {
        double lo = rows.stream().mapToDouble(f).filter(Double::isFinite).min().orElse(Double.NaN);
        double hi = rows.stream().mapToDouble(f).filter(Double::isFinite).max().orElse(Double.NaN);
        return f2(lo).equals(f2(hi)) ? f2(lo) + " ×" : f2(lo) + "–" + f2(hi) + " ×";
    }

    /** Where a row stands against its floor: × the fastest copy, the floor, the bandwidths, the tensor's size. */
    private static String limit(Roofline r) {
        return "at " + f2(r.timesCopy()) + " × the fastest copy, floor " + f1(r.floorTimesCopy()) + " (" + r.units()
                + " tensor passes); " + f1(r.gbPerSecond()) + " GB/s against the copy's " + f1(r.copyGbPerSecond())
                + " on a " + f1(r.tensorBytes() / 1e6) + " MB tensor";
    }

    /** How many of {@code rows} gained less from the second thread than the copy did in the same rounds. */
    private static String belowCopy(List<Roofline> rows) {
        long below = rows.stream().filter(r -> r.speedUp() < r.copySpeedUp()).count();
        return below + " of " + rows.size() + " rows gain less than the copy";
    }

    private static String met(boolean met) {
        return met ? "met" : "not met";
    }

    private static String f2(double v) {
        return String.format(Locale.ROOT, "%.2f", v);
    }

    private static String f1(double v) {
        return String.format(Locale.ROOT, "%.1f", v);
    }
}

package org.normkit.cli.readme;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.function.ToDoubleFunction;

import org.normkit.bench.BenchReport;
import org.normkit.bench.BenchResult;
import org.normkit.autograd.io.AtomicFiles;

/**
 * bn-autograd's {@code pass-rates.properties} ({@code PassRates}), the one-thread nanoseconds per element that the
 * norm kernels of bn-core ({@code KernelPass}) weigh against a second thread's hand-off, rendered from the committed
 * benchmark run ({@value KernelBenchFigure#RESULTS}) so the split policy has no constants of its own beside the benchmark:
 * {@code ./normkit readme --write} rewrites the file with the README's figures, and {@code ./normkit readme} (and its
 * test) fails when they disagree.
 *
 * <p>Per pass, layout and dtype: the one-thread fused rows of the in-cache shapes (channels: batch_norm2d 8x256x14x14
 * and batch_norm1d 256x1024; rows: layer_norm 32x128x768 and group_norm 32x64x56x56), milliseconds ÷ elements, the
 * smaller of the two (an underestimate keeps a borderline call on one thread). The forward is the training forward;
 * normalising alone, the evaluation forward; the backward, the forward + backward row less the training forward; the
 * moments alone, the training forward less the evaluation forward (rows: half the training forward, the row's
 * moments and its normalisation reading it once each).
 *
 * <p>Per dtype, the element-pass of bn-autograd's loops ({@code LoopCost.ELEMENT_PASS}: a read or a write of one
 * element): normkit's one-thread copy of the channels layout's in-cache shapes, sampled in the same rounds as their
 * evaluation forward, its median over the rounds ÷ (2 × elements), the smaller of the two shapes.
 */
final class KernelPassRates {

    /** The rendered file, under the repository root. */
    static final String FILE = "bn-autograd/src/main/resources/org/normkit/autograd/parallel/pass-rates.properties";

    private static final List<String[]> CHANNELS = List.of(new String[] {"batch_norm2d", "8x256x14x14"},
            new String[] {"batch_norm1d", "256x1024"});
    private static final List<String[]> ROWS = List.of(new String[] {"layer_norm", "32x128x768"},
            new String[] {"group_norm", "32x64x56x56"});

    private KernelPassRates() {}

    /** The file's text, rendered from the benchmark run under {@code root}. */
    static String render(Path root) {
        BenchReport report = BenchReport.read(ResultFiles.existing(root, KernelBenchFigure.RESULTS));
        StringBuilder out = new StringBuilder();
        out.append("# One-thread nanoseconds per element of the norm kernels' passes and of the loops' element-pass\n")
                .append("# (bn-autograd PassRates), rendered by\n")
                .append("# ./normkit readme --write from ").append(KernelBenchFigure.RESULTS).append(" (run at ")
                .append(report.commit() == null ? "an unnamed commit" : report.commit()).append(", ")
                .append(report.machine().date()).append("). Do not edit: re-measure and rewrite.\n");
        for (String layout : new String[] {"channels", "rows"}) {
            List<String[]> shapes = layout.equals("channels") ? CHANNELS : ROWS;
            for (String dtype : new String[] {"float32", "float64"}) {
                ToDoubleFunction<String[]> forward = s -> perElement(report, s, dtype, "train_forward");
                ToDoubleFunction<String[]> normalize = s -> perElement(report, s, dtype, "eval_forward");
                ToDoubleFunction<String[]> backward = s -> perElement(report, s, dtype, "train_forward_backward")
                        - forward.applyAsDouble(s);
                ToDoubleFunction<String[]> moments = layout.equals("channels")
                        ? s -> forward.applyAsDouble(s) - normalize.applyAsDouble(s)
                        : s -> forward.applyAsDouble(s) / 2;
                line(out, "forward", layout, dtype, smaller(shapes, forward));
                line(out, "normalize", layout, dtype, smaller(shapes, normalize));
                line(out, "backward", layout, dtype, smaller(shapes, backward));
                line(out, "moments", layout, dtype, smaller(shapes, moments));
            }
        }
        for (String dtype : new String[] {"float32", "float64"}) {
            double perPass = smaller(CHANNELS, s -> copyPerElement(report, s, dtype) / 2);
            line(out, "element-pass", dtype, perPass);
        }
        return out.toString();
    }

    /** Whether the committed file under {@code root} is what {@link #render} gives. */
    static boolean agrees(Path root) throws IOException {
        Path file = root.resolve(FILE);
        return Files.isRegularFile(file) && Files.readString(file, StandardCharsets.UTF_8).equals(render(root));
    }

    /** Rewrites the file under {@code root} when it disagrees; whether it did. */
    static boolean write(Path root) throws IOException {
        if (agrees(root)) {
            return false;
        }
        AtomicFiles.writeString(root.resolve(FILE), render(root));
        return true;
    }

    private static double smaller(List<String[]> shapes, ToDoubleFunction<String[]> rate) {
        return Math.min(rate.applyAsDouble(shapes.get(0)), rate.applyAsDouble(shapes.get(1)));
    }

    private static void line(StringBuilder out, String pass, String layout, String dtype, double nanos) {
        line(out, pass + "." + layout, dtype, nanos);
    }

    private static void line(StringBuilder out, String what, String dtype, double nanos) {
        if (!(nanos > 0)) {
            throw new IllegalStateException(KernelBenchFigure.RESULTS + " gives " + what + "." + dtype
                    + " = " + nanos + " ns per element, not a positive rate: check its one-thread rows");
        }
        out.append(what).append('.').append(dtype).append(" = ")
                .append(String.format(Locale.ROOT, "%.3f", nanos)).append('\n');
    }

    /** The fused one-thread row of {@code shape}'s pass, in nanoseconds per element. */
    private static double perElement(BenchReport report, String[] shape, String dtype, String pass) {
        return row(report, shape, dtype, pass).ms() * 1e6 / elements(shape);
    }

    /**
     * normkit's one-thread copy of {@code shape}, in nanoseconds per element: the median over the rounds of the
     * copies sampled beside its one-thread evaluation forward.
     */
    private static double copyPerElement(BenchReport report, String[] shape, String dtype) {
        BenchResult r = row(report, shape, dtype, "eval_forward");
        List<Double> copies = r.comparison() == null ? null
                : r.comparison().perRound().get(BenchResult.PeerComparison.NORMKIT + " copy ×1");
        if (copies == null || copies.isEmpty()) {
            throw new IllegalStateException(KernelBenchFigure.RESULTS + " has no one-thread normkit copy beside "
                    + shape[0] + " " + shape[1] + " " + dtype + " eval_forward: the loops' element-pass rate is "
                    + "derived from it");
        }
        double[] sorted = copies.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        int n = sorted.length;
        double median = n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
        return median * 1e6 / elements(shape);
    }

    private static long elements(String[] shape) {
        long elements = 1;
        for (String dim : shape[1].split("x")) {
            elements *= Long.parseLong(dim);
        }
        return elements;
    }

    private static BenchResult row(BenchReport report, String[] shape, String dtype, String pass) {
        for (BenchResult r : report.results()) {
            if (r.norm().equals(shape[0]) && r.shape().equals(shape[1]) && r.dtype().equals(dtype)
                    && r.pass().equals(pass) && r.threads() == 1 && "fused".equals(r.face())
                    && (r.mask() == null || r.mask().equals("none"))) {
                return r;
            }
        }
        throw new IllegalStateException(KernelBenchFigure.RESULTS + " has no one-thread fused row of " + shape[0]
                + " " + shape[1] + " " + dtype + " " + pass + ": the kernels' pass rates are derived from it");
    }
}

package org.normkit.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import org.normkit.autograd.check.FaceAgreement;
import org.normkit.autograd.check.GradCheck;
import org.normkit.autograd.check.NormGradCheck;
import org.normkit.autograd.spi.Face;
import org.normkit.autograd.spi.FusedSecondOrder;
import org.normkit.autograd.spi.NormSpec;
import org.normkit.autograd.spi.Normalization;
import org.normkit.autograd.spi.NormalizationProvider;
import org.normkit.autograd.spi.UnsupportedInputException;
import org.normkit.autograd.tensor.DType;
import org.normkit.autograd.tensor.Shape;
import org.normkit.autograd.tensor.Tensor;

/**
 * The checks of one norm as {@code gradcheck} and {@code verify} print them: one line per check ({@code ok},
 * {@code FAIL} with the details indented below, or {@code skip} with the reason), counted for the last line.
 */
final class NormCheckLines {
    private final PrintWriter out;
    private final String name;
    private final NormalizationProvider provider;
    private final long seed;
    private int passed;
    private int failed;

    NormCheckLines(PrintWriter out, String name, NormalizationProvider provider, long seed) {
        this.out = out;
        this.name = name;
        this.provider = provider;
        this.seed = seed;
    }

    /**
     * Every check on one input shape: gradcheck in training and evaluation (float64), with {@code order} 2 the
     * second-order gradcheck of both faces ({@link #secondOrder}), then, unless
     * {@code withFaces} is false, face agreement in both modes, float64 and float32.
     */
    void allChecks(NormSpec base, Shape shape, int order, boolean withFaces) {
        for (boolean training : new boolean[] {true, false}) {
            gradcheck(base.withDtype(DType.FLOAT64), shape, training);
        }
        if (order == 2) {
            secondOrder(base.withDtype(DType.FLOAT64), shape);
        }
        if (withFaces) {
            for (DType dtype : new DType[] {DType.FLOAT64, DType.FLOAT32}) {
                for (boolean training : new boolean[] {true, false}) {
                    faces(base.withDtype(dtype), shape, training);
                }
            }
        }
    }

    /** Central differences against backprop on the reference face (float64), for the input and every parameter. */
    void gradcheck(NormSpec spec, Shape shape, boolean training) {
        String what = "gradcheck " + name + " " + shape + " " + mode(training);
        Normalization layer = provider.create(spec);
        layer.loadStateDict(FaceAgreement.randomState(layer.stateDict(), seed));
        layer.train(training);
        GradCheck.Report report;
        try {
            report = NormGradCheck.check(layer, Tensor.randn(DType.FLOAT64, shape, seed + 1), seed + 2);
        } catch (UnsupportedInputException e) {
            out.println("skip " + what + ": " + e.getMessage());
            return;
        }
        recordGradcheck(what, report);
    }

    /** One line saying how the norm's fused face takes part in second-order gradients. */
    void secondOrderNote(Normalization probe) {
        if (probe.fused().isEmpty()) {
            out.println("note " + name + " has no fused face: second order through the reference face only");
        } else {
            out.println("note " + name + ": " + probe.fusedSecondOrder().statement());
        }
    }

    /**
     * PyTorch's gradgradcheck: finite differences of the first-order gradients, on the reference face and, unless
     * the norm refuses it, the fused face, after a line stating how the fused face takes part in second order.
     */
    void secondOrder(NormSpec spec, Shape shape) {
        Normalization probe = provider.create(spec);
        List<Face> faces = new ArrayList<>(List.of(Face.REFERENCE));
        secondOrderNote(probe);
        if (probe.fused().isPresent() && probe.fusedSecondOrder() != FusedSecondOrder.REFUSED) {
            faces.add(Face.FUSED);
        }
        for (Face face : faces) {
            for (boolean training : new boolean[] {true, false}) {
                String what = "gradcheck --order 2 " + name + " " + shape + " " + mode(training) + " "
                        + face.name().toLowerCase(Locale.ROOT) + " face";
                Normalization layer = provider.create(spec);
                layer.loadStateDict(FaceAgreement.randomState(layer.stateDict(), seed));
                layer.train(training);
                if (layer.approximateBackward().isPresent()) {
                    out.println("skip " + what + ": the backward is approximate in this mode ("
                            + layer.approximateBackward().get() + "), so it has no second derivative to check");
                    continue;
                }
                GradCheck.Report report;
                try {
                    report = NormGradCheck.checkSecondOrder(layer, Tensor.randn(DType.FLOAT64, shape, seed + 1),
                            seed + 2, face);
                } catch (UnsupportedInputException e) {
                    out.println("skip " + what + ": " + e.getMessage());
                    continue;
                }
                recordGradcheck(what, report);
            }
        }
    }

    private void recordGradcheck(String what, GradCheck.Report report) {
        double worst = report.perInput().stream().mapToDouble(c -> c.worstUsage()).max().orElse(0);
        record(report.passed(), what + (report.passed() ? " (worst " + String.format(Locale.ROOT, "%.2g", worst)
                + " of the tolerance)" : ""), report.describe());
    }

    /** The reference and fused faces on the same input and state ({@link FaceAgreement}). */
    void faces(NormSpec spec, Shape shape, boolean training) {
        String what = "faces " + name + " " + shape + " " + spec.dtype() + " " + mode(training);
        if (provider.create(spec).fused().isEmpty()) {
            out.println("skip " + what + ": " + name + " has no fused face");
            return;
        }
        FaceAgreement.Report report;
        try {
            report = FaceAgreement.check(name, () -> provider.create(spec), shape, training, seed);
        } catch (UnsupportedInputException e) {
            out.println("skip " + what + ": " + e.getMessage());
            return;
        }
        record(report.passed(), what, report.describe());
    }

    /** One check's line: {@code ok   what}, or {@code FAIL what} and the details below it. */
    void record(boolean ok, String what, String details) {
        if (ok) {
            passed++;
            out.println("ok   " + what);
        } else {
            failed++;
            out.println("FAIL " + what);
            out.print(details.replaceAll("(?m)^", "       "));
        }
    }

    int failed() {
        return failed;
    }

    /** {@code N passed, M failed}. */
    String counts() {
        return passed + " passed, " + failed + " failed";
    }

    private static String mode(boolean training) {
        return training ? "train" : "eval";
    }
}

package org.normkit.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

import org.normkit.autograd.check.FaceAgreement;
import org.normkit.autograd.check.GradCheck;
import org.normkit.autograd.check.NormGradCheck;
import org.normkit.autograd.spi.ExecutionMode;
import org.normkit.autograd.spi.FusedSecondOrder;
import org.normkit.autograd.spi.NormSpec;
import org.normkit.autograd.spi.Normalization;
import org.normkit.autograd.spi.NormalizationProvider;
import org.normkit.autograd.spi.UnsupportedInputException;
import org.normkit.autograd.tensor.DType;
import org.normkit.autograd.tensor.Shape;
import org.normkit.autograd.tensor.Tensor;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code normkit gradcheck NAME}: the generic checks of any registered norm, from the command line. */
@Command(name = "gradcheck", mixinStandardHelpOptions = true,
        description = {"Check a registered norm (ours or a plugin's): gradcheck of its reference face in float64 "
                + "(central differences against backprop, for the input and every parameter) in training and in "
                + "evaluation, then agreement of its reference and fused faces (output, saved statistics, gradients, "
                + "running statistics after one step) in both modes, float64 and float32.",
                "With --order 2, also the second-order gradcheck (finite differences of the first-order gradients, "
                + "PyTorch's gradgradcheck) of the reference face and of the fused face, after a line stating how "
                + "the fused face takes part in second order.",
                "Prints one line per check (the details of a failure below it) and last 'N passed, M failed'; exit "
                + "code 0 exactly when nothing failed."})
final class GradcheckCommand implements Callable<Integer> {
    @ParentCommand
    NormkitCommand parent;

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "NAME", description = "A registered norm (see 'normkit list').")
    String name;

    @Option(names = "--shape", paramLabel = "SHAPE",
            description = "An input shape such as 4x3x5x5 (repeatable); default: the norm's example shapes.")
    List<String> shapes = new ArrayList<>();

    @Option(names = "--option", paramLabel = "KEY=VALUE",
            description = "A family-specific option, e.g. --option groups=2 (repeatable).")
    Map<String, String> options = new LinkedHashMap<>();

    @Option(names = "--no-faces", description = "Skip the face agreement; gradcheck only.")
    boolean noFaces;

    @Option(names = "--order", paramLabel = "N", defaultValue = "1",
            description = "1: first-order gradients; 2: also gradients of gradients (default: ${DEFAULT-VALUE}).")
    int order;

    @Option(names = "--seed", defaultValue = "1", description = "Seed of inputs and state (default: ${DEFAULT-VALUE}).")
    long seed;

    private int passed;
    private int failed;

    @Override
    public Integer call() {
        if (order != 1 && order != 2) {
            throw new ParameterException(spec.commandLine(), "--order must be 1 or 2, got " + order
                    + ": 2 checks gradients of gradients, higher orders are built the same way");
        }
        NormalizationProvider provider = parent.registry().get(name);
        List<Shape> inputs = new ArrayList<>();
        shapes.forEach(s -> inputs.add(Shape.parse(s)));
        if (inputs.isEmpty()) {
            inputs.addAll(provider.contract().exampleShapes());
        }
        PrintWriter out = spec.commandLine().getOut();
        for (Shape shape : inputs) {
            NormSpec base = provider.contract().specFor(shape, NormSpec.of(1).withOptions(options));
            for (boolean training : new boolean[] {true, false}) {
                gradcheck(out, provider, base.withDtype(DType.FLOAT64), shape, training);
            }
            if (order == 2) {
                secondOrder(out, provider, base.withDtype(DType.FLOAT64), shape);
            }
            if (!noFaces) {
                for (DType dtype : new DType[] {DType.FLOAT64, DType.FLOAT32}) {
                    for (boolean training : new boolean[] {true, false}) {
                        faces(out, provider, base.withDtype(dtype), shape, training);
                    }
                }
            }
        }
        out.println(passed + " passed, " + failed + " failed");
        out.flush();
        return failed == 0 ? 0 : 1;
    }

    private void gradcheck(PrintWriter out, NormalizationProvider provider, NormSpec spec, Shape shape,
                           boolean training) {
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
        report(out, what, report);
    }

    private void secondOrder(PrintWriter out, NormalizationProvider provider, NormSpec spec, Shape shape) {
        Normalization probe = provider.create(spec);
        List<ExecutionMode> faces = new ArrayList<>(List.of(ExecutionMode.REFERENCE));
        if (probe.fused().isEmpty()) {
            out.println("note " + name + " has no fused face: second order through the reference face only");
        } else {
            out.println("note " + name + ": " + probe.fusedSecondOrder().statement());
            if (probe.fusedSecondOrder() != FusedSecondOrder.REFUSED) {
                faces.add(ExecutionMode.FUSED);
            }
        }
        for (ExecutionMode face : faces) {
            for (boolean training : new boolean[] {true, false}) {
                String what = "gradcheck --order 2 " + name + " " + shape + " " + mode(training) + " "
                        + face.name().toLowerCase(Locale.ROOT) + " face";
                Normalization layer = provider.create(spec);
                layer.loadStateDict(FaceAgreement.randomState(layer.stateDict(), seed));
                layer.train(training);
                GradCheck.Report report;
                try {
                    report = NormGradCheck.checkSecondOrder(layer, Tensor.randn(DType.FLOAT64, shape, seed + 1),
                            seed + 2, face);
                } catch (UnsupportedInputException e) {
                    out.println("skip " + what + ": " + e.getMessage());
                    continue;
                }
                report(out, what, report);
            }
        }
    }

    private void report(PrintWriter out, String what, GradCheck.Report report) {
        double worst = report.perInput().stream().mapToDouble(c -> c.worstUsage()).max().orElse(0);
        if (report.passed()) {
            passed++;
            out.println("ok   " + what + " (worst " + String.format(Locale.ROOT, "%.2g", worst)
                    + " of the tolerance)");
        } else {
            failed++;
            out.println("FAIL " + what);
            out.print(indent(report.describe()));
        }
    }

    private void faces(PrintWriter out, NormalizationProvider provider, NormSpec spec, Shape shape, boolean training) {
        String what = "faces " + name + " " + shape + " " + spec.dtype() + " " + mode(training);
        Normalization probe = provider.create(spec);
        if (probe.fused().isEmpty()) {
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
        if (report.passed()) {
            passed++;
            out.println("ok   " + what);
        } else {
            failed++;
            out.println("FAIL " + what);
            out.print(indent(report.describe()));
        }
    }

    private static String mode(boolean training) {
        return training ? "train" : "eval";
    }

    private static String indent(String lines) {
        return lines.replaceAll("(?m)^", "       ");
    }
}

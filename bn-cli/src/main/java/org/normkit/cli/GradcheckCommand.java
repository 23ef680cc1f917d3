package org.normkit.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import org.normkit.autograd.spi.NormSpec;
import org.normkit.autograd.spi.NormalizationProvider;
import org.normkit.autograd.tensor.Shape;

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
            description = "eps, momentum (a number, or none for the cumulative average), affine, "
                    + "track_running_stats, or an option of the norm, e.g. --option groups=2 (repeatable).")
    Map<String, String> options = new LinkedHashMap<>();

    @Option(names = "--no-faces", description = "Skip the face agreement; gradcheck only.")
    boolean noFaces;

    @Option(names = "--order", paramLabel = "N", defaultValue = "1",
            description = "1: first-order gradients; 2: also gradients of gradients (default: ${DEFAULT-VALUE}).")
    int order;

    @Option(names = "--seed", paramLabel = "SEED", defaultValue = "1", description = "Seed of inputs and state (default: ${DEFAULT-VALUE}).")
    long seed;

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
        NormCheckLines checks = new NormCheckLines(out, name, provider, seed);
        for (Shape shape : inputs) {
            checks.allChecks(provider.contract().specFor(shape, SpecOptions.base(options, provider)), shape, order,
                    !noFaces);
        }
        out.println(checks.counts());
        out.flush();
        return checks.failed() == 0 ? 0 : 1;
    }
}

package org.normkit.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.Callable;

import org.normkit.autograd.spi.NormSpec;
import org.normkit.autograd.spi.NormalizationProvider;
import org.normkit.autograd.tensor.Shape;
import org.normkit.core.conformance.CaseResult;
import org.normkit.core.conformance.ConformanceCase;
import org.normkit.core.conformance.ConformanceReader;
import org.normkit.core.conformance.ConformanceRunner;
import org.normkit.autograd.spi.Face;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code normkit verify NAME [--cases FILE]}: every check of one norm in one command, and a verdict. */
@Command(name = "verify", mixinStandardHelpOptions = true,
        description = {"Verify a registered norm (ours or a plugin's) in one command: gradcheck of its reference "
                + "face (float64, training and evaluation), agreement of its reference and fused faces (float64 "
                + "and float32, both modes) over its contract's example shapes, and, with --cases, every case of a "
                + "bn-conformance/1 file (docs/conformance-format.md) that this norm serves, on both faces.",
                "Prints one line per check (the details of a failure below it) and last 'N passed, M failed: NAME "
                + "is verified' or '... is NOT verified'; exit code 0 exactly when nothing failed."})
final class VerifyCommand implements Callable<Integer> {
    @ParentCommand
    NormkitCommand parent;

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "NAME", description = "A registered norm (see 'normkit list').")
    String name;

    @Option(names = "--cases", paramLabel = "FILE",
            description = "Golden cases in the bn-conformance/1 format; the cases this norm serves are run.")
    Path cases;

    @Option(names = "--option", paramLabel = "KEY=VALUE",
            description = "A family-specific option for the gradient and face checks, e.g. --option groups=2 "
                    + "(repeatable).")
    Map<String, String> options = new LinkedHashMap<>();

    @Option(names = "--seed", paramLabel = "SEED", defaultValue = "1", description = "Seed of inputs and state (default: ${DEFAULT-VALUE}).")
    long seed;

    @Override
    public Integer call() {
        NormalizationProvider provider = parent.registry().get(name);
        // Read the file first: a bad file is an error before any check runs, not a failure after them.
        List<ConformanceCase> served = cases == null ? List.of() : casesServed();
        PrintWriter out = spec.commandLine().getOut();
        NormCheckLines checks = new NormCheckLines(out, name, provider, seed);
        Shape first = provider.contract().exampleShapes().get(0);
        checks.secondOrderNote(provider.create(provider.contract().specFor(first, NormSpec.of(1).withOptions(options))));
        for (Shape shape : provider.contract().exampleShapes()) {
            checks.allChecks(provider.contract().specFor(shape, NormSpec.of(1).withOptions(options)), shape, 1,
                    true);
        }
        ConformanceRunner runner = new ConformanceRunner(parent.registry(), Optional.of(name), Face.BOTH);
        for (ConformanceCase c : served) {
            CaseResult result = runner.run(c);
            checks.record(result.passed(), "conformance " + result.line().replaceFirst("^(PASS|FAIL) ", ""), "");
        }
        out.println(checks.counts() + ": " + name + (checks.failed() == 0 ? " is verified" : " is NOT verified"));
        out.flush();
        return checks.failed() == 0 ? 0 : 1;
    }

    /** The file's cases whose norm and rank pick this norm; none is an error naming the norms the file serves. */
    private List<ConformanceCase> casesServed() {
        List<ConformanceCase> all = ConformanceReader.read(cases).cases();
        ConformanceRunner picker = new ConformanceRunner(parent.registry(), Optional.empty(), Face.BOTH);
        List<ConformanceCase> served = all.stream().filter(c -> picker.providerFor(c).equals(name)).toList();
        if (served.isEmpty()) {
            TreeSet<String> present = new TreeSet<>();
            all.forEach(c -> present.add(picker.providerFor(c)));
            throw new IllegalArgumentException("--cases " + cases + " has no case for " + name + ": its " + all.size()
                    + " cases are for " + String.join(", ", present));
        }
        return served;
    }
}

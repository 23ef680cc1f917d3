package org.normkit.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;

import org.normkit.core.conformance.ConformanceFile;
import org.normkit.core.conformance.ConformanceReader;
import org.normkit.core.conformance.ConformanceReport;
import org.normkit.core.conformance.ConformanceRunner;
import org.normkit.autograd.spi.Face;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code normkit conformance --cases FILE}: golden vectors through the registry, one line per case. */
@Command(name = "conformance", mixinStandardHelpOptions = true,
        description = {"Run the cases of a bn-conformance/1 file (golden vectors made with PyTorch) through the "
                + "registered norms, on both faces unless --face says otherwise.",
                "A case's norm and input rank pick the norm (batch + rank 2/3/4/5 -> batch_norm1d/1d/2d/3d, "
                + "instance -> instance_norm1d/2d/3d, layer -> layer_norm, group -> group_norm, anything else is a "
                + "registered name); a case no norm serves is reported as unserved and counts as failed.",
                "Prints one line per case (on a failure: the tensor, its worst element's index, actual, expected and "
                + "tolerance) and last exactly 'N passed, M failed'. Exit code 0 exactly when nothing failed."})
final class ConformanceCommand implements Callable<Integer> {
    @ParentCommand
    NormkitCommand parent;

    @Spec
    CommandSpec spec;

    @Option(names = "--cases", required = true, paramLabel = "FILE",
            description = "The cases: a JSON file in the bn-conformance/1 format (specified in docs/conformance-format.md).")
    Path cases;

    @Option(names = "--norm", paramLabel = "NAME",
            description = "Run every case on this registered norm instead of the one the case's family picks.")
    String norm;

    @Option(names = "--face", paramLabel = "FACE", defaultValue = "both",
            description = "reference, fused or both (default: ${DEFAULT-VALUE}). A norm without a fused face is "
                    + "checked on its reference face, and the line says so.")
    String face;

    @Option(names = "--json", paramLabel = "OUT",
            description = "Also write the per-case results as JSON to OUT (written atomically).")
    Path json;

    @Override
    public Integer call() {
        List<Face> faces = Face.parseList(face);
        if (norm != null && !parent.registry().contains(norm)) {
            throw new IllegalArgumentException("--norm: unknown normalization '" + norm + "'; registered: "
                    + String.join(", ", parent.registry().names()));
        }
        ConformanceFile file = ConformanceReader.read(cases);
        if (file.cases().isEmpty()) {
            throw new IllegalArgumentException(cases + " holds no cases: checking nothing is not a pass; give a file "
                    + "with at least one case");
        }
        ConformanceReport report = new ConformanceRunner(parent.registry(), Optional.ofNullable(norm), faces)
                .runAll(file.cases());
        if (json != null) {
            report.writeJson(json);
        }
        PrintWriter out = spec.commandLine().getOut();
        report.lines().forEach(out::println);
        out.flush();
        return report.allPassed() ? 0 : 1;
    }
}

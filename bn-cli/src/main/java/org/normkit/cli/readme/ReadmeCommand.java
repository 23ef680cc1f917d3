package org.normkit.cli.readme;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import org.normkit.autograd.io.AtomicFiles;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code normkit readme}: checks that the README's figure blocks agree with the committed result files, or with
 * {@code --write} rewrites the blocks from them. A contributor's tool, so it is left out of the command list.
 */
@Command(name = "readme", hidden = true, mixinStandardHelpOptions = true,
        description = {"Check that README.md's figures agree with the result files under docs/results/, or rewrite "
                + "them from those files with --write.",
            "Exit code 0 when they agree (or were rewritten), 1 when they disagree."})
public final class ReadmeCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--write", description = "Rewrite the figure blocks from the result files.")
    boolean write;

    @Option(names = "--readme", paramLabel = "FILE", description = "The README to check or rewrite; its folder is "
            + "the repository root the result files are read from (default: ${DEFAULT-VALUE}).")
    Path readme = Path.of("README.md");

    @Override
    public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        if (!Files.isRegularFile(readme)) {
            throw new IllegalArgumentException(readme + " does not exist: run from the repository root or pass "
                    + "--readme FILE");
        }
        Path root = readme.toAbsolutePath().getParent();
        String text = Files.readString(readme, StandardCharsets.UTF_8);
        ReadmeBlocks blocks = ReadmeBlocks.parse(text);
        Map<String, String> rendered = ReadmeFigures.render(ReadmeFigures.ALL, root);
        List<String> problems = blocks.disagreements(rendered);
        if (write) {
            if (KernelPassRates.write(root)) {
                out.println(KernelPassRates.FILE + ": rewrote the kernels' pass rates from "
                        + KernelBenchFigure.RESULTS);
            }
            String rewritten = blocks.rewrite(rendered);
            if (!rewritten.equals(text)) {
                AtomicFiles.writeString(readme, rewritten);
            }
            List<String> missing = ReadmeBlocks.parse(rewritten).disagreements(rendered);
            missing.forEach(problem -> spec.commandLine().getErr().println("normkit: error: " + problem));
            out.println(readme + ": " + (rewritten.equals(text) ? "figures already agree with the result files"
                    : "rewrote " + problems.size() + " figure block(s) from the result files"));
            return missing.isEmpty() ? 0 : 1;
        }
        if (!KernelPassRates.agrees(root)) {
            problems = new java.util.ArrayList<>(problems);
            problems.add(KernelPassRates.FILE + " disagrees with " + KernelBenchFigure.RESULTS
                    + " (the kernels' pass rates are rendered from it)");
        }
        problems.forEach(problem -> spec.commandLine().getErr().println("normkit: error: " + problem));
        if (problems.isEmpty()) {
            out.println(readme + ": all " + rendered.size() + " figures agree with the result files");
            return 0;
        }
        spec.commandLine().getErr().println("normkit: run ./normkit readme --write to rewrite the README's figures");
        return 1;
    }
}

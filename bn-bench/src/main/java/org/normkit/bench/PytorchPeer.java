package org.normkit.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import org.normkit.autograd.tensor.DType;

/**
 * Runs the PyTorch peer, {@value #SCRIPT}, on the same machine after the suite, and reads back its rows (same JSON
 * schema, face {@code pytorch}). It is optional: without the script, or without a Python that imports torch, the
 * outcome says so in one line and the report goes on without the peer columns.
 *
 * <p>The script is found by walking up from this code's jar or classes folder and from the working directory. The
 * interpreter is {@code /usr/bin/python3} first (the system Python with torch), then {@code python3} on the path,
 * each asked to {@code import torch}. The peer times its own fixed set of norms and shapes; norms it does not know
 * are left out of its command line (it names the ones it knows when refused).
 */
public final class PytorchPeer {
    public static final String SCRIPT = "scripts/pytorch/bench_peer.py";
    public static final List<String> INTERPRETERS = List.of("/usr/bin/python3", "python3");
    private static final Pattern KNOWN = Pattern.compile("unknown norm '[^']*'; known: ([\\w, ]+)");

    /** The peer's rows, or why there are none. */
    public record Outcome(Optional<BenchReport.PeerRun> run, String message) {}

    private PytorchPeer() {}

    /** Runs the peer over the plan's norms, dtypes, passes and threads, forwarding its lines to {@code progress}. */
    public static Outcome run(SuitePlan plan, boolean quick, Consumer<String> progress) {
        Optional<Path> script = locate(startPoints());
        if (script.isEmpty()) {
            return new Outcome(Optional.empty(), "PyTorch peer: " + SCRIPT + " not found above "
                    + startPoints().stream().map(Path::toString).collect(Collectors.joining(" or "))
                    + "; going on without it");
        }
        Optional<String> python = interpreterWithTorch(INTERPRETERS);
        if (python.isEmpty()) {
            return new Outcome(Optional.empty(), "PyTorch peer: no python3 with torch (tried "
                    + String.join(", ", INTERPRETERS) + "); going on without it");
        }
        List<String> norms = plan.norms();
        if (norms.isEmpty()) {
            return new Outcome(Optional.empty(), "PyTorch peer: nothing to compare (no norm ran)");
        }
        try {
            return runScript(python.get(), script.get(), norms, plan.selection(), quick, progress);
        } catch (IOException e) {
            return new Outcome(Optional.empty(), "PyTorch peer failed: " + e.getMessage() + "; going on without it");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Outcome(Optional.empty(), "PyTorch peer interrupted; going on without it");
        }
    }

    private static Outcome runScript(String python, Path script, List<String> norms, BenchSelection selection,
                                     boolean quick, Consumer<String> progress) throws IOException, InterruptedException {
        Path out = Files.createTempFile("normkit-peer-", ".json");
        try {
            List<String> asked = norms;
            for (int attempt = 0; attempt < 2; attempt++) {
                List<String> command = command(python, script, asked, selection, quick, out);
                progress.accept("PyTorch peer: " + String.join(" ", command));
                List<String> lines = new ArrayList<>();
                int code = execute(command, line -> {
                    lines.add(line);
                    progress.accept("  pytorch | " + line);
                });
                if (code == 0) {
                    BenchReport report = ReportJson.read(out);
                    return new Outcome(report.peer(), "PyTorch peer: " + report.peer().map(p -> p.results().size())
                            .orElse(0) + " rows from " + script);
                }
                List<String> known = knownNorms(lines);
                if (attempt == 0 && !known.isEmpty()) {
                    asked = norms.stream().filter(known::contains).toList();
                    if (asked.isEmpty()) {
                        return new Outcome(Optional.empty(), "PyTorch peer: it times none of " + norms
                                + " (it knows " + known + ")");
                    }
                    continue;
                }
                return new Outcome(Optional.empty(), "PyTorch peer exited with code " + code + " ("
                        + (lines.isEmpty() ? "no output" : lines.get(lines.size() - 1)) + "); going on without it");
            }
            throw new IllegalStateException("unreachable");
        } finally {
            Files.deleteIfExists(out);
        }
    }

    static List<String> command(String python, Path script, List<String> norms, BenchSelection selection,
                                boolean quick, Path out) {
        List<String> c = new ArrayList<>(List.of(python, script.toString(), "--out", out.toString(),
                "--norms", String.join(",", norms),
                "--dtypes", selection.dtypes().stream().map(DType::label).collect(Collectors.joining(",")),
                "--threads", selection.threads().stream().map(String::valueOf).collect(Collectors.joining(",")),
                "--passes", selection.passes().stream().map(BenchPass::id).collect(Collectors.joining(","))));
        if (quick) {
            c.add("--quick");
        }
        return c;
    }

    /** The norms the peer says it knows, from its refusal of an unknown one; empty when it did not say. */
    static List<String> knownNorms(List<String> output) {
        for (String line : output) {
            Matcher m = KNOWN.matcher(line);
            if (m.find()) {
                return List.of(m.group(1).trim().split("\\s*,\\s*"));
            }
        }
        return List.of();
    }

    /** The first {@value #SCRIPT} found walking up from each start point. */
    static Optional<Path> locate(List<Path> startPoints) {
        return locate(startPoints, SCRIPT);
    }

    /** The first file at {@code relative} found walking up from each start point. */
    static Optional<Path> locate(List<Path> startPoints, String relative) {
        for (Path start : startPoints) {
            for (Path dir = start.toAbsolutePath().normalize(); dir != null; dir = dir.getParent()) {
                Path candidate = dir.resolve(relative);
                if (Files.isRegularFile(candidate)) {
                    return Optional.of(candidate);
                }
            }
        }
        return Optional.empty();
    }

    /** The folder of this code's jar (or classes folder), then the working directory. */
    static List<Path> startPoints() {
        Set<Path> points = new LinkedHashSet<>();
        try {
            var source = PytorchPeer.class.getProtectionDomain().getCodeSource();
            if (source != null && source.getLocation() != null) {
                Path location = Path.of(source.getLocation().toURI());
                points.add(Files.isDirectory(location) ? location : location.getParent());
            }
        } catch (URISyntaxException | SecurityException | IllegalArgumentException e) {
            // Not a file location (a custom class loader): the working directory remains.
        }
        points.add(Path.of("").toAbsolutePath());
        return List.copyOf(points);
    }

    /** The first interpreter that runs {@code import torch}. */
    static Optional<String> interpreterWithTorch(List<String> candidates) {
        for (String python : candidates) {
            try {
                Process p = new ProcessBuilder(python, "-c", "import torch").redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
                if (p.waitFor(120, TimeUnit.SECONDS) && p.exitValue() == 0) {
                    return Optional.of(python);
                }
                p.destroy();
            } catch (IOException e) {
                // Not installed: try the next one.
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return Optional.empty();
            }
        }
        return Optional.empty();
    }

    private static int execute(List<String> command, Consumer<String> lines) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        Thread stop = new Thread(p::destroy, "normkit-peer-stop");
        Runtime.getRuntime().addShutdownHook(stop);
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                lines.accept(line);
            }
            return p.waitFor();
        } finally {
            p.destroy();
            try {
                Runtime.getRuntime().removeShutdownHook(stop);
            } catch (IllegalStateException shuttingDown) {
                // Already exiting: the hook stops the peer.
            }
        }
    }
}

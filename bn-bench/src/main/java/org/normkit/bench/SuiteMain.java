package org.normkit.bench;

import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import org.normkit.autograd.spi.Face;
import org.normkit.autograd.tensor.DType;

/**
 * The one JVM of a quick run: builds the plan from this JVM's registry (class path plus {@code -Dnormkit.plugins}),
 * runs every benchmark here and writes the report as JSON. Started by {@link SharedJvm}; usable by hand as
 * {@code java --add-modules=jdk.incubator.vector -cp normkit.jar org.normkit.bench.SuiteMain --out r.json}.
 */
public final class SuiteMain {
    private SuiteMain() {}

    public static void main(String[] args) {
        Map<String, String> a = parse(args);
        BenchSelection all = BenchSelection.all();
        BenchSelection selection = all
                .withNorms(list(a.get("--norms"), List.of()))
                .withDtypes(list(a.get("--dtypes"), all.dtypes().stream().map(DType::label).toList()).stream()
                        .map(DType::parse).toList())
                .withFaces(list(a.get("--faces"), List.of("reference", "fused")).stream().map(Face::parseConcrete).toList())
                .withPasses(list(a.get("--passes"), all.passes().stream().map(BenchPass::id).toList()).stream()
                        .map(BenchPass::parse).toList())
                .withThreads(list(a.get("--threads"), List.of("1", "2")).stream().map(Integer::parseInt).toList());
        RunSettings quick = RunSettings.quick(List.of());
        RunSettings settings = new RunSettings(
                intArg(a, "--warmup", quick.warmupIterations()),
                Duration.ofMillis(intArg(a, "--warmup-ms", (int) quick.warmupTime().toMillis())),
                intArg(a, "--iterations", quick.iterations()),
                Duration.ofMillis(intArg(a, "--iteration-ms", (int) quick.iterationTime().toMillis())),
                0, List.of());
        String out = a.get("--out");
        if (out == null) {
            throw new IllegalArgumentException("--out FILE is required: where to write the report (JSON)");
        }
        PrintWriter progress = new PrintWriter(System.out, true, StandardCharsets.UTF_8);
        SuitePlan plan = SuitePlan.of(BenchRegistry.get(), selection);
        BenchReport report = SuiteRunner.runInThisJvm(plan, settings, progress);
        ReportJson.write(Path.of(out), report);
        progress.flush();
        System.exit(0); // JMH leaves non-daemon threads behind in embedded mode
    }

    /** The command line that makes {@link #main} run this selection with these settings. */
    static List<String> arguments(BenchSelection selection, RunSettings settings, Path out) {
        return List.of(
                "--norms", String.join(",", selection.norms()),
                "--dtypes", selection.dtypes().stream().map(DType::label).collect(Collectors.joining(",")),
                "--faces", selection.faces().stream().map(Face::id).collect(Collectors.joining(",")),
                "--passes", selection.passes().stream().map(BenchPass::id).collect(Collectors.joining(",")),
                "--threads", selection.threads().stream().map(String::valueOf).collect(Collectors.joining(",")),
                "--warmup", Integer.toString(settings.warmupIterations()),
                "--warmup-ms", Long.toString(settings.warmupTime().toMillis()),
                "--iterations", Integer.toString(settings.iterations()),
                "--iteration-ms", Long.toString(settings.iterationTime().toMillis()),
                "--out", out.toAbsolutePath().toString());
    }

    private static Map<String, String> parse(String[] args) {
        Map<String, String> a = new HashMap<>();
        for (int i = 0; i < args.length; i += 2) {
            if (!args[i].startsWith("--") || i + 1 >= args.length) {
                throw new IllegalArgumentException("expected --name value pairs, got " + Arrays.toString(args));
            }
            a.put(args[i], args[i + 1]);
        }
        return a;
    }

    private static List<String> list(String value, List<String> fallback) {
        if (value == null) {
            return fallback;
        }
        return Arrays.stream(value.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
    }

    private static int intArg(Map<String, String> a, String name, int fallback) {
        String v = a.get(name);
        return v == null ? fallback : Integer.parseInt(v);
    }
}

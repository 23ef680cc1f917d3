package org.normkit.bench;

import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import org.normkit.autograd.spi.Face;

/**
 * The JVM of one thread count in a training-step run: builds the plan from this JVM's registry (class path plus
 * {@code -Dnormkit.plugins}), runs it through {@link TrainingRunner#runInThisJvm} and writes the report as JSON.
 * Started by {@link TrainingRunner#run} with {@code OPENBLAS_NUM_THREADS} set; JMH forks of this JVM get this
 * JVM's own arguments.
 */
public final class TrainingMain {
    private TrainingMain() {}

    public static void main(String[] args) {
        Map<String, String> a = parse(args);
        TrainingPlan.Selection selection = TrainingPlan.Selection.all()
                .withNets(list(a.get("--nets")))
                .withNorms(list(a.get("--norms")))
                .withFaces(list(a.get("--faces")).stream().map(Face::parseConcrete).toList())
                .withThreads(list(a.get("--threads")).stream().map(Integer::parseInt).toList());
        RunSettings settings = new RunSettings(intArg(a, "--warmup"), Duration.ofMillis(intArg(a, "--warmup-ms")),
                intArg(a, "--iterations"), Duration.ofMillis(intArg(a, "--iteration-ms")), intArg(a, "--forks"),
                List.of());
        PrintWriter progress = new PrintWriter(System.out, true, StandardCharsets.UTF_8);
        TrainingPlan plan = TrainingPlan.of(BenchRegistry.get(), selection);
        TrainingReport report = TrainingRunner.runInThisJvm(plan, settings,
                ManagementFactory.getRuntimeMXBean().getInputArguments(), progress, intArg(a, "--done"),
                intArg(a, "--total"));
        ReportJson.write(Path.of(required(a, "--out")), report);
        progress.flush();
        System.exit(0); // JMH leaves non-daemon threads behind in embedded mode
    }

    /** The command line that makes {@link #main} run this selection with these settings. */
    static List<String> arguments(TrainingPlan.Selection selection, RunSettings settings, int done, int total,
                                  Path out) {
        return List.of(
                "--nets", String.join(",", selection.nets()),
                "--norms", String.join(",", selection.norms()),
                "--faces", selection.faces().stream().map(Face::id).collect(Collectors.joining(",")),
                "--threads", selection.threads().stream().map(String::valueOf).collect(Collectors.joining(",")),
                "--warmup", Integer.toString(settings.warmupIterations()),
                "--warmup-ms", Long.toString(settings.warmupTime().toMillis()),
                "--iterations", Integer.toString(settings.iterations()),
                "--iteration-ms", Long.toString(settings.iterationTime().toMillis()),
                "--forks", Integer.toString(settings.forks()),
                "--done", Integer.toString(done),
                "--total", Integer.toString(total),
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

    private static String required(Map<String, String> a, String name) {
        String v = a.get(name);
        if (v == null) {
            throw new IllegalArgumentException(name + " is required; see TrainingMain.arguments");
        }
        return v;
    }

    private static List<String> list(String value) {
        return Arrays.stream(value == null ? new String[0] : value.split(",")).map(String::trim)
                .filter(s -> !s.isEmpty()).toList();
    }

    private static int intArg(Map<String, String> a, String name) {
        return Integer.parseInt(required(a, name));
    }
}

package org.normkit.bench;

import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

/**
 * The main class of every benchmark JVM that {@link BenchRunner} starts through {@link SharedJvm}:
 * {@code JobMain JOB.json REPORT.json} reads a {@link BenchJob}, runs it here and writes its {@link BenchReport}, both
 * through {@link ReportJson}.
 */
public final class JobMain {
    private JobMain() {}

    public static void main(String[] args) {
        if (args.length != 2) {
            throw new IllegalArgumentException("usage: JobMain JOB.json REPORT.json; got " + List.of(args));
        }
        BenchJob job = ReportJson.read(Path.of(args[0]), BenchJob.class);
        PrintWriter progress = new PrintWriter(System.out, true, StandardCharsets.UTF_8);
        ReportJson.write(Path.of(args[1]), job.run(progress));
        progress.flush();
        System.exit(0); // JMH leaves non-daemon threads behind in embedded mode
    }
}

package org.normkit.bench;

import java.io.PrintWriter;
import java.lang.management.ManagementFactory;

/**
 * What a benchmark JVM of its own is asked to run: the selection of one thread count and the run settings, handed
 * over as JSON ({@link ReportJson}) by {@link SharedJvm} and run by {@link JobMain}, which writes the
 * {@link BenchReport} back the same way. The plan is built in the benchmark JVM, from its own registry (class path
 * plus {@code -Dnormkit.plugins}), so plugins are seen there as here.
 *
 * @param done  benchmarks of the whole run done in earlier JVMs, for the progress count
 * @param total benchmarks of the whole run
 */
public record BenchJob(BenchSelection selection, RunSettings settings, int done, int total) {

    /** Runs the job in this JVM ({@link BenchRunner#runInThisJvm}); JMH forks of it get this JVM's arguments. */
    public BenchReport run(PrintWriter progress) {
        return BenchRunner.runInThisJvm(BenchPlan.of(BenchRegistry.get(), selection), settings,
                ManagementFactory.getRuntimeMXBean().getInputArguments(), progress, done, total);
    }
}

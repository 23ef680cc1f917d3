package org.normkit.bench;

import java.io.PrintWriter;
import java.lang.management.ManagementFactory;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;

/**
 * What a benchmark JVM of its own is asked to run: the plan's selection and the run settings, handed over as JSON
 * ({@link ReportJson}) by {@link SharedJvm} and run by {@link JobMain}, which writes the report back the same way.
 * The kernel suite and the training steps are the two kinds; both build their plan in the benchmark JVM, from its
 * own registry (class path plus {@code -Dnormkit.plugins}), so plugins are seen there as here.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "job")
@JsonSubTypes({@JsonSubTypes.Type(value = BenchJob.Kernels.class, name = "kernels"),
    @JsonSubTypes.Type(value = BenchJob.TrainingSteps.class, name = "training")})
public sealed interface BenchJob {

    /** Runs the job in this JVM, printing progress, and returns its report (a record {@link ReportJson} maps). */
    Object run(PrintWriter progress);

    /** The report type {@link #run} returns, for reading it back. */
    Class<?> reportType();

    /** Every benchmark of the kernel suite's selection, in this JVM ({@link SuiteRunner#runInThisJvm}). */
    record Kernels(BenchSelection selection, RunSettings settings) implements BenchJob {
        @Override
        public BenchReport run(PrintWriter progress) {
            return SuiteRunner.runInThisJvm(SuitePlan.of(BenchRegistry.get(), selection), settings, progress);
        }

        @Override
        public Class<BenchReport> reportType() {
            return BenchReport.class;
        }
    }

    /**
     * The training steps of one thread count ({@link TrainingRunner#runInThisJvm}); {@code done} of {@code total}
     * combinations ran in earlier JVMs, for the progress count. JMH forks of this JVM get this JVM's arguments.
     */
    record TrainingSteps(TrainingPlan.Selection selection, RunSettings settings, int done, int total)
            implements BenchJob {
        @Override
        public TrainingReport run(PrintWriter progress) {
            return TrainingRunner.runInThisJvm(TrainingPlan.of(BenchRegistry.get(), selection), settings,
                    ManagementFactory.getRuntimeMXBean().getInputArguments(), progress, done, total);
        }

        @Override
        public Class<TrainingReport> reportType() {
            return TrainingReport.class;
        }
    }
}

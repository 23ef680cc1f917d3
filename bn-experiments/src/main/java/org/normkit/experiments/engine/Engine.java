package org.normkit.experiments.engine;

import java.util.List;

import org.normkit.experiments.report.ResultRow;

/**
 * Executes a grid of independent training runs (configuration × seed) and hands each run's outcome back to the
 * driver, which alone appends rows to {@code results.csv}. Engines differ in where runs train: {@link LocalEngine}
 * on a pool of threads in this JVM (the default), the Spark engine of the {@code bn-spark} module on a Spark
 * cluster. Which one a command uses is decided by the Guice module bound for it ({@link EngineProvider}).
 *
 * <p>Contract, for every engine:
 * <ul>
 *   <li>every task ends in exactly one call of {@link Listener#finished}, on the thread that called
 *       {@link #execute}, one call at a time, in the order runs end; an error in a run becomes a
 *       {@link RunOutcome.Status#FAILED failed} outcome carrying its message (after the engine's retries, if it has
 *       any), never a lost run nor an exception out of {@code execute};</li>
 *   <li>a run's rows depend on its task alone, so the same grid gives the same rows on any engine with any
 *       parallelism (timing columns aside);</li>
 *   <li>{@link #execute} returns when every task has finished.</li>
 * </ul>
 */
public interface Engine extends AutoCloseable {

    /** What the driver hears from the runs. */
    interface Listener {
        /** A run starts training on the driver's thread (engines that train one run at a time in this JVM). */
        default void started(RunTask task) {}

        /**
         * An epoch of a run training in this JVM has ended: the driver records it at once, so a killed driver keeps
         * every finished epoch (the run is redone whole on a rerun). May be called from several threads at once;
         * engines whose workers are elsewhere deliver a run's rows with {@link #finished} only.
         */
        default void epoch(ResultRow row) {}

        /** A progress line of a run; may be called from several threads at once. */
        void line(String line);

        /** One run has ended; called on the driver's thread, one at a time. */
        void finished(RunOutcome outcome);
    }

    /**
     * Runs every task. Engines that train in this JVM use {@code trainer} (the driver's data and norm registry);
     * engines that train elsewhere rebuild a trainer on each worker from the task's {@link GridSetup}.
     */
    void execute(List<RunTask> tasks, RunTrainer trainer, Listener listener);

    /** One line for reports and logs, e.g. {@code local, 2 runs at a time}. */
    String describe();

    /** Whether progress bars can be drawn: only when one run at a time trains in this JVM. */
    default boolean showsProgress() {
        return false;
    }

    /** Releases the engine's threads or cluster connection. */
    @Override
    default void close() {}
}

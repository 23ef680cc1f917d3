package org.normkit.experiments.train;

/**
 * Where a whole job (an experiment or a sweep: many runs of many epochs) stands, for the progress display: run k of
 * N, and the time left for all of it, estimated from the steps done so far at the pace so far (every step of every
 * planned run, whatever its batch size, counts once: the pace of the steps done is the best guess there is).
 *
 * <p>Thread safety: confined to the training thread.
 */
public final class JobProgress {

    private int runs;
    private int run;
    private long steps;
    private long stepsDone;
    private long startNanos;

    /** Starts a job of {@code plannedRuns} runs that take {@code plannedSteps} training steps in all. */
    void plan(int plannedRuns, long plannedSteps) {
        runs = plannedRuns;
        steps = plannedSteps;
        run = 0;
        stepsDone = 0;
        startNanos = System.nanoTime();
    }

    void startRun() {
        run++;
    }

    void stepDone() {
        stepsDone++;
    }

    /** "run 3/8", or empty before a job is planned. */
    String run() {
        return runs == 0 ? "" : "run " + run + "/" + runs;
    }

    /** Time left for the whole job, "1:02:03" or "4:05"; "?" until a step is done. */
    String eta() {
        if (stepsDone == 0 || steps == 0) {
            return "?";
        }
        long elapsedMillis = (System.nanoTime() - startNanos) / 1_000_000;
        return Progress.clock(elapsedMillis * Math.max(0, steps - stepsDone) / stepsDone / 1000);
    }
}

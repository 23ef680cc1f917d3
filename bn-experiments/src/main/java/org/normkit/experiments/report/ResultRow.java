package org.normkit.experiments.report;

import java.io.Serializable;

/**
 * One line of {@code results.csv}: what one epoch of one run measured.
 *
 * <p>An {@link RunStatus#OK ok} row has every metric. A {@link RunStatus#DIVERGED diverged} row is the last row of
 * its run: {@code epoch} is the epoch in which the loss stopped being finite, {@code trainLoss} is the value seen
 * there (often NaN or infinite), {@code seconds} the time spent in that epoch until the loop stopped, and the other
 * metrics are NaN, written as empty cells, because evaluating a diverged net says nothing.
 *
 * @param key              the run
 * @param epoch            1 for the first epoch
 * @param trainLoss        mean training loss over the epoch's batches
 * @param testLoss         mean loss on the test set after the epoch
 * @param testAccuracy     fraction of test rows classified correctly after the epoch, in [0, 1]
 * @param trainAccuracy    fraction of training rows classified correctly during or after the epoch, in [0, 1]
 * @param seconds          wall-clock seconds the epoch's training took
 * @param samplesPerSecond training rows processed per second in the epoch
 * @param status           ok or diverged
 * @param jitSeconds       seconds the JVM's JIT compilers spent compiling while the epoch trained
 *                         ({@code CompilationMXBean.getTotalCompilationTime}, the difference over the epoch): the
 *                         compiler threads' time, JVM-wide, which on a machine with a spare core runs beside the
 *                         training thread rather than inside the epoch's seconds; NaN when not recorded (rows written
 *                         before the column existed, a JVM without the bean)
 * @param gcSeconds        seconds of garbage collection during the epoch, summed over the JVM's collectors
 *                         ({@code GarbageCollectorMXBean.getCollectionTime}); NaN when not recorded
 */
public record ResultRow(RunKey key, int epoch, double trainLoss, double testLoss, double testAccuracy,
                        double trainAccuracy, double seconds, double samplesPerSecond, RunStatus status,
                        double jitSeconds, double gcSeconds)
        implements Serializable {

    public ResultRow {
        if (epoch < 1) {
            throw new IllegalArgumentException("epoch must be at least 1, got " + epoch + " for " + key);
        }
        if (status == RunStatus.OK) {
            checkFraction("test accuracy", testAccuracy, key);
            checkFraction("train accuracy", trainAccuracy, key);
        }
    }

    /** The row of an epoch that finished normally. */
    public static ResultRow ok(RunKey key, int epoch, double trainLoss, double testLoss, double testAccuracy,
                               double trainAccuracy, double seconds, double samplesPerSecond) {
        return new ResultRow(key, epoch, trainLoss, testLoss, testAccuracy, trainAccuracy, seconds, samplesPerSecond,
                RunStatus.OK, Double.NaN, Double.NaN);
    }

    /** The last row of a run whose loss stopped being finite in {@code epoch}. */
    public static ResultRow diverged(RunKey key, int epoch, double trainLoss, double seconds) {
        return new ResultRow(key, epoch, trainLoss, Double.NaN, Double.NaN, Double.NaN, seconds, Double.NaN,
                RunStatus.DIVERGED, Double.NaN, Double.NaN);
    }

    /** This row with the JIT's and the collectors' seconds during the epoch. */
    public ResultRow withJvmSeconds(double jit, double gc) {
        return new ResultRow(key, epoch, trainLoss, testLoss, testAccuracy, trainAccuracy, seconds, samplesPerSecond,
                status, jit, gc);
    }

    public boolean isDiverged() {
        return status == RunStatus.DIVERGED;
    }

    private static void checkFraction(String name, double value, RunKey key) {
        if (!(value >= 0 && value <= 1)) {
            throw new IllegalArgumentException(name + " must be in [0, 1], got " + value + " for " + key);
        }
    }
}

package org.normkit.experiments.report;

import java.io.Serializable;

/**
 * One training run: a {@link RunConfig} and a seed. A rerun skips the runs whose key
 * {@link ResultsCsv#completedRuns} lists. The fields are those of the first eight columns of {@code results.csv};
 * the constructor checks them as {@link RunConfig} does. Serializable, because a run's rows travel from the worker
 * that trained it to the driver that writes them (the Spark engine).
 */
public record RunKey(String net, String norm, int batchSize, double lr, String optimizer, double weightDecay,
                     double dropout, long seed) implements Serializable {

    public RunKey {
        new RunConfig(net, norm, batchSize, lr, optimizer, weightDecay, dropout);
    }

    /** The configuration this run repeats under its seed. */
    public RunConfig config() {
        return new RunConfig(net, norm, batchSize, lr, optimizer, weightDecay, dropout);
    }

    @Override
    public String toString() {
        return net + "/" + norm + " batch_size=" + batchSize + " lr=" + Numbers.plain(lr) + " " + optimizer
                + " weight_decay=" + Numbers.plain(weightDecay) + " dropout=" + Numbers.plain(dropout)
                + " seed=" + seed;
    }
}

package org.normkit.experiments.report;

/**
 * One training run: a {@link RunConfig} and a seed. A rerun skips the runs whose key
 * {@link ResultsCsv#completedRuns} lists. The fields are those of the first eight columns of {@code results.csv};
 * the constructor checks them as {@link RunConfig} does.
 */
public record RunKey(String net, String norm, int batchSize, double lr, String optimizer, double weightDecay,
                     double dropout, long seed) {

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

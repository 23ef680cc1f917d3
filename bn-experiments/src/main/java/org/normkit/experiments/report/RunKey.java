package org.normkit.experiments.report;

import java.io.Serializable;

/**
 * One training run: a {@link RunConfig} and a seed. A rerun skips the runs whose key
 * {@link ResultsCsv#completedRuns} lists; the key's configuration and seed fill the first eight columns of
 * {@code results.csv} and its last four ({@link CsvRows}). Serializable, because a run's rows travel from the worker
 * that trained it to the driver that writes them (the Spark engine).
 */
public record RunKey(RunConfig config, long seed) implements Serializable {

    public RunKey {
        if (config == null) {
            throw new IllegalArgumentException("a run needs its configuration, got null");
        }
    }

    @Override
    public String toString() {
        StringBuilder text = new StringBuilder(config.net() + "/" + config.norm() + " batch_size=" + config.batchSize()
                + " lr=" + Numbers.plain(config.lr()) + " " + config.optimizer() + " weight_decay="
                + Numbers.plain(config.weightDecay()) + " dropout=" + Numbers.plain(config.dropout()));
        config.nonDefaultExtras().forEach(extra -> text.append(' ').append(extra));
        return text.append(" seed=").append(seed).toString();
    }
}

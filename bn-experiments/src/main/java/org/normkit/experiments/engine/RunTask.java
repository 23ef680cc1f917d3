package org.normkit.experiments.engine;

import java.io.Serializable;

import org.normkit.experiments.report.RunKey;

/**
 * One independent training run of a grid, as an {@link Engine} receives it: the run's key (configuration and seed)
 * and what the grid's runs share.
 */
public record RunTask(RunKey key, GridSetup setup) implements Serializable {

    /**
     * How logs and messages name the run: {@code mlp/batch_norm/b128/lr 0.001/seed 0}, with the settings that differ
     * from a plain run's before the seed ({@code .../lr 0.001/init=xavier/seed 0}).
     */
    public String label() {
        StringBuilder label = new StringBuilder(key.config().net() + "/" + key.config().norm() + "/b"
                + key.config().batchSize() + "/lr " + RunOutcome.number(key.config().lr()));
        key.config().nonDefaultExtras().forEach(extra -> label.append('/').append(extra));
        return label.append("/seed ").append(key.seed()).toString();
    }
}

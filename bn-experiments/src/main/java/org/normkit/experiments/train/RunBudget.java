package org.normkit.experiments.train;

import java.util.Optional;

/**
 * The default size of an experiment for a net, used where the command line leaves epochs, seeds or the training
 * rows unset. The image nets train 10 epochs with 5 seeds on all rows (about five minutes for the mlp on two
 * cores). The sequence nets cost far more per sample (a Transformer step is ~50× the mlp's), so that
 * {@code normkit experiment --net transformer} still ends in under ten minutes on two cores they default to
 * {@value #SEQUENCE_EPOCHS} epochs, {@value #SEQUENCE_SEEDS} seeds and the first {@value #SEQUENCE_TRAIN_ROWS}
 * training and {@value #SEQUENCE_TEST_ROWS} test rows (images or documents); the README's sequence results set these explicitly.
 */
public record RunBudget(int epochs, int seeds, Optional<Integer> trainLimit, Optional<Integer> testLimit) {
    static final int SEQUENCE_EPOCHS = 3;
    static final int SEQUENCE_SEEDS = 2;
    static final int SEQUENCE_TRAIN_ROWS = 2000;
    static final int SEQUENCE_TEST_ROWS = 1000;

    public static RunBudget defaultFor(String net) {
        return Nets.SEQUENCE_NETS.contains(net)
                ? new RunBudget(SEQUENCE_EPOCHS, SEQUENCE_SEEDS, Optional.of(SEQUENCE_TRAIN_ROWS),
                Optional.of(SEQUENCE_TEST_ROWS)) : new RunBudget(10, 5, Optional.empty(), Optional.empty());
    }
}

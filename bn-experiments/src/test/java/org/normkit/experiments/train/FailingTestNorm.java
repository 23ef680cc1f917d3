package org.normkit.experiments.train;

import org.normkit.autograd.spi.InputContract;
import org.normkit.autograd.spi.NormSpec;
import org.normkit.autograd.spi.Normalization;
import org.normkit.autograd.spi.NormalizationProvider;
import org.normkit.core.batch.BatchNorm;

/**
 * A test-only registered norm that fits every slot BatchNorm fits but throws when a net is built with it, as a
 * plugin with a bug would: the engine tests pin that such a run is recorded as failed with its message while the
 * other runs finish.
 */
public final class FailingTestNorm implements NormalizationProvider {
    static final String NAME = "failing_test_norm";
    static final String MESSAGE = "simulated failure inside a run";

    // BatchNorm under its any-rank name, batch_norm: its contract, and (when not failing) its layers.
    private final BatchNorm batchNorm = new BatchNorm();

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String summary() {
        return "test double: BatchNorm's contract, a create that throws";
    }

    @Override
    public InputContract contract() {
        return batchNorm.contract();
    }

    @Override
    public Normalization create(NormSpec spec) {
        throw new IllegalStateException(MESSAGE);
    }
}

package org.normkit.bench.toy;

import org.normkit.autograd.check.TestRowNorm;
import org.normkit.autograd.spi.InputContract;
import org.normkit.autograd.spi.NormSpec;
import org.normkit.autograd.spi.Normalization;
import org.normkit.autograd.spi.NormalizationProvider;

/** Test-only: {@link ToyRowNorm} whose fused kernel always throws, so the suite's failure rows can be tested. */
public final class ToyFailingNorm implements NormalizationProvider {

    @Override
    public String name() {
        return "toy_failing_norm";
    }

    @Override
    public String summary() {
        return "test-only norm whose fused kernel throws";
    }

    @Override
    public InputContract contract() {
        return new ToyRowNorm().contract();
    }

    @Override
    public Normalization create(NormSpec spec) {
        return new TestRowNorm(name(), spec, TestRowNorm.Scaling.STANDARDIZE, TestRowNorm.Bug.FAILING_KERNEL, false);
    }
}

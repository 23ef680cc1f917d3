package org.normkit.autograd.spi;

import java.util.Optional;

import org.normkit.autograd.tensor.DType;
import org.normkit.autograd.tensor.Tensor;

/**
 * Test-only base of a norm with a reference face only and no γ or β, over two float64 features: what a test's norm
 * says beyond its forward, reference face and buffers. Not a model of how the real norms are written.
 */
public abstract class ReferenceOnlyNorm extends Normalization {

    @Override
    public NormSpec spec() {
        return NormSpec.of(2).withDtype(DType.FLOAT64);
    }

    @Override
    public Optional<FusedNorm> fused() {
        return Optional.empty();
    }

    /** One face only: there is nothing to switch. */
    @Override
    public void setFace(Face mode) {}

    @Override
    public Face face() {
        return Face.AUTO;
    }

    @Override
    public Optional<Tensor> weight() {
        return Optional.empty();
    }

    @Override
    public Optional<Tensor> bias() {
        return Optional.empty();
    }
}

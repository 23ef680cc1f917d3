package org.normkit.bench.versus;

import org.normkit.autograd.tensor.DType;
import org.normkit.autograd.tensor.Shape;
import org.normkit.bench.BenchMask;
import org.normkit.bench.BenchPass;

/**
 * One combination both sides time: a norm built with PyTorch's constructor defaults for its family (as
 * {@link org.normkit.bench.NormWorkload#specFor} and the peers build it), on one input shape, dtype and pass, masked
 * or not ({@link BenchMask}). The thread count is not part of the case: the runner samples every thread count of a
 * case on the same tensors.
 */
public record Case(String norm, Shape shape, DType dtype, BenchPass pass, BenchMask mask) {

    /** An unmasked case. */
    public Case(String norm, Shape shape, DType dtype, BenchPass pass) {
        this(norm, shape, dtype, pass, BenchMask.NONE);
    }

    /** {@code layer_norm 32x128x768 float32 train_forward}, with {@code padded} after a masked case. */
    @Override
    public String toString() {
        return norm + " " + shape.toCompactString() + " " + dtype.label() + " " + pass.id()
                + (mask == BenchMask.NONE ? "" : " " + mask.id());
    }
}

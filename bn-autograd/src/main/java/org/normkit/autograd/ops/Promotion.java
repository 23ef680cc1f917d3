package org.normkit.autograd.ops;

import org.normkit.autograd.tensor.DType;
import org.normkit.autograd.tensor.Tensor;

/** Type promotion of two operands, as PyTorch does it: the wider float type wins. */
final class Promotion {
    private Promotion() {}

    /** Brings both operands to the promoted dtype (a recorded cast, so gradients flow back in each one's dtype). */
    static Tensor[] promote(Tensor a, Tensor b) {
        if (a.dtype() == b.dtype()) {
            return new Tensor[] {a, b};
        }
        DType t = DType.promote(a.dtype(), b.dtype());
        return new Tensor[] {a.to(t), b.to(t)};
    }
}

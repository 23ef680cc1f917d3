package org.normkit.experiments.train;

import org.normkit.autograd.nn.Module;
import org.normkit.autograd.nn.ValidRows;
import org.normkit.autograd.tensor.Tensor;

/**
 * A norm over the tokens of (B, T, d) activations: the activations are viewed as B·T rows of d features, so
 * BatchNorm's statistics are per feature over (sample, position) pairs, LayerNorm's per token. With {@code masked}
 * (the default) only the valid positions of a padded batch enter the statistics ({@link ValidRows}); without, the
 * padding does too, as {@code nn.BatchNorm1d} over a flattened batch would.
 */
final class TokenNorm extends Module {
    private final Module norm;
    private final boolean masked;

    TokenNorm(Module norm, boolean masked) {
        this.norm = registerChild("norm", norm);
        this.masked = masked;
    }

    @Override
    public Tensor forward(Tensor x) {
        return forward(x, null);
    }

    /** @param validRows the rows (b·T + t) inside their sequence, or null when every position is valid */
    Tensor forward(Tensor x, int[] validRows) {
        Tensor rows = x.reshape(x.dim(0) * x.dim(1), x.dim(2));
        return ValidRows.apply(norm, rows, masked ? validRows : null).reshape(x.shape());
    }
}

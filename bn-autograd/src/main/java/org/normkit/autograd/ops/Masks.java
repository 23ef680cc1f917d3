package org.normkit.autograd.ops;

import org.normkit.autograd.tensor.DType;
import org.normkit.autograd.tensor.Shape;
import org.normkit.autograd.tensor.ShapeException;
import org.normkit.autograd.tensor.Tensor;

/**
 * ***** non first class ops *****: masks for sequences, as constant 0/1 "keep" tensors (1 = attend, or valid), and
 * the one way to apply them to attention scores. Composed from {@code where}, so a masked score gets no gradient.
 *
 * <p>Masked scores are set to a large negative finite value rather than −∞: a query whose every key is masked (a
 * padded position, whose output no loss reads) then gets a uniform softmax instead of 0/0 = NaN, which PyTorch's
 * {@code masked_fill(-inf)} produces there.
 */
public final class Masks {
    /** exp(−1e9 − max) is 0 in float32 and float64, and −1e9 is finite in both. */
    public static final double MASKED_SCORE = -1e9;

    private Masks() {}

    /** (T, T): 1 where key j ≤ query i, so a position attends to itself and the past only. */
    public static Tensor causal(int steps, DType dtype) {
        requirePositive(steps, "causal");
        Tensor keep = Tensor.zeros(dtype, Shape.of(steps, steps));
        for (int i = 0; i < steps; i++) {
            for (int j = 0; j <= i; j++) {
                keep.set(i * steps + j, 1.0);
            }
        }
        return keep;
    }

    /** (B, T): 1 where position t is inside sequence b, t &lt; lengths[b]; 0 on the padding. */
    public static Tensor padding(int[] lengths, int steps, DType dtype) {
        requirePositive(steps, "padding");
        Tensor valid = Tensor.zeros(dtype, Shape.of(lengths.length, steps));
        for (int b = 0; b < lengths.length; b++) {
            if (lengths[b] < 0 || lengths[b] > steps) {
                throw new ShapeException("padding: sequence " + b + " has length " + lengths[b] + ", outside [0, "
                        + steps + "]; pad the batch to its longest sequence");
            }
            for (int t = 0; t < lengths[b]; t++) {
                valid.set(b * steps + t, 1.0);
            }
        }
        return valid;
    }

    /**
     * The (B, 1, 1, T) key mask of attention scores (B, heads, T, T) from a (B, T) padding mask, combined with the
     * causal mask when {@code causal}: what {@link #apply} takes for a batch of padded sequences.
     */
    public static Tensor attention(Tensor valid, boolean causal) {
        if (valid.rank() != 2) {
            throw new ShapeException("attention mask: expected a (batch, steps) padding mask, got " + valid.shape());
        }
        Tensor keys = valid.detach().reshape(valid.dim(0), 1, 1, valid.dim(1));
        return causal ? keys.mul(causal(valid.dim(1), valid.dtype())) : keys;
    }

    /** {@code scores} where {@code keep} (broadcast) is non-zero, else {@value #MASKED_SCORE}. */
    public static Tensor apply(Tensor scores, Tensor keep) {
        return Tensor.where(keep, scores, Tensor.scalar(MASKED_SCORE, scores.dtype()));
    }

    private static void requirePositive(int steps, String op) {
        if (steps < 1) {
            throw new ShapeException(op + " mask: " + steps + " steps; a sequence mask needs at least one step");
        }
    }
}

package org.normkit.autograd.spi;

import org.normkit.autograd.tensor.Tensor;

/**
 * The fast face of a normalization: a kernel pair like ATen's forward/backward functions. The forward writes y
 * into a preallocated {@code out} and returns what the analytic backward consumes; the backward computes only the
 * gradients the mask asks for. Neither touches running statistics: the layer updates them once, outside both faces.
 */
public interface FusedNorm {

    /**
     * Normalises {@code x} with {@code use} and applies the affine map ({@code gamma}, {@code beta} null when the
     * layer has none), writing into {@code out} (same shape and dtype as {@code x}).
     */
    Saved forward(Tensor x, Tensor gamma, Tensor beta, Statistics use, Tensor out);

    /** ∂L/∂x, ∂L/∂γ, ∂L/∂β for the masked ones; the others are null. */
    Gradients backward(Tensor gradOutput, Tensor x, Saved saved, Tensor gamma, GradMask mask);

    /**
     * Per-statistics-set mean and reciprocal standard deviation 1/sqrt(σ² + eps), float64, one entry per set, plus
     * whether they came from the batch (then the gradient flows through them) or were given constants.
     */
    record Saved(Tensor mean, Tensor rstd, boolean fromBatch) {}

    /** The gradients a backward computed; entries not asked for are null. */
    record Gradients(Tensor input, Tensor weight, Tensor bias) {}

    /** Which gradients to compute, like ATen's {@code grad_input_mask}. */
    record GradMask(boolean input, boolean weight, boolean bias) {
        public static GradMask all() {
            return new GradMask(true, true, true);
        }
    }
}

package org.normkit.autograd.spi;

import org.normkit.autograd.tensor.DType;
import org.normkit.autograd.tensor.Shape;
import org.normkit.autograd.tensor.Tensor;

/**
 * The fast face of a normalization: a kernel pair like ATen's forward/backward functions. The forward writes y
 * into a preallocated {@code out} and returns what the analytic backward consumes; the backward computes only the
 * gradients the mask asks for. Neither touches running statistics: the layer updates them once, outside both faces.
 * The one exception is state that a norm's rule updates in its backward by definition (PowerNorm's running gradient
 * statistic, {@link Normalization#approximateBackward}): both faces then update it, each from its own sums.
 */
public interface FusedNorm {

    /**
     * Normalises {@code x} with {@code use} and applies the affine map ({@code gamma}, {@code beta} null when the
     * layer has none), writing into {@code out} (same shape and dtype as {@code x}).
     */
    Saved forward(Tensor x, Tensor gamma, Tensor beta, Statistics use, Tensor out);

    /** ∂L/∂x, ∂L/∂γ, ∂L/∂β for the masked ones; the others are null. ∂L/∂x is a fresh tensor. */
    Gradients backward(Tensor gradOutput, Tensor x, Saved saved, Tensor gamma, GradMask mask);

    /**
     * As {@link #backward(Tensor, Tensor, Saved, Tensor, GradMask)}, with ∂L/∂x written into {@code gradInput} (x's
     * shape and dtype, sharing storage with neither x nor the output gradient) when the mask asks for it; the
     * returned {@code input} is then {@code gradInput}. This is the backward's counterpart of the forward's
     * {@code out}: a fresh ∂L/∂x is an array the JVM zeroes before the kernel overwrites every element, one more
     * write pass over the tensor than ATen's uninitialised {@code empty}, and for a tensor of half a heap region or
     * more a humongous allocation. A caller that runs the backward again and again (a benchmark, a training loop
     * with its own buffers) hands the same tensor every time.
     *
     * <p>The default computes into a fresh tensor and copies it, so a face that does not override it is correct,
     * not faster.
     */
    default Gradients backward(Tensor gradOutput, Tensor x, Saved saved, Tensor gamma, GradMask mask,
                               Tensor gradInput) {
        Gradients fresh = backward(gradOutput, x, saved, gamma, mask);
        if (!mask.input()) {
            return fresh;
        }
        requireGradInput("fused backward", x, gradOutput, gradInput);
        gradInput.copyFrom(fresh.input());
        return new Gradients(gradInput, fresh.weight(), fresh.bias());
    }

    /**
     * Throws unless {@code gradInput} can take ∂L/∂x of {@code x}: x's shape and dtype, and storage of its own (the
     * kernels read x and the output gradient while they write it).
     */
    static void requireGradInput(String op, Tensor x, Tensor gradOutput, Tensor gradInput) {
        Shape.requireSame(x.shape(), gradInput.shape(), op, "the input-gradient tensor");
        if (gradInput.dtype() != x.dtype()) {
            throw new IllegalArgumentException(op + ": the input-gradient tensor is " + gradInput.dtype()
                    + " but the input is " + x.dtype() + ": allocate it with the input's dtype");
        }
        if (sameStorage(gradInput, x) || sameStorage(gradInput, gradOutput)) {
            throw new IllegalArgumentException(op + ": the input-gradient tensor shares its storage with the "
                    + (sameStorage(gradInput, x) ? "input" : "output gradient") + ", which the backward still reads "
                    + "while it writes: give it a tensor of its own");
        }
    }

    private static boolean sameStorage(Tensor a, Tensor b) {
        if (a.dtype() != b.dtype()) {
            return false;
        }
        return a.dtype() == DType.FLOAT32 ? a.floatData() == b.floatData() : a.doubleData() == b.doubleData();
    }

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

package org.normkit.autograd.nn;

import java.util.SplittableRandom;

import org.normkit.autograd.ops.MatMul;
import org.normkit.autograd.tensor.DType;
import org.normkit.autograd.tensor.Shape;
import org.normkit.autograd.tensor.ShapeException;
import org.normkit.autograd.tensor.Tensor;

/**
 * y = x·Wᵀ + b over the last axis, {@code torch.nn.Linear}: weight (out, in) and bias (out), state-dict names
 * {@code weight} and {@code bias}. Inputs are (..., in), or a single sample (in); the product reads the weight transposed in place
 * ({@link Tensor#matmulTransposed}), so no transposed copy is made per step. Initialised as PyTorch does
 * ({@link Init}).
 *
 * <pre>{@code
 * Linear fc = new Linear(784, 256, new SplittableRandom(0));
 * Tensor y = fc.forward(x);          // (128, 784) -> (128, 256)
 * }</pre>
 */
public final class Linear extends Module {
    private final int inFeatures;
    private final int outFeatures;
    private final Parameter weight;
    private final Parameter bias;

    /** float32, with a bias. */
    public Linear(int inFeatures, int outFeatures, SplittableRandom random) {
        this(inFeatures, outFeatures, true, DType.FLOAT32, random);
    }

    public Linear(int inFeatures, int outFeatures, long seed) {
        this(inFeatures, outFeatures, new SplittableRandom(seed));
    }

    public Linear(int inFeatures, int outFeatures, boolean bias, DType dtype, SplittableRandom random) {
        if (inFeatures < 1 || outFeatures < 1) {
            throw new IllegalArgumentException("Linear(" + inFeatures + " -> " + outFeatures
                    + "): both feature counts must be >= 1");
        }
        this.inFeatures = inFeatures;
        this.outFeatures = outFeatures;
        this.weight = registerParameter("weight",
                Init.defaultUniform(Shape.of(outFeatures, inFeatures), inFeatures, dtype, random));
        this.bias = bias ? registerParameter("bias", Init.defaultUniform(Shape.of(outFeatures), inFeatures, dtype, random))
                : null;
    }

    @Override
    public Tensor forward(Tensor x) {
        if (x.rank() == 0 || x.dim(-1) != inFeatures) {
            throw new ShapeException(this + ": input of shape " + x.shape() + " must have " + inFeatures
                    + " features in its last dimension; flatten images first, e.g. Flatten or x.flatten(1)");
        }
        if (x.rank() == 1) {
            // A single sample, as PyTorch allows: (in) -> (out).
            return forward(x.reshape(1, inFeatures)).reshape(outFeatures);
        }
        return MatMul.linear(x, weight.value(), bias == null ? null : bias.value());
    }

    public Parameter weight() {
        return weight;
    }

    /** The bias, or null for a layer built without one. */
    public Parameter bias() {
        return bias;
    }

    public int inFeatures() {
        return inFeatures;
    }

    public int outFeatures() {
        return outFeatures;
    }

    @Override
    public String toString() {
        return "Linear(" + inFeatures + " -> " + outFeatures + (bias == null ? ", no bias" : "") + ")";
    }
}

package org.normkit.autograd.nn;

import java.util.SplittableRandom;

import org.normkit.autograd.tensor.DType;
import org.normkit.autograd.tensor.Shape;
import org.normkit.autograd.tensor.Tensor;

/**
 * Inverted dropout, {@code torch.nn.Dropout}: in training each element is zeroed with probability p and the
 * survivors are scaled by 1/(1 − p), so the expected output equals the input and evaluation needs no rescaling; in
 * eval mode it is the identity. p = 1 zeroes everything. The masks come from the layer's own seeded generator: the
 * same seed gives the same sequence of masks.
 */
public final class Dropout extends Module {
    private final double p;
    private final SplittableRandom random;

    public Dropout(double p, long seed) {
        this(p, new SplittableRandom(seed));
    }

    public Dropout(double p, SplittableRandom random) {
        if (!(p >= 0 && p <= 1)) {
            throw new IllegalArgumentException("Dropout: p = " + p + " is not a probability; use a value in [0, 1] "
                    + "(PyTorch's default is 0.5)");
        }
        this.p = p;
        this.random = random;
    }

    @Override
    public Tensor forward(Tensor x) {
        if (!isTraining() || p == 0) {
            return x;
        }
        return x.mul(mask(x.shape(), x));
    }

    /** 1/(1 − p) where an element survives, 0 where it is dropped; a constant, so no gradient flows into it. */
    private Tensor mask(Shape shape, Tensor like) {
        Tensor mask = Tensor.zeros(like.dtype(), shape);
        if (p == 1) {
            return mask;
        }
        double keep = 1 - p;
        double scale = 1 / keep;
        if (like.dtype() == DType.FLOAT32) {
            float[] m = mask.floatData();
            for (int i = 0; i < m.length; i++) {
                m[i] = random.nextDouble() < keep ? (float) scale : 0f;
            }
        } else {
            double[] m = mask.doubleData();
            for (int i = 0; i < m.length; i++) {
                m[i] = random.nextDouble() < keep ? scale : 0.0;
            }
        }
        return mask;
    }

    public double p() {
        return p;
    }

    @Override
    public String toString() {
        return "Dropout(p=" + p + ")";
    }
}

package org.normkit.autograd.ops;

import org.normkit.autograd.tensor.Shape;
import org.normkit.autograd.tensor.Tensor;

/**
 * ***** non first class ops *****
 *
 * <p>Everything here is composed from the primitives and has no backward of its own: its gradient is whatever the
 * chain rule through the primitives gives. That makes these the obviously right versions, and the reference faces of
 * the norms are written with them.
 */
public final class Composed {
    private static final double SQRT_HALF = Math.sqrt(0.5);

    private Composed() {}

    public static Tensor sumAll(Tensor x) {
        return Reduce.sum(x, new int[0], false);
    }

    public static Tensor meanAll(Tensor x) {
        return sumAll(x).div(Math.max(1, x.numel()));
    }

    public static Tensor mean(Tensor x, int[] axes, boolean keepDim) {
        return Reduce.sum(x, axes, keepDim).div(count(x.shape(), axes));
    }

    /**
     * Two-pass variance: the mean first, then the mean squared deviation from it, which keeps the digits that the
     * one-pass E[x²] − E[x]² loses to cancellation. Bessel's correction (divide by m − 1) when {@code unbiased}.
     */
    public static Tensor var(Tensor x, int[] axes, boolean unbiased, boolean keepDim) {
        int m = count(x.shape(), axes);
        Tensor centered = x.sub(mean(x, axes, true));
        Tensor sumSquares = Reduce.sum(centered.mul(centered), axes, keepDim);
        return sumSquares.div(unbiased ? m - 1 : m);
    }

    public static Tensor rsqrt(Tensor x) {
        return x.sqrt().pow(-1.0);
    }

    /** x where x &gt; 0, else 0: through {@code where}, so x = 0 gets no gradient, as torch.relu (maximum would split it). */
    public static Tensor relu(Tensor x) {
        Tensor zero = Tensor.scalar(0.0, x.dtype());
        return Tensor.where(x.gt(zero), x, zero);
    }

    /**
     * 1 / (1 + e^(−x)) composed from primitives; saturates to exactly 0 or 1 without producing NaN. The reference for
     * the {@link Unary#sigmoid} primitive, which {@link Tensor#sigmoid()} uses.
     */
    public static Tensor sigmoid(Tensor x) {
        return x.neg().exp().add(1.0).pow(-1.0);
    }

    /** 2·sigmoid(2x) − 1, which stays finite where (e^x − e^(−x))/(e^x + e^(−x)) overflows. */
    public static Tensor tanh(Tensor x) {
        return Unary.sigmoid(x.mul(2.0)).mul(2.0).sub(1.0);
    }

    /** The exact GELU, x·Φ(x) = x/2·(1 + erf(x/√2)), PyTorch's default. */
    public static Tensor gelu(Tensor x) {
        return x.mul(0.5).mul(x.mul(SQRT_HALF).erf().add(1.0));
    }

    /** Softmax along {@code axis}, shifted by the (constant) maximum so exp cannot overflow. */
    public static Tensor softmax(Tensor x, int axis) {
        Tensor shifted = x.sub(x.detach().max(new int[] {axis}, true));
        Tensor e = shifted.exp();
        return e.div(e.sum(new int[] {axis}, true));
    }

    /** log(softmax(x)) computed as x − max − log Σ e^(x − max), without forming the softmax. */
    public static Tensor logSoftmax(Tensor x, int axis) {
        Tensor shifted = x.sub(x.detach().max(new int[] {axis}, true));
        return shifted.sub(shifted.exp().sum(new int[] {axis}, true).log());
    }

    /** Collapses the dimensions from {@code fromAxis} on into one. */
    public static Tensor flatten(Tensor x, int fromAxis) {
        int a = x.shape().normalizeAxis(fromAxis, "flatten");
        int[] dims = new int[a + 1];
        for (int i = 0; i < a; i++) {
            dims[i] = x.dim(i);
        }
        dims[a] = x.shape().product(a, x.rank());
        return x.reshape(Shape.of(dims));
    }

    public static Tensor transpose(Tensor x, int axisA, int axisB) {
        int[] order = Reduce.allAxes(x.rank());
        int a = x.shape().normalizeAxis(axisA, "transpose");
        int b = x.shape().normalizeAxis(axisB, "transpose");
        order[a] = b;
        order[b] = a;
        return x.permute(order);
    }

    /** Number of elements reduced over {@code axes} (every axis when empty). */
    static int count(Shape shape, int[] axes) {
        if (axes.length == 0) {
            return shape.numel();
        }
        int m = 1;
        for (int axis : axes) {
            m *= shape.dim(axis);
        }
        return m;
    }
}

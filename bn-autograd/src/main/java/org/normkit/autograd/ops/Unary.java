package org.normkit.autograd.ops;

import java.util.function.DoubleUnaryOperator;

import org.normkit.autograd.graph.GradMode;
import org.normkit.autograd.graph.Node;
import org.normkit.autograd.loops.Elementwise;
import org.normkit.autograd.loops.ErrorFunction;
import org.normkit.autograd.tensor.DType;
import org.normkit.autograd.tensor.Tensor;

/**
 * Unary primitives, each forward beside its backward. A backward that uses a fused loop for speed (pow, erf,
 * sigmoid) composes the same derivative from primitives instead when grad mode is on, that is, in a backward pass
 * that builds a graph ({@code createGraph}), so its result can be differentiated again.
 */
public final class Unary {
    private static final double TWO_OVER_SQRT_PI = 2.0 / Math.sqrt(Math.PI);

    private Unary() {}

    public static Tensor neg(Tensor x) {
        Tensor out = Elementwise.map(x, Elementwise.UnaryOp.NEG);
        return Node.record(out, "neg", (g, needs) -> new Tensor[] {neg(g)}, x);
    }

    public static Tensor exp(Tensor x) {
        Tensor out = Elementwise.map(x, Elementwise.UnaryOp.EXP);
        return Node.record(out, "exp", (g, needs) -> new Tensor[] {Binary.mul(g, out)}, x);
    }

    public static Tensor log(Tensor x) {
        Tensor out = Elementwise.map(x, Math::log);
        return Node.record(out, "log", (g, needs) -> new Tensor[] {Binary.div(g, x)}, x);
    }

    public static Tensor sqrt(Tensor x) {
        Tensor out = Elementwise.map(x, Math::sqrt);
        return Node.record(out, "sqrt", (g, needs) ->
                new Tensor[] {Binary.div(g, Binary.mul(out, Tensor.scalar(2.0, out.dtype())))}, x);
    }

    /** {@code x^p} for a constant exponent. */
    public static Tensor pow(Tensor x, double p) {
        Tensor out = Elementwise.map(x, power(p));
        DoubleUnaryOperator slope = p == 2 ? v -> 2 * v : p == -1 ? v -> -1 / (v * v) : v -> p * Math.pow(v, p - 1);
        return Node.record(out, "pow", (g, needs) -> new Tensor[] {
            Binary.mul(g, GradMode.isEnabled() ? Binary.mul(pow(x, p - 1), Tensor.scalar(p, x.dtype()))
                    : Elementwise.map(x, slope))}, x);
    }

    /** v^p, with the exponents that composed ops use every step (reciprocal, square) spared a call to Math.pow. */
    private static DoubleUnaryOperator power(double p) {
        if (p == -1) {
            return Elementwise.UnaryOp.RECIPROCAL;
        }
        if (p == 2) {
            return Elementwise.UnaryOp.SQUARE;
        }
        return v -> Math.pow(v, p);
    }

    /** The Gauss error function; its derivative is 2/√π·e^(−x²). */
    public static Tensor erf(Tensor x) {
        Tensor out = Elementwise.map(x, ErrorFunction::erf);
        return Node.record(out, "erf", (g, needs) -> new Tensor[] {
            Binary.mul(g, GradMode.isEnabled()
                    ? Binary.mul(exp(neg(Binary.mul(x, x))), Tensor.scalar(TWO_OVER_SQRT_PI, x.dtype()))
                    : Elementwise.map(x, v -> TWO_OVER_SQRT_PI * Math.exp(-v * v)))}, x);
    }

    /**
     * The logistic function 1 / (1 + e^(−x)). A primitive, as in tinygrad, because its gradient needs only its
     * output, σ' = σ·(1 − σ): one pass forward and one back, where the composition {@link Composed#sigmoid}
     * (neg, exp, add, pow) makes eight. The tests hold the two against each other. Saturates to exactly 0 or 1.
     */
    public static Tensor sigmoid(Tensor x) {
        Tensor out = Elementwise.map(x, Elementwise.UnaryOp.SIGMOID);
        return Node.record(out, "sigmoid", (g, needs) -> new Tensor[] {GradMode.isEnabled()
            ? Binary.mul(g, Binary.mul(out, Binary.sub(Tensor.scalar(1.0, out.dtype()), out)))
            : Elementwise.mulSigmoidSlope(g.to(out.dtype()), out)}, x);
    }

    /** Converts to {@code target}; the gradient converts back. */
    public static Tensor cast(Tensor x, DType target) {
        if (x.dtype() == target) {
            return x;
        }
        Tensor out = Tensor.zeros(target, x.shape());
        out.copyFrom(x);
        DType source = x.dtype();
        return Node.record(out, "cast", (g, needs) -> new Tensor[] {cast(g, source)}, x);
    }
}

package org.normkit.autograd.ops;

import org.normkit.autograd.graph.FusedOp;
import org.normkit.autograd.graph.GradMode;
import org.normkit.autograd.graph.Node;
import org.normkit.autograd.loops.BiasLoops;
import org.normkit.autograd.loops.Gemm;
import org.normkit.autograd.tensor.Shape;
import org.normkit.autograd.tensor.ShapeException;
import org.normkit.autograd.tensor.Tensor;

/**
 * Matrix product of 2-d matrices, or batched over leading dimensions: {@code (..., M, K)·(..., K, N)}. The batch
 * dimensions must be equal, or one operand 2-d (then it is shared by every batch entry and its gradient summed).
 * Backward: dA = g·Bᵀ, dB = Aᵀ·g; in a backward pass that builds a graph ({@code createGraph}) the same products
 * through the primitive itself, so they can be differentiated again.
 */
public final class MatMul {
    private MatMul() {}

    public static Tensor matmul(Tensor a, Tensor b) {
        return multiply(a, b, false, "matmul");
    }

    /**
     * {@code a·bᵀ} over the last two axes, b stored (..., N, K): what a linear layer with PyTorch's (out, in) weight
     * needs, without a transposed copy of the weight. Backward: dA = g·B, dB = gᵀ·A. The same primitive as
     * {@link #matmul} with the second operand read transposed.
     */
    public static Tensor matmulTransposed(Tensor a, Tensor b) {
        return multiply(a, b, true, "matmulTransposed");
    }

    /**
     * A linear layer, x·wᵀ + b, as one fused op ("linear"): x (…, k), w (n, k), b (n). The product is
     * {@link #matmulTransposed}'s (one BLAS call over every row of x), and the bias is added in place to its fresh
     * output and summed from ∂L/∂y in its backward ({@link BiasLoops}), where {@code matmulTransposed(x, w).add(b)}
     * allocated a second (…, n) tensor, walked it through the broadcasting add and summed the bias gradient through
     * the generic reduction: the same values either way, to the bit. The analytic backward:
     * <pre>
     *   ∂x = g·w,   ∂w = gᵀ·x (over every row),   ∂b = Σ_rows g
     * </pre>
     * In a backward pass that builds a graph the composition is differentiated instead ({@link ReferenceGradients}).
     * Operands of different dtypes, or a b that is null, take the composition.
     */
    public static Tensor linear(Tensor x, Tensor w, Tensor b) {
        if (b == null || x.rank() < 2 || w.rank() != 2 || b.rank() != 1 || x.dtype() != w.dtype()
                || b.dtype() != x.dtype() || b.dim(0) != w.dim(0) || x.dim(-1) != w.dim(1)) {
            Tensor y = matmulTransposed(x, w);
            return b == null ? y : y.add(b);
        }
        int k = w.dim(1);
        int n = w.dim(0);
        int rows = x.numel() / k;
        int[] outDims = x.shape().dims().clone();
        outDims[outDims.length - 1] = n;
        Tensor out = Tensor.zeros(x.dtype(), Shape.of(outDims));
        Gemm.batched(false, true, x, w, out, rows, n, k, 1);
        BiasLoops.addToRows(out, b);
        return FusedOp.record("linear", out, new Tensor[] {x, w, b}, (g, needs) -> {
            Tensor grad = g.dtype() == x.dtype() ? g : g.to(x.dtype());
            Tensor gx = null;
            Tensor gw = null;
            Tensor gb = null;
            if (needs[0]) {
                gx = Tensor.zeros(x.dtype(), x.shape());
                Gemm.batched(false, false, grad, w, gx, rows, k, n, 1);
            }
            if (needs[1]) {
                gw = Tensor.zeros(w.dtype(), w.shape());
                Gemm.batched(true, false, grad, x, gw, n, k, rows, 1);
            }
            if (needs[2]) {
                gb = Tensor.of(b.dtype(), BiasLoops.columnSums(grad, n), b.shape());
            }
            return new Tensor[] {gx, gw, gb};
        }, (g, needs) -> ReferenceGradients.of(in -> matmulTransposed(in[0], in[1]).add(in[2]),
                new Tensor[] {x, w, b}, needs, g));
    }

    private static Tensor multiply(Tensor a, Tensor b, boolean transB, String op) {
        Tensor[] p = Promotion.promote(a, b);
        Tensor x = p[0];
        Tensor y = p[1];
        if (x.rank() < 2 || y.rank() < 2) {
            throw new ShapeException(op + ": both operands need at least 2 dimensions, got " + x.shape() + " and "
                    + y.shape() + "; reshape a vector v to (1, n) or (n, 1)");
        }
        int m = x.dim(-2);
        int k = x.dim(-1);
        int n = transB ? y.dim(-2) : y.dim(-1);
        int yk = transB ? y.dim(-1) : y.dim(-2);
        if (yk != k) {
            throw new ShapeException(op + ": shapes " + x.shape() + " and " + y.shape() + " cannot be multiplied: "
                    + "the last dimension of the first (" + k + ") must equal the "
                    + (transB ? "last" : "second-to-last") + " of the second (" + yk + ")");
        }
        Shape batchX = Shape.of(java.util.Arrays.copyOf(x.shape().dims(), x.rank() - 2));
        Shape batchY = Shape.of(java.util.Arrays.copyOf(y.shape().dims(), y.rank() - 2));
        Shape batch;
        if (batchX.equals(batchY) || batchY.rank() == 0) {
            batch = batchX;
        } else if (batchX.rank() == 0) {
            batch = batchY;
        } else {
            throw new ShapeException(op + ": batch dimensions " + batchX + " of " + x.shape() + " and " + batchY
                    + " of " + y.shape() + " differ; make them equal, or pass one operand as a 2-d matrix");
        }
        int[] outDims = java.util.Arrays.copyOf(batch.dims(), batch.rank() + 2);
        outDims[batch.rank()] = m;
        outDims[batch.rank() + 1] = n;
        Tensor out = Tensor.zeros(x.dtype(), Shape.of(outDims));
        int batches = batch.numel();
        // A shared 2-d second operand (a linear layer's weight applied to (B, T, in)) makes the batch one product
        // of B·M rows: one BLAS call instead of B small ones, forward and backward (the weight's gradient then sums
        // over all B·M rows in one call rather than accumulating B products).
        boolean stacked = batchY.rank() == 0 && batches > 1;
        int rows = stacked ? m * batches : m;
        int products = stacked ? 1 : batches;
        Gemm.batched(false, transB, x, y, out, rows, n, k, products);
        return Node.record(out, "matmul", (g, needs) -> {
            if (GradMode.isEnabled()) {
                return differentiableGradients(g, x, y, transB, needs);
            }
            Tensor gx = null;
            Tensor gy = null;
            if (needs[0]) {
                gx = Tensor.zeros(x.dtype(), x.shape());
                Gemm.batched(false, !transB, g, y, gx, rows, k, n, products);
            }
            if (needs[1]) {
                gy = Tensor.zeros(y.dtype(), y.shape());
                if (transB) {
                    Gemm.batched(true, false, g, x, gy, n, k, rows, products);
                } else {
                    Gemm.batched(true, false, x, g, gy, k, n, rows, products);
                }
            }
            return new Tensor[] {gx, gy};
        }, x, y);
    }

    /** The same gradients as products recorded in the graph; a shared (2-d) operand's gradient summed over batches. */
    private static Tensor[] differentiableGradients(Tensor g, Tensor x, Tensor y, boolean transB, boolean[] needs) {
        Tensor gx = null;
        Tensor gy = null;
        if (needs[0]) {
            gx = Reduce.sumTo(transB ? matmul(g, y) : matmulTransposed(g, y), x.shape());
        }
        if (needs[1]) {
            gy = Reduce.sumTo(transB ? matmul(Composed.transpose(g, -2, -1), x)
                    : matmul(Composed.transpose(x, -2, -1), g), y.shape());
        }
        return new Tensor[] {gx, gy};
    }
}

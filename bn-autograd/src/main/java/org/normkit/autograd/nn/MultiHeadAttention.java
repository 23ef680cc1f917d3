package org.normkit.autograd.nn;

import java.util.SplittableRandom;

import org.normkit.autograd.ops.Attention;
import org.normkit.autograd.ops.Masks;
import org.normkit.autograd.ops.MatMul;
import org.normkit.autograd.tensor.DType;
import org.normkit.autograd.tensor.Shape;
import org.normkit.autograd.tensor.ShapeException;
import org.normkit.autograd.tensor.Tensor;

/**
 * Multi-head scaled dot-product self-attention, {@code torch.nn.MultiheadAttention(d, heads, batch_first=True)}
 * with query = key = value: softmax(Q·Kᵀ/√(d/heads) + mask)·V per head, heads concatenated, then the output
 * projection (Vaswani et al. 2017). The input projection is one product to the packed (B, T, 3d) [Q | K | V]; the
 * heads' attention is one fused op on it ({@link Attention#selfAttention}, held against its composition from
 * primitives, {@link Attention#composed}), which reads every head in place and writes the joined context.
 *
 * <p>Parameters as PyTorch names and initialises them: {@code in_proj_weight} (3d, d) Xavier-uniform,
 * {@code in_proj_bias} zeros, {@code out_proj.weight} (d, d) with Linear's default and {@code out_proj.bias} zeros.
 * Inputs are (B, T, d); the optional keep mask broadcasts against the scores (B, heads, T, T), e.g.
 * {@link Masks#attention}.
 */
public final class MultiHeadAttention extends Module {
    private final int dim;
    private final int heads;
    private final Parameter inProjWeight;
    private final Parameter inProjBias;
    private final Linear outProj;

    public MultiHeadAttention(int dim, int heads, DType dtype, SplittableRandom random) {
        if (dim < 1 || heads < 1 || dim % heads != 0) {
            throw new IllegalArgumentException("MultiHeadAttention(" + dim + ", heads=" + heads + "): the model "
                    + "width must be a positive multiple of the head count, e.g. 64 with 4 heads");
        }
        this.dim = dim;
        this.heads = heads;
        double bound = Math.sqrt(6.0 / (dim + 3 * dim));
        this.inProjWeight = registerParameter("in_proj_weight",
                Tensor.uniform(dtype, Shape.of(3 * dim, dim), -bound, bound, random));
        this.inProjBias = registerParameter("in_proj_bias", Tensor.zeros(dtype, Shape.of(3 * dim)));
        this.outProj = registerChild("out_proj", new Linear(dim, dim, true, dtype, random));
        outProj.bias().value().copyFrom(Tensor.zeros(dtype, Shape.of(dim)));
    }

    /** Attention over every position of every sequence: no mask. */
    @Override
    public Tensor forward(Tensor x) {
        return forward(x, null);
    }

    /** @param keep 1 where a query may attend to a key, 0 elsewhere; null attends everywhere */
    public Tensor forward(Tensor x, Tensor keep) {
        if (x.rank() != 3 || x.dim(2) != dim) {
            throw new ShapeException(this + ": expected input (batch, steps, " + dim + "), got " + x.shape());
        }
        Tensor qkv = MatMul.linear(x, inProjWeight.value(), inProjBias.value());
        return outProj.forward(Attention.selfAttention(qkv, heads, keep));
    }

    @Override
    public String toString() {
        return "MultiHeadAttention(" + dim + ", heads=" + heads + ")";
    }
}

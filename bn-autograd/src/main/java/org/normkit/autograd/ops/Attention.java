package org.normkit.autograd.ops;

import org.normkit.autograd.graph.FusedOp;
import org.normkit.autograd.loops.AttentionLoops;
import org.normkit.autograd.tensor.Shape;
import org.normkit.autograd.tensor.ShapeException;
import org.normkit.autograd.tensor.Tensor;

/**
 * Scaled dot-product self-attention over heads as one fused op (Vaswani et al. 2017), on the packed input
 * projection: qkv (B, T, 3d) holds [Q | K | V] along its last axis, each split into {@code heads} runs of d/heads
 * features, as {@code torch.nn.MultiheadAttention}'s {@code in_proj} lays them out. Per sequence b and head h:
 * <pre>
 *   context[b, :, h] = softmax(Q·Kᵀ/√(d/heads) + mask)·V                                     (B, T, d)
 * </pre>
 * with masked scores set to {@link Masks#MASKED_SCORE}. Composed ({@link #composed}, also its reference) the heads
 * are split with three narrows and three permutes and joined with a permute, each a copy forward and backward, and
 * the narrows' backwards three zero (B, T, 3d) gradients summed: a profile of the transformer's training step put a
 * seventh of its time there. Fused, every product reads Q, K and V in place from qkv and writes the context in place
 * ({@link AttentionLoops}), and the scores are masked, shifted by their row maxima, exponentiated and normalised
 * row by row while each head's block is in cache, with the exp primitive's loop and {@link Softmax}'s sums, so the
 * values are the composition's (to the bit in float32 when the scale is a power of two). The analytic backward, one head at a time:
 * <pre>
 *   dV = Pᵀ·dC,  dP = dC·Vᵀ,  dS = P·(dP − Σ dP·P) (0 at masked scores),  dQ = dS·K/√(d/heads),  dK = dSᵀ·Q/√(d/heads)
 * </pre>
 * The mask is a constant: it gets no gradient. In a backward pass that builds a graph ({@code createGraph}) the
 * composed reference is differentiated instead ({@link ReferenceGradients}), so gradients of gradients follow.
 */
public final class Attention {
    private Attention() {}

    /**
     * The context (B, T, d) of self-attention over {@code heads} heads of the packed projection qkv (B, T, 3d).
     *
     * @param keep 1 where a query may attend to a key, 0 elsewhere, broadcasting against the scores
     *             (B, heads, T, T), e.g. {@link Masks#attention}; null attends everywhere
     */
    public static Tensor selfAttention(Tensor qkv, int heads, Tensor keep) {
        int headWidth = headWidth(qkv, heads, keep);
        double scale = 1.0 / Math.sqrt(headWidth);
        Shape scoreShape = Shape.of(qkv.dim(0), heads, qkv.dim(1), qkv.dim(1));
        AttentionLoops.Keep flags = keep == null ? null : AttentionLoops.Keep.of(keep, scoreShape);
        Tensor probabilities = AttentionLoops.probabilities(qkv, heads, scale, flags, Masks.MASKED_SCORE);
        Tensor context = AttentionLoops.context(probabilities, qkv, heads);
        return FusedOp.record("attention", context, new Tensor[] {qkv},
                (g, needs) -> new Tensor[] {
                    AttentionLoops.backward(g.to(qkv.dtype()), probabilities, qkv, heads, scale, flags)},
                (g, needs) -> ReferenceGradients.of(in -> composed(in[0], heads, keep), new Tensor[] {qkv}, needs, g));
    }

    /**
     * {@link #selfAttention} composed from primitives: narrows and permutes split the heads, the queries are scaled
     * (rather than the scores: fewer elements, the same values when 1/√(d/heads) is a power of two), batched products
     * over (B, heads), {@link Masks#apply}, {@link Softmax}, a permute joins the heads. The fused op's reference.
     */
    public static Tensor composed(Tensor qkv, int heads, Tensor keep) {
        int headWidth = headWidth(qkv, heads, keep);
        int batch = qkv.dim(0);
        int steps = qkv.dim(1);
        int width = qkv.dim(2) / 3;
        Tensor q = split(qkv.narrow(2, 0, width), heads, headWidth);
        Tensor k = split(qkv.narrow(2, width, width), heads, headWidth);
        Tensor v = split(qkv.narrow(2, 2 * width, width), heads, headWidth);
        Tensor scores = q.mul(1.0 / Math.sqrt(headWidth)).matmulTransposed(k);
        if (keep != null) {
            scores = Masks.apply(scores, keep);
        }
        return Softmax.softmax(scores, -1).matmul(v).permute(0, 2, 1, 3).reshape(batch, steps, width);
    }

    /** (B, T, d) → (B, heads, T, d/heads). */
    private static Tensor split(Tensor x, int heads, int headWidth) {
        return x.reshape(x.dim(0), x.dim(1), heads, headWidth).permute(0, 2, 1, 3);
    }

    /** d/heads after checking the shapes of qkv and the mask. */
    private static int headWidth(Tensor qkv, int heads, Tensor keep) {
        if (qkv.rank() != 3 || qkv.dim(2) % 3 != 0 || heads < 1 || qkv.dim(2) / 3 % heads != 0
                || qkv.dim(2) == 0 || qkv.dim(1) == 0) {
            throw new ShapeException("attention: expected the packed projection (batch, steps, 3·width) with the "
                    + "width a positive multiple of the " + heads + " heads, got " + qkv.shape()
                    + "; project the input to [queries | keys | values] first");
        }
        if (keep != null) {
            Shape scores = Shape.of(qkv.dim(0), heads, qkv.dim(1), qkv.dim(1));
            if (keep.rank() > 4 || !keep.shape().broadcastsTo(scores)) {
                throw new ShapeException("attention: a keep mask of shape " + keep.shape() + " does not broadcast "
                        + "against the scores (batch, heads, steps, steps) = " + scores + "; build it with "
                        + "Masks.attention");
            }
        }
        return qkv.dim(2) / 3 / heads;
    }
}

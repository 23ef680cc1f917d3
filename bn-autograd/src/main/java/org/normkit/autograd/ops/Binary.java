package org.normkit.autograd.ops;

import org.normkit.autograd.graph.Node;
import org.normkit.autograd.loops.Elementwise;
import org.normkit.autograd.tensor.Shape;
import org.normkit.autograd.tensor.Tensor;

/**
 * Binary primitives with broadcasting, each forward beside its backward. The backward of a broadcast is a sum
 * over the broadcast dimensions ({@link Reduce#sumTo}): a value used many times collects all their gradients.
 * Operands of different dtypes are promoted as PyTorch does. The backwards use the operands and outputs themselves
 * (not detached copies), so that under {@code createGraph} the gradients they return can be differentiated again;
 * the masks of maximum and where are constants, as their derivatives are zero almost everywhere.
 */
public final class Binary {
    private Binary() {}

    public static Tensor add(Tensor a, Tensor b) {
        Tensor[] p = Promotion.promote(a, b);
        Shape shape = Shape.broadcast(p[0].shape(), p[1].shape(), "add");
        Tensor out = Elementwise.map(p[0], p[1], shape, Elementwise.Op.ADD);
        return Node.record(out, "add", (g, needs) -> new Tensor[] {
            needs[0] ? Reduce.sumTo(g, p[0].shape()) : null,
            needs[1] ? Reduce.sumTo(g, p[1].shape()) : null}, p[0], p[1]);
    }

    public static Tensor sub(Tensor a, Tensor b) {
        Tensor[] p = Promotion.promote(a, b);
        Shape shape = Shape.broadcast(p[0].shape(), p[1].shape(), "sub");
        Tensor out = Elementwise.map(p[0], p[1], shape, Elementwise.Op.SUB);
        return Node.record(out, "sub", (g, needs) -> new Tensor[] {
            needs[0] ? Reduce.sumTo(g, p[0].shape()) : null,
            needs[1] ? Reduce.sumTo(Unary.neg(g), p[1].shape()) : null}, p[0], p[1]);
    }

    public static Tensor mul(Tensor a, Tensor b) {
        Tensor[] p = Promotion.promote(a, b);
        Shape shape = Shape.broadcast(p[0].shape(), p[1].shape(), "mul");
        Tensor out = Elementwise.map(p[0], p[1], shape, Elementwise.Op.MUL);
        return Node.record(out, "mul", (g, needs) -> new Tensor[] {
            needs[0] ? Reduce.sumTo(mul(g, p[1]), p[0].shape()) : null,
            needs[1] ? Reduce.sumTo(mul(g, p[0]), p[1].shape()) : null}, p[0], p[1]);
    }

    public static Tensor div(Tensor a, Tensor b) {
        Tensor[] p = Promotion.promote(a, b);
        Shape shape = Shape.broadcast(p[0].shape(), p[1].shape(), "div");
        Tensor out = Elementwise.map(p[0], p[1], shape, Elementwise.Op.DIV);
        return Node.record(out, "div", (g, needs) -> new Tensor[] {
            needs[0] ? Reduce.sumTo(div(g, p[1]), p[0].shape()) : null,
            // d(a/b)/db = −a/b² = −out/b
            needs[1] ? Reduce.sumTo(Unary.neg(div(mul(g, out), p[1])), p[1].shape()) : null},
            p[0], p[1]);
    }

    /** Elementwise maximum; where both are equal the gradient is split evenly, as PyTorch does. */
    public static Tensor maximum(Tensor a, Tensor b) {
        Tensor[] p = Promotion.promote(a, b);
        Shape shape = Shape.broadcast(p[0].shape(), p[1].shape(), "maximum");
        Tensor out = Elementwise.map(p[0], p[1], shape, Elementwise.Op.MAX);
        return Node.record(out, "maximum", (g, needs) -> {
            Tensor share = Elementwise.map(p[0].detach(), p[1].detach(), shape,
                    (x, y) -> x > y ? 1.0 : x < y ? 0.0 : 0.5);
            return new Tensor[] {
                needs[0] ? Reduce.sumTo(mul(g, share), p[0].shape()) : null,
                needs[1] ? Reduce.sumTo(mul(g, Elementwise.map(share, v -> 1.0 - v)), p[1].shape()) : null};
        }, p[0], p[1]);
    }

    /** 1 where {@code a > b}, else 0; a comparison has no gradient. */
    public static Tensor greater(Tensor a, Tensor b) {
        Tensor[] p = Promotion.promote(a.detach(), b.detach());
        return Elementwise.map(p[0], p[1], Shape.broadcast(p[0].shape(), p[1].shape(), "greater"),
                Elementwise.Op.GREATER);
    }

    /** 1 where {@code a == b}, else 0; a comparison has no gradient. */
    public static Tensor equal(Tensor a, Tensor b) {
        Tensor[] p = Promotion.promote(a.detach(), b.detach());
        return Elementwise.map(p[0], p[1], Shape.broadcast(p[0].shape(), p[1].shape(), "equal"),
                Elementwise.Op.EQUAL);
    }

    /** {@code a} where {@code condition} is non-zero, else {@code b}; the condition gets no gradient. */
    public static Tensor where(Tensor condition, Tensor a, Tensor b) {
        Tensor[] p = Promotion.promote(a, b);
        Shape shape = Shape.broadcast(Shape.broadcast(condition.shape(), p[0].shape(), "where"), p[1].shape(), "where");
        Tensor[] pickedAndMask = Elementwise.select(condition.detach(), p[0].detach(), p[1].detach(), shape);
        Tensor picked = pickedAndMask[0];
        Tensor mask = pickedAndMask[1];
        return Node.record(picked, "where", (g, needs) -> new Tensor[] {
            needs[0] ? Reduce.sumTo(mul(g, mask), p[0].shape()) : null,
            needs[1] ? Reduce.sumTo(mul(g, Elementwise.map(mask, m -> 1.0 - m)), p[1].shape()) : null}, p[0], p[1]);
    }
}

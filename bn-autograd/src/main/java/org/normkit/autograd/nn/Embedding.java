package org.normkit.autograd.nn;

import java.util.SplittableRandom;

import org.normkit.autograd.ops.Indexing;
import org.normkit.autograd.tensor.DType;
import org.normkit.autograd.tensor.Shape;
import org.normkit.autograd.tensor.ShapeException;
import org.normkit.autograd.tensor.Tensor;

/**
 * A lookup table of {@code count} vectors of {@code dim} values, {@code torch.nn.Embedding}: indices of any shape
 * (...) give vectors (..., dim). The weight (count, dim) is drawn from N(0, 1) as PyTorch does; its gradient is the
 * scatter-add of the output's gradient rows ({@link Indexing#gatherRows}), so an index used twice in a batch gets
 * both contributions.
 */
public final class Embedding extends Module {
    private final int count;
    private final int dim;
    private final Parameter weight;

    public Embedding(int count, int dim, DType dtype, SplittableRandom random) {
        if (count < 1 || dim < 1) {
            throw new IllegalArgumentException("Embedding(" + count + ", " + dim + "): the table needs at least one "
                    + "entry of at least one value");
        }
        this.count = count;
        this.dim = dim;
        this.weight = registerParameter("weight", Tensor.randn(dtype, Shape.of(count, dim), random));
    }

    /** The vectors of {@code indices}, read as a tensor of whole numbers (as PyTorch takes a LongTensor). */
    @Override
    public Tensor forward(Tensor indices) {
        int[] rows = new int[indices.numel()];
        for (int i = 0; i < rows.length; i++) {
            double v = indices.get(i);
            if (v != Math.rint(v)) {
                throw new ShapeException(this + ": index " + v + " at position " + i + " is not a whole number; "
                        + "pass token ids");
            }
            rows[i] = (int) v;
        }
        return lookup(rows, indices.shape());
    }

    /** The vectors of {@code rows} laid out as {@code shape} + (dim). */
    public Tensor lookup(int[] rows, Shape shape) {
        if (shape.numel() != rows.length) {
            throw new ShapeException(this + ": " + rows.length + " indices do not fill shape " + shape);
        }
        int[] dims = java.util.Arrays.copyOf(shape.dims(), shape.rank() + 1);
        dims[shape.rank()] = dim;
        return Indexing.gatherRows(weight.value(), rows).reshape(Shape.of(dims));
    }

    public Parameter weight() {
        return weight;
    }

    @Override
    public String toString() {
        return "Embedding(" + count + ", " + dim + ")";
    }
}

package org.normkit.autograd.ops;

import java.util.Arrays;

import org.normkit.autograd.graph.Node;
import org.normkit.autograd.loops.Elementwise;
import org.normkit.autograd.tensor.Shape;
import org.normkit.autograd.tensor.ShapeException;
import org.normkit.autograd.tensor.Tensor;

/** Movement primitives: they rearrange elements and never change a value. Each backward moves gradients back. */
public final class Movement {
    private Movement() {}

    /** The same elements in another shape (storage shared). One size may be -1: inferred from the others. */
    public static Tensor reshape(Tensor x, int... dims) {
        int[] d = dims.clone();
        int infer = -1;
        int known = 1;
        for (int i = 0; i < d.length; i++) {
            if (d[i] == -1) {
                if (infer >= 0) {
                    throw new ShapeException("reshape: only one size may be -1, got " + Arrays.toString(dims));
                }
                infer = i;
            } else {
                known *= d[i];
            }
        }
        if (infer >= 0) {
            if (known == 0 || x.numel() % known != 0) {
                throw new ShapeException("reshape: cannot infer -1 in " + Arrays.toString(dims) + " for "
                        + x.numel() + " elements of shape " + x.shape());
            }
            d[infer] = x.numel() / known;
        }
        return reshape(x, Shape.of(d));
    }

    public static Tensor reshape(Tensor x, Shape shape) {
        if (shape.numel() != x.numel()) {
            throw new ShapeException("reshape: cannot view shape " + x.shape() + " (" + x.numel()
                    + " elements) as " + shape + " (" + shape.numel() + " elements)");
        }
        if (shape.equals(x.shape())) {
            return x;
        }
        Tensor out = x.viewAs(shape);
        Shape in = x.shape();
        return Node.record(out, "reshape", (g, needs) -> new Tensor[] {reshape(g, in)}, x);
    }

    /** Reorders the axes: output axis i is input axis {@code order[i]}. */
    public static Tensor permute(Tensor x, int... order) {
        int rank = x.rank();
        if (order.length != rank) {
            throw new ShapeException("permute: order " + Arrays.toString(order) + " has " + order.length
                    + " axes for a tensor of shape " + x.shape() + "; list each of its " + rank + " axes once");
        }
        boolean[] seen = x.shape().reducedMask(order, "permute");
        assert seen.length == rank;
        int[] inStrides = x.shape().strides();
        int[] outDims = new int[rank];
        int[] strides = new int[rank];
        int[] inverse = new int[rank];
        for (int i = 0; i < rank; i++) {
            int a = x.shape().normalizeAxis(order[i], "permute");
            outDims[i] = x.shape().dim(a);
            strides[i] = inStrides[a];
            inverse[a] = i;
        }
        Shape outShape = Shape.of(outDims);
        Tensor out = Elementwise.gather(x, outShape, Shape.stridedOffsets(outShape, strides), 0);
        return Node.record(out, "permute", (g, needs) -> new Tensor[] {permute(g, inverse)}, x);
    }

    /** Broadcasts to {@code shape} (a copy); the backward sums over the broadcast axes. */
    public static Tensor expand(Tensor x, Shape shape) {
        if (x.shape().equals(shape)) {
            return x;
        }
        if (!x.shape().broadcastsTo(shape)) {
            throw new ShapeException("expand: shape " + x.shape() + " cannot be expanded to " + shape
                    + ": only size-1 or missing leading dimensions can grow");
        }
        Tensor out = Elementwise.broadcastTo(x, shape);
        Shape in = x.shape();
        return Node.record(out, "expand", (g, needs) -> new Tensor[] {Reduce.sumTo(g, in)}, x);
    }

    /** Elements {@code [start, start+length)} along {@code axis}. */
    public static Tensor narrow(Tensor x, int axis, int start, int length) {
        int a = x.shape().normalizeAxis(axis, "narrow");
        int size = x.shape().dim(a);
        if (start < 0 || length < 0 || start + length > size) {
            throw new ShapeException("narrow: range [" + start + ", " + (start + length) + ") is outside axis " + axis
                    + " of size " + size + " in shape " + x.shape());
        }
        int[] dims = x.shape().dims();
        dims[a] = length;
        Shape outShape = Shape.of(dims);
        int[] strides = x.shape().strides();
        int base = start * strides[a];
        Tensor out = Elementwise.gather(x, outShape, Shape.stridedOffsets(outShape, strides), base);
        Shape in = x.shape();
        return Node.record(out, "narrow", (g, needs) -> new Tensor[] {unnarrow(g, in, a, start)}, x);
    }

    /**
     * The adjoint of {@link #narrow}: {@code g} placed at {@code [start, start + g's size)} along {@code axis} of
     * zeros of shape {@code full}. Linear in g, so its own backward is the narrow again (a second order needs it).
     */
    private static Tensor unnarrow(Tensor g, Shape full, int axis, int start) {
        Tensor out = Tensor.zeros(g.dtype(), full);
        int[] strides = full.strides();
        Elementwise.scatterAdd(g, out, Shape.stridedOffsets(g.shape(), strides), start * strides[axis]);
        int length = g.shape().dim(axis);
        return Node.record(out, "narrowBackward", (gg, needs) -> new Tensor[] {narrow(gg, axis, start, length)}, g);
    }

    /** Joins tensors along {@code axis}; all other sizes must agree. */
    public static Tensor concat(int axis, Tensor... parts) {
        if (parts.length == 0) {
            throw new IllegalArgumentException("concat: needs at least one tensor");
        }
        Shape first = parts[0].shape();
        int a = first.normalizeAxis(axis, "concat");
        int total = 0;
        for (Tensor p : parts) {
            if (p.rank() != first.rank()) {
                throw new ShapeException("concat: tensors of shapes " + first + " and " + p.shape()
                        + " have different ranks");
            }
            for (int i = 0; i < first.rank(); i++) {
                if (i != a && p.shape().dim(i) != first.dim(i)) {
                    throw new ShapeException("concat along axis " + axis + ": shapes " + first + " and "
                            + p.shape() + " differ in dimension " + i + "; all but the concat axis must agree");
                }
            }
            total += p.shape().dim(a);
        }
        int[] dims = first.dims();
        dims[a] = total;
        Shape outShape = Shape.of(dims);
        org.normkit.autograd.tensor.DType dtype = parts[0].dtype();
        for (Tensor p : parts) {
            dtype = org.normkit.autograd.tensor.DType.promote(dtype, p.dtype());
        }
        Tensor[] promoted = new Tensor[parts.length];
        for (int k = 0; k < parts.length; k++) {
            promoted[k] = parts[k].to(dtype);
        }
        Tensor out = Tensor.zeros(promoted[0].dtype(), outShape);
        int[] outStrides = outShape.strides();
        int offset = 0;
        int[] starts = new int[parts.length];
        for (int k = 0; k < parts.length; k++) {
            Tensor p = promoted[k];
            starts[k] = offset;
            Elementwise.scatterAdd(p, out, Shape.stridedOffsets(p.shape(), outStrides), offset * outStrides[a]);
            offset += p.shape().dim(a);
        }
        return Node.record(out, "concat", (g, needs) -> {
            Tensor[] grads = new Tensor[parts.length];
            for (int k = 0; k < parts.length; k++) {
                if (needs[k]) {
                    grads[k] = narrow(g, a, starts[k], promoted[k].shape().dim(a));
                }
            }
            return grads;
        }, promoted);
    }
}

package org.normkit.autograd.ops;

import java.util.Arrays;

import org.normkit.autograd.graph.Node;
import org.normkit.autograd.loops.BlockReduction;
import org.normkit.autograd.tensor.Shape;
import org.normkit.autograd.tensor.Tensor;

/**
 * Axis reductions. Sums accumulate in double whatever the dtype. The backward of a reduction broadcasts the
 * gradient back over the reduced axes.
 * The loops are {@link BlockReduction}'s.
 */
public final class Reduce {
    private Reduce() {}

    /** Sum over {@code axes} (an empty list means every axis). */
    public static Tensor sum(Tensor x, int[] axes, boolean keepDim) {
        int[] all = axes.length == 0 ? allAxes(x.rank()) : axes;
        Shape kept = x.shape().reduce(all, true);
        double[] acc = BlockReduction.of(x.shape(), x.shape().reducedMask(all, "sum")).sum(x, kept.numel());
        Tensor out = Tensor.of(x.dtype(), acc, keepDim ? kept : x.shape().reduce(all, false));
        Shape inputShape = x.shape();
        return Node.record(out, "sum", (g, needs) -> new Tensor[] {broadcastBack(g, kept, inputShape)}, x);
    }

    /** Maximum over {@code axes}; tied maxima share the gradient evenly (PyTorch's amax rule); NaN wins. */
    public static Tensor max(Tensor x, int[] axes, boolean keepDim) {
        int[] all = axes.length == 0 ? allAxes(x.rank()) : axes;
        if (x.numel() == 0) {
            throw new IllegalArgumentException("max: cannot reduce an empty tensor of shape " + x.shape());
        }
        Shape kept = x.shape().reduce(all, true);
        double[] best = BlockReduction.of(x.shape(), x.shape().reducedMask(all, "max")).max(x, kept.numel());
        Tensor keptOut = Tensor.of(x.dtype(), best, kept);
        Tensor out = keepDim ? keptOut : keptOut.viewAs(x.shape().reduce(all, false));
        Shape inputShape = x.shape();
        return Node.record(out, "max", (g, needs) -> {
            Tensor isMax = Binary.equal(x.detach(), keptOut);
            Tensor count = sum(isMax, all, true);
            Tensor share = Binary.div(isMax, count);
            return new Tensor[] {Binary.mul(broadcastBack(g, kept, inputShape), share)};
        }, x);
    }

    /**
     * Sums a broadcast result back to {@code shape}: over the leading dimensions {@code shape} lacks and over the
     * dimensions where it has size 1. This is the backward of every broadcast.
     */
    public static Tensor sumTo(Tensor g, Shape shape) {
        if (g.shape().equals(shape)) {
            return g;
        }
        int extra = g.rank() - shape.rank();
        int count = 0;
        int[] axes = new int[g.rank()];
        for (int i = 0; i < g.rank(); i++) {
            if (i < extra || (shape.dim(i - extra) == 1 && g.shape().dim(i) != 1)) {
                axes[count++] = i;
            }
        }
        Tensor summed = count == 0 ? g : sum(g, Arrays.copyOf(axes, count), true);
        return Movement.reshape(summed, shape);
    }

    private static Tensor broadcastBack(Tensor g, Shape kept, Shape inputShape) {
        return Movement.expand(Movement.reshape(g, kept), inputShape);
    }

    static int[] allAxes(int rank) {
        int[] a = new int[rank];
        for (int i = 0; i < rank; i++) {
            a[i] = i;
        }
        return a;
    }
}

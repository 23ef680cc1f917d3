package org.normkit.autograd.ops;

import org.normkit.autograd.tensor.Shape;
import org.normkit.autograd.tensor.Tensor;

/** Losses, composed from primitives like everything in {@link Composed}; each returns the batch mean. */
public final class Losses {
    private Losses() {}

    /**
     * Negative log-likelihood of class indices under log-probabilities {@code (N, classes)}: the mean over the batch
     * of −logProbs[n, target[n]]. The targets' entries are picked with {@link Indexing#gatherRows} from the (N·classes,
     * 1) view, so the gradient reaches them only (as a one-hot mask would give, without its pass over every entry).
     */
    public static Tensor nll(Tensor logProbs, int[] targets) {
        if (logProbs.rank() != 2 || logProbs.dim(0) != targets.length) {
            throw new org.normkit.autograd.tensor.ShapeException("nll: expected log-probabilities of shape (N, classes) "
                    + "with N = " + targets.length + " targets, got " + logProbs.shape());
        }
        int classes = logProbs.dim(1);
        int[] entries = new int[targets.length];
        for (int n = 0; n < targets.length; n++) {
            if (targets[n] < 0 || targets[n] >= classes) {
                throw new IllegalArgumentException("nll: target " + targets[n] + " at position " + n
                        + " is not a class index in [0, " + classes + ")");
            }
            entries[n] = n * classes + targets[n];
        }
        Tensor picked = Indexing.gatherRows(logProbs.reshape(targets.length * classes, 1), entries);
        return picked.sum().neg().div(Math.max(1, targets.length));
    }

    /**
     * Cross-entropy of raw scores {@code (N, classes)} against class indices: nll(logSoftmax(logits)), the
     * log-softmax fused ({@link Softmax#logSoftmax}).
     */
    public static Tensor crossEntropy(Tensor logits, int[] targets) {
        return nll(Softmax.logSoftmax(logits, 1), targets);
    }

    /** Mean squared error over all elements. */
    public static Tensor mse(Tensor prediction, Tensor target) {
        Shape.requireSame(prediction.shape(), target.shape(), "mse", "the target");
        Tensor d = prediction.sub(target);
        return d.mul(d).mean();
    }
}

package org.normkit.autograd.nn;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.IntFunction;

import org.normkit.autograd.ops.LstmCell;
import org.normkit.autograd.tensor.DType;
import org.normkit.autograd.tensor.Shape;
import org.normkit.autograd.tensor.ShapeException;
import org.normkit.autograd.tensor.Tensor;

/**
 * One LSTM layer over (B, T, input) sequences, {@code torch.nn.LSTM(input, hidden, batch_first=True)}, with optional
 * norms in the places the recurrent-normalization papers put them. The cell, with gate
 * order i, f, g, o as PyTorch's:
 * <pre>
 *   (i, f, g, o) = norm_ih(W_ih·x_t) + norm_hh(W_hh·h_{t−1}) + b_ih + b_hh
 *   c_t = σ(f)·c_{t−1} + σ(i)·tanh(g)
 *   h_t = σ(o)·tanh(norm_c(c_t))
 * </pre>
 * With LayerNorm in the three slots this is Ba, Kiros &amp; Hinton 2016 (§A); with BatchNorm it is Cooijmans et al.
 * 2016, "Recurrent Batch Normalization", where each projection is normalised separately so the two terms keep their
 * own scales. A norm sees a (B, features) batch of one time step. With {@code normSteps} = 1 one norm per slot serves
 * every step (parameters and running statistics shared over time); with {@code normSteps} = S, step t uses the norms
 * of min(t, S − 1), as Cooijmans et al. keep per-step population statistics and reuse the last ones for longer
 * sequences (here γ and β are per step too).
 *
 * <p>The cell's element-wise part runs as three fused ops ({@link LstmCell}: gate activations, cell state, hidden
 * state), each with an analytic backward, held against the same cell composed from primitives by the tests.
 *
 * <p>Parameters as PyTorch names and initialises them: {@code weight_ih} (4H, I), {@code weight_hh} (4H, H),
 * {@code bias_ih}, {@code bias_hh} (4H), all U(−1/√H, 1/√H). The state starts at zero.
 */
public final class LSTM extends Module {
    /** Builds the norm of one slot for (B, features) inputs; null leaves the slot empty. */
    @FunctionalInterface
    public interface NormSlots {
        Module create(String slot, int features);

        NormSlots NONE = (slot, features) -> null;
    }

    private final int inputSize;
    private final int hidden;
    private final Parameter weightIh;
    private final Parameter weightHh;
    private final Parameter biasIh;
    private final Parameter biasHh;
    private final List<Module[]> stepNorms = new ArrayList<>();

    public LSTM(int inputSize, int hidden, int normSteps, NormSlots factory, DType dtype, SplittableRandom random) {
        if (inputSize < 1 || hidden < 1 || normSteps < 1) {
            throw new IllegalArgumentException("LSTM(" + inputSize + ", " + hidden + ", normSteps=" + normSteps
                    + "): sizes and the number of per-step norms must be >= 1");
        }
        this.inputSize = inputSize;
        this.hidden = hidden;
        double bound = 1.0 / Math.sqrt(hidden);
        this.weightIh = registerParameter("weight_ih", Tensor.uniform(dtype, Shape.of(4 * hidden, inputSize),
                -bound, bound, random));
        this.weightHh = registerParameter("weight_hh", Tensor.uniform(dtype, Shape.of(4 * hidden, hidden),
                -bound, bound, random));
        this.biasIh = registerParameter("bias_ih", Tensor.uniform(dtype, Shape.of(4 * hidden), -bound, bound, random));
        this.biasHh = registerParameter("bias_hh", Tensor.uniform(dtype, Shape.of(4 * hidden), -bound, bound, random));
        String[] slots = {"norm_ih", "norm_hh", "norm_c"};
        int[] widths = {4 * hidden, 4 * hidden, hidden};
        for (int s = 0; s < normSteps; s++) {
            Module[] norms = new Module[slots.length];
            for (int k = 0; k < slots.length; k++) {
                Module norm = factory.create(slots[k], widths[k]);
                norms[k] = norm == null ? null
                        : registerChild(normSteps == 1 ? slots[k] : slots[k] + "." + s, norm);
            }
            stepNorms.add(norms);
        }
    }

    @Override
    public Tensor forward(Tensor x) {
        return run(x).outputs();
    }

    /** Every step's hidden state (B, H) and the last step's. */
    public record Result(Tensor[] steps, Tensor last) {
        /**
         * Every step's hidden state as one (B, T, H) tensor, joined on request: a classifier that reads only the last
         * state then records no join.
         */
        public Tensor outputs() {
            Tensor[] columns = new Tensor[steps.length];
            for (int t = 0; t < steps.length; t++) {
                columns[t] = steps[t].reshape(steps[t].dim(0), 1, steps[t].dim(1));
            }
            return Tensor.concat(1, columns);
        }
    }

    public Result run(Tensor x) {
        return run(x, null);
    }

    /**
     * As {@link #run(Tensor)} for a padded batch: at step t the norms see only the sequences with
     * {@code lengths[b] > t} ({@link ValidRows}), so padding does not enter their statistics (a step with fewer
     * than two valid rows normalises over all rows, since one row has no batch statistics). The recurrence itself runs
     * on every row; outputs past a sequence's length are whatever the padding gives and must not be read.
     *
     * @param lengths per sequence, or null when every sequence fills all steps
     */
    public Result run(Tensor x, int[] lengths) {
        if (x.rank() != 3 || x.dim(2) != inputSize) {
            throw new ShapeException(this + ": expected input (batch, steps, " + inputSize + "), got " + x.shape());
        }
        int batch = x.dim(0);
        // The input step by step: a narrow of the input costs (B, T, input) in the backward, and nothing when the
        // input needs no gradient (images).
        return run(t -> x.narrow(1, t, 1).reshape(batch, inputSize), batch, x.dim(1), lengths);
    }

    /**
     * As {@link #run(Tensor, int[])} with step t's input (B, input) given by {@code inputAt}, so that a caller whose
     * input is looked up (an embedding of tokens) can look each step up on its own: the backward of a narrow of a
     * (B, T, input) lookup is a (B, T, input) gradient, zero but for step t, and summing T of them is quadratic in
     * the sequence length, where the backward of a step's own lookup is a scatter into the (vocabulary, input) table.
     */
    public Result run(IntFunction<Tensor> inputAt, int batch, int steps, int[] lengths) {
        Tensor bias = biasIh.value().add(biasHh.value());
        Tensor h = Tensor.zeros(weightIh.value().dtype(), Shape.of(batch, hidden));
        Tensor c = Tensor.zeros(weightIh.value().dtype(), Shape.of(batch, hidden));
        Tensor[] outputs = new Tensor[steps];
        for (int t = 0; t < steps; t++) {
            Module[] norms = stepNorms.get(Math.min(t, stepNorms.size() - 1));
            int[] valid = validAt(lengths, t);
            Tensor x = inputAt.apply(t);
            if (x.rank() != 2 || x.dim(0) != batch || x.dim(1) != inputSize) {
                throw new ShapeException(this + ": expected the input of step " + t + " as (" + batch + ", "
                        + inputSize + "), got " + x.shape());
            }
            // The input projection step by step rather than once for all steps: the backward of a narrow of the
            // (B, T, 4H) product is a (B, T, 4H) gradient, zero but for step t, and summing T of them made the
            // backward quadratic in the sequence length. The products and their sums are the same.
            Tensor input = x.matmulTransposed(weightIh.value());
            Tensor fromInput = apply(norms[0], input, valid);
            Tensor fromHidden = apply(norms[1], h.matmulTransposed(weightHh.value()), valid);
            Tensor activations = LstmCell.gateActivations(fromInput.add(fromHidden).add(bias));
            c = LstmCell.cellState(activations, c);
            h = LstmCell.hiddenState(activations, apply(norms[2], c, valid));
            outputs[t] = h;
        }
        return new Result(outputs, h);
    }

    private static Tensor apply(Module norm, Tensor x, int[] valid) {
        return norm == null ? x : ValidRows.apply(norm, x, valid);
    }

    /**
     * The rows still inside their sequence at step t; null when all are, and also when fewer than two are: batch
     * statistics of a single row are undefined (PyTorch's BatchNorm raises), so the last steps of the longest
     * sequence in a batch normalise over every row, padding included.
     */
    private static int[] validAt(int[] lengths, int t) {
        if (lengths == null) {
            return null;
        }
        int[] rows = new int[lengths.length];
        int n = 0;
        for (int b = 0; b < lengths.length; b++) {
            if (lengths[b] > t) {
                rows[n++] = b;
            }
        }
        return n < 2 ? null : java.util.Arrays.copyOf(rows, n);
    }

    public int hiddenSize() {
        return hidden;
    }

    @Override
    public String toString() {
        return "LSTM(" + inputSize + ", " + hidden + (stepNorms.size() > 1 ? ", norms per step for "
                + stepNorms.size() + " steps" : "") + ")";
    }
}

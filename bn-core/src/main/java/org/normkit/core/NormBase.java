package org.normkit.core;

import java.util.Arrays;
import java.util.Optional;

import org.normkit.autograd.graph.Backprop;
import org.normkit.autograd.graph.FusedOp;
import org.normkit.autograd.graph.GradMode;
import org.normkit.autograd.nn.Parameter;
import org.normkit.autograd.spi.ExecutionMode;
import org.normkit.autograd.spi.FusedNorm;
import org.normkit.autograd.spi.FusedSecondOrder;
import org.normkit.autograd.spi.NormSpec;
import org.normkit.autograd.spi.Normalization;
import org.normkit.autograd.spi.Statistics;
import org.normkit.autograd.tensor.DType;
import org.normkit.autograd.tensor.Shape;
import org.normkit.autograd.tensor.Tensor;
import org.normkit.core.kernel.Centering;
import org.normkit.core.kernel.Layout;
import org.normkit.core.kernel.Moments;
import org.normkit.core.kernel.NormKernel;

/**
 * The machinery every norm of the family shares, as PyTorch's {@code _NormBase}: the spec, γ and β, the running
 * statistics, the train/eval flag, the choice of statistics and of face. A norm says only what differs:
 *
 * <ul>
 *   <li>{@link #checkInput(Shape)}: the family's one input check (rank, channels, what training needs);</li>
 *   <li>{@link #reference(Tensor, Statistics)}: the reference face, composed autograd ops, touching no state;</li>
 *   <li>{@link #layout(Shape)}: how an input falls into statistics sets and onto γ, β; the fused face is then
 *       {@link NormKernel} on that layout, for free;</li>
 *   <li>optionally {@link #centering()} ({@link Centering#UNCENTERED} for a norm that only scales) and {@link #fused()}
 *       (return empty for a norm without a fused face).</li>
 * </ul>
 *
 * <h2>What forward does</h2>
 * <ol>
 *   <li>Checks the dtype (the input must have the layer's dtype, see below) and the shape ({@link #checkInput}).</li>
 *   <li>Chooses the statistics once, by {@link Statistics#choose}: the batch's in training, and in evaluation when
 *       the layer keeps no running statistics; the running ones in evaluation with tracking.</li>
 *   <li>Runs one face: the layer's {@link ExecutionMode}, or, for an AUTO layer, the mode of the innermost
 *       {@link ExecutionMode#scope}; AUTO runs the fused face when there is one. A scope asking for FUSED runs a norm
 *       without a fused face on its reference face; a layer set to FUSED must have one. The fused face enters the
 *       autograd graph as one node ({@link FusedOp}) whose backward calls {@link FusedNorm#backward} with the mask
 *       of the inputs that need a gradient; a second-order pass differentiates the reference face instead.</li>
 *   <li>In training with running statistics, updates them once, outside both faces, under no-grad, from the batch
 *       statistics ({@link RunningStats}): the fused face's saved mean and rstd (σ² = 1/rstd² − eps) or, after the
 *       reference face, the moments computed with composed ops over {@link #layout}.</li>
 * </ol>
 *
 * <h2>State</h2>
 * With {@code spec.affine()}, the parameters {@code weight} (γ, ones) and, unless {@link Affine#WEIGHT_ONLY},
 * {@code bias} (β, zeros); with tracking, the buffers {@code running_mean} (zeros), {@code running_var} (ones) and
 * {@code num_batches_tracked} (0, a float64 scalar): PyTorch's names, so state dicts read alike. All tensors have the
 * spec's dtype (the counter excepted).
 *
 * <h2>Dtypes</h2>
 * The input must have the layer's dtype: a float32 input into a float64 layer (or the reverse) is rejected with a
 * message naming both and the fix ({@code x.to(DType.FLOAT64)}, or a layer built with {@code NormSpec.withDtype}),
 * rather than silently computing in one of the two precisions.
 *
 * <p>Not thread-safe: like any module, a layer is used by one thread at a time (its kernels may use several).
 */
public abstract class NormBase extends Normalization {

    /** Which affine parameters an affine layer has. */
    public enum Affine {
        /** γ and β (BatchNorm, LayerNorm, InstanceNorm, GroupNorm). */
        WEIGHT_AND_BIAS,
        /** γ only (a norm that scales without shifting). */
        WEIGHT_ONLY
    }

    private final NormSpec spec;
    private final Parameter weight;
    private final Parameter bias;
    private final RunningStats running;
    private ExecutionMode mode = ExecutionMode.AUTO;
    private NormKernel kernel;

    /**
     * @param spec           the layer's spec (validated by {@link NormSpec} itself)
     * @param parameterShape the shape of γ and β, e.g. (C), or {@code normalized_shape}
     * @param affine         which affine parameters the layer has when {@code spec.affine()}
     * @param policy         how it keeps running statistics when {@code spec.trackRunningStats()}
     */
    protected NormBase(NormSpec spec, Shape parameterShape, Affine affine, RunningStats.Policy policy) {
        this.spec = spec;
        if (spec.affine()) {
            weight = registerParameter("weight", Tensor.ones(spec.dtype(), parameterShape));
            bias = affine == Affine.WEIGHT_AND_BIAS
                    ? registerParameter("bias", Tensor.zeros(spec.dtype(), parameterShape)) : null;
        } else {
            weight = null;
            bias = null;
        }
        running = RunningStats.forSpec(spec, policy);
        if (running != null) {
            registerBuffer("running_mean", running.mean());
            registerBuffer("running_var", running.variance());
            registerBuffer("num_batches_tracked", running.numBatchesTracked());
        }
    }

    // ***** what a norm implements *****

    /**
     * The family's one input check: throws a {@link org.normkit.autograd.tensor.ShapeException} (or an
     * {@link org.normkit.autograd.spi.UnsupportedInputException}) naming the shape and what fits. It may consult
     * {@link #isTraining()} (BatchNorm needs more than one value per channel in training).
     */
    protected abstract void checkInput(Shape input);

    /** How an input of this shape falls into statistics sets and onto γ, β; the fused face runs on it. */
    protected abstract Layout layout(Shape input);

    /** {@link Centering#CENTERED} unless the norm keeps the mean at 0 (scaling by the root mean square). */
    protected Centering centering() {
        return Centering.CENTERED;
    }

    /** The name in graph labels and messages; the class's simple name unless overridden. */
    protected String label() {
        return getClass().getSimpleName();
    }

    // ***** the shared machinery *****

    @Override
    public final NormSpec spec() {
        return spec;
    }

    @Override
    public final Tensor forward(Tensor x) {
        requireDtype(x);
        checkInput(x.shape());
        Statistics use = statisticsInUse();
        Tensor y;
        FusedNorm.Saved[] saved = new FusedNorm.Saved[1];
        if (runsFused()) {
            y = fusedNode(fused().orElseThrow(), x, use, saved);
        } else {
            y = reference(x, use);
        }
        if (isTraining() && running != null) {
            try (GradMode.Scope ignored = GradMode.noGrad()) {
                // An uncentred second moment is a mean square about 0, not a variance: no Bessel correction.
                running.update(saved[0] != null ? fromSaved(saved[0], layout(x.shape()).setSize())
                        : referenceMoments(x), centering() == Centering.CENTERED);
            }
        }
        return y;
    }

    /** The fused face: {@link NormKernel} over {@link #layout}, unless a norm overrides this to return empty. */
    @Override
    public Optional<FusedNorm> fused() {
        if (kernel == null) {
            kernel = NormKernel.of(centering(), spec.eps(), this::layout);
        }
        return Optional.of(kernel);
    }

    /** The fused node differentiates the reference face in a pass that builds a graph ({@link #fusedNode}). */
    @Override
    public final FusedSecondOrder fusedSecondOrder() {
        return FusedSecondOrder.REFERENCE_FACE;
    }

    @Override
    public final Statistics statisticsInUse() {
        return Statistics.choose(isTraining(), running == null ? null : running.mean(),
                running == null ? null : running.variance());
    }

    /**
     * The per-set mean and rstd the reference face normalises {@code x} with, from composed ops over
     * {@link #layout}'s view (the batch's), or the given constants tiled over the sets.
     */
    @Override
    public Optional<FusedNorm.Saved> referenceStatistics(Tensor x, Statistics use) {
        Layout layout = layout(x.shape());
        try (GradMode.Scope ignored = GradMode.noGrad()) {
            Tensor mean;
            Tensor rstd;
            if (use instanceof Statistics.Running r) {
                int sets = layout.sets();
                double[] m = new double[sets];
                double[] v = new double[sets];
                double[] runningMean = r.mean().toDoubleArray();
                double[] runningVar = r.variance().toDoubleArray();
                for (int s = 0; s < sets; s++) {
                    m[s] = centering() == Centering.CENTERED ? runningMean[s % runningMean.length] : 0.0;
                    v[s] = runningVar[s % runningVar.length];
                }
                mean = Tensor.wrap(m, Shape.of(sets));
                rstd = Tensor.wrap(v, Shape.of(sets)).add(spec.eps()).rsqrt();
            } else {
                Tensor[] moments = composedMoments(x, layout);
                mean = moments[0];
                rstd = moments[1].add(spec.eps()).rsqrt();
            }
            return Optional.of(new FusedNorm.Saved(mean.to(DType.FLOAT64), rstd.to(DType.FLOAT64), use.isBatch()));
        }
    }

    @Override
    public final void setExecutionMode(ExecutionMode mode) {
        if (mode == ExecutionMode.FUSED && fused().isEmpty()) {
            throw new IllegalArgumentException(label() + " has no fused face: use REFERENCE or AUTO");
        }
        this.mode = mode;
    }

    @Override
    public final ExecutionMode executionMode() {
        return mode;
    }

    @Override
    public final Optional<Tensor> weight() {
        return weight == null ? Optional.empty() : Optional.of(weight.value());
    }

    @Override
    public final Optional<Tensor> bias() {
        return bias == null ? Optional.empty() : Optional.of(bias.value());
    }

    /** The running statistics, when the layer keeps them. */
    public final Optional<RunningStats> runningStats() {
        return Optional.ofNullable(running);
    }

    /** Running statistics back to mean 0, variance 1, count 0 ({@code reset_running_stats}). */
    public final void resetRunningStats() {
        if (running != null) {
            running.reset();
        }
    }

    /** γ back to ones, β to zeros, and the running statistics reset ({@code reset_parameters}). */
    public final void resetParameters() {
        resetRunningStats();
        if (weight != null) {
            weight.value().copyFrom(Tensor.ones(spec.dtype(), weight.value().shape()));
        }
        if (bias != null) {
            bias.value().copyFrom(Tensor.zeros(spec.dtype(), bias.value().shape()));
        }
    }

    /** PyTorch-like: {@code BatchNorm2d(3, eps=1.0E-5, momentum=0.1, affine=true, ...)}. */
    @Override
    public String toString() {
        return getClass().getSimpleName() + "(" + spec.describe() + ")";
    }

    // ***** internals *****

    private void requireDtype(Tensor x) {
        if (x.dtype() != spec.dtype()) {
            throw new IllegalArgumentException(label() + ": the input is " + x.dtype() + " but the layer is "
                    + spec.dtype() + " (its parameters and running statistics): convert the input with x.to(DType."
                    + spec.dtype().name() + "), or build the layer in " + x.dtype() + " with NormSpec.withDtype(DType."
                    + x.dtype().name() + ")");
        }
    }

    private boolean runsFused() {
        ExecutionMode effective = mode != ExecutionMode.AUTO ? mode : ExecutionMode.scoped();
        return effective != ExecutionMode.REFERENCE && fused().isPresent();
    }

    /**
     * Runs the fused forward and records it as one graph node whose backward is the kernel's; a backward pass that
     * builds a graph (second order) differentiates the reference face instead: {@link #referenceGradients}.
     */
    private Tensor fusedNode(FusedNorm face, Tensor x, Statistics use, FusedNorm.Saved[] savedOut) {
        Tensor gamma = weight == null ? null : weight.value();
        Tensor beta = bias == null ? null : bias.value();
        Tensor xData = x.detach();
        Tensor gammaData = gamma == null ? null : gamma.detach();
        Tensor out = Tensor.zeros(x.dtype(), x.shape());
        FusedNorm.Saved saved = face.forward(xData, gammaData, beta == null ? null : beta.detach(), use, out);
        savedOut[0] = saved;
        Tensor[] inputs = {x, gamma, beta};
        return FusedOp.record(label() + " (fused)", out, inputs, (gradOutput, needs) -> {
            FusedNorm.Gradients grads = face.backward(gradOutput, xData, saved, gammaData,
                    new FusedNorm.GradMask(needs[0], needs[1], needs[2]));
            return new Tensor[] {grads.input(), grads.weight(), grads.bias()};
        }, (gradOutput, needs) -> referenceGradients(inputs, needs, use, gradOutput));
    }

    /**
     * The fused face's gradients as recorded ops, for higher orders: the reference face is run again on the same
     * inputs and statistics and differentiated with {@code createGraph}, so the result can be differentiated again.
     * The two faces compute the same function (the checks hold them together), so these are its gradients.
     */
    private Tensor[] referenceGradients(Tensor[] inputs, boolean[] needs, Statistics use, Tensor gradOutput) {
        Tensor y = reference(inputs[0], use);
        int count = 0;
        Tensor[] wanted = new Tensor[inputs.length];
        for (int i = 0; i < inputs.length; i++) {
            if (needs[i]) {
                wanted[count++] = inputs[i];
            }
        }
        Tensor[] grads = Backprop.grad(new Tensor[] {y}, Arrays.copyOf(wanted, count), new Tensor[] {gradOutput},
                true, true, true);
        Tensor[] result = new Tensor[inputs.length];
        for (int i = 0, k = 0; i < inputs.length; i++) {
            if (needs[i]) {
                result[i] = grads[k] != null ? grads[k] : inputs[i].zerosLike();
                k++;
            }
        }
        return result;
    }

    /** Per-set mean and biased variance from the fused face's saved mean and rstd: σ² = 1/rstd² − eps. */
    private Moments fromSaved(FusedNorm.Saved saved, int setSize) {
        double[] mean = saved.mean().toDoubleArray();
        double[] rstd = saved.rstd().toDoubleArray();
        double[] variance = new double[rstd.length];
        for (int s = 0; s < rstd.length; s++) {
            variance[s] = Math.max(0, 1.0 / (rstd[s] * rstd[s]) - spec.eps());
        }
        return new Moments(mean, variance, setSize);
    }

    /** Per-set mean and biased variance with composed ops, for the running statistics after the reference face. */
    private Moments referenceMoments(Tensor x) {
        Layout layout = layout(x.shape());
        Tensor[] moments = composedMoments(x, layout);
        return new Moments(moments[0].toDoubleArray(), moments[1].toDoubleArray(), layout.setSize());
    }

    /** Mean and biased variance (mean 0 and mean square when uncentered) over the layout's view. */
    private Tensor[] composedMoments(Tensor x, Layout layout) {
        Tensor view = x.detach().reshape(layout.view());
        int[] axes = layout.reducedAxes();
        if (centering() == Centering.CENTERED) {
            return new Tensor[] {view.mean(axes, false), view.var(axes, false, false)};
        }
        return new Tensor[] {Tensor.zeros(x.dtype(), Shape.of(layout.sets())), view.square().mean(axes, false)};
    }
}

package org.normkit.core;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiFunction;

import org.normkit.autograd.graph.Backprop;
import org.normkit.autograd.graph.FusedOp;
import org.normkit.autograd.graph.GradMode;
import org.normkit.autograd.nn.Module;
import org.normkit.autograd.nn.Parameter;
import org.normkit.autograd.spi.Face;
import org.normkit.autograd.spi.FusedNorm;
import org.normkit.autograd.spi.FusedSecondOrder;
import org.normkit.autograd.spi.NormSpec;
import org.normkit.autograd.spi.Normalization;
import org.normkit.autograd.spi.PositionMask;
import org.normkit.autograd.spi.Statistics;
import org.normkit.autograd.tensor.DType;
import org.normkit.autograd.tensor.Shape;
import org.normkit.autograd.tensor.Tensor;
import org.normkit.core.kernel.Centering;
import org.normkit.core.kernel.Layout;
import org.normkit.core.kernel.MaskedKernel;
import org.normkit.core.kernel.Moments;

/**
 * A normalization layer: the module every {@link Norm} makes, as PyTorch's {@code _NormBase}. It holds the spec, γ
 * and β, the running statistics, the switches below and the face choice; the math is its norm's.
 *
 * <h2>Three switches, independent of each other</h2>
 * <table>
 *   <caption>What each switch does, and who sets it</caption>
 *   <tr><th>switch</th><th>true</th><th>false</th></tr>
 *   <tr><td>{@link #setAffineTrainable affine trainable}</td><td>γ and β receive gradients</td>
 *       <td>γ and β are constants (no gradient; optimizers skip them)</td></tr>
 *   <tr><td>{@link #setUpdatesRunningStatistics updates running statistics}</td><td>each forward folds the batch's
 *       statistics into the running ones (the norm's {@link RunningStatsPolicy})</td><td>the running statistics stay
 *       as they are</td></tr>
 *   <tr><td>{@link #setUsesRunningStatistics uses running statistics}</td><td>the running statistics normalise
 *       (constants: no gradient through them)</td><td>the batch's own statistics normalise</td></tr>
 * </table>
 * The two statistics switches need running statistics ({@code trackRunningStats} and a policy that tracks something);
 * without them both stay false. The combinations that have names:
 * <table>
 *   <caption>The switches set by train(), eval() and freeze()</caption>
 *   <tr><th>call</th><th>affine trainable</th><th>updates</th><th>uses running</th><th>meaning</th></tr>
 *   <tr><td>{@code train()}</td><td>unchanged</td><td>true</td><td>false</td><td>PyTorch's training</td></tr>
 *   <tr><td>{@code eval()}</td><td>unchanged</td><td>false</td><td>true</td><td>PyTorch's evaluation</td></tr>
 *   <tr><td>{@link #freeze()}</td><td>false</td><td>false</td><td>true</td><td>fine-tuning with a frozen norm
 *       (detectron2's {@code FrozenBatchNorm2d}); kept through {@code train()}/{@code eval()} until
 *       {@link #unfreeze()}</td></tr>
 *   <tr><td>(set by hand)</td><td>any</td><td>true</td><td>true</td><td>normalise with the running statistics while
 *       still refining them</td></tr>
 *   <tr><td>(set by hand)</td><td>any</td><td>false</td><td>false</td><td>batch statistics, running ones kept as they
 *       are (evaluation with batch statistics, PyTorch's {@code track_running_stats=False} behaviour)</td></tr>
 * </table>
 * {@code train()}/{@code eval()} keep PyTorch's meaning and set the two statistics switches (for an unfrozen layer);
 * the affine switch only changes by hand or by {@link #freeze()}.
 *
 * <h2>What forward does</h2>
 * <ol>
 *   <li>Checks the dtype (the input must have the layer's dtype), the shape by the contract, then the norm's own
 *       {@link Norm#checkInput}.</li>
 *   <li>Chooses the statistics once ({@link #statisticsInUse()}): the running ones when the switch says so, or when
 *       the layer updates them and its norm trains with them ({@link Norm#trainsWithRunningStatistics}: PowerNorm
 *       after its warm-up), else the batch's.</li>
 *   <li>Runs one face: the layer's {@link Face}, or, for an AUTO layer, the face of the innermost {@link Face#scope};
 *       AUTO runs the fused face when there is one. A scope asking for FUSED runs a norm without a fused face on its
 *       reference face; a layer set to FUSED must have one. The fused face enters the autograd graph as one node
 *       ({@link FusedOp}) whose backward calls {@link FusedNorm#backward} with the mask of the inputs that need a
 *       gradient; a second-order pass differentiates the reference face instead.</li>
 *   <li>When the layer updates running statistics, updates them once, outside both faces, under no-grad, from the
 *       batch's moments: the fused face's saved mean and rstd (σ² = 1/rstd² − eps) or moments computed over the
 *       norm's {@link Norm#layout}.</li>
 * </ol>
 *
 * <h2>State</h2>
 * With {@code spec.affine()}, the parameters {@code weight} (γ, ones) and, unless {@link Norm.Affine#WEIGHT_ONLY},
 * {@code bias} (β, zeros); with tracking, the buffers of {@link RunningStats}: PyTorch's names, so state dicts read
 * alike. All tensors have the spec's dtype (the counter excepted). The input must have the layer's dtype: a float32
 * input into a float64 layer is rejected with a message naming both and the fix.
 *
 * <p>Not thread-safe: like any module, a layer is used by one thread at a time (its kernels may use several).
 */
public final class NormLayer extends Normalization {
    private final Norm norm;
    private final String name;
    private final ContractPreset contract;
    private final NormSpec spec;
    private final Parameter weight;
    private final Parameter bias;
    private final RunningStats running;
    private final Map<String, Tensor> stateBuffers = new LinkedHashMap<>();
    private final Map<String, Tensor> stateBufferInitials = new LinkedHashMap<>();
    private Face face = Face.AUTO;
    private FusedNorm fusedFace;
    private boolean fusedResolved;
    private boolean affineTrainable = true;
    private boolean updatesRunning;
    private boolean usesRunning;
    private boolean frozen;
    private BatchStatisticsObserver observer;
    /**
     * Set only while {@link #referenceGradients} re-runs the reference face: the aliases of γ and β that
     * {@link #weight()} and {@link #bias()} hand the norm instead of the parameters, so that the gradients it takes
     * count the paths inside the fused node alone.
     */
    private Tensor[] affineAliases;

    /**
     * Hears, on every forward that updates the running statistics, the batch's statistics just before they are
     * folded in: a probe of the training–inference discrepancy (how far the batch statistics stray from the running
     * ones evaluation will use). It must not change anything it is given.
     */
    @FunctionalInterface
    public interface BatchStatisticsObserver {
        /**
         * @param batch   the batch's per-set mean and biased variance (sets as the norm's {@link Layout} has them)
         * @param counts  the values behind each set (fewer than the set size under a mask; 0 for a set without one)
         * @param running the running statistics before the update
         */
        void observed(NormLayer layer, Moments batch, int[] counts, RunningStats running);
    }

    NormLayer(Norm norm, String name, ContractPreset contract, NormSpec spec) {
        this.norm = norm;
        this.name = name;
        this.contract = contract;
        this.spec = spec;
        Shape parameterShape = norm.parameterShape(name, spec);
        if (spec.affine()) {
            weight = registerParameter("weight", Tensor.ones(spec.dtype(), parameterShape));
            bias = norm.affine() == Norm.Affine.WEIGHT_AND_BIAS
                    ? registerParameter("bias", Tensor.zeros(spec.dtype(), parameterShape)) : null;
        } else {
            weight = null;
            bias = null;
        }
        RunningStatsPolicy policy = norm.runningStats().forSpec(spec, name);
        if (policy.tracked() == RunningStatsPolicy.Tracked.MEAN_OF_SQUARES && norm.centering() == Centering.CENTERED) {
            throw new IllegalArgumentException(name + ": a running mean of squares cannot normalise a centred norm "
                    + "(it has no running mean): track MEAN_AND_VARIANCE, or make the norm UNCENTERED");
        }
        running = RunningStats.forSpec(spec, policy);
        if (running != null) {
            running.registerIn(this::registerBuffer);
        }
        norm.stateBuffers(spec).forEach((buffer, initial) -> {
            stateBufferInitials.put(buffer, initial.copy());
            stateBuffers.put(buffer, registerBuffer(buffer, initial.copy()));
        });
        applyTrainingSwitches(true);
    }

    // ***** what the norm's faces read *****

    /** The norm this layer is an instance of. */
    public Norm norm() {
        return norm;
    }

    /** The registered name this layer was made as, also the prefix of its messages: {@code batch_norm2d}. */
    public String name() {
        return name;
    }

    @Override
    public NormSpec spec() {
        return spec;
    }

    @Override
    public Optional<Tensor> weight() {
        if (affineAliases != null) {
            return Optional.ofNullable(affineAliases[0]);
        }
        return weight == null ? Optional.empty() : Optional.of(weight.value());
    }

    @Override
    public Optional<Tensor> bias() {
        if (affineAliases != null) {
            return Optional.ofNullable(affineAliases[1]);
        }
        return bias == null ? Optional.empty() : Optional.of(bias.value());
    }

    /** The running statistics, when the layer keeps them. */
    public Optional<RunningStats> runningStats() {
        return Optional.ofNullable(running);
    }

    /** A buffer the norm keeps beyond the running statistics ({@link Norm#stateBuffers}); the error lists them. */
    public Tensor buffer(String buffer) {
        Tensor t = stateBuffers.get(buffer);
        if (t == null) {
            throw new IllegalArgumentException(name + " keeps no buffer '" + buffer + "'" + (stateBuffers.isEmpty()
                    ? " (it keeps none beyond its running statistics)" : "; its buffers: " + stateBuffers.keySet()));
        }
        return t;
    }

    /**
     * The trailing dimensions a norm with the {@link ContractPreset#trailing()} contract normalises over: the option
     * {@value ContractPreset#NORMALIZED_SHAPE}, or (numFeatures).
     */
    public Shape normalizedShape() {
        return ContractPreset.normalizedShape(name, spec);
    }

    /** An integer option of the spec, or {@code fallback}; the error names the layer, option and expected form. */
    public int intOption(String option, int fallback) {
        String v = spec.option(option).orElse(null);
        if (v == null) {
            return fallback;
        }
        try {
            return Integer.parseInt(v.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + ": option " + option + "=" + v + " does not parse: expected an "
                    + "integer, e.g. " + option + "=" + fallback, e);
        }
    }

    /** A number option of the spec, or {@code fallback}; the error names the layer, option and expected form. */
    public double doubleOption(String option, double fallback) {
        String v = spec.option(option).orElse(null);
        if (v == null) {
            return fallback;
        }
        try {
            double d = Double.parseDouble(v.trim());
            if (Double.isFinite(d)) {
                return d;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException(name + ": option " + option + "=" + v + " does not parse: expected a "
                + "finite number, e.g. " + option + "=" + fallback);
    }

    // ***** forward *****

    @Override
    public Tensor forward(Tensor x) {
        requireDtype(x);
        checkInput(x.shape());
        Statistics use = statisticsInUse();
        Tensor y;
        FusedNorm.Saved[] saved = new FusedNorm.Saved[1];
        if (runsFused()) {
            y = fusedNode(fused().orElseThrow(), x, use, saved, this::reference);
        } else {
            y = norm.reference(this, x, use);
        }
        if (updatesRunning) {
            try (GradMode.Scope ignored = GradMode.noGrad()) {
                Layout layout = norm.layout(this, x.shape());
                int[] counts = new int[layout.sets()];
                Arrays.fill(counts, layout.setSize());
                updateRunning(saved[0] != null && saved[0].fromBatch() ? fromSaved(saved[0], layout.setSize())
                        : composedMoments(x, layout), counts);
            }
        }
        return y;
    }

    /**
     * The forward pass over the valid positions of {@code x} only (a padded batch): the same steps as
     * {@link #forward(Tensor)}, with the statistics and the running-statistics update computed from the valid
     * positions ({@link MaskedKernel} on the fused face, {@link MaskedReference} on the reference face), and 0 at the
     * invalid positions. Each running entry averages the sets that had a valid value, with Bessel's correction from
     * each set's own count.
     *
     * @throws UnsupportedOperationException when the norm takes no mask
     * @throws IllegalArgumentException when the mask does not fit {@code x}, or leaves no valid position while batch
     *                                  statistics normalise
     */
    @Override
    public Tensor forward(Tensor x, PositionMask mask) {
        requireMask();
        requireDtype(x);
        checkInput(x.shape());
        mask.requireFits(x.shape(), name);
        Statistics use = statisticsInUse();
        if (use.isBatch() && mask.validCount() == 0) {
            throw new IllegalArgumentException(name + ": the mask " + mask + " marks no position of the input "
                    + x.shape() + " valid, so there are no statistics to normalise with; leave such a batch out");
        }
        Layout layout = norm.layout(this, x.shape());
        FusedNorm.Saved[] saved = new FusedNorm.Saved[1];
        Tensor y = runsFused() ? fusedNode(norm.maskedFused(this, layout, x.shape(), mask), x, use, saved,
                (input, statistics) -> reference(input, statistics, mask))
                : norm.maskedReference(this, layout, x, use, mask);
        if (updatesRunning) {
            try (GradMode.Scope ignored = GradMode.noGrad()) {
                updateRunning(saved[0] != null && saved[0].fromBatch() ? fromSaved(saved[0], layout.setSize())
                        : composedMoments(x, layout, mask),
                        MaskedKernel.of(spec.eps(), layout, x.shape(), mask).validCounts());
            }
        }
        return y;
    }

    @Override
    public Tensor reference(Tensor x, Statistics use, PositionMask mask) {
        requireMask();
        checkInput(x.shape());
        mask.requireFits(x.shape(), name);
        return norm.maskedReference(this, norm.layout(this, x.shape()), x, use, mask);
    }

    @Override
    public Optional<FusedNorm> fused(PositionMask mask) {
        if (!takesMask()) {
            return Optional.empty();
        }
        return Optional.of(new FusedNorm() {
            @Override
            public Saved forward(Tensor x, Tensor gamma, Tensor beta, Statistics use, Tensor out) {
                return kernel(x.shape()).forward(x, gamma, beta, use, out);
            }

            @Override
            public Gradients backward(Tensor gradOutput, Tensor x, Saved saved, Tensor gamma, GradMask gradMask) {
                return kernel(x.shape()).backward(gradOutput, x, saved, gamma, gradMask);
            }

            /** The kernel's own: the masked BatchNorm over token rows writes ∂L/∂x into gradInput, no copy. */
            @Override
            public Gradients backward(Tensor gradOutput, Tensor x, Saved saved, Tensor gamma, GradMask gradMask,
                                      Tensor gradInput) {
                return kernel(x.shape()).backward(gradOutput, x, saved, gamma, gradMask, gradInput);
            }

            private FusedNorm kernel(Shape input) {
                checkInput(input);
                return norm.maskedFused(NormLayer.this, norm.layout(NormLayer.this, input), input, mask);
            }
        });
    }

    /**
     * Whether {@link #forward(Tensor, PositionMask)} works: the norm takes masks (BatchNorm, InstanceNorm, GroupNorm,
     * PowerNorm).
     */
    @Override
    public boolean takesMask() {
        return norm.takesMask() && !contract.isTrailing()
                && (norm.centering() == Centering.CENTERED || norm.hasOwnMaskedFaces());
    }

    private void requireMask() {
        if (!takesMask()) {
            throw new UnsupportedOperationException(name + " takes no mask of valid positions: its statistics "
                    + "cannot leave positions out; use batch_norm, instance_norm, group_norm or power_norm, or "
                    + "gather the valid "
                    + "rows first (org.normkit.autograd.nn.ValidRows)");
        }
    }

    /** The layer's whole input check: the contract's, then the norm's own. */
    public void checkInput(Shape input) {
        contract.checkLayout(name, input, spec);
        norm.checkInput(this, input);
        contract.checkFeatures(name, input, spec);
    }

    @Override
    public Tensor reference(Tensor x, Statistics use) {
        checkInput(x.shape());
        return norm.reference(this, x, use);
    }

    @Override
    public Optional<FusedNorm> fused() {
        if (!fusedResolved) {
            fusedFace = norm.fused(this).orElse(null);
            fusedResolved = true;
        }
        return Optional.ofNullable(fusedFace);
    }

    /** The fused node differentiates the reference face in a pass that builds a graph ({@link #fusedNode}). */
    @Override
    public FusedSecondOrder fusedSecondOrder() {
        return FusedSecondOrder.REFERENCE_FACE;
    }

    /**
     * The running statistics when the switch says so (and the layer keeps them), or when the layer updates them and
     * its norm trains with them at this point ({@link Norm#trainsWithRunningStatistics}); else the batch's.
     */
    @Override
    public Statistics statisticsInUse() {
        boolean useRunning = usesRunning || (updatesRunning && norm.trainsWithRunningStatistics(this));
        return useRunning ? running.asStatistics() : Statistics.batch();
    }

    /** The norm's rule when its backward is not the derivative of its forward in this layer's current mode. */
    @Override
    public Optional<String> approximateBackward() {
        return norm.approximateBackward(this);
    }

    /**
     * The per-set mean and rstd the reference face normalises {@code x} with, from composed ops over the norm's
     * layout (the batch's), or the given constants tiled over the sets.
     */
    @Override
    public Optional<FusedNorm.Saved> referenceStatistics(Tensor x, Statistics use) {
        Layout layout = norm.layout(this, x.shape());
        boolean centered = norm.centering() == Centering.CENTERED;
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
                    m[s] = centered ? runningMean[s % runningMean.length] : 0.0;
                    v[s] = runningVar[s % runningVar.length];
                }
                mean = Tensor.wrap(m, Shape.of(sets));
                rstd = Tensor.wrap(v, Shape.of(sets)).add(spec.eps()).rsqrt();
            } else {
                Tensor[] moments = composedMomentTensors(x, layout);
                mean = moments[0];
                rstd = moments[1].add(spec.eps()).rsqrt();
            }
            return Optional.of(new FusedNorm.Saved(mean.to(DType.FLOAT64), rstd.to(DType.FLOAT64), use.isBatch()));
        }
    }

    // ***** faces *****

    @Override
    public void setFace(Face face) {
        if (face == Face.FUSED && fused().isEmpty()) {
            throw new IllegalArgumentException(name + " has no fused face: use REFERENCE or AUTO");
        }
        this.face = face;
    }

    @Override
    public Face face() {
        return face;
    }

    // ***** the three switches *****

    /** Sets the one {@link BatchStatisticsObserver} of this layer; null to stop observing. */
    public void observeBatchStatistics(BatchStatisticsObserver batchObserver) {
        this.observer = batchObserver;
    }

    /** Folds a batch's moments (from {@code counts[s]} values each) into the running statistics, observed first. */
    private void updateRunning(Moments batch, int[] counts) {
        if (observer != null) {
            observer.observed(this, batch, counts, running);
        }
        running.update(batch, counts);
    }

    /** Whether γ and β receive gradients (true unless set otherwise or {@link #freeze() frozen}). */
    public boolean isAffineTrainable() {
        return affineTrainable;
    }

    public NormLayer setAffineTrainable(boolean trainable) {
        affineTrainable = trainable;
        for (Parameter p : new Parameter[] {weight, bias}) {
            if (p != null) {
                p.value().requiresGrad(trainable);
                if (!trainable) {
                    p.zeroGrad();
                }
            }
        }
        return this;
    }

    /** Whether each forward folds the batch's statistics into the running ones. */
    public boolean updatesRunningStatistics() {
        return updatesRunning;
    }

    public NormLayer setUpdatesRunningStatistics(boolean updates) {
        requireRunningStatistics(updates, "update");
        updatesRunning = updates;
        return this;
    }

    /** Whether the running statistics normalise (else the batch's own). */
    public boolean usesRunningStatistics() {
        return usesRunning;
    }

    public NormLayer setUsesRunningStatistics(boolean uses) {
        requireRunningStatistics(uses, "normalise with");
        usesRunning = uses;
        return this;
    }

    /**
     * The fine-tuning combination: γ, β constant, running statistics used and not updated. It stays through
     * {@code train()} and {@code eval()} until {@link #unfreeze()}.
     */
    public NormLayer freeze() {
        frozen = true;
        setAffineTrainable(false);
        updatesRunning = false;
        usesRunning = running != null;
        return this;
    }

    /** Back from {@link #freeze()}: γ, β trainable, statistics switches as {@code train()}/{@code eval()} set them. */
    public NormLayer unfreeze() {
        frozen = false;
        setAffineTrainable(true);
        applyTrainingSwitches(isTraining());
        return this;
    }

    public boolean isFrozen() {
        return frozen;
    }

    /** PyTorch's meaning: training updates the running statistics and normalises with the batch's. */
    @Override
    public Module train(boolean mode) {
        super.train(mode);
        if (!frozen) {
            applyTrainingSwitches(mode);
        }
        return this;
    }

    private void applyTrainingSwitches(boolean training) {
        updatesRunning = training && running != null;
        usesRunning = !training && running != null;
    }

    private void requireRunningStatistics(boolean wanted, String what) {
        if (wanted && running == null) {
            throw new IllegalArgumentException(name + " keeps no running statistics to " + what + ": "
                    + (norm.runningStats().tracksAnything() ? "build it with trackRunningStats=true"
                    : "the norm always normalises with its input's statistics"));
        }
    }

    // ***** state helpers *****

    /**
     * Running statistics back to mean 0, variance 1, count 0 ({@code reset_running_stats}), and the norm's own
     * buffers to their initial values.
     */
    public void resetRunningStats() {
        if (running != null) {
            running.reset();
        }
        stateBuffers.forEach((buffer, t) -> t.copyFrom(stateBufferInitials.get(buffer)));
    }

    /** γ back to ones, β to zeros, and the running statistics reset ({@code reset_parameters}). */
    public void resetParameters() {
        resetRunningStats();
        if (weight != null) {
            weight.value().copyFrom(Tensor.ones(spec.dtype(), weight.value().shape()));
        }
        if (bias != null) {
            bias.value().copyFrom(Tensor.zeros(spec.dtype(), bias.value().shape()));
        }
    }

    /** PyTorch-like: {@code batch_norm2d(3, eps=1.0E-5, momentum=0.1, affine=true, ...)}. */
    @Override
    public String toString() {
        return name + "(" + spec.describe() + ")";
    }

    // ***** internals *****

    private void requireDtype(Tensor x) {
        if (x.dtype() != spec.dtype()) {
            throw new IllegalArgumentException(name + ": the input is " + x.dtype() + " but the layer is "
                    + spec.dtype() + " (its parameters and running statistics): convert the input with x.to(DType."
                    + spec.dtype().name() + "), or build the layer in " + x.dtype() + " with NormSpec.withDtype(DType."
                    + x.dtype().name() + ")");
        }
    }

    private boolean runsFused() {
        Face effective = face != Face.AUTO ? face : Face.scoped();
        return effective != Face.REFERENCE && fused().isPresent();
    }

    /**
     * Runs the fused forward and records it as one graph node whose backward is the kernel's; a backward pass that
     * builds a graph (second order) differentiates the reference face instead: {@link #referenceGradients}.
     */
    private Tensor fusedNode(FusedNorm kernel, Tensor x, Statistics use, FusedNorm.Saved[] savedOut,
                             BiFunction<Tensor, Statistics, Tensor> referenceFace) {
        Tensor gamma = weight == null ? null : weight.value();
        Tensor beta = bias == null ? null : bias.value();
        Tensor xData = x.detach();
        Tensor gammaData = gamma == null ? null : gamma.detach();
        Tensor out = Tensor.zeros(x.dtype(), x.shape());
        FusedNorm.Saved saved = kernel.forward(xData, gammaData, beta == null ? null : beta.detach(), use, out);
        savedOut[0] = saved;
        Tensor[] inputs = {x, gamma, beta};
        return FusedOp.record(name + " (fused)", out, inputs, (gradOutput, needs) -> {
            FusedNorm.Gradients grads = kernel.backward(gradOutput, xData, saved, gammaData,
                    new FusedNorm.GradMask(needs[0], needs[1], needs[2]));
            return new Tensor[] {grads.input(), grads.weight(), grads.bias()};
        }, (gradOutput, needs) -> referenceGradients(referenceFace, inputs, needs, use, gradOutput));
    }

    /**
     * The fused face's gradients as recorded ops, for higher orders: the reference face is run again on the same
     * inputs and statistics and differentiated with {@code createGraph}, so the result can be differentiated again.
     * The two faces compute the same function (the checks hold them together), so these are its gradients.
     *
     * <p>The reference runs on aliases (x + 0, recorded) of x, γ and β, as {@code ops.ReferenceGradients} does for
     * the fused ops of bn-autograd: a gradient with respect to the aliases counts only the paths inside this node.
     * With respect to the inputs themselves it would also count a path from γ or β to x outside the node (an input
     * computed from the layer's own parameters), which the sweep that called this backward counts again on its own.
     */
    private Tensor[] referenceGradients(BiFunction<Tensor, Statistics, Tensor> referenceFace, Tensor[] inputs,
                                        boolean[] needs, Statistics use, Tensor gradOutput) {
        Tensor[] aliases = new Tensor[inputs.length];
        int count = 0;
        Tensor[] wanted = new Tensor[inputs.length];
        for (int i = 0; i < inputs.length; i++) {
            if (inputs[i] == null) {
                continue;
            }
            aliases[i] = needs[i] ? inputs[i].add(0.0) : inputs[i].detach();
            if (needs[i]) {
                wanted[count++] = aliases[i];
            }
        }
        Tensor y;
        affineAliases = new Tensor[] {aliases[1], aliases[2]};
        try {
            y = referenceFace.apply(aliases[0], use);
        } finally {
            affineAliases = null;
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

    /**
     * Per-set mean and biased variance (mean 0 and the mean square when uncentered) with composed ops over the
     * layout's view: the reference face's own moments, so the two faces' running statistics stay independent.
     */
    private Moments composedMoments(Tensor x, Layout layout) {
        Tensor[] moments = composedMomentTensors(x, layout);
        return new Moments(moments[0].toDoubleArray(), moments[1].toDoubleArray(), layout.setSize());
    }

    /**
     * {@link #composedMoments} over the valid elements only ({@link MaskedReference#moments}; mean 0 and the mean
     * square when uncentered).
     */
    private Moments composedMoments(Tensor x, Layout layout, PositionMask mask) {
        Tensor[] moments = MaskedReference.moments(layout, x.detach(), mask.expandTo(x.shape(), x.dtype()));
        if (norm.centering() == Centering.UNCENTERED) {
            double[] mean = moments[0].toDoubleArray();
            double[] variance = moments[1].toDoubleArray();
            for (int s = 0; s < mean.length; s++) {
                variance[s] += mean[s] * mean[s];
                mean[s] = 0;
            }
            return new Moments(mean, variance, layout.setSize());
        }
        return new Moments(moments[0].toDoubleArray(), moments[1].toDoubleArray(), layout.setSize());
    }

    private Tensor[] composedMomentTensors(Tensor x, Layout layout) {
        Tensor view = x.detach().reshape(layout.view());
        int[] axes = layout.reducedAxes();
        if (norm.centering() == Centering.CENTERED) {
            return new Tensor[] {view.mean(axes, false), view.var(axes, false, false)};
        }
        return new Tensor[] {Tensor.zeros(x.dtype(), Shape.of(layout.sets())), view.square().mean(axes, false)};
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
}

package org.normkit.bench;

import java.util.Map;
import java.util.Optional;

import org.normkit.autograd.spi.Face;
import org.normkit.autograd.graph.GradMode;
import org.normkit.autograd.spi.FusedNorm;
import org.normkit.autograd.spi.InputContract;
import org.normkit.autograd.spi.NormRegistry;
import org.normkit.autograd.spi.NormSpec;
import org.normkit.autograd.spi.Normalization;
import org.normkit.autograd.spi.NormalizationProvider;
import org.normkit.autograd.spi.PositionMask;
import org.normkit.autograd.spi.Statistics;
import org.normkit.autograd.spi.UnsupportedInputException;
import org.normkit.autograd.tensor.DType;
import org.normkit.autograd.tensor.Shape;
import org.normkit.autograd.tensor.Tensor;

/**
 * The one call a {@link NormBenchmark} times, put together once per trial: the layer built through the registry
 * with the spec its contract gives for the shape (PyTorch's defaults otherwise), the inputs, and the call for the
 * face and pass.
 *
 * <p>What each combination runs (the running statistics are updated by neither face: that is an O(C) step of the
 * layer, not of a face, and leaving it out keeps the two faces comparable):
 * <ul>
 *   <li>reference, forward passes: {@code layer.reference(x, statistics)} with grad mode off;</li>
 *   <li>reference, train_forward_backward: the same on a leaf x with grad mode on, then {@code y.backward(∂L/∂y)};
 *       every gradient is reset to none before each call (as {@code zero_grad(set_to_none=True)}), so nothing
 *       accumulates;</li>
 *   <li>fused, forward passes: {@code kernel.forward(x, γ, β, statistics, out)} into the preallocated output;</li>
 *   <li>fused, train_forward_backward: that forward with the batch statistics, then {@code kernel.backward} for
 *       ∂L/∂x (into a preallocated tensor, as the forward's output) and, when the layer has them, ∂L/∂γ and
 *       ∂L/∂β.</li>
 * </ul>
 * Statistics: the batch's in training; in evaluation the layer's {@code running_mean}/{@code running_var} when its
 * state has them, else the batch's (a norm that keeps no running statistics normalises each batch by itself).
 *
 * <p>Masked ({@link BenchMask#PADDED}): the same calls with the mask of {@link BenchMask#padded}, {@code
 * reference(x, statistics, mask)} on the reference face and the kernel pair {@code fused(mask)} gives on the fused
 * face (bn-core's {@code MaskedKernel}: the statistics of the valid positions only, zeros at the padding).
 */
public final class NormWorkload {

    /** The timed call; returns what it computed so the JIT cannot drop it. */
    @FunctionalInterface
    public interface Call {
        Object run();
    }

    private final Normalization layer;
    private final Call call;

    private NormWorkload(Normalization layer, Call call) {
        this.layer = layer;
        this.call = call;
    }

    /** Thrown when face=fused is asked of a norm without a fused face: the suite reports that combination n/a. */
    public static final class NoFusedFaceException extends UnsupportedOperationException {
        private static final long serialVersionUID = 1L;

        NoFusedFaceException(String norm) {
            super(norm + " has no fused face (fused() is empty): face=fused is n/a for it");
        }
    }

    /** The spec the suite builds a norm with for {@code shape}; throws naming the shape when the norm rejects it. */
    public static NormSpec specFor(NormalizationProvider provider, Shape shape, DType dtype) {
        InputContract contract = provider.contract();
        if (!contract.accepts(shape)) {
            throw new UnsupportedInputException(provider.name() + " does not accept the shape " + shape
                    + " (it takes " + contract.layout() + ")");
        }
        return contract.specFor(shape, baseSpec(provider.name(), shape, dtype));
    }

    /**
     * The base handed to {@code specFor}: PyTorch's constructor defaults for the family, as the PyTorch peer builds
     * its modules, so the two sides time the same layer. {@link NormSpec#of} gives BatchNorm's (affine, running
     * statistics); InstanceNorm's are {@code affine=False, track_running_stats=False}; the peer builds GroupNorm with
     * 32 groups (set here when they divide C, otherwise left to the contract). Everything else is the contract's.
     */
    static NormSpec baseSpec(String norm, Shape shape, DType dtype) {
        NormSpec base = NormSpec.of(1).withDtype(dtype);
        if (norm.startsWith("instance_norm")) {
            base = base.withAffine(false).withTrackRunningStats(false);
        }
        if (norm.equals("group_norm") && shape.rank() >= 2 && shape.dim(1) % PEER_GROUPS == 0) {
            base = base.withOption("groups", Integer.toString(PEER_GROUPS));
        }
        return base;
    }

    private static final int PEER_GROUPS = 32;

    /** The unmasked call ({@link BenchMask#NONE}). */
    public static NormWorkload build(NormRegistry registry, String norm, Shape shape, DType dtype, Face face,
                                     BenchPass pass) {
        return build(registry, norm, shape, dtype, face, pass, BenchMask.NONE);
    }

    /**
     * The call of {@code norm} on {@code face} and {@code pass}; with {@link BenchMask#PADDED}, the masked call:
     * {@code reference(x, statistics, mask)} on the reference face, the kernel pair of {@code fused(mask)} on the
     * fused face, with {@link BenchMask#padded}'s mask for the shape.
     *
     * @throws UnsupportedOperationException when the mask is padded and the norm takes no mask
     */
    public static NormWorkload build(NormRegistry registry, String norm, Shape shape, DType dtype, Face face,
                                     BenchPass pass, BenchMask mask) {
        NormalizationProvider provider = registry.get(norm);
        Normalization layer = provider.create(specFor(provider, shape, dtype));
        layer.train(pass != BenchPass.EVAL_FORWARD);
        BenchInputs in = BenchInputs.of(shape, dtype);
        Statistics statistics = pass == BenchPass.EVAL_FORWARD ? evaluationStatistics(layer) : Statistics.batch();
        PositionMask positions = null;
        if (mask == BenchMask.PADDED) {
            if (!layer.takesMask()) {
                throw new UnsupportedOperationException(norm + " takes no mask of valid positions: mask="
                        + mask.id() + " is n/a for it");
            }
            positions = BenchMask.padded(shape);
        }
        Call call = face == Face.REFERENCE
                ? referenceCall(layer, in, statistics, pass, positions)
                : fusedCall(norm, layer, in, statistics, pass, positions);
        return new NormWorkload(layer, call);
    }

    public Object run() {
        return call.run();
    }

    public Normalization layer() {
        return layer;
    }

    /** {@code mask} null: the unmasked call. */
    private static Call referenceCall(Normalization layer, BenchInputs in, Statistics statistics, BenchPass pass,
                                      PositionMask mask) {
        Tensor x = in.x;
        if (pass != BenchPass.TRAIN_FORWARD_BACKWARD) {
            return () -> {
                try (GradMode.Scope ignored = GradMode.noGrad()) {
                    return mask == null ? layer.reference(x, statistics) : layer.reference(x, statistics, mask);
                }
            };
        }
        Tensor leaf = x.detach().requiresGrad(true);
        Tensor gradOutput = in.gradOutput;
        return () -> {
            leaf.setGrad(null);
            layer.zeroGrad();
            (mask == null ? layer.reference(leaf, statistics) : layer.reference(leaf, statistics, mask))
                    .backward(gradOutput);
            return leaf.grad();
        };
    }

    /** {@code mask} null: the unmasked kernel pair; else the one bound to the mask ({@code fused(mask)}). */
    private static Call fusedCall(String norm, Normalization layer, BenchInputs in, Statistics statistics,
                                  BenchPass pass, PositionMask mask) {
        FusedNorm kernel = (mask == null ? layer.fused() : layer.fused(mask))
                .orElseThrow(() -> new NoFusedFaceException(norm));
        Tensor x = in.x;
        Tensor out = in.out;
        Tensor gamma = layer.weight().orElse(null);
        Tensor beta = layer.bias().orElse(null);
        if (pass != BenchPass.TRAIN_FORWARD_BACKWARD) {
            // out is state the next call overwrites, so its writes cannot be dropped; the statistics are returned.
            return () -> kernel.forward(x, gamma, beta, statistics, out);
        }
        Tensor gradOutput = in.gradOutput;
        // ∂L/∂x goes into a buffer of the workload's, as y goes into out: a fresh one would be an array the JVM
        // zeroes before the kernel overwrites it, a pass PyTorch's side (uninitialised memory from its reused heap)
        // does not make.
        Tensor gradInput = Tensor.zeros(x.dtype(), x.shape());
        FusedNorm.GradMask wanted = new FusedNorm.GradMask(true, gamma != null, beta != null);
        return () -> {
            FusedNorm.Saved saved = kernel.forward(x, gamma, beta, Statistics.batch(), out);
            return kernel.backward(gradOutput, x, saved, gamma, wanted, gradInput);
        };
    }

    private static Statistics evaluationStatistics(Normalization layer) {
        Map<String, Tensor> state = layer.stateDict();
        Optional<Tensor> mean = Optional.ofNullable(state.get("running_mean"));
        Optional<Tensor> variance = Optional.ofNullable(state.get("running_var"));
        return mean.isPresent() && variance.isPresent()
                ? Statistics.running(mean.get(), variance.get())
                : Statistics.batch();
    }
}

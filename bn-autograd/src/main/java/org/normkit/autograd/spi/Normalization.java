package org.normkit.autograd.spi;

import java.util.Map;
import java.util.Optional;

import org.normkit.autograd.nn.Module;
import org.normkit.autograd.tensor.Tensor;

/**
 * A normalization layer, with its two faces that must agree: {@link #reference} built from autograd ops only (the
 * obviously right one) and an optional {@link #fused} kernel with an analytic backward (the fast one).
 * {@link #forward} handles the layer's state (train/eval, running statistics) and dispatches to a face.
 *
 * <p>Generic tools read and set the state through {@link #stateDict()} with PyTorch's names: {@code weight},
 * {@code bias}, {@code running_mean}, {@code running_var}, {@code num_batches_tracked}.
 */
public abstract class Normalization extends Module {

    /** The spec this layer was built from. */
    public abstract NormSpec spec();

    /** The reference face: composed autograd ops normalising with {@code use}; touches no state. */
    public abstract Tensor reference(Tensor x, Statistics use);

    /** The fused face, when the norm has one. */
    public abstract Optional<FusedNorm> fused();

    /** This layer's own face choice; a non-AUTO {@link Face#scope} overrides AUTO. */
    public abstract void setFace(Face mode);

    public abstract Face face();

    /**
     * The statistics {@link #forward} would normalise with in the current mode, by {@link Statistics#choose}: the
     * batch's, or the running statistics read from the state dict ({@code running_mean}, {@code running_var}).
     */
    public Statistics statisticsInUse() {
        Map<String, Tensor> state = stateDict();
        return Statistics.choose(isTraining(), state.get("running_mean"), state.get("running_var"));
    }

    /**
     * The per-set mean and reciprocal standard deviation the reference face normalises {@code x} with, computed with
     * composed ops, in the layout of {@link FusedNorm.Saved}, so checks can hold the fused face's saved statistics
     * against them. Empty when the norm does not expose them (the default).
     */
    public Optional<FusedNorm.Saved> referenceStatistics(Tensor x, Statistics use) {
        return Optional.empty();
    }

    /**
     * What the fused face does one order up ({@code createGraph}); {@link FusedSecondOrder#REFUSED} unless a norm
     * says otherwise, since a hand-written backward cannot be differentiated again by itself.
     */
    public FusedSecondOrder fusedSecondOrder() {
        return FusedSecondOrder.REFUSED;
    }

    /**
     * Empty (the default) when the backward of {@link #forward} in the layer's current mode is the derivative of its
     * forward. A norm whose backward is by definition something else (PowerNorm in training, Shen et al. 2020: the
     * quadratic mean is held constant and a running gradient statistic is subtracted) returns the rule it follows,
     * in one line, and its faces must both follow it; {@link #reference} then expresses the rule with composed ops
     * and custom nodes, so "reference" means the obviously right statement of the rule, not of a derivative.
     *
     * <p>The generic checks adapt: a first-order gradcheck compares the part of the backward that depends on the
     * output gradient (the backward of the gradient minus the backward of zero) with finite differences of the
     * forward with the batch's statistics held at their values ({@link #referenceStatistics}), and the second-order
     * checks are skipped in such a mode (an approximate first derivative has no second one to check). The part that
     * does not depend on the output gradient, and any state the backward updates, are the norm's own tests' to pin.
     */
    public Optional<String> approximateBackward() {
        return Optional.empty();
    }

    // ***** masks of valid positions (padded sequences) *****

    /**
     * Whether this norm takes a {@link PositionMask}: its statistics then leave out the invalid (padded) positions,
     * and so does its running-statistics update. False unless a norm says otherwise; BatchNorm, InstanceNorm,
     * GroupNorm and PowerNorm take one.
     */
    public boolean takesMask() {
        return false;
    }

    /**
     * {@link #forward(Tensor)} over the valid positions of {@code x} only: the statistics (and the running
     * statistics' update) come from the valid positions, and the invalid ones are 0 in the output and get no
     * gradient. A mask whose every position is valid gives the unmasked result.
     *
     * @throws UnsupportedOperationException when the norm takes no mask ({@link #takesMask()})
     */
    public Tensor forward(Tensor x, PositionMask mask) {
        throw refuseMask();
    }

    /** The reference face of {@link #forward(Tensor, PositionMask)}, normalising with {@code use}; touches no state. */
    public Tensor reference(Tensor x, Statistics use, PositionMask mask) {
        throw refuseMask();
    }

    /**
     * The fused face for inputs with {@code mask} (a kernel pair bound to it: its forward and backward read only the
     * valid positions); empty when the norm has no masked fused face, then masked inputs run on the reference face.
     */
    public Optional<FusedNorm> fused(PositionMask mask) {
        return Optional.empty();
    }

    private UnsupportedOperationException refuseMask() {
        return new UnsupportedOperationException(getClass().getSimpleName() + " takes no mask of valid positions: "
                + "its statistics cannot leave positions out; use a norm that does (batch_norm, instance_norm, "
                + "group_norm), or gather the valid rows first (org.normkit.autograd.nn.ValidRows)");
    }

    /** γ, when the layer is affine. */
    public abstract Optional<Tensor> weight();

    /** β, when the layer has one. */
    public abstract Optional<Tensor> bias();
}

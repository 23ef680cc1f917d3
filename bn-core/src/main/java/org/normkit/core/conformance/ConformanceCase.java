package org.normkit.core.conformance;

import java.util.Map;
import java.util.OptionalDouble;
import java.util.OptionalInt;

import org.normkit.autograd.check.Tolerance;
import org.normkit.autograd.tensor.DType;
import org.normkit.autograd.tensor.Tensor;

/**
 * One case of a {@code bn-conformance/1} file (docs/conformance-format.md, "A case"): an input, parameters and state, and what one
 * forward and one backward call must produce. Tensors are in the case's dtype; members that are null in the file are
 * null here.
 *
 * @param name        stable identifier, unique in its file
 * @param norm        {@code batch}, {@code layer}, {@code instance}, {@code group}, or a provider name (plugins)
 * @param training    the module's training flag during the call ({@code mode} = {@code train})
 * @param dtype       the precision to compute in
 * @param description informative
 * @param params      hyper-parameters
 * @param input       x
 * @param weight      γ, or null
 * @param bias        β, or null
 * @param state       running statistics before the call, or null
 * @param gradOutput  ∂L/∂y, or null (then only the forward pass is checked)
 * @param expected    what must come out
 * @param tolerance   {@code |actual − expected| ≤ abs + rel·|expected|}
 */
public record ConformanceCase(String name, String norm, boolean training, DType dtype, String description,
                              Params params, Tensor input, Tensor weight, Tensor bias, State state, Tensor gradOutput,
                              Expected expected, Tolerance tolerance) {

    /**
     * The hyper-parameters. {@code momentum} is empty both when the member is absent (layer, group: the default
     * applies) and when it is null (the cumulative average); {@code momentumGiven} tells the two apart.
     * {@code options} are a plugin norm's own options ({@code params.options}, docs/conformance-format.md), empty
     * when the member is absent.
     */
    public record Params(double eps, boolean affine, boolean trackRunningStats, boolean momentumGiven,
                         OptionalDouble momentum, OptionalInt numGroups, int[] normalizedShape,
                         Map<String, String> options) {}

    /** Running statistics: means and variances of shape (C), and the batch counter. */
    public record State(Tensor runningMean, Tensor runningVar, long numBatchesTracked) {}

    /** The expected results; members not checked are null. */
    public record Expected(Tensor output, Tensor gradInput, Tensor gradWeight, Tensor gradBias, State state) {}
}

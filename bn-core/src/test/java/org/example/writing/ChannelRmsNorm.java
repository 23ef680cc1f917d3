package org.example.writing;

import java.util.Arrays;

import org.normkit.autograd.spi.Statistics;
import org.normkit.autograd.tensor.Shape;
import org.normkit.autograd.tensor.Tensor;
import org.normkit.core.ContractPreset;
import org.normkit.core.Norm;
import org.normkit.core.NormLayer;
import org.normkit.core.RunningStatsPolicy;
import org.normkit.core.kernel.Centering;
import org.normkit.core.kernel.Layout;

/**
 * BatchNorm without the mean: y = x / sqrt(E[x²] + eps) · γ + β per channel, E[x²] the plain mean of squares over
 * the batch and every position in training, a running mean of squares in evaluation.
 */
public final class ChannelRmsNorm extends Norm {

    public ChannelRmsNorm() {
        super("channel_rms_norm", "Per-channel RMS over batch and positions, no centring, running mean of squares",
                ContractPreset.channelFirst(2, 3, 4));
    }

    /** A running mean of squares, biased (Σx²/m estimates E[x²] as it is), PyTorch's momentum rule. */
    @Override
    public RunningStatsPolicy runningStats() {
        return RunningStatsPolicy.meanOfSquares();
    }

    @Override
    public Centering centering() {
        return Centering.UNCENTERED;
    }

    /** The batch's mean square of a channel with one value is that value squared: refuse it, as BatchNorm does. */
    @Override
    protected void checkInput(NormLayer layer, Shape input) {
        requireMoreThanOneValuePerChannel(layer, input);
    }

    /** The mean square over every axis but the channel (or the running one), then γ and β per channel. */
    @Override
    public Tensor reference(NormLayer layer, Tensor x, Statistics use) {
        int[] perChannel = new int[x.rank()];
        Arrays.fill(perChannel, 1);
        perChannel[1] = x.dim(1);
        int[] axes = x.rank() == 2 ? new int[] {0} : x.rank() == 3 ? new int[] {0, 2} : new int[] {0, 2, 3};
        Tensor meanSquare = use instanceof Statistics.Running running ? running.variance().reshape(perChannel)
                : x.square().mean(axes, true);
        Tensor y = x.mul(meanSquare.add(layer.spec().eps()).rsqrt());
        if (layer.weight().isPresent()) {
            y = y.mul(layer.weight().get().reshape(perChannel)).add(layer.bias().get().reshape(perChannel));
        }
        return y;
    }

    /** Channels (N, C, L): the same layout as BatchNorm, so the fused face is the shared kernel, uncentred. */
    @Override
    public Layout layout(NormLayer layer, Shape input) {
        return Layout.channels(input.dim(0), input.dim(1), input.product(2, input.rank()));
    }
}

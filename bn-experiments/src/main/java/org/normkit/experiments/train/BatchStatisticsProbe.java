package org.normkit.experiments.train;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.normkit.autograd.nn.Module;
import org.normkit.core.NormLayer;
import org.normkit.core.RunningStats;
import org.normkit.core.kernel.Moments;
import org.normkit.experiments.report.ProbeRow;
import org.normkit.experiments.report.RunKey;

/**
 * The batch-statistics probe: how far each training batch's statistics stray from the running statistics that
 * evaluation will normalise with, the training–inference discrepancy that Wang et al. 2022 ("Understanding the
 * failure of batch normalization for transformers in NLP") find behind most of BatchNorm's trouble, and that Shen et
 * al. 2020 (PowerNorm) find far larger on text than on images.
 *
 * <p>Every norm layer of a net that keeps a running mean and variance is watched; each training forward, before its
 * running statistics take the batch in, contributes for each statistics set s (a channel; a (sample, channel) for
 * InstanceNorm) with a valid element, against running entry c:
 * <pre>
 *   mean shift      |μ_B,s − μ_c| / sqrt(σ²_c + eps)      (in running standard deviations)
 *   variance shift  |σ²_B,s − σ²_c| / σ²_c                (relative; σ²_B biased, as the batch normalises with it)
 * </pre>
 * An epoch's figure is the mean over its forwards, layers and sets. A shared LSTM norm is watched at every time
 * step, so the figure includes how much the statistics differ between steps (Cooijmans et al. 2016). The first epoch
 * includes the running statistics' warm-up from mean 0, variance 1. Layers that keep a mean of squares only
 * (PowerNorm) are not watched: they have no running mean to compare.
 *
 * <p>Not thread-safe: one probe per run, on the run's thread.
 */
public final class BatchStatisticsProbe implements NormLayer.BatchStatisticsObserver {
    private final List<NormLayer> layers;
    private double meanShift;
    private double varianceShift;
    private long sets;

    private BatchStatisticsProbe(List<NormLayer> layers) {
        this.layers = layers;
        layers.forEach(layer -> layer.observeBatchStatistics(this));
    }

    /** Watches every norm layer of {@code net} that keeps a running mean and variance. */
    public static BatchStatisticsProbe attach(Module net) {
        List<NormLayer> found = new ArrayList<>();
        collect(net, found);
        return new BatchStatisticsProbe(found);
    }

    private static void collect(Module module, List<NormLayer> into) {
        if (module instanceof NormLayer layer && layer.runningStats().map(BatchStatisticsProbe::hasMean)
                .orElse(false)) {
            into.add(layer);
        }
        module.children().values().forEach(child -> collect(child, into));
    }

    private static boolean hasMean(RunningStats running) {
        return running.policy().tracked() != org.normkit.core.RunningStatsPolicy.Tracked.MEAN_OF_SQUARES;
    }

    /** How many layers are watched; 0 when the net has no norm with running statistics. */
    public int layers() {
        return layers.size();
    }

    @Override
    public void observed(NormLayer layer, Moments batch, int[] counts, RunningStats running) {
        double[] runningMean = running.mean().toDoubleArray();
        double[] runningVariance = running.variance().toDoubleArray();
        double eps = layer.spec().eps();
        for (int s = 0; s < batch.sets(); s++) {
            if (counts[s] == 0) {
                continue;
            }
            int c = s % runningMean.length;
            meanShift += Math.abs(batch.mean()[s] - runningMean[c]) / Math.sqrt(runningVariance[c] + eps);
            varianceShift += Math.abs(batch.variance()[s] - runningVariance[c]) / Math.max(runningVariance[c], eps);
            sets++;
        }
    }

    /** The epoch's figures for {@code key}, and a fresh start for the next epoch; empty when nothing was watched. */
    public Optional<ProbeRow> endEpoch(RunKey key, int epoch) {
        Optional<ProbeRow> row = sets == 0 ? Optional.empty()
                : Optional.of(new ProbeRow(key, epoch, layers.size(), meanShift / sets, varianceShift / sets));
        meanShift = 0;
        varianceShift = 0;
        sets = 0;
        return row;
    }

    /** Stops watching. */
    public void detach() {
        layers.forEach(layer -> layer.observeBatchStatistics(null));
    }
}

package org.normkit.core.replica;

import org.normkit.autograd.graph.Node;
import org.normkit.autograd.nn.Module;
import org.normkit.autograd.nn.Parameter;
import org.normkit.autograd.spi.NormSpec;
import org.normkit.autograd.spi.UnsupportedInputException;
import org.normkit.autograd.tensor.DType;
import org.normkit.autograd.tensor.Shape;
import org.normkit.autograd.tensor.Tensor;
import org.normkit.core.RunningStats;
import org.normkit.core.batch.BatchNorm;
import org.normkit.core.kernel.Moments;

/**
 * Cross-replica batch normalization, as PyTorch's {@code SyncBatchNorm}: one replica of a data-parallel step whose
 * K replicas each hold part of the batch, normalising with the statistics of the <em>whole</em> batch.
 *
 * <h2>Forward (training)</h2>
 * Each replica computes per channel c its (count n_k, mean, M2) over its N_k·L values (two passes, in double); the
 * {@link StatsReducer} merges them across replicas with Chan's formula ({@link ChannelMoments#merge}) into the
 * batch's n, μ_c and biased σ²_c = M2/n; then, as {@code BatchNorm},
 * <pre>
 *   x̂ = (x − μ_c)·rstd_c,  rstd_c = 1/sqrt(σ²_c + eps),   y = γ_c·x̂ + β_c
 * </pre>
 * and the running statistics are updated from the merged statistics (unbiased variance M2/(n − 1)), so they are the
 * same on every replica. With K = 1 this is BatchNorm.
 *
 * <h2>Backward</h2>
 * With g the gradient of y, the whole batch's dx needs two per-channel sums over the batch, which the reducer sums
 * across replicas: Σg and Σg·x̂. Then, on each replica's rows,
 * <pre>
 *   dx = γ_c·rstd_c·(g − Σg/n − x̂·Σg·x̂/n),   dγ_c = Σ_local g·x̂,   dβ_c = Σ_local g
 * </pre>
 * dγ and dβ stay per replica: the data-parallel step sums every parameter's gradient across replicas, these too.
 * For that sum to be the gradient of the batch's mean loss, each replica's loss must be its share,
 * Σ_local loss / B (not its own mean).
 *
 * <h2>Evaluation</h2>
 * Normalises with the running statistics (when tracked; else with the statistics of the replica's own input, which
 * then needs no exchange). No reducer call is made, so replicas may evaluate independently. γ and β still get their
 * per-replica gradients (fine-tuning with frozen statistics); with the running statistics dx = γ_c·rstd_c·g.
 *
 * <h2>Shapes and edge cases</h2>
 * Input (N, C, *) with C = numFeatures, of the layer's dtype; statistics in double, output in the input's dtype. A
 * replica may hold fewer rows than another; in training the whole batch needs more than one value per channel.
 * Not thread-safe: one replica, one thread.
 */
public final class SyncBatchNorm extends Module {
    private final NormSpec spec;
    private final StatsReducer reducer;
    private final int replica;
    private final Parameter weight;
    private final Parameter bias;
    private final RunningStats running;

    /**
     * @param spec    as for BatchNorm
     * @param reducer how the replicas exchange statistics
     * @param replica this replica's index in [0, reducer.replicas())
     */
    public SyncBatchNorm(NormSpec spec, StatsReducer reducer, int replica) {
        if (replica < 0 || replica >= reducer.replicas()) {
            throw new IllegalArgumentException("replica " + replica + " is not in [0, " + reducer.replicas() + ")");
        }
        this.spec = spec;
        this.reducer = reducer;
        this.replica = replica;
        Shape channels = Shape.of(spec.numFeatures());
        weight = spec.affine() ? registerParameter("weight", Tensor.ones(spec.dtype(), channels)) : null;
        bias = spec.affine() ? registerParameter("bias", Tensor.zeros(spec.dtype(), channels)) : null;
        // BatchNorm's policy (PyTorch's, or the preset the spec's running_stats option names): the same estimates.
        running = RunningStats.of(spec, new BatchNorm().runningStats().forSpec(spec, "sync_batch_norm")).orElse(null);
        if (running != null) {
            registerBuffer("running_mean", running.mean());
            registerBuffer("running_var", running.variance());
            registerBuffer("num_batches_tracked", running.numBatchesTracked());
        }
    }

    public NormSpec spec() {
        return spec;
    }

    @Override
    public Tensor forward(Tensor x) {
        checkInput(x);
        int n = x.dim(0);
        int c = x.dim(1);
        int l = x.numel() / Math.max(1, n * c);
        double[] values = x.toDoubleArray();
        boolean batchStatistics = isTraining() || running == null;
        double[] mean;
        double[] variance;
        double total;
        if (batchStatistics) {
            ChannelMoments local = localMoments(values, n, c, l);
            ChannelMoments merged = isTraining() ? reducer.allMerge(replica, local) : local;
            total = merged.count()[0];
            if (isTraining() && total <= 1) {
                throw new UnsupportedInputException("sync_batch_norm: expected more than 1 value per channel when "
                        + "training, got " + (long) total + " over all " + reducer.replicas() + " replicas (input "
                        + x.shape() + " on replica " + replica + "): use a larger batch");
            }
            mean = merged.mean();
            variance = new double[c];
            for (int ch = 0; ch < c; ch++) {
                variance[ch] = merged.m2()[ch] / total;
            }
        } else {
            mean = running.mean().toDoubleArray();
            variance = running.variance().toDoubleArray();
            total = n * (double) l;
        }
        double[] rstd = new double[c];
        for (int ch = 0; ch < c; ch++) {
            rstd[ch] = 1.0 / Math.sqrt(variance[ch] + spec.eps());
        }
        double[] gamma = weight == null ? null : weight.value().toDoubleArray();
        double[] beta = bias == null ? null : bias.value().toDoubleArray();
        double[] xhat = new double[values.length];
        double[] y = new double[values.length];
        for (int i = 0; i < values.length; i++) {
            int ch = (i / l) % c;
            xhat[i] = (values[i] - mean[ch]) * rstd[ch];
            y[i] = xhat[i] * (gamma == null ? 1 : gamma[ch]) + (beta == null ? 0 : beta[ch]);
        }
        if (isTraining() && running != null) {
            running.update(new Moments(mean, variance, (int) Math.min(Integer.MAX_VALUE, Math.round(total))));
        }
        Tensor out = wrap(y, x.shape(), x.dtype());
        double count = total;
        if (!batchStatistics) {
            return Node.record(out, "sync_batch_norm (running statistics)", (g, needs) -> {
                // dγ and dβ are the per-replica sums of training; dx has no statistics term (they are constants).
                boolean[] affineOnly = needs.clone();
                affineOnly[0] = false;
                Tensor[] grads = backward(g, xhat, rstd, gamma, count, false, c, l, x.shape(), x.dtype(), affineOnly);
                grads[0] = needs[0] ? wrap(scaleByChannel(g.toDoubleArray(), rstd, gamma, c, l), x.shape(), x.dtype())
                        : null;
                return grads;
            }, inputs(x));
        }
        boolean exchange = isTraining();
        return Node.record(out, "sync_batch_norm", (g, needs) -> backward(g, xhat, rstd, gamma, count, exchange, c,
                l, x.shape(), x.dtype(), needs), inputs(x));
    }

    private Tensor[] inputs(Tensor x) {
        return weight == null ? new Tensor[] {x} : new Tensor[] {x, weight.value(), bias.value()};
    }

    /** The analytic backward: two sums all-reduced across replicas (in training), then dx on this replica's rows. */
    private Tensor[] backward(Tensor gradOut, double[] xhat, double[] rstd, double[] gamma, double count,
                              boolean exchange, int c, int l, Shape shape, DType dtype, boolean[] needs) {
        double[] g = gradOut.toDoubleArray();
        double[] local = new double[2 * c];
        for (int i = 0; i < g.length; i++) {
            int ch = (i / l) % c;
            local[ch] += g[i];
            local[c + ch] += g[i] * xhat[i];
        }
        // Every replica must take part in the exchange, whatever gradients it needs itself.
        double[] sums = exchange ? reducer.allSum(replica, local) : local;
        Tensor[] result = new Tensor[weight == null ? 1 : 3];
        if (needs[0]) {
            double[] dx = new double[g.length];
            for (int i = 0; i < g.length; i++) {
                int ch = (i / l) % c;
                double scale = (gamma == null ? 1 : gamma[ch]) * rstd[ch];
                dx[i] = scale * (g[i] - sums[ch] / count - xhat[i] * sums[c + ch] / count);
            }
            result[0] = wrap(dx, shape, dtype);
        }
        if (weight != null) {
            double[] dGamma = new double[c];
            double[] dBeta = new double[c];
            System.arraycopy(local, c, dGamma, 0, c);
            System.arraycopy(local, 0, dBeta, 0, c);
            result[1] = needs[1] ? wrap(dGamma, Shape.of(c), dtype) : null;
            result[2] = needs[2] ? wrap(dBeta, Shape.of(c), dtype) : null;
        }
        return result;
    }

    private static double[] scaleByChannel(double[] g, double[] rstd, double[] gamma, int c, int l) {
        double[] dx = new double[g.length];
        for (int i = 0; i < g.length; i++) {
            int ch = (i / l) % c;
            dx[i] = g[i] * rstd[ch] * (gamma == null ? 1 : gamma[ch]);
        }
        return dx;
    }

    /** Per-channel count, mean and M2 of this replica's values, two passes in double. */
    private static ChannelMoments localMoments(double[] values, int n, int c, int l) {
        double[] count = new double[c];
        double[] mean = new double[c];
        double[] m2 = new double[c];
        for (int i = 0; i < values.length; i++) {
            mean[(i / l) % c] += values[i];
        }
        for (int ch = 0; ch < c; ch++) {
            count[ch] = (double) n * l;
            mean[ch] = count[ch] == 0 ? 0 : mean[ch] / count[ch];
        }
        for (int i = 0; i < values.length; i++) {
            double d = values[i] - mean[(i / l) % c];
            m2[(i / l) % c] += d * d;
        }
        return new ChannelMoments(count, mean, m2);
    }

    private static Tensor wrap(double[] values, Shape shape, DType dtype) {
        if (dtype == DType.FLOAT64) {
            return Tensor.wrap(values, shape);
        }
        float[] f = new float[values.length];
        for (int i = 0; i < values.length; i++) {
            f[i] = (float) values[i];
        }
        return Tensor.wrap(f, shape);
    }

    private void checkInput(Tensor x) {
        if (x.dtype() != spec.dtype()) {
            throw new IllegalArgumentException("sync_batch_norm: the input is " + x.dtype() + " but the layer is "
                    + spec.dtype() + ": convert the input with x.to(DType." + spec.dtype().name() + ")");
        }
        if (x.rank() < 2) {
            throw new IllegalArgumentException("sync_batch_norm: expected an input (N, C, *), got " + x.shape());
        }
        x.shape().requireSize(1, spec.numFeatures(), "sync_batch_norm", "channels (numFeatures)");
    }

    @Override
    public String toString() {
        return "SyncBatchNorm(" + spec.describe() + ", replica " + replica + " of " + reducer.replicas() + ")";
    }
}

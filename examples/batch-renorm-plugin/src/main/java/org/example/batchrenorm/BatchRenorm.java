package org.example.batchrenorm;

import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.WeakHashMap;

import org.normkit.autograd.spi.FusedNorm;
import org.normkit.autograd.spi.FusedNorm.Saved;
import org.normkit.autograd.spi.NormSpec;
import org.normkit.autograd.spi.Statistics;
import org.normkit.autograd.tensor.DType;
import org.normkit.autograd.tensor.Shape;
import org.normkit.autograd.tensor.Tensor;
import org.normkit.core.ContractPreset;
import org.normkit.core.Norm;
import org.normkit.core.NormLayer;
import org.normkit.core.RunningStats;
import org.normkit.core.RunningStatsPolicy;
import org.normkit.core.kernel.Centering;
import org.normkit.core.kernel.Layout;
import org.normkit.core.kernel.Moments;
import org.normkit.core.kernel.NormKernel;

/**
 * Batch Renormalization (Ioffe, "Batch Renormalization: Towards Reducing Minibatch Dependence in Batch-Normalized
 * Models", NeurIPS 2017): BatchNorm whose training output is corrected towards what the running statistics would
 * give, so that training and inference compute the same function of the input.
 *
 * <h2>Formula (per channel c, dimension 1)</h2>
 * <pre>
 *   training:    σ_B = sqrt(σ²_B + eps)        σ = sqrt(running_var + eps)
 *                r = clip(σ_B / σ, 1/r_max, r_max)        d = clip((μ_B − running_mean) / σ, −d_max, d_max)
 *                y = ((x − μ_B) / σ_B · r + d) · γ + β           r and d are constants: no gradient through them
 *   evaluation:  y = (x − running_mean) / σ · γ + β              (BatchNorm's)
 * </pre>
 * μ_B and the biased σ²_B are taken over the batch and every position, as in BatchNorm. r = 1 and d = 0 give
 * BatchNorm; without running statistics ({@code trackRunningStats=false}) they always are.
 *
 * <h2>The schedule of r_max and d_max (options)</h2>
 * With t = num_batches_tracked before the update: r_max(t) = 1 + (rmax − 1)·ramp(t, rmax_ramp_steps) and d_max(t) =
 * dmax·ramp(t, dmax_ramp_steps), ramp(t, s) = clamp((t − warmup_steps)/s, 0, 1) (1 after the warm-up when s = 0).
 * The defaults follow the paper: rmax 3, dmax 5, warmup_steps 5000, and both limits reached at 40k and 25k steps
 * (rmax_ramp_steps 35000, dmax_ramp_steps 20000); "gradually" is read as linearly.
 *
 * <h2>Running statistics: its own policy</h2>
 * The paper averages the standard deviation, not the variance: μ ← μ + α(μ_B − μ), σ ← σ + α(σ_B − σ), α the
 * momentum (PyTorch's direction, default 0.1). The buffers keep PyTorch's names: {@code running_var} holds σ² − eps, so
 * that evaluation's sqrt(running_var + eps) is the averaged σ and state dicts read like BatchNorm's.
 *
 * <h2>Faces</h2>
 * The reference face is composed autograd ops. The fused face is normkit's BatchNorm kernel with γ' = γ·r and
 * β' = γ·d + β; its backward gives ∂L/∂x directly, and ∂L/∂γ = r·Σg·x̂ + d·Σg, ∂L/∂β = Σg from the kernel's sums.
 */
public final class BatchRenorm extends Norm {

    public BatchRenorm() {
        super("batch_renorm", "Batch Renormalization: BatchNorm with r, d corrections towards the running statistics, "
                + "clipped by a scheduled r_max, d_max (Ioffe 2017)", ContractPreset.channelFirst(2, 3, 4, 5)
                .withBenchmarkShapes(Shape.of(256, 1024), Shape.of(32, 64, 56, 56)));
    }

    @Override
    public Map<String, String> options() {
        Map<String, String> o = new LinkedHashMap<>();
        o.put("rmax", "the final r_max >= 1 (default 3)");
        o.put("dmax", "the final d_max >= 0 (default 5)");
        o.put("warmup_steps", "steps with r_max = 1, d_max = 0 (default 5000)");
        o.put("rmax_ramp_steps", "steps from the warm-up's end to the final r_max (default 35000)");
        o.put("dmax_ramp_steps", "steps from the warm-up's end to the final d_max (default 20000)");
        return o;
    }

    /** Mean and biased variance with PyTorch's momentum, the variance averaged as a standard deviation. */
    @Override
    public RunningStatsPolicy runningStats() {
        return RunningStatsPolicy.pytorch().withEstimator(RunningStatsPolicy.Estimator.BIASED)
                .withUpdateRule(new RunningStatsPolicy.UpdateRule() {
                    @Override
                    public double weight(NormSpec spec, long batchesTracked) {
                        return RunningStatsPolicy.UpdateRule.PYTORCH_MOMENTUM.weight(spec, batchesTracked);
                    }

                    @Override
                    public double nextVariance(double running, double observed, double f, NormSpec spec) {
                        double sigma = (1 - f) * Math.sqrt(running + spec.eps()) + f * Math.sqrt(observed + spec.eps());
                        return sigma * sigma - spec.eps();
                    }
                });
    }

    @Override
    protected void validate(String name, NormSpec spec) {
        Limits.at(spec, 0);
    }

    @Override
    protected void checkInput(NormLayer layer, Shape input) {
        requireMoreThanOneValuePerChannel(layer, input);
    }

    @Override
    public Layout layout(NormLayer layer, Shape input) {
        return Layout.channels(input.dim(0), input.dim(1), input.product(2, input.rank()));
    }

    @Override
    public Tensor reference(NormLayer layer, Tensor x, Statistics use) {
        int[] perChannel = new int[x.rank()];
        Arrays.fill(perChannel, 1);
        perChannel[1] = x.dim(1);
        int[] axes = java.util.stream.IntStream.range(0, x.rank()).filter(a -> a != 1).toArray();
        double eps = layer.spec().eps();
        Tensor y;
        if (use instanceof Statistics.Running running) {
            y = x.sub(running.mean().reshape(perChannel)).mul(running.variance().reshape(perChannel).add(eps).rsqrt());
        } else {
            Tensor mean = x.mean(axes, true);
            Tensor variance = x.var(axes, false, true);
            y = x.sub(mean).mul(variance.add(eps).rsqrt());
            double[][] rd = corrections(layer, mean.detach().toDoubleArray(), variance.detach().toDoubleArray());
            y = y.mul(constant(rd[0], x.dtype(), perChannel)).add(constant(rd[1], x.dtype(), perChannel));
        }
        if (layer.weight().isPresent()) {
            y = y.mul(layer.weight().get().reshape(perChannel)).add(layer.bias().get().reshape(perChannel));
        }
        return y;
    }

    /** BatchNorm's kernel with γ' = γ·r and β' = γ·d + β in training; BatchNorm's kernel itself in evaluation. */
    @Override
    public Optional<FusedNorm> fused(NormLayer layer) {
        FusedNorm kernel = NormKernel.of(Centering.CENTERED, layer.spec().eps(), input -> layout(layer, input));
        // r and d of each forward, for its backward: several forwards may come before their backwards.
        Map<Saved, double[][]> corrections = Collections.synchronizedMap(new WeakHashMap<>());
        return Optional.of(new FusedNorm() {
            @Override
            public Saved forward(Tensor x, Tensor gamma, Tensor beta, Statistics use, Tensor out) {
                if (!use.isBatch()) {
                    return kernel.forward(x, gamma, beta, use, out);
                }
                Moments m = NormKernel.moments(layout(layer, x.shape()), Centering.CENTERED, x);
                double[][] rd = corrections(layer, m.mean(), m.variance());
                int c = x.dim(1);
                double[] g = gamma == null ? filled(c, 1) : gamma.toDoubleArray();
                double[] b = beta == null ? new double[c] : beta.toDoubleArray();
                double[] scaled = new double[c];
                double[] shifted = new double[c];
                for (int i = 0; i < c; i++) {
                    scaled[i] = g[i] * rd[0][i];
                    shifted[i] = g[i] * rd[1][i] + b[i];
                }
                Saved saved = kernel.forward(x, constant(scaled, x.dtype(), c), constant(shifted, x.dtype(), c), use, out);
                corrections.put(saved, rd);
                return saved;
            }

            @Override
            public Gradients backward(Tensor gradOutput, Tensor x, Saved saved, Tensor gamma, GradMask mask) {
                double[][] rd = corrections.get(saved);
                if (rd == null) {
                    return kernel.backward(gradOutput, x, saved, gamma, mask);
                }
                int c = x.dim(1);
                double[] g = gamma == null ? filled(c, 1) : gamma.toDoubleArray();
                double[] scaled = new double[c];
                for (int i = 0; i < c; i++) {
                    scaled[i] = g[i] * rd[0][i];
                }
                Gradients k = kernel.backward(gradOutput, x, saved, constant(scaled, x.dtype(), c),
                        new GradMask(mask.input(), mask.weight(), mask.weight() || mask.bias()));
                Tensor dGamma = null;
                if (mask.weight()) {
                    double[] sumGXhat = k.weight().toDoubleArray();
                    double[] sumG = k.bias().toDoubleArray();
                    double[] d = new double[c];
                    for (int i = 0; i < c; i++) {
                        d[i] = rd[0][i] * sumGXhat[i] + rd[1][i] * sumG[i];
                    }
                    dGamma = constant(d, k.weight().dtype(), c);
                }
                return new Gradients(k.input(), dGamma, mask.bias() ? k.bias() : null);
            }
        });
    }

    /** r and d per channel from the batch's mean and biased variance; (1, 0) without running statistics. */
    private static double[][] corrections(NormLayer layer, double[] batchMean, double[] batchVariance) {
        int c = batchMean.length;
        double[][] rd = {filled(c, 1), new double[c]};
        Optional<RunningStats> running = layer.runningStats();
        if (running.isEmpty()) {
            return rd;
        }
        double eps = layer.spec().eps();
        Limits limits = Limits.at(layer.spec(), running.get().batchesTracked());
        for (int i = 0; i < c; i++) {
            double sigma = Math.sqrt(running.get().variance().get(i) + eps);
            double sigmaBatch = Math.sqrt(batchVariance[i] + eps);
            rd[0][i] = Math.min(limits.rmax, Math.max(1 / limits.rmax, sigmaBatch / sigma));
            rd[1][i] = Math.min(limits.dmax, Math.max(-limits.dmax, (batchMean[i] - running.get().mean().get(i)) / sigma));
        }
        return rd;
    }

    /** r_max and d_max at step t, from the options (checked here, so a bad value fails when the layer is built). */
    record Limits(double rmax, double dmax) {
        static Limits at(NormSpec spec, long t) {
            double rmax = number(spec, "rmax", 3, 1);
            double dmax = number(spec, "dmax", 5, 0);
            double warmup = number(spec, "warmup_steps", 5000, 0);
            double rRamp = number(spec, "rmax_ramp_steps", 35000, 0);
            double dRamp = number(spec, "dmax_ramp_steps", 20000, 0);
            return new Limits(1 + (rmax - 1) * ramp(t, warmup, rRamp), dmax * ramp(t, warmup, dRamp));
        }

        private static double ramp(long t, double warmup, double steps) {
            if (t < warmup) {
                return 0;
            }
            return steps == 0 ? 1 : Math.min(1, (t - warmup) / steps);
        }

        private static double number(NormSpec spec, String option, double fallback, double least) {
            String text = spec.option(option).orElse(null);
            double v;
            try {
                v = text == null ? fallback : Double.parseDouble(text.trim());
            } catch (NumberFormatException e) {
                v = Double.NaN;
            }
            if (!(v >= least) || Double.isInfinite(v)) {
                throw new IllegalArgumentException("batch_renorm: option " + option + "=" + text + " is not allowed: "
                        + "expected a finite number >= " + least + ", e.g. " + option + "=" + fallback);
            }
            return v;
        }
    }

    private static double[] filled(int n, double value) {
        double[] a = new double[n];
        Arrays.fill(a, value);
        return a;
    }

    private static Tensor constant(double[] values, DType dtype, int... shape) {
        return Tensor.wrap(values, Shape.of(values.length)).to(dtype).reshape(shape);
    }
}

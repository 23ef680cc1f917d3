package org.normkit.autograd.check;

import java.util.Optional;

import org.normkit.autograd.graph.FusedOp;
import org.normkit.autograd.spi.Face;
import org.normkit.autograd.spi.FusedNorm;
import org.normkit.autograd.spi.NormSpec;
import org.normkit.autograd.spi.Normalization;
import org.normkit.autograd.spi.Statistics;
import org.normkit.autograd.tensor.DType;
import org.normkit.autograd.tensor.Shape;
import org.normkit.autograd.tensor.Tensor;

/**
 * Test-only: a norm over the last dimension with both faces, for the tests of the machinery around norms (face
 * agreement, gradient checks, the benchmark harness) in modules that have no real norm on their class path. Not a
 * model of how the real norms are written.
 *
 * <p>y = (x − mean of its row)·γ + β ({@link Scaling#CENTER}), or LayerNorm's y = (x − mean)·rstd·γ + β with the
 * biased variance ({@link Scaling#STANDARDIZE}). The reference face is composed ops; the fused face is plain loops
 * recorded as one graph node, whose backward can itself be differentiated when asked (centering only), and which can
 * carry a planted {@link Bug}. It counts its training forwards in a {@code num_batches_tracked} buffer (state a
 * check must restore) and its fused forwards in {@link #fusedForwards}.
 */
public final class TestRowNorm extends Normalization {
    private static final int[] ROWS = {0};

    /** What the fused face computes besides centering. */
    public enum Scaling { CENTER, STANDARDIZE }

    /** The bugs the fused face can carry. */
    public enum Bug {
        NONE,
        /** The input gradient is 1.5 times what it should be. */
        INPUT_GRADIENT_SCALED,
        /** β is left out of the fused node's inputs, so the graph never reaches it. */
        NO_BIAS_GRADIENT,
        /** {@link #fused()} is empty and the layer always runs its reference face. */
        NO_FUSED_FACE,
        /** The fused forward throws, for tests of how a failure is reported. */
        FAILING_KERNEL
    }

    private final String name;
    private final NormSpec spec;
    private final Scaling scaling;
    private final Bug bug;
    private final boolean differentiableBackward;
    private final Tensor weight;
    private final Tensor bias;
    private final Tensor steps;
    private Face face = Face.AUTO;
    /** Forwards run on the fused face so far. */
    public int fusedForwards;

    /**
     * @param name                   the op's name in the graph ({@code NAME (fused)}) and in the planted failure
     * @param differentiableBackward whether the fused node's backward is written with recorded ops, so that a
     *                               backward pass that builds a graph can differentiate it again ({@link Scaling#CENTER}
     *                               only)
     */
    public TestRowNorm(String name, NormSpec spec, Scaling scaling, Bug bug, boolean differentiableBackward) {
        if (differentiableBackward && scaling != Scaling.CENTER) {
            throw new IllegalArgumentException("TestRowNorm writes a differentiable backward for centering only");
        }
        this.name = name;
        this.spec = spec;
        this.scaling = scaling;
        this.bug = bug;
        this.differentiableBackward = differentiableBackward;
        this.weight = registerParameter("weight", Tensor.ones(spec.dtype(), spec.numFeatures())).value();
        this.bias = registerParameter("bias", Tensor.zeros(spec.dtype(), spec.numFeatures())).value();
        this.steps = registerBuffer("num_batches_tracked", Tensor.zeros(spec.dtype(), 1));
    }

    /** A centering norm of {@code spec} with a plain fused backward. */
    public static TestRowNorm centering(String name, NormSpec spec, Bug bug) {
        return new TestRowNorm(name, spec, Scaling.CENTER, bug, false);
    }

    /** γ in [0.5, 1.5) and β in [−0.5, 0.5), from {@code seed}: gradients that ones and zeros would hide. */
    public TestRowNorm withRandomAffine(long seed) {
        weight.copyFrom(Tensor.uniform(spec.dtype(), weight.shape(), 0.5, 1.5, seed));
        bias.copyFrom(Tensor.uniform(spec.dtype(), bias.shape(), -0.5, 0.5, seed + 1));
        return this;
    }

    @Override
    public Tensor forward(Tensor x) {
        if (isTraining()) {
            steps.set(0, steps.get(0) + 1);
        }
        Face run = face == Face.AUTO ? Face.scoped() : face;
        if (run == Face.REFERENCE || bug == Bug.NO_FUSED_FACE) {
            return reference(x, Statistics.batch());
        }
        fusedForwards++;
        Kernel kernel = new Kernel();
        Tensor xData = x.detach();
        Tensor gamma = weight.detach();
        Tensor out = x.zerosLike();
        FusedNorm.Saved saved = kernel.forward(xData, gamma, bias.detach(), Statistics.batch(), out);
        Tensor[] inputs = {x, weight, bug == Bug.NO_BIAS_GRADIENT ? null : bias};
        return FusedOp.record(name + " (fused)", out, inputs, (g, needs) -> {
            FusedNorm.Gradients grads = kernel.backward(g, xData, saved, gamma,
                    new FusedNorm.GradMask(needs[0], needs[1], needs[2]));
            return new Tensor[] {grads.input(), grads.weight(), grads.bias()};
        }, differentiableBackward ? (g, needs) -> centeringGradients(g, x) : null);
    }

    /** The centering's gradients in recorded ops: (g·γ − its row mean, Σ g·(x − row mean), Σ g). */
    private Tensor[] centeringGradients(Tensor g, Tensor x) {
        int[] last = {x.rank() - 1};
        Tensor scaled = g.mul(weight);
        Tensor dx = scaled.sub(scaled.mean(last, true));
        Tensor dWeight = g.mul(x.sub(x.mean(last, true))).sum(ROWS, false);
        Tensor dBias = g.sum(ROWS, false);
        return new Tensor[] {dx, dWeight, dBias};
    }

    @Override
    public NormSpec spec() {
        return spec;
    }

    @Override
    public Tensor reference(Tensor x, Statistics use) {
        int[] last = {x.rank() - 1};
        Tensor centered = x.sub(x.mean(last, true));
        if (scaling == Scaling.STANDARDIZE) {
            centered = centered.mul(x.var(last, false, true).add(spec.eps()).rsqrt());
        }
        return centered.mul(weight).add(bias);
    }

    @Override
    public Optional<FusedNorm> fused() {
        return bug == Bug.NO_FUSED_FACE ? Optional.empty() : Optional.of(new Kernel());
    }

    @Override
    public void setFace(Face mode) {
        this.face = mode;
    }

    @Override
    public Face face() {
        return face;
    }

    @Override
    public Optional<Tensor> weight() {
        return Optional.of(weight);
    }

    @Override
    public Optional<Tensor> bias() {
        return Optional.of(bias);
    }

    /** Plain loops over rows of K, moments in double (two passes); the "rstd" of centering is 1. */
    private final class Kernel implements FusedNorm {
        @Override
        public Saved forward(Tensor x, Tensor gamma, Tensor beta, Statistics use, Tensor out) {
            if (bug == Bug.FAILING_KERNEL) {
                throw new IllegalStateException("deliberate failure of " + name + "'s kernel");
            }
            int k = x.dim(-1);
            int rows = x.numel() / k;
            double[] mean = new double[rows];
            double[] rstd = new double[rows];
            for (int r = 0; r < rows; r++) {
                double s = 0;
                for (int j = 0; j < k; j++) {
                    s += x.get(r * k + j);
                }
                double m = s / k;
                double q = 0;
                for (int j = 0; j < k; j++) {
                    double d = x.get(r * k + j) - m;
                    q += d * d;
                }
                mean[r] = m;
                rstd[r] = scaling == Scaling.STANDARDIZE ? 1 / Math.sqrt(q / k + spec.eps()) : 1;
                for (int j = 0; j < k; j++) {
                    out.set(r * k + j, (x.get(r * k + j) - m) * rstd[r] * gamma.get(j) + beta.get(j));
                }
            }
            return new Saved(Tensor.wrap(mean, Shape.of(rows)), Tensor.wrap(rstd, Shape.of(rows)), true);
        }

        @Override
        public Gradients backward(Tensor g, Tensor x, Saved saved, Tensor gamma, GradMask mask) {
            int k = x.dim(-1);
            int rows = x.numel() / k;
            Tensor dx = x.zerosLike();
            Tensor dGamma = Tensor.zeros(gamma.dtype(), k);
            Tensor dBeta = Tensor.zeros(gamma.dtype(), k);
            double scale = bug == Bug.INPUT_GRADIENT_SCALED ? 1.5 : 1;
            // The x̂ term is the variance's: centering alone has none.
            double varianceTerm = scaling == Scaling.STANDARDIZE ? 1 : 0;
            for (int r = 0; r < rows; r++) {
                double m = saved.mean().get(r);
                double rs = saved.rstd().get(r);
                double meanG = 0;
                double meanGx = 0;
                for (int j = 0; j < k; j++) {
                    double xhat = (x.get(r * k + j) - m) * rs;
                    double gh = g.get(r * k + j) * gamma.get(j);
                    meanG += gh / k;
                    meanGx += gh * xhat / k;
                    dGamma.set(j, dGamma.get(j) + g.get(r * k + j) * xhat);
                    dBeta.set(j, dBeta.get(j) + g.get(r * k + j));
                }
                for (int j = 0; j < k; j++) {
                    double xhat = (x.get(r * k + j) - m) * rs;
                    double gh = g.get(r * k + j) * gamma.get(j);
                    dx.set(r * k + j, scale * rs * (gh - meanG - varianceTerm * xhat * meanGx));
                }
            }
            return new Gradients(mask.input() ? dx : null, mask.weight() ? dGamma : null,
                    mask.bias() ? dBeta : null);
        }
    }
}

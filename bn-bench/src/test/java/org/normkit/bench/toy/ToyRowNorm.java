package org.normkit.bench.toy;

import java.util.List;
import java.util.Optional;

import org.normkit.autograd.spi.Face;
import org.normkit.autograd.spi.FusedNorm;
import org.normkit.autograd.spi.InputContract;
import org.normkit.autograd.spi.NormSpec;
import org.normkit.autograd.spi.Normalization;
import org.normkit.autograd.spi.NormalizationProvider;
import org.normkit.autograd.spi.Statistics;
import org.normkit.autograd.spi.UnsupportedInputException;
import org.normkit.autograd.tensor.Shape;
import org.normkit.autograd.tensor.Tensor;

/**
 * Test-only: LayerNorm over the last dimension, with both faces, so the harness has a norm with a fused face to
 * time before the real norms join this module's class path. Not a model of how the real norms are written.
 */
public final class ToyRowNorm implements NormalizationProvider {

    @Override
    public String name() {
        return "toy_row_norm";
    }

    @Override
    public String summary() {
        return "test-only LayerNorm over the last dimension (both faces)";
    }

    @Override
    public InputContract contract() {
        return new InputContract() {
            @Override
            public String layout() {
                return "(..., K)";
            }

            @Override
            public boolean accepts(Shape input) {
                return input.rank() >= 2;
            }

            @Override
            public List<Shape> exampleShapes() {
                return List.of(Shape.of(3, 5));
            }

            @Override
            public List<Shape> benchmarkShapes() {
                return List.of(Shape.of(8, 64), Shape.of(4, 6, 32));
            }

            @Override
            public NormSpec specFor(Shape input, NormSpec base) {
                if (!accepts(input)) {
                    throw new UnsupportedInputException("toy_row_norm takes (..., K) with rank >= 2, got " + input);
                }
                return base.withNumFeatures(input.dim(-1));
            }
        };
    }

    @Override
    public Normalization create(NormSpec spec) {
        return new Layer(spec, false);
    }

    static final class Layer extends Normalization {
        private final boolean failingKernel;
        private final NormSpec spec;
        private final Tensor weight;
        private final Tensor bias;
        private Face mode = Face.AUTO;

        /** {@code failingKernel}: the fused forward throws, for tests of how the suite reports a failure. */
        Layer(NormSpec spec, boolean failingKernel) {
            this.failingKernel = failingKernel;
            this.spec = spec;
            this.weight = registerParameter("weight", Tensor.ones(spec.dtype(), spec.numFeatures())).value();
            this.bias = registerParameter("bias", Tensor.zeros(spec.dtype(), spec.numFeatures())).value();
        }

        @Override
        public Tensor forward(Tensor x) {
            Face m = mode == Face.AUTO ? Face.scoped() : mode;
            if (m == Face.REFERENCE) {
                return reference(x, Statistics.batch());
            }
            Tensor out = x.zerosLike();
            new Kernel().forward(x, weight, bias, Statistics.batch(), out);
            return out;
        }

        @Override
        public NormSpec spec() {
            return spec;
        }

        @Override
        public Tensor reference(Tensor x, Statistics use) {
            int[] last = {x.rank() - 1};
            Tensor mean = x.mean(last, true);
            Tensor var = x.var(last, false, true);
            return x.sub(mean).mul(var.add(spec.eps()).rsqrt()).mul(weight).add(bias);
        }

        @Override
        public Optional<FusedNorm> fused() {
            return Optional.of(new Kernel());
        }

        @Override
        public void setFace(Face mode) {
            this.mode = mode;
        }

        @Override
        public Face face() {
            return mode;
        }

        @Override
        public Optional<Tensor> weight() {
            return Optional.of(weight);
        }

        @Override
        public Optional<Tensor> bias() {
            return Optional.of(bias);
        }

        /** Plain loops over rows of K, moments in double (two-pass). */
        private final class Kernel implements FusedNorm {
            @Override
            public Saved forward(Tensor x, Tensor gamma, Tensor beta, Statistics use, Tensor out) {
                if (failingKernel) {
                    throw new IllegalStateException("deliberate failure of toy_failing_norm's kernel");
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
                    rstd[r] = 1 / Math.sqrt(q / k + spec.eps());
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
                        dx.set(r * k + j, rs * (gh - meanG - xhat * meanGx));
                    }
                }
                return new Gradients(mask.input() ? dx : null, mask.weight() ? dGamma : null,
                        mask.bias() ? dBeta : null);
            }
        }
    }
}

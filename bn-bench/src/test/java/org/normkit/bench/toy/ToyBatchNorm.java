package org.normkit.bench.toy;

import java.util.List;
import java.util.Optional;

import org.normkit.autograd.graph.GradMode;
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
 * Test-only: BatchNorm over (N, C, ...) with running statistics and a reference face only, so the harness meets a
 * norm without a fused face (reported n/a) and the BatchNorm bytes model (its name starts with {@code batch_norm}).
 */
public final class ToyBatchNorm implements NormalizationProvider {

    @Override
    public String name() {
        return "batch_norm_toy";
    }

    @Override
    public String summary() {
        return "test-only BatchNorm, reference face only";
    }

    @Override
    public InputContract contract() {
        return new InputContract() {
            @Override
            public String layout() {
                return "(N, C, ...)";
            }

            @Override
            public boolean accepts(Shape input) {
                return input.rank() >= 2;
            }

            @Override
            public List<Shape> exampleShapes() {
                return List.of(Shape.of(4, 3));
            }

            @Override
            public List<Shape> benchmarkShapes() {
                return List.of(Shape.of(4, 3, 5, 5));
            }

            @Override
            public NormSpec specFor(Shape input, NormSpec base) {
                if (!accepts(input)) {
                    throw new UnsupportedInputException("batch_norm_toy takes (N, C, ...), got " + input);
                }
                return base.withNumFeatures(input.dim(1));
            }
        };
    }

    @Override
    public Normalization create(NormSpec spec) {
        return new Layer(spec);
    }

    static final class Layer extends Normalization {
        private final NormSpec spec;
        private final Tensor weight;
        private final Tensor bias;
        private final Tensor runningMean;
        private final Tensor runningVar;

        Layer(NormSpec spec) {
            this.spec = spec;
            this.weight = registerParameter("weight", Tensor.ones(spec.dtype(), spec.numFeatures())).value();
            this.bias = registerParameter("bias", Tensor.zeros(spec.dtype(), spec.numFeatures())).value();
            this.runningMean = registerBuffer("running_mean", Tensor.zeros(spec.dtype(), spec.numFeatures()));
            this.runningVar = registerBuffer("running_var", Tensor.ones(spec.dtype(), spec.numFeatures()));
        }

        @Override
        public Tensor forward(Tensor x) {
            if (!isTraining()) {
                return reference(x, Statistics.running(runningMean, runningVar));
            }
            Tensor y = reference(x, Statistics.batch());
            try (GradMode.Scope ignored = GradMode.noGrad()) {
                Tensor m = x.detach().mean(axes(x), false);
                Tensor v = x.detach().var(axes(x), true, false);
                double momentum = spec.momentum().orElse(0.1);
                runningMean.copyFrom(runningMean.mul(1 - momentum).add(m.mul(momentum)));
                runningVar.copyFrom(runningVar.mul(1 - momentum).add(v.mul(momentum)));
            }
            return y;
        }

        @Override
        public NormSpec spec() {
            return spec;
        }

        @Override
        public Tensor reference(Tensor x, Statistics use) {
            int[] axes = axes(x);
            Tensor mean;
            Tensor var;
            if (use instanceof Statistics.Running running) {
                Shape perChannel = perChannel(x);
                mean = running.mean().reshape(perChannel);
                var = running.variance().reshape(perChannel);
            } else {
                mean = x.mean(axes, true);
                var = x.var(axes, false, true);
            }
            Shape perChannel = perChannel(x);
            return x.sub(mean).mul(var.add(spec.eps()).rsqrt()).mul(weight.reshape(perChannel))
                    .add(bias.reshape(perChannel));
        }

        private static int[] axes(Tensor x) {
            int[] axes = new int[x.rank() - 1];
            for (int i = 0, j = 0; i < x.rank(); i++) {
                if (i != 1) {
                    axes[j++] = i;
                }
            }
            return axes;
        }

        private static Shape perChannel(Tensor x) {
            int[] dims = new int[x.rank()];
            java.util.Arrays.fill(dims, 1);
            dims[1] = x.dim(1);
            return Shape.of(dims);
        }

        @Override
        public Optional<FusedNorm> fused() {
            return Optional.empty();
        }

        @Override
        public void setFace(Face mode) {
            if (mode == Face.FUSED) {
                throw new IllegalArgumentException("batch_norm_toy has no fused face");
            }
        }

        @Override
        public Face face() {
            return Face.REFERENCE;
        }

        @Override
        public Optional<Tensor> weight() {
            return Optional.of(weight);
        }

        @Override
        public Optional<Tensor> bias() {
            return Optional.of(bias);
        }
    }
}

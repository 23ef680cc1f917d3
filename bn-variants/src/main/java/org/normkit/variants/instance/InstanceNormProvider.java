package org.normkit.variants.instance;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

import org.normkit.autograd.spi.InputContract;
import org.normkit.autograd.spi.NormSpec;
import org.normkit.autograd.spi.Normalization;
import org.normkit.autograd.spi.NormalizationProvider;
import org.normkit.autograd.spi.UnsupportedInputException;
import org.normkit.autograd.tensor.Shape;

/**
 * The registry entries of {@link InstanceNorm}, one subclass per accepted rank set ({@code instance_norm},
 * {@code instance_norm1d}, {@code instance_norm2d}, {@code instance_norm3d}); each is one line in
 * {@code META-INF/services/org.normkit.autograd.spi.NormalizationProvider}, exactly as a plugin registers.
 */
public abstract class InstanceNormProvider implements NormalizationProvider {
    private final InstanceNorm.Dims dims;
    private final Contract contract;

    protected InstanceNormProvider(InstanceNorm.Dims dims) {
        this.dims = dims;
        this.contract = new Contract(dims);
    }

    @Override
    public final String name() {
        return dims.registeredName();
    }

    @Override
    public final String summary() {
        return "Instance normalization over " + dims.layouts() + ": per-sample, per-channel statistics over the "
                + "spatial positions, optional affine and running averages (Ulyanov, Vedaldi & Lempitsky 2016)";
    }

    @Override
    public final InputContract contract() {
        return contract;
    }

    @Override
    public final Normalization create(NormSpec spec) {
        switch (dims) {
            case ONE_D: return new InstanceNorm1d(spec);
            case TWO_D: return new InstanceNorm2d(spec);
            case THREE_D: return new InstanceNorm3d(spec);
            default: return new InstanceNorm(spec);
        }
    }

    /** Ranks and example shapes per {@link InstanceNorm.Dims}; numFeatures comes from dimension 1. */
    static final class Contract implements InputContract {
        private final InstanceNorm.Dims dims;

        Contract(InstanceNorm.Dims dims) {
            this.dims = dims;
        }

        @Override
        public String layout() {
            return dims.layouts();
        }

        @Override
        public boolean accepts(Shape input) {
            return dims.acceptsRank(input.rank()) && Arrays.stream(input.dims()).allMatch(d -> d >= 1);
        }

        /**
         * Small shapes with the odd sizes where kernels go wrong: C = 1, N = 1, and one spatial element, which is
         * valid only in evaluation with running statistics (the generic checks run it there).
         */
        @Override
        public List<Shape> exampleShapes() {
            switch (dims) {
                case ONE_D:
                    return List.of(Shape.of(2, 3, 4), Shape.of(1, 2, 5), Shape.of(3, 1, 2), Shape.of(2, 3, 1));
                case TWO_D:
                    return List.of(Shape.of(2, 3, 3, 4), Shape.of(1, 2, 2, 3), Shape.of(2, 1, 1, 2),
                            Shape.of(2, 2, 1, 1));
                case THREE_D:
                    return List.of(Shape.of(2, 2, 2, 2, 3), Shape.of(1, 3, 1, 2, 2), Shape.of(2, 2, 1, 1, 1));
                default:
                    return List.of(Shape.of(2, 3, 4), Shape.of(2, 3, 2, 3), Shape.of(1, 2, 2, 1, 3),
                            Shape.of(2, 2, 1));
            }
        }

        @Override
        public List<Shape> benchmarkShapes() {
            switch (dims) {
                case ONE_D:
                    return List.of(Shape.of(32, 64, 1024));
                case TWO_D:
                    return List.of(Shape.of(32, 64, 56, 56));
                case THREE_D:
                    return List.of(Shape.of(4, 32, 16, 28, 28));
                default:
                    return List.of(Shape.of(32, 64, 1024), Shape.of(32, 64, 56, 56));
            }
        }

        /**
         * {@code base} with numFeatures = the size of dimension 1. The base's {@code affine} and
         * {@code trackRunningStats} are kept: the caller states them. For PyTorch's InstanceNorm defaults
         * ({@code affine=False, track_running_stats=False}) start from {@link InstanceNorm#defaultSpec}, or use
         * {@link #specFor(Shape, Map)}.
         */
        @Override
        public NormSpec specFor(Shape input, NormSpec base) {
            if (!accepts(input)) {
                throw new UnsupportedInputException(dims.registeredName() + " cannot take an input of shape " + input
                        + ": it accepts " + dims.layouts() + " with every size >= 1");
            }
            return base.withNumFeatures(input.dim(1));
        }

        /** PyTorch's InstanceNorm defaults ({@link InstanceNorm#defaultSpec}) for all the shape does not decide. */
        @Override
        public NormSpec specFor(Shape input, Map<String, String> options) {
            return specFor(input, InstanceNorm.defaultSpec(1).withOptions(options));
        }
    }
}

package org.normkit.core.batch;

import java.util.List;

import org.normkit.autograd.spi.InputContract;
import org.normkit.autograd.spi.NormSpec;
import org.normkit.autograd.spi.Normalization;
import org.normkit.autograd.spi.NormalizationProvider;
import org.normkit.autograd.spi.UnsupportedInputException;
import org.normkit.autograd.tensor.Shape;

/**
 * The registry entries of {@link BatchNorm}, one subclass per accepted rank set ({@code batch_norm},
 * {@code batch_norm1d}, {@code batch_norm2d}, {@code batch_norm3d}); each is one line in
 * {@code META-INF/services/org.normkit.autograd.spi.NormalizationProvider}, exactly as a plugin registers.
 */
public abstract class BatchNormProvider implements NormalizationProvider {
    private final BatchNorm.Dims dims;
    private final Contract contract;

    protected BatchNormProvider(BatchNorm.Dims dims) {
        this.dims = dims;
        this.contract = new Contract(dims);
    }

    @Override
    public final String name() {
        return dims.registeredName();
    }

    @Override
    public final String summary() {
        return "Batch normalization over " + dims.layouts() + ": per-channel statistics over the batch and "
                + "spatial positions, running averages for evaluation (Ioffe & Szegedy 2015)";
    }

    @Override
    public final InputContract contract() {
        return contract;
    }

    @Override
    public final Normalization create(NormSpec spec) {
        switch (dims) {
            case ONE_D: return new BatchNorm1d(spec);
            case TWO_D: return new BatchNorm2d(spec);
            case THREE_D: return new BatchNorm3d(spec);
            default: return new BatchNorm(spec);
        }
    }

    /** Ranks and example shapes per {@link BatchNorm.Dims}; numFeatures comes from dimension 1. */
    static final class Contract implements InputContract {
        private final BatchNorm.Dims dims;

        Contract(BatchNorm.Dims dims) {
            this.dims = dims;
        }

        @Override
        public String layout() {
            return dims.layouts();
        }

        @Override
        public boolean accepts(Shape input) {
            if (!dims.acceptsRank(input.rank())) {
                return false;
            }
            for (int d : input.dims()) {
                if (d < 1) {
                    return false;
                }
            }
            return true;
        }

        /**
         * Small shapes with the odd sizes where kernels go wrong: C = 1, N = 1, one spatial position. A shape with
         * one value per channel (N = 1, S = 1) is valid in evaluation only; the generic checks run it there.
         */
        @Override
        public List<Shape> exampleShapes() {
            switch (dims) {
                case ONE_D:
                    return List.of(Shape.of(5, 3), Shape.of(4, 1), Shape.of(3, 2, 4), Shape.of(2, 3, 1),
                            Shape.of(1, 2, 3), Shape.of(1, 3));
                case TWO_D:
                    return List.of(Shape.of(2, 3, 3, 4), Shape.of(3, 1, 2, 2), Shape.of(4, 3, 1, 1),
                            Shape.of(1, 2, 3, 3), Shape.of(1, 2, 1, 1));
                case THREE_D:
                    return List.of(Shape.of(2, 3, 2, 2, 3), Shape.of(2, 1, 1, 2, 3), Shape.of(3, 2, 1, 1, 1),
                            Shape.of(1, 2, 2, 1, 3));
                default:
                    return List.of(Shape.of(5, 3), Shape.of(2, 3, 4), Shape.of(2, 3, 2, 3), Shape.of(2, 2, 1, 2, 3),
                            Shape.of(1, 3));
            }
        }

        @Override
        public List<Shape> benchmarkShapes() {
            switch (dims) {
                case ONE_D:
                    return List.of(Shape.of(256, 1024));
                case TWO_D:
                    return List.of(Shape.of(32, 64, 56, 56), Shape.of(8, 256, 14, 14));
                case THREE_D:
                    return List.of(Shape.of(4, 32, 16, 28, 28));
                default:
                    return List.of(Shape.of(256, 1024), Shape.of(32, 64, 56, 56), Shape.of(8, 256, 14, 14));
            }
        }

        /** {@code base} with numFeatures = the size of dimension 1. */
        @Override
        public NormSpec specFor(Shape input, NormSpec base) {
            if (!accepts(input)) {
                throw new UnsupportedInputException(dims.registeredName() + " cannot take an input of shape " + input
                        + ": it accepts " + dims.layouts() + " with every size >= 1");
            }
            return base.withNumFeatures(input.dim(1));
        }
    }
}

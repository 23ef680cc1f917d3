package org.normkit.variants.dyt;

import java.util.List;

import org.normkit.autograd.spi.InputContract;
import org.normkit.autograd.spi.NormSpec;
import org.normkit.autograd.spi.Normalization;
import org.normkit.autograd.spi.NormalizationProvider;
import org.normkit.autograd.spi.UnsupportedInputException;
import org.normkit.autograd.tensor.Shape;
import org.normkit.autograd.tensor.ShapeException;

/** {@code dyt}: {@link DynamicTanh}, registered in {@code META-INF/services} exactly as a plugin registers. */
public final class DynamicTanhProvider implements NormalizationProvider {
    static final Contract CONTRACT = new Contract();

    @Override
    public String name() {
        return DynamicTanh.NAME;
    }

    @Override
    public String summary() {
        return "Dynamic Tanh: gamma * tanh(alpha * x) + beta over the last axis, a learnable scalar alpha, no "
                + "statistics (Zhu et al. 2025)";
    }

    @Override
    public InputContract contract() {
        return CONTRACT;
    }

    @Override
    public Normalization create(NormSpec spec) {
        return new DynamicTanh(spec);
    }

    /** (N, C) or (N, T, C), channels last; numFeatures is C. */
    static final class Contract implements InputContract {
        @Override
        public String layout() {
            return "(N, C) or (N, T, C), channels last";
        }

        @Override
        public boolean accepts(Shape input) {
            return (input.rank() == 2 || input.rank() == 3) && input.numel() > 0;
        }

        @Override
        public List<Shape> exampleShapes() {
            return List.of(Shape.of(5, 3), Shape.of(2, 3, 4), Shape.of(1, 6), Shape.of(4, 1));
        }

        @Override
        public List<Shape> benchmarkShapes() {
            return List.of(Shape.of(32, 128, 768));
        }

        @Override
        public NormSpec specFor(Shape input, NormSpec base) {
            if (!accepts(input)) {
                throw new UnsupportedInputException(DynamicTanh.NAME + " cannot take an input of shape " + input
                        + ": it accepts " + layout());
            }
            return base.withNumFeatures(input.dim(-1)).withTrackRunningStats(false);
        }

        void requireAccepted(Shape input, int features) {
            if (!accepts(input) || input.dim(-1) != features) {
                throw new ShapeException(DynamicTanh.NAME + ": expected input (N, " + features + ") or (N, T, "
                        + features + "), got " + input);
            }
        }
    }
}

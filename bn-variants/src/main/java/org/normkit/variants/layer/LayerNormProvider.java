package org.normkit.variants.layer;

import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

import org.normkit.autograd.spi.InputContract;
import org.normkit.autograd.spi.NormSpec;
import org.normkit.autograd.spi.Normalization;
import org.normkit.autograd.spi.NormalizationProvider;
import org.normkit.autograd.spi.UnsupportedInputException;
import org.normkit.autograd.tensor.Shape;
import org.normkit.autograd.tensor.ShapeException;

/** {@code layer_norm}: {@link LayerNorm}, registered in {@code META-INF/services} exactly as a plugin registers. */
public final class LayerNormProvider implements NormalizationProvider {
    private final Contract contract = new Contract();

    @Override
    public String name() {
        return LayerNorm.NAME;
    }

    @Override
    public String summary() {
        return "Layer normalization over the trailing normalized_shape dimensions of each sample, elementwise affine, "
                + "no running statistics (Ba, Kiros & Hinton 2016)";
    }

    @Override
    public InputContract contract() {
        return contract;
    }

    @Override
    public Normalization create(NormSpec spec) {
        return new LayerNorm(spec);
    }

    /** Any rank ≥ 1; normalized_shape from the option, or by the rank (see {@link #specFor}). */
    static final class Contract implements InputContract {

        @Override
        public java.util.Set<String> optionNames() {
            return java.util.Set.of("normalized_shape");
        }

        @Override
        public String layout() {
            return "(..., normalized_shape)";
        }

        @Override
        public boolean accepts(Shape input) {
            return input.rank() >= 1 && Arrays.stream(input.dims()).allMatch(d -> d >= 1);
        }

        /** Odd sizes: one row, rows of one element, two trailing dimensions, rank 5. */
        @Override
        public List<Shape> exampleShapes() {
            return List.of(Shape.of(5, 3), Shape.of(2, 3, 4), Shape.of(2, 3, 2, 3), Shape.of(4, 1), Shape.of(1, 6),
                    Shape.of(2, 1, 2, 2, 3));
        }

        /** A transformer block's activations: batch 32, 128 tokens, d_model 768, over the last dimension. */
        @Override
        public List<Shape> benchmarkShapes() {
            return List.of(Shape.of(32, 128, 768));
        }

        /**
         * {@code base} with normalized_shape and numFeatures (its product) filled in, and no running statistics. An
         * explicit {@code normalized_shape} option wins (it must be the tail of the input's shape); otherwise it is
         * the last dimension for rank 1 to 3 ((N, D) features, (N, T, D) sequences, as {@code nn.LayerNorm(d_model)}
         * in a transformer) and every dimension but the batch for rank 4 and more ((N, C, H, W) → (C, H, W), all the
         * hidden units of a conv layer as in Ba et al.).
         */
        @Override
        public NormSpec specFor(Shape input, NormSpec base) {
            if (!accepts(input)) {
                throw new UnsupportedInputException(LayerNorm.NAME + " cannot take an input of shape " + input
                        + ": it accepts (..., normalized_shape) of rank >= 1 with every size >= 1");
            }
            int[] tail = LayerNorm.normalizedShapeOption(base)
                    .orElseGet(() -> defaultNormalizedShape(input));
            Shape normalizedShape = Shape.of(tail);
            try {
                input.requireTail(normalizedShape, LayerNorm.NAME);
            } catch (ShapeException e) {
                throw new UnsupportedInputException(e.getMessage());
            }
            return base.withOption(LayerNorm.NORMALIZED_SHAPE, Arrays.stream(tail).mapToObj(Integer::toString)
                            .collect(Collectors.joining(",")))
                    .withNumFeatures(normalizedShape.numel())
                    .withTrackRunningStats(false);
        }

        private static int[] defaultNormalizedShape(Shape input) {
            int from = input.rank() <= 3 ? input.rank() - 1 : 1;
            return Arrays.copyOfRange(input.dims(), from, input.rank());
        }
    }
}

package org.example.rmsnorm;

import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

import org.normkit.autograd.spi.InputContract;
import org.normkit.autograd.spi.NormSpec;
import org.normkit.autograd.spi.Normalization;
import org.normkit.autograd.spi.NormalizationProvider;
import org.normkit.autograd.spi.UnsupportedInputException;
import org.normkit.autograd.tensor.Shape;

/**
 * Registers {@link RmsNorm} as {@code rms_norm}: one line in
 * {@code META-INF/services/org.normkit.autograd.spi.NormalizationProvider}.
 */
public final class RmsNormProvider implements NormalizationProvider {
    static final String NAME = "rms_norm";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String summary() {
        return "RMSNorm: x / sqrt(mean(x^2) + eps) * gamma over the trailing normalized_shape; no centering, no bias "
                + "(Zhang & Sennrich 2019)";
    }

    @Override
    public InputContract contract() {
        return new Contract();
    }

    @Override
    public Normalization create(NormSpec spec) {
        return new RmsNorm(spec);
    }

    /**
     * Any input of rank ≥ 1. Without the option {@code normalized_shape}, generic tools normalise over the last
     * dimension for rank 1 to 3 (the transformer convention, (batch, tokens, features)) and over every dimension
     * but the batch for rank ≥ 4 (a conv feature map (N, C, H, W)); the option, when given, wins.
     */
    static final class Contract implements InputContract {

        @Override
        public java.util.Set<String> optionNames() {
            return java.util.Set.of("normalized_shape");
        }
        @Override
        public String layout() {
            return "(..., normalized_shape); default normalized_shape: the last dimension for rank 1 to 3, "
                    + "all but the batch dimension for rank >= 4";
        }

        @Override
        public boolean accepts(Shape input) {
            return input.rank() >= 1 && Arrays.stream(input.dims()).allMatch(d -> d >= 1);
        }

        /** Odd sizes where kernels go wrong: one row, rows of one element, two and three trailing dimensions. */
        @Override
        public List<Shape> exampleShapes() {
            return List.of(Shape.of(5, 3), Shape.of(1, 7), Shape.of(4, 1), Shape.of(2, 3, 5), Shape.of(2, 3, 2, 3));
        }

        @Override
        public List<Shape> benchmarkShapes() {
            return List.of(Shape.of(32, 128, 768));
        }

        @Override
        public NormSpec specFor(Shape input, NormSpec base) {
            if (!accepts(input)) {
                throw new UnsupportedInputException(NAME + " cannot take an input of shape " + input
                        + ": it accepts " + layout() + ", every size >= 1");
            }
            int[] dims = input.dims();
            int[] normalized = base.intListOption("normalized_shape")
                    .orElse(Arrays.copyOfRange(dims, dims.length <= 3 ? dims.length - 1 : 1, dims.length));
            input.requireTail(Shape.of(normalized), NAME);
            String option = Arrays.stream(normalized).mapToObj(Integer::toString).collect(Collectors.joining(","));
            return base.withOption("normalized_shape", option).withNumFeatures(Shape.of(normalized).numel())
                    .withTrackRunningStats(false);
        }
    }
}

package org.normkit.bench.toy;

import java.util.List;

import org.normkit.autograd.check.TestRowNorm;
import org.normkit.autograd.spi.InputContract;
import org.normkit.autograd.spi.NormSpec;
import org.normkit.autograd.spi.Normalization;
import org.normkit.autograd.spi.NormalizationProvider;
import org.normkit.autograd.spi.UnsupportedInputException;
import org.normkit.autograd.tensor.Shape;

/**
 * Test-only: LayerNorm over the last dimension with both faces ({@link TestRowNorm} standardizing its rows), so the
 * harness has a norm with a fused face to time before the real norms join this module's class path.
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
        return new TestRowNorm(name(), spec, TestRowNorm.Scaling.STANDARDIZE, TestRowNorm.Bug.NONE, false);
    }
}

package org.normkit.experiments.train;

import java.util.List;

import org.normkit.autograd.spi.InputContract;
import org.normkit.autograd.spi.NormSpec;
import org.normkit.autograd.spi.Normalization;
import org.normkit.autograd.spi.NormalizationProvider;
import org.normkit.autograd.spi.UnsupportedInputException;
import org.normkit.autograd.tensor.Shape;
import org.normkit.core.batch.BatchNorm;

/**
 * A test-only registered norm that takes (N, C, H, W) only, as a norm needing a channel layout does: the mlp's
 * linear outputs (N, 256) are an impossible pairing for it, LeNet's conv outputs are fine.
 */
public final class ImagesOnlyTestNorm implements NormalizationProvider {
    static final String NAME = "images_only_test_norm";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String summary() {
        return "test double: BatchNorm2d that accepts rank 4 only";
    }

    @Override
    public InputContract contract() {
        return new InputContract() {
            @Override
            public String layout() {
                return "(N, C, H, W)";
            }

            @Override
            public boolean accepts(Shape input) {
                return input.rank() == 4;
            }

            @Override
            public List<Shape> exampleShapes() {
                return List.of(Shape.of(2, 3, 4, 4));
            }

            @Override
            public List<Shape> benchmarkShapes() {
                return exampleShapes();
            }

            @Override
            public NormSpec specFor(Shape input, NormSpec base) {
                if (!accepts(input)) {
                    throw new UnsupportedInputException(NAME + " cannot take " + input + ": it takes (N, C, H, W)");
                }
                return base.withNumFeatures(input.dim(1));
            }
        };
    }

    @Override
    public Normalization create(NormSpec spec) {
        return new BatchNorm().create("batch_norm2d", spec);
    }
}

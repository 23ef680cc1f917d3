package org.normkit.autograd.spi;

import java.util.List;
import java.util.Map;

import org.normkit.autograd.tensor.Shape;

/**
 * What inputs a norm takes, so generic tools (checks, benchmarks, experiments) can use any registered norm,
 * a plugin's included, without knowing it.
 */
public interface InputContract {

    /** The accepted layouts in words, e.g. {@code (N, C, H, W)} or {@code (..., normalized_shape)}. */
    String layout();

    /** Whether an input of this shape can be normalised by some spec of this norm. */
    boolean accepts(Shape input);

    /** Small shapes the generic checks (gradcheck, face agreement) run on; odd sizes welcome. */
    List<Shape> exampleShapes();

    /** The shapes the benchmark suite times. */
    List<Shape> benchmarkShapes();

    /**
     * A spec that normalises inputs of this shape, built from {@code base} (eps, momentum, affine, dtype, options)
     * with the shape-derived fields filled in. Throws {@link UnsupportedInputException} naming the shape and the
     * accepted layouts when no spec fits.
     */
    NormSpec specFor(Shape input, NormSpec base);

    /** Convenience: defaults for everything but what the shape decides. */
    default NormSpec specFor(Shape input, Map<String, String> options) {
        return specFor(input, NormSpec.of(1).withOptions(options));
    }
}

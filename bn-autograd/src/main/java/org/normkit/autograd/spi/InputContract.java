package org.normkit.autograd.spi;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

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

    /**
     * How many input-sized tensors one call reads and writes at the least, by pass ({@code train_forward},
     * {@code eval_forward}, {@code train_forward_backward}), for the benchmark's effective bandwidth. Empty (the
     * default) lets the benchmark pick by family: BatchNorm's batch-wide statistics 3 / 2 / 8, per-sample statistics
     * 2 / 2 / 5. A pass left out keeps the per-sample units.
     */
    default Optional<Map<String, Integer>> memoryPasses() {
        return Optional.empty();
    }

    /**
     * The family-specific options this norm reads from {@link NormSpec#options()}, e.g. {@code groups}. Tools that
     * take options from users (such as {@code normkit gradcheck --option}) refuse any other name, listing these, so
     * a misspelt option is an error instead of being ignored. Empty (the default): the norm reads none.
     */
    default Set<String> optionNames() {
        return Set.of();
    }

    /** Convenience: defaults for everything but what the shape decides. */
    default NormSpec specFor(Shape input, Map<String, String> options) {
        return specFor(input, NormSpec.of(1).withOptions(options));
    }
}

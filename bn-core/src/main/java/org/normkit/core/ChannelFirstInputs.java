package org.normkit.core;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

import org.normkit.autograd.spi.InputContract;
import org.normkit.autograd.spi.NormSpec;
import org.normkit.autograd.spi.UnsupportedInputException;
import org.normkit.autograd.tensor.Shape;

/**
 * The inputs a norm over {@code (N, C, *)} takes — BatchNorm's and InstanceNorm's 1d/2d/3d/any-rank variants —
 * and the {@link InputContract} that follows from them: numFeatures is the size of dimension 1. One instance per
 * registered name, so the rank check, its message and the contract live here once for every such norm.
 */
public final class ChannelFirstInputs {
    private final String registeredName;
    private final String layouts;
    private final int[] ranks;
    private final List<Shape> exampleShapes;
    private final List<Shape> benchmarkShapes;

    /**
     * @param registeredName  the registry name, also the prefix of messages: {@code batch_norm2d}
     * @param layouts         the accepted layouts in words: {@code (N, C, H, W)}
     * @param ranks           the accepted ranks
     * @param exampleShapes   small shapes for the generic checks, odd sizes included
     * @param benchmarkShapes the shapes the benchmark suite times
     */
    public ChannelFirstInputs(String registeredName, String layouts, int[] ranks, List<Shape> exampleShapes,
                              List<Shape> benchmarkShapes) {
        this.registeredName = registeredName;
        this.layouts = layouts;
        this.ranks = ranks.clone();
        this.exampleShapes = List.copyOf(exampleShapes);
        this.benchmarkShapes = List.copyOf(benchmarkShapes);
    }

    public String registeredName() {
        return registeredName;
    }

    public String layouts() {
        return layouts;
    }

    public boolean acceptsRank(int rank) {
        return Arrays.stream(ranks).anyMatch(r -> r == rank);
    }

    /** The shape-independent part of a layer's input check: the rank, and no empty dimension. */
    public void checkRank(Shape input) {
        input.requireRank(registeredName, layouts, ranks);
        input.requireNonEmpty(registeredName);
    }

    /**
     * The contract: accepts these ranks with every size ≥ 1; {@code specFor(shape, base)} keeps everything of
     * {@code base} but numFeatures; {@code specFor(shape, options)} starts from {@code defaults} (the family's
     * PyTorch defaults, e.g. InstanceNorm's affine=False, track_running_stats=False).
     */
    public InputContract contract(NormSpec defaults) {
        return new InputContract() {
            @Override
            public String layout() {
                return layouts;
            }

            @Override
            public boolean accepts(Shape input) {
                return acceptsRank(input.rank()) && Arrays.stream(input.dims()).allMatch(d -> d >= 1);
            }

            @Override
            public List<Shape> exampleShapes() {
                return exampleShapes;
            }

            @Override
            public List<Shape> benchmarkShapes() {
                return benchmarkShapes;
            }

            @Override
            public NormSpec specFor(Shape input, NormSpec base) {
                if (!accepts(input)) {
                    throw new UnsupportedInputException(registeredName + " cannot take an input of shape " + input
                            + ": it accepts " + layouts + " with every size >= 1");
                }
                return base.withNumFeatures(input.dim(1));
            }

            @Override
            public NormSpec specFor(Shape input, Map<String, String> options) {
                return specFor(input, defaults.withOptions(options));
            }
        };
    }
}

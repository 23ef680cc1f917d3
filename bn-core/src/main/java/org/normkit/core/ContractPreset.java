package org.normkit.core;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import org.normkit.autograd.spi.InputContract;
import org.normkit.autograd.spi.NormSpec;
import org.normkit.autograd.spi.UnsupportedInputException;
import org.normkit.autograd.tensor.Shape;
import org.normkit.autograd.tensor.ShapeException;

/**
 * The three input contracts normalizations have, with everything generic tools need derived from them: the layout
 * in words, the shapes accepted, small example shapes for the checks (with the odd sizes where kernels go wrong: one
 * sample, one channel, one position), benchmark shapes, how a spec follows from an input shape, and the layer's input
 * check with messages that name the shape and what fits.
 *
 * <ul>
 *   <li>{@link #channelFirst(int...)}: (N, C, *) of the given ranks, numFeatures = C (BatchNorm, InstanceNorm).</li>
 *   <li>{@link #trailing()}: (…, normalized_shape), the option {@value #NORMALIZED_SHAPE} (default: the last
 *       dimension for rank 1 to 3, every dimension but the batch from rank 4), numFeatures = its element count
 *       (LayerNorm, RMSNorm).</li>
 *   <li>{@link #anyRank()}: (N, C, …) of any rank ≥ 2, numFeatures = C (GroupNorm).</li>
 * </ul>
 * {@link #withExampleShapes} and {@link #withBenchmarkShapes} override the derived shapes. Immutable.
 */
public final class ContractPreset implements InputContract {
    /** The option of {@link #trailing()}: the trailing dimensions, {@code normalized_shape=4,5}. */
    public static final String NORMALIZED_SHAPE = "normalized_shape";

    private enum Kind { CHANNEL_FIRST, TRAILING, ANY_RANK }

    private static final String[] CHANNEL_FIRST_LAYOUTS = {null, null, "(N, C)", "(N, C, L)", "(N, C, H, W)",
        "(N, C, D, H, W)"};

    private final Kind kind;
    private final int[] ranks;
    private final String layout;
    private final List<Shape> exampleShapes;
    private final List<Shape> benchmarkShapes;

    private ContractPreset(Kind kind, int[] ranks, String layout, List<Shape> exampleShapes,
                           List<Shape> benchmarkShapes) {
        this.kind = kind;
        this.ranks = ranks;
        this.layout = layout;
        this.exampleShapes = List.copyOf(exampleShapes);
        this.benchmarkShapes = List.copyOf(benchmarkShapes);
    }

    /** (N, C, *) of the given ranks (2 to 5); numFeatures is C, the size of dimension 1. */
    public static ContractPreset channelFirst(int... ranks) {
        if (ranks.length == 0 || Arrays.stream(ranks).anyMatch(r -> r < 2 || r > 5)) {
            throw new IllegalArgumentException("channelFirst takes ranks from 2 to 5, got " + Arrays.toString(ranks));
        }
        int[] sorted = Arrays.stream(ranks).sorted().distinct().toArray();
        List<String> words = Arrays.stream(sorted).mapToObj(r -> CHANNEL_FIRST_LAYOUTS[r]).toList();
        String layout = words.size() == 1 ? words.get(0)
                : String.join(", ", words.subList(0, words.size() - 1)) + " or " + words.get(words.size() - 1);
        List<Shape> examples = new ArrayList<>();
        List<Shape> benchmarks = new ArrayList<>();
        for (int rank : sorted) {
            examples.addAll(channelFirstExamples(rank));
            benchmarks.addAll(channelFirstBenchmarks(rank));
        }
        return new ContractPreset(Kind.CHANNEL_FIRST, sorted, layout, examples, benchmarks);
    }

    /** (…, normalized_shape) of any rank ≥ 1: see the class Javadoc for the default normalized_shape. */
    public static ContractPreset trailing() {
        return new ContractPreset(Kind.TRAILING, new int[0], "(..., normalized_shape)",
                List.of(Shape.of(5, 3), Shape.of(2, 3, 4), Shape.of(2, 3, 2, 3), Shape.of(4, 1), Shape.of(1, 6),
                        Shape.of(2, 1, 2, 2, 3)),
                List.of(Shape.of(32, 128, 768)));
    }

    /** (N, C, …) of any rank ≥ 2; numFeatures is C. */
    public static ContractPreset anyRank() {
        return new ContractPreset(Kind.ANY_RANK, new int[0], "(N, C, ...) of rank >= 2",
                List.of(Shape.of(5, 3), Shape.of(2, 3, 4), Shape.of(1, 2, 3, 3), Shape.of(2, 1, 2, 2),
                        Shape.of(2, 3, 1, 2, 2)),
                List.of(Shape.of(32, 64, 56, 56)));
    }

    /** The same contract with these example shapes for the generic checks instead of the derived ones. */
    public ContractPreset withExampleShapes(Shape... shapes) {
        return new ContractPreset(kind, ranks, layout, List.of(shapes), benchmarkShapes);
    }

    /** The same contract with these benchmark shapes instead of the derived ones. */
    public ContractPreset withBenchmarkShapes(Shape... shapes) {
        return new ContractPreset(kind, ranks, layout, exampleShapes, List.of(shapes));
    }

    /*
     * One value per channel (N = 1, S = 1) and one spatial element are valid only where the running statistics
     * normalise; the generic checks run such shapes in evaluation.
     */
    private static List<Shape> channelFirstExamples(int rank) {
        return switch (rank) {
            case 2 -> List.of(Shape.of(5, 3), Shape.of(4, 1), Shape.of(1, 3));
            case 3 -> List.of(Shape.of(2, 3, 4), Shape.of(1, 2, 5), Shape.of(3, 1, 2), Shape.of(2, 3, 1));
            case 4 -> List.of(Shape.of(2, 3, 3, 4), Shape.of(1, 2, 3, 3), Shape.of(3, 1, 2, 2), Shape.of(4, 3, 1, 1),
                    Shape.of(1, 2, 1, 1));
            default -> List.of(Shape.of(2, 3, 2, 2, 3), Shape.of(2, 1, 1, 2, 3), Shape.of(3, 2, 1, 1, 1),
                    Shape.of(1, 2, 2, 1, 3));
        };
    }

    /** A wide MLP layer, a sequence, a ResNet stage, a video clip. */
    private static List<Shape> channelFirstBenchmarks(int rank) {
        return switch (rank) {
            case 2 -> List.of(Shape.of(256, 1024));
            case 3 -> List.of(Shape.of(32, 64, 1024));
            case 4 -> List.of(Shape.of(32, 64, 56, 56), Shape.of(8, 256, 14, 14));
            default -> List.of(Shape.of(4, 32, 16, 28, 28));
        };
    }

    @Override
    public String layout() {
        return layout;
    }

    @Override
    public boolean accepts(Shape input) {
        boolean rankFits = switch (kind) {
            case CHANNEL_FIRST -> Arrays.stream(ranks).anyMatch(r -> r == input.rank());
            case TRAILING -> input.rank() >= 1;
            case ANY_RANK -> input.rank() >= 2;
        };
        return rankFits && Arrays.stream(input.dims()).allMatch(d -> d >= 1);
    }

    @Override
    public List<Shape> exampleShapes() {
        return exampleShapes;
    }

    @Override
    public List<Shape> benchmarkShapes() {
        return benchmarkShapes;
    }

    /**
     * {@code base} with numFeatures from the input: C for the channel-first presets; for {@link #trailing()} the
     * element count of normalized_shape, which is the option when given (it must be the input's tail) or the default
     * by rank, written back into the option.
     */
    @Override
    public NormSpec specFor(Shape input, NormSpec base) {
        if (!accepts(input)) {
            throw new UnsupportedInputException("cannot take an input of shape " + input + ": it accepts "
                    + layout + " with every size >= 1");
        }
        if (kind != Kind.TRAILING) {
            return base.withNumFeatures(input.dim(1));
        }
        int[] tail = normalizedShapeOption(base).orElseGet(() -> Arrays.copyOfRange(input.dims(),
                input.rank() <= 3 ? input.rank() - 1 : 1, input.rank()));
        try {
            input.requireTail(Shape.of(tail), "normalized_shape");
        } catch (ShapeException e) {
            throw new UnsupportedInputException(e.getMessage());
        }
        return base.withOption(NORMALIZED_SHAPE, IntStream.of(tail).mapToObj(Integer::toString)
                .collect(Collectors.joining(","))).withNumFeatures(Shape.of(tail).numel());
    }

    @Override
    public NormSpec specFor(Shape input, Map<String, String> options) {
        return specFor(input, NormSpec.of(1).withOptions(options));
    }

    /**
     * The first half of a layer's input check under this contract: the rank and no empty dimension (and, for the
     * trailing preset, the input ending in normalized_shape). Messages start with {@code name}.
     */
    public void checkLayout(String name, Shape input, NormSpec spec) {
        switch (kind) {
            case CHANNEL_FIRST -> input.requireRank(name, layout, ranks);
            case ANY_RANK -> {
                if (input.rank() < 2) {
                    input.requireRank(name, "(N, C, ...) or one of higher rank", 2);
                }
            }
            case TRAILING -> input.requireTail(normalizedShape(name, spec), name);
        }
        input.requireNonEmpty(name);
    }

    /**
     * The second half, after the norm's own checks (which may say more about the channels, e.g. groups that do not
     * divide them): C = numFeatures for the channel-first presets.
     */
    public void checkFeatures(String name, Shape input, NormSpec spec) {
        if (kind != Kind.TRAILING) {
            input.requireSize(1, spec.numFeatures(), name, "channels (numFeatures)");
        }
    }

    /** Whether this is the trailing preset, whose layers have parameters of shape normalized_shape. */
    boolean isTrailing() {
        return kind == Kind.TRAILING;
    }

    /**
     * normalized_shape of a layer: the option when given (its element count must be numFeatures), else
     * (numFeatures). Errors name the norm, the option, the value and the fix.
     */
    public static Shape normalizedShape(String name, NormSpec spec) {
        Shape shape = Shape.of(normalizedShapeOption(name, spec).orElse(new int[] {spec.numFeatures()}));
        if (shape.numel() != spec.numFeatures()) {
            throw new IllegalArgumentException(name + ": option " + NORMALIZED_SHAPE + "="
                    + spec.option(NORMALIZED_SHAPE).orElseThrow() + " has " + shape.numel() + " elements but "
                    + "numFeatures = " + spec.numFeatures() + ": set numFeatures to the product of normalized_shape ("
                    + shape.numel() + "), or let the contract's specFor build the spec from an input shape");
        }
        return shape;
    }

    private static Optional<int[]> normalizedShapeOption(NormSpec spec) {
        return spec.intListOption(NORMALIZED_SHAPE);
    }

    private static Optional<int[]> normalizedShapeOption(String name, NormSpec spec) {
        try {
            return spec.intListOption(NORMALIZED_SHAPE);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(name + ": " + e.getMessage(), e);
        }
    }
}

package org.normkit.core;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

import org.normkit.autograd.spi.FusedNorm;
import org.normkit.autograd.spi.InputContract;
import org.normkit.autograd.spi.NormSpec;
import org.normkit.autograd.spi.NormalizationProvider;
import org.normkit.autograd.spi.PositionMask;
import org.normkit.autograd.spi.Statistics;
import org.normkit.autograd.spi.UnsupportedInputException;
import org.normkit.autograd.tensor.Shape;
import org.normkit.autograd.tensor.Tensor;
import org.normkit.core.kernel.Centering;
import org.normkit.core.kernel.Layout;
import org.normkit.core.kernel.NormKernel;

/**
 * A normalization in one class: its name (or a family of names), summary, options, input contract, reference face
 * and fused face. Register it with one line, its class name, in
 * {@code META-INF/services/org.normkit.autograd.spi.NormalizationProvider}; normkit's own norms register the same
 * way. It needs a public zero-argument constructor, which passes the declaration to {@code super}.
 *
 * <p>A norm holds no state: it is the math, like ATen's pair of functions. {@link #create} makes {@link NormLayer}s,
 * the modules that hold γ, β, the running statistics and the switches, and hand themselves to the norm's faces.
 *
 * <h2>What a norm says</h2>
 * <ul>
 *   <li>the constructor: name, summary and {@link ContractPreset contract} (or one {@link Member} per name of a
 *       family, e.g. {@code batch_norm1d/2d/3d});</li>
 *   <li>{@link #reference}: the reference face in composed autograd ops, normalising with the statistics it is
 *       given;</li>
 *   <li>{@link #layout}: how an input falls into statistics sets and onto γ, β; with {@link #centering()} that
 *       makes {@link NormKernel} the fused face with its analytic backward, unless {@link #fused} says otherwise;</li>
 *   <li>optionally {@link #options()} (the spec's options this norm reads, with their meaning), {@link #affine()},
 *       {@link #runningStats()}, {@link #checkInput} (checks beyond the contract's), {@link #validate},
 *       {@link #defaultSpec()} and {@link #completeSpec} (for specs built from an input shape).</li>
 * </ul>
 *
 * <h2>Options</h2>
 * A spec's options must be ones the norm declares; an unknown one is an error listing the norm's options with their
 * meaning, so a typo never passes silently. {@link NormLayer#intOption} and {@link NormLayer#doubleOption} read them
 * with errors that name the norm, the option, the value and the expected form. Norms that keep running statistics
 * also take {@value RunningStatsPolicy#OPTION} (see {@link RunningStatsPolicy#forSpec}); the trailing contract's
 * norms take {@value ContractPreset#NORMALIZED_SHAPE}.
 */
public abstract class Norm implements NormalizationProvider {

    /** Which affine parameters an affine layer has. */
    public enum Affine {
        /** γ and β (BatchNorm, LayerNorm, InstanceNorm, GroupNorm). */
        WEIGHT_AND_BIAS,
        /** γ only (a norm that scales without shifting). */
        WEIGHT_ONLY
    }

    /** One registered name of a norm and the inputs it takes under that name. */
    public record Member(String name, ContractPreset contract) {}

    private final String summary;
    private final List<Member> members;

    /** A norm registered under one name. */
    protected Norm(String name, String summary, ContractPreset contract) {
        this(summary, List.of(new Member(name, contract)));
    }

    /** A family of names from one class; the first is the one {@link #name()} and {@link #create(NormSpec)} use. */
    protected Norm(String summary, List<Member> members) {
        if (members.isEmpty()) {
            throw new IllegalArgumentException(getClass().getName() + " declares no name");
        }
        this.summary = summary;
        this.members = List.copyOf(members);
    }

    // ***** what a norm implements *****

    /**
     * The reference face: composed autograd ops normalising {@code x} with {@code use} (the batch's statistics, or
     * the running ones as constants), with {@code layer}'s γ and β; touches no state.
     */
    public abstract Tensor reference(NormLayer layer, Tensor x, Statistics use);

    /** How an input of this shape falls into statistics sets and onto γ, β; the fused face runs on it. */
    public abstract Layout layout(NormLayer layer, Shape input);

    /** {@link Centering#CENTERED} unless the norm keeps the mean at 0 (scaling by the root mean square). */
    public Centering centering() {
        return Centering.CENTERED;
    }

    /** Which parameters an affine layer has; γ and β unless overridden. */
    public Affine affine() {
        return Affine.WEIGHT_AND_BIAS;
    }

    /** How the norm keeps running statistics; none unless overridden. */
    public RunningStatsPolicy runningStats() {
        return RunningStatsPolicy.none();
    }

    /**
     * Whether layers of this norm take a {@link org.normkit.autograd.spi.PositionMask} of valid positions
     * ({@link NormLayer#forward(Tensor, org.normkit.autograd.spi.PositionMask)}); false unless overridden. A norm
     * that says yes has a channel-first contract; its masked faces are {@link #maskedReference} and
     * {@link #maskedFused}, by default "centred moments over its {@link #layout}, then γ, β per channel" over the
     * valid positions ({@link MaskedReference}, {@link org.normkit.core.kernel.MaskedKernel}), as BatchNorm,
     * InstanceNorm and GroupNorm are; an uncentred norm overrides both (PowerNorm), else its layers refuse masks.
     */
    public boolean takesMask() {
        return false;
    }

    /**
     * The reference face over the valid positions of {@code x} only, 0 at the others (see {@link #takesMask()}):
     * centred moments over the valid elements of each set of {@code layout} unless overridden.
     */
    public Tensor maskedReference(NormLayer layer, Layout layout, Tensor x, Statistics use,
                                  PositionMask mask) {
        requireCenteredForTheDefaultMaskedFaces(layer);
        return MaskedReference.apply(layer, layout, x, use, mask);
    }

    /**
     * The fused face bound to {@code mask} for inputs of shape {@code input}:
     * {@link org.normkit.core.kernel.MaskedKernel} unless overridden.
     */
    public FusedNorm maskedFused(NormLayer layer, Layout layout, Shape input, PositionMask mask) {
        requireCenteredForTheDefaultMaskedFaces(layer);
        return org.normkit.core.kernel.MaskedKernel.of(layer.spec().eps(), layout, input, mask);
    }

    /** Whether this norm overrides both masked faces (an uncentred norm needs to, to take masks). */
    final boolean hasOwnMaskedFaces() {
        try {
            return getClass().getMethod("maskedReference", NormLayer.class, Layout.class, Tensor.class,
                    Statistics.class, PositionMask.class).getDeclaringClass() != Norm.class
                    && getClass().getMethod("maskedFused", NormLayer.class, Layout.class, Shape.class,
                    PositionMask.class).getDeclaringClass() != Norm.class;
        } catch (NoSuchMethodException e) {
            throw new IllegalStateException(e);
        }
    }

    private void requireCenteredForTheDefaultMaskedFaces(NormLayer layer) {
        if (centering() != Centering.CENTERED) {
            throw new IllegalStateException(layer.name() + " takes a mask but is uncentred, and the default masked "
                    + "faces are centred: override Norm.maskedReference and Norm.maskedFused");
        }
    }

    /**
     * Whether a layer that updates its running statistics (training) normalises with the running statistics rather
     * than the batch's, at this point of its training: false unless overridden (PowerNorm after its warm-up, Shen et
     * al. 2020). {@link NormLayer#statisticsInUse()} asks it when the layer updates and its "uses running statistics"
     * switch is off; the switch, when on, wins.
     */
    public boolean trainsWithRunningStatistics(NormLayer layer) {
        return false;
    }

    /**
     * Buffers a layer of {@code spec} keeps beyond the running statistics, name → initial value (PowerNorm's running
     * gradient statistic); none unless overridden. The layer registers them in its state dict, hands them out with
     * {@link NormLayer#buffer} and sets them back to these values in {@link NormLayer#resetRunningStats()}.
     */
    public Map<String, Tensor> stateBuffers(NormSpec spec) {
        return Map.of();
    }

    /**
     * The rule this norm's backward follows when it is not the derivative of its forward in the layer's current mode
     * (see {@link org.normkit.autograd.spi.Normalization#approximateBackward}); empty, the default, when it is.
     */
    public Optional<String> approximateBackward(NormLayer layer) {
        return Optional.empty();
    }

    /** The options this norm reads, name → meaning (with the default), in the order to list them. */
    public Map<String, String> options() {
        return Map.of();
    }

    /**
     * The fused face: {@link NormKernel} over {@link #layout} with {@link #centering()}. Override to supply another
     * kernel pair, or return empty for a norm with the reference face only.
     */
    public Optional<FusedNorm> fused(NormLayer layer) {
        return Optional.of(NormKernel.of(centering(), layer.spec().eps(), input -> layout(layer, input)));
    }

    /**
     * Checks beyond the contract's (rank, no empty dimension, channels or normalized_shape), e.g. "more than one
     * value per channel when batch statistics normalise". It may consult the layer's switches.
     */
    protected void checkInput(NormLayer layer, Shape input) {}

    /**
     * For {@link #checkInput} of a norm with per-channel statistics (channels on axis 1): refuses an input with one
     * value per channel (N·L = 1) whenever the batch's statistics normalise or update the running ones, as PyTorch's
     * BatchNorm does. Such a channel's statistics are degenerate (a variance of 0, a mean square that is the value
     * squared), and folding them into the running ones would spoil those. With the running statistics in use and
     * not updated, one value is fine.
     */
    protected static void requireMoreThanOneValuePerChannel(NormLayer layer, Shape input) {
        boolean batchStatistics = !layer.usesRunningStatistics() || layer.updatesRunningStatistics();
        if (batchStatistics && input.numel() / input.dim(1) == 1) {
            throw new UnsupportedInputException(layer.name() + ": expected more than 1 value per channel when "
                    + "training, got input of shape " + input + ": use a batch of at least 2 samples (or spatial "
                    + "size > 1), or call eval() to normalise with the running statistics");
        }
    }

    /**
     * Checks a spec before a layer registered as {@code name} is built; errors start with {@code name} and name the
     * field or option, the value and the fix.
     */
    protected void validate(String name, NormSpec spec) {}

    /** The spec generic tools start from when they have options only: PyTorch's defaults unless overridden. */
    protected NormSpec defaultSpec() {
        return NormSpec.of(1);
    }

    /** Fills in what the input shape decides beyond numFeatures (e.g. a default number of groups). */
    protected NormSpec completeSpec(Shape input, NormSpec spec) {
        return spec;
    }

    /** The shape of γ and β: normalized_shape for the trailing contract, (numFeatures) otherwise. */
    protected Shape parameterShape(String name, NormSpec spec) {
        return contractOf(name).isTrailing() ? ContractPreset.normalizedShape(name, spec) : Shape.of(spec.numFeatures());
    }

    // ***** the registry's side *****

    @Override
    public final String name() {
        return members.get(0).name();
    }

    @Override
    public final String summary() {
        return summary;
    }

    @Override
    public final InputContract contract() {
        return new MemberContract(members.get(0));
    }

    @Override
    public final NormLayer create(NormSpec spec) {
        return create(name(), spec);
    }

    /** A layer registered as {@code name}, one of this norm's names. */
    public final NormLayer create(String name, NormSpec spec) {
        Member member = member(name);
        checkOptions(spec);
        validate(name, spec);
        return new NormLayer(this, name, member.contract(), spec);
    }

    /** One registry entry per member of the family. */
    @Override
    public final List<NormalizationProvider> family() {
        List<NormalizationProvider> entries = new ArrayList<>();
        for (Member m : members) {
            entries.add(m == members.get(0) ? this : new FamilyEntry(m));
        }
        return entries;
    }

    /** The names this norm registers. */
    public final List<String> names() {
        return members.stream().map(Member::name).toList();
    }

    /** Every option a layer of this norm takes, the contract's and the running statistics' included. */
    public final Map<String, String> allOptions() {
        Map<String, String> all = new LinkedHashMap<>(options());
        if (members.stream().anyMatch(m -> m.contract().isTrailing())) {
            all.putIfAbsent(ContractPreset.NORMALIZED_SHAPE, "the trailing dimensions normalised together, e.g. "
                    + "4,5 (default: numFeatures)");
        }
        if (runningStats().tracksAnything()) {
            all.putIfAbsent(RunningStatsPolicy.OPTION, "pytorch, cumulative or keras: the running statistics' "
                    + "preset (default: the norm's own, " + runningStats() + ")");
        }
        return all;
    }

    /**
     * Builds {@code Keras.layers.BatchNormalization()}'s spec for this norm: eps 1e-3, Keras' momentum 0.99 (0.01
     * here), biased running variance ({@link RunningStatsPolicy#keras()}).
     */
    public static NormSpec kerasSpec(int numFeatures) {
        return NormSpec.of(numFeatures).withEps(1e-3).withMomentum(0.01)
                .withOption(RunningStatsPolicy.OPTION, "keras");
    }

    private Member member(String name) {
        return members.stream().filter(m -> m.name().equals(name)).findFirst().orElseThrow(() ->
                new IllegalArgumentException(getClass().getSimpleName() + " has no member named '" + name
                        + "'; its names: " + String.join(", ", names())));
    }

    ContractPreset contractOf(String name) {
        return member(name).contract();
    }

    private void checkOptions(NormSpec spec) {
        Map<String, String> known = allOptions();
        List<String> unknown = spec.options().keySet().stream().filter(k -> !known.containsKey(k)).toList();
        if (!unknown.isEmpty()) {
            StringBuilder listed = new StringBuilder();
            known.forEach((k, meaning) -> listed.append(listed.length() == 0 ? "" : "; ").append(k).append(" (")
                    .append(meaning).append(')'));
            throw new IllegalArgumentException(name() + " has no option " + String.join(", ", unknown) + ": "
                    + (known.isEmpty() ? "it takes no options" : "its options are " + listed));
        }
    }

    /** The contract generic tools see: the preset, completed by the norm (defaults, what the input decides). */
    private final class MemberContract implements InputContract {
        private final Member member;

        MemberContract(Member member) {
            this.member = member;
        }

        @Override
        public String layout() {
            return member.contract().layout();
        }

        @Override
        public boolean accepts(Shape input) {
            return member.contract().accepts(input);
        }

        @Override
        public List<Shape> exampleShapes() {
            return member.contract().exampleShapes();
        }

        @Override
        public List<Shape> benchmarkShapes() {
            return member.contract().benchmarkShapes();
        }

        /** Every option a layer takes ({@link #allOptions()}), so tools refuse a misspelt one listing these. */
        @Override
        public Set<String> optionNames() {
            return allOptions().keySet();
        }

        @Override
        public NormSpec specFor(Shape input, NormSpec base) {
            NormSpec spec;
            try {
                spec = member.contract().specFor(input, base);
            } catch (UnsupportedInputException e) {
                throw new UnsupportedInputException(member.name() + " " + e.getMessage());
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(member.name() + ": " + e.getMessage(), e);
            }
            spec = completeSpec(input, spec);
            return runningStats().tracksAnything() ? spec : spec.withTrackRunningStats(false);
        }

        @Override
        public NormSpec specFor(Shape input, Map<String, String> options) {
            return specFor(input, defaultSpec().withOptions(new TreeMap<>(options)));
        }
    }

    /** A registry entry for a family member other than the first. */
    private final class FamilyEntry implements NormalizationProvider {
        private final Member member;

        FamilyEntry(Member member) {
            this.member = member;
        }

        @Override
        public String name() {
            return member.name();
        }

        @Override
        public String summary() {
            return summary;
        }

        @Override
        public InputContract contract() {
            return new MemberContract(member);
        }

        @Override
        public NormLayer create(NormSpec spec) {
            return Norm.this.create(member.name(), spec);
        }

        @Override
        public Class<?> declaringClass() {
            return Norm.this.getClass();
        }
    }
}

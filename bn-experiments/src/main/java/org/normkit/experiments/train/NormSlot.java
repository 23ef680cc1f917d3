package org.normkit.experiments.train;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;

import org.normkit.autograd.nn.Module;
import org.normkit.autograd.spi.InputContract;
import org.normkit.autograd.spi.NormRegistry;
import org.normkit.autograd.spi.NormSpec;
import org.normkit.autograd.spi.NormalizationProvider;
import org.normkit.autograd.tensor.DType;
import org.normkit.autograd.tensor.Shape;

/**
 * Fills a net's normalization slot from the registry by name: the provider's input contract turns the activation
 * shape at the slot into a spec, so any registered norm (a plugin's too) fits any net it can normalise, and a
 * pairing that cannot work is reported as such.
 *
 * <p>A slot is named by a label: the registered name, optionally followed by {@code :key=value} options
 * ({@code group_norm:groups=2}, {@code batch_norm:momentum=0.01:per_step=true}). The keys {@value #MASKED} and
 * {@value #PER_STEP} are read by the sequence nets ({@link SequenceNets}); {@code eps}, {@code momentum},
 * {@code affine} and {@code track_running_stats} set the spec's fields; every other key goes to the norm's
 * options, which the norm validates.
 *
 * <p>The spec comes from {@link InputContract#specFor(Shape, Map)}, which starts from the norm's own defaults (as
 * {@code nn.InstanceNorm1d(256)} does in PyTorch, where affine and running statistics are off), not from BatchNorm's.
 */
public final class NormSlot {
    /** The name that leaves the slot empty. */
    public static final String NONE = "none";

    /** Sequence nets: whether token statistics leave out padded positions (default true). */
    public static final String MASKED = "masked";
    /** The LSTM: one norm per time step instead of one shared over time (default false). */
    public static final String PER_STEP = "per_step";

    private final NormRegistry registry;
    private final String label;
    private final String norm;
    private final Map<String, String> options;
    private final Function<Shape, Module> factory;
    private final DType dtype;

    /** Throws, listing the registered names, when the label's name is neither {@value #NONE} nor registered. */
    public NormSlot(NormRegistry registry, String label) {
        this.registry = registry;
        this.label = label;
        this.norm = nameOf(label);
        this.options = optionsOf(label);
        this.factory = null;
        this.dtype = DType.FLOAT32;
        if (!isNone()) {
            registry.get(norm);
        } else if (!options.isEmpty()) {
            throw new IllegalArgumentException("--norms " + label + ": 'none' takes no options");
        }
    }

    /** The registered name of a label: what comes before the first ':'. */
    public static String nameOf(String label) {
        int colon = label.indexOf(':');
        return colon < 0 ? label : label.substring(0, colon);
    }

    private static Map<String, String> optionsOf(String label) {
        Map<String, String> options = new LinkedHashMap<>();
        String[] parts = label.split(":", -1);
        for (int i = 1; i < parts.length; i++) {
            int eq = parts[i].indexOf('=');
            if (eq <= 0 || eq == parts[i].length() - 1) {
                throw new IllegalArgumentException("--norms " + label + ": option '" + parts[i] + "' is not key=value; "
                        + "write options as name:key=value:key=value, e.g. group_norm:groups=2");
            }
            options.put(parts[i].substring(0, eq).trim(), parts[i].substring(eq + 1).trim());
        }
        return options;
    }

    private NormSlot(String norm, Function<Shape, Module> factory) {
        this.registry = null;
        this.label = norm;
        this.norm = norm;
        this.options = Map.of();
        this.factory = factory;
        this.dtype = DType.FLOAT32;
    }

    private NormSlot(NormSlot slot, DType dtype) {
        this.registry = slot.registry;
        this.label = slot.label;
        this.norm = slot.norm;
        this.options = slot.options;
        this.factory = slot.factory;
        this.dtype = dtype;
    }

    /**
     * This slot creating norms whose parameters and buffers are of {@code dtype} (float32 by default). A slot filled
     * by a factory makes what its factory makes, so it takes float32 only.
     */
    public NormSlot withDtype(DType value) {
        if (value == dtype) {
            return this;
        }
        if (factory != null) {
            throw new IllegalArgumentException(norm + " is built by its own factory, in float32: train it with "
                    + "--dtype float32");
        }
        return new NormSlot(this, value);
    }

    /** The element type of the norms this slot creates. */
    public DType dtype() {
        return dtype;
    }

    /**
     * A slot filled by {@code factory} from the activation shape rather than from the registry: for a layer that
     * is not a registered norm because it needs more than a spec (cross-replica BatchNorm needs its replica).
     */
    public static NormSlot of(String norm, Function<Shape, Module> factory) {
        return new NormSlot(norm, factory);
    }

    public boolean isNone() {
        return NONE.equals(norm);
    }

    /** The registered name (without options). */
    public String norm() {
        return norm;
    }

    /** The label as given: the name and its options. */
    public String label() {
        return label;
    }

    /** A boolean option the net reads ({@value #MASKED}, {@value #PER_STEP}). */
    public boolean flag(String key, boolean fallback) {
        String v = options.get(key);
        if (v == null) {
            return fallback;
        }
        if (!v.equals("true") && !v.equals("false")) {
            throw new IllegalArgumentException("--norms " + label + ": " + key + "=" + v + " must be true or false");
        }
        return Boolean.parseBoolean(v);
    }

    /** The spec for {@code activation}: the contract's, with the label's fields and options applied. */
    private NormSpec spec(InputContract contract, Shape activation) {
        Map<String, String> normOptions = new TreeMap<>(options);
        normOptions.remove(MASKED);
        normOptions.remove(PER_STEP);
        String eps = normOptions.remove("eps");
        String momentum = normOptions.remove("momentum");
        String affine = normOptions.remove("affine");
        String track = normOptions.remove("track_running_stats");
        NormSpec spec = contract.specFor(activation, normOptions).withDtype(dtype);
        try {
            if (eps != null) {
                spec = spec.withEps(Double.parseDouble(eps));
            }
            if (momentum != null) {
                spec = momentum.equals("none") ? spec.withCumulativeAverage()
                        : spec.withMomentum(Double.parseDouble(momentum));
            }
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--norms " + label + ": eps and momentum take numbers (momentum "
                    + "also 'none' for a cumulative average)");
        }
        if (affine != null) {
            spec = spec.withAffine(Boolean.parseBoolean(affine));
        }
        if (track != null) {
            spec = spec.withTrackRunningStats(Boolean.parseBoolean(track));
        }
        return spec;
    }

    /**
     * The layer for an activation of {@code activation} (batch dimension included), or null for {@code none}.
     *
     * @param where the position in the net, for the message of an impossible pairing
     * @throws ImpossiblePairingException when the norm's contract rejects the activation or no spec fits it
     */
    public Module create(Shape activation, String where) {
        if (isNone()) {
            return null;
        }
        if (factory != null) {
            return factory.apply(activation);
        }
        NormalizationProvider provider = registry.get(norm);
        InputContract contract = provider.contract();
        if (!contract.accepts(activation)) {
            throw new ImpossiblePairingException(norm + " cannot normalise the activation " + activation + " " + where
                    + ": it takes " + contract.layout());
        }
        try {
            return provider.create(spec(contract, activation));
        } catch (IllegalArgumentException e) {
            throw new ImpossiblePairingException(norm + " cannot normalise the activation " + activation + " " + where
                    + ": " + e.getMessage());
        }
    }
}

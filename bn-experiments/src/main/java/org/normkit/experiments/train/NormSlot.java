package org.normkit.experiments.train;

import java.util.Map;
import java.util.function.Function;

import org.normkit.autograd.nn.Module;
import org.normkit.autograd.spi.InputContract;
import org.normkit.autograd.spi.NormRegistry;
import org.normkit.autograd.spi.NormalizationProvider;
import org.normkit.autograd.tensor.Shape;

/**
 * Fills a net's normalization slot from the registry by name: the provider's input contract turns the activation
 * shape at the slot into a spec, so any registered norm (a plugin's too) fits any net it can normalise, and a
 * pairing that cannot work is reported as such.
 *
 * <p>The spec comes from {@link InputContract#specFor(Shape, Map)}, which starts from the norm's own defaults (as
 * {@code nn.InstanceNorm1d(256)} does in PyTorch, where affine and running statistics are off), not from BatchNorm's.
 */
public final class NormSlot {
    /** The name that leaves the slot empty. */
    public static final String NONE = "none";

    private final NormRegistry registry;
    private final String norm;
    private final Function<Shape, Module> factory;

    /** Throws, listing the registered names, when {@code norm} is neither {@value #NONE} nor registered. */
    public NormSlot(NormRegistry registry, String norm) {
        this.registry = registry;
        this.norm = norm;
        this.factory = null;
        if (!isNone()) {
            registry.get(norm);
        }
    }

    private NormSlot(String norm, Function<Shape, Module> factory) {
        this.registry = null;
        this.norm = norm;
        this.factory = factory;
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

    public String norm() {
        return norm;
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
            return provider.create(contract.specFor(activation, Map.of()));
        } catch (IllegalArgumentException e) {
            throw new ImpossiblePairingException(norm + " cannot normalise the activation " + activation + " " + where
                    + ": " + e.getMessage());
        }
    }
}

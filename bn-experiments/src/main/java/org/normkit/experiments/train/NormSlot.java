package org.normkit.experiments.train;

import org.normkit.autograd.nn.Module;
import org.normkit.autograd.spi.NormRegistry;
import org.normkit.autograd.spi.NormSpec;
import org.normkit.autograd.spi.NormalizationProvider;
import org.normkit.autograd.tensor.Shape;

/**
 * Fills a net's normalization slot from the registry by name: the provider's input contract turns the activation
 * shape at the slot into a spec, so any registered norm (a plugin's too) fits any net it can normalise, and a
 * pairing that cannot work is reported as such.
 */
public final class NormSlot {
    /** The name that leaves the slot empty. */
    public static final String NONE = "none";

    private final NormRegistry registry;
    private final String norm;
    private final NormSpec base;

    public NormSlot(NormRegistry registry, String norm, NormSpec base) {
        this.registry = registry;
        this.norm = norm;
        this.base = base;
        if (!isNone()) {
            registry.get(norm); // fail early, listing the known names
        }
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
     */
    public Module create(Shape activation, String where) {
        if (isNone()) {
            return null;
        }
        NormalizationProvider provider = registry.get(norm);
        if (!provider.contract().accepts(activation)) {
            throw new ImpossiblePairingException(norm + " cannot normalise the activation " + activation + " " + where
                    + ": it takes " + provider.contract().layout());
        }
        try {
            return provider.create(provider.contract().specFor(activation, base));
        } catch (IllegalArgumentException e) {
            throw new ImpossiblePairingException(norm + " cannot normalise the activation " + activation + " " + where
                    + ": " + e.getMessage());
        }
    }
}

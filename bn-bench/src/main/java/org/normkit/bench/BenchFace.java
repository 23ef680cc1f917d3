package org.normkit.bench;

import java.util.Locale;

/**
 * Which face of a norm is timed. The reference face runs the composed autograd ops through {@code reference(x,
 * statistics)} (and {@code backward} through the graph); the fused face calls the {@code FusedNorm} kernel pair
 * directly, the forward writing into an output allocated once per trial.
 */
public enum BenchFace {
    REFERENCE("reference"),
    FUSED("fused");

    /** The face name the PyTorch peer writes into its rows. */
    public static final String PYTORCH = "pytorch";

    private final String id;

    BenchFace(String id) {
        this.id = id;
    }

    public String id() {
        return id;
    }

    public static BenchFace parse(String text) {
        String t = text.trim().toLowerCase(Locale.ROOT);
        for (BenchFace f : values()) {
            if (f.id.equals(t)) {
                return f;
            }
        }
        throw new IllegalArgumentException("unknown face '" + text + "': expected reference or fused");
    }

    @Override
    public String toString() {
        return id;
    }
}

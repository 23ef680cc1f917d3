package org.normkit.core.conformance;

import java.util.List;
import java.util.Locale;

import org.normkit.autograd.spi.ExecutionMode;

/** Which faces the conformance runner checks: {@code reference}, {@code fused} or {@code both} (the default). */
public enum Faces {
    REFERENCE(List.of(ExecutionMode.REFERENCE)),
    FUSED(List.of(ExecutionMode.FUSED)),
    BOTH(List.of(ExecutionMode.REFERENCE, ExecutionMode.FUSED));

    private final List<ExecutionMode> modes;

    Faces(List<ExecutionMode> modes) {
        this.modes = modes;
    }

    public List<ExecutionMode> modes() {
        return modes;
    }

    public static Faces parse(String text) {
        try {
            return valueOf(text.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown face '" + text + "': expected reference, fused or both");
        }
    }
}

package org.normkit.autograd.tensor;

import java.util.Locale;

/**
 * The element types a tensor can hold. float32 tensors are stored as {@code float[]}, float64 as {@code double[]};
 * kernels may accumulate in double either way.
 */
public enum DType {
    FLOAT32("float32", 4),
    FLOAT64("float64", 8);

    private final String label;
    private final int bytes;

    DType(String label, int bytes) {
        this.label = label;
        this.bytes = bytes;
    }

    /** The name PyTorch and the conformance format use: {@code float32}, {@code float64}. */
    public String label() {
        return label;
    }

    public int bytesPerElement() {
        return bytes;
    }

    /** PyTorch's promotion among floating types: the wider one wins. */
    public static DType promote(DType a, DType b) {
        return a == FLOAT64 || b == FLOAT64 ? FLOAT64 : FLOAT32;
    }

    /** Parses {@code float32}/{@code float64} (also {@code f32}, {@code double}, ...), naming the choices on failure. */
    public static DType parse(String text) {
        switch (text.trim().toLowerCase(Locale.ROOT)) {
            case "float32": case "f32": case "float": return FLOAT32;
            case "float64": case "f64": case "double": return FLOAT64;
            default:
                throw new IllegalArgumentException("unknown dtype '" + text + "': expected float32 or float64");
        }
    }

    @Override
    public String toString() {
        return label;
    }
}

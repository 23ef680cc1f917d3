package org.normkit.autograd.check;

import org.normkit.autograd.tensor.DType;

/**
 * How close is close enough: {@code |actual − expected| ≤ abs + rel·|expected|}, element by element (the
 * conformance format's rule). This class is the one tolerance table of the project: every check takes its
 * tolerance from a constant here, so a change of policy happens in one place.
 */
public record Tolerance(double abs, double rel) {

    /** Finite differences in float64 against the analytic gradient (central differences, step 1e-6). */
    public static final Tolerance GRADCHECK = new Tolerance(1e-6, 1e-4);

    /** Reference face against fused face, float64: both exact to rounding, differing only in summation order. */
    public static final Tolerance FACES_FLOAT64 = new Tolerance(1e-10, 1e-8);

    /** Reference face against fused face, float32: the reference rounds every intermediate to float32. */
    public static final Tolerance FACES_FLOAT32 = new Tolerance(2e-4, 2e-3);

    /** The conformance format's float64 tolerance. */
    public static final Tolerance CONFORMANCE_FLOAT64 = new Tolerance(1e-9, 1e-7);

    /** The conformance format's float32 tolerance. */
    public static final Tolerance CONFORMANCE_FLOAT32 = new Tolerance(1e-5, 1e-4);

    /** Exact equality, for counters such as {@code num_batches_tracked}. */
    public static final Tolerance EXACT = new Tolerance(0, 0);

    /**
     * A float64 kernel's normalised output for inputs with a large offset (mean 1e6, standard deviation 1e-2)
     * against the exact result: about 8 digits cancel in x − μ, so this is what a numerically stable moment
     * algorithm keeps (the one-pass E[x²] − E[x]² misses it by orders of magnitude).
     */
    public static final Tolerance LARGE_OFFSET_FLOAT64 = new Tolerance(1e-6, 0);

    public Tolerance {
        if (!(abs >= 0) || !(rel >= 0)) {
            throw new IllegalArgumentException("tolerance needs abs >= 0 and rel >= 0, got abs=" + abs + ", rel=" + rel);
        }
    }

    /** The face-agreement tolerance for a dtype. */
    public static Tolerance faces(DType dtype) {
        return dtype == DType.FLOAT64 ? FACES_FLOAT64 : FACES_FLOAT32;
    }

    public boolean accepts(double actual, double expected) {
        return Math.abs(actual - expected) <= abs + rel * Math.abs(expected);
    }

    /** How much of the allowance a pair uses: ≤ 1 passes. NaN against a number counts as infinitely far. */
    public double usage(double actual, double expected) {
        if (Double.isNaN(actual) || Double.isNaN(expected)) {
            return Double.isNaN(actual) && Double.isNaN(expected) ? 0 : Double.POSITIVE_INFINITY;
        }
        double allowed = abs + rel * Math.abs(expected);
        double diff = Math.abs(actual - expected);
        return allowed == 0 ? (diff == 0 ? 0 : Double.POSITIVE_INFINITY) : diff / allowed;
    }

    @Override
    public String toString() {
        return "abs " + abs + ", rel " + rel;
    }
}

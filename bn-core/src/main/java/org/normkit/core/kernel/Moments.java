package org.normkit.core.kernel;

/**
 * The statistics of every set of a {@link Layout}: the mean and the <em>biased</em> variance (divided by m, the set
 * size), in double. For an {@link Centering#UNCENTERED} norm the mean is 0 and {@code variance} holds the mean
 * square. The arrays are owned by the record's creator; treat them as read-only.
 *
 * @param mean     one entry per set
 * @param variance one entry per set, biased: Σ(x − μ)²/m
 * @param setSize  m, the number of elements per set (for Bessel's correction m/(m − 1))
 */
public record Moments(double[] mean, double[] variance, int setSize) {

    public Moments {
        if (mean.length != variance.length) {
            throw new IllegalArgumentException("moments need one mean and one variance per set, got " + mean.length
                    + " means and " + variance.length + " variances");
        }
    }

    public int sets() {
        return mean.length;
    }
}

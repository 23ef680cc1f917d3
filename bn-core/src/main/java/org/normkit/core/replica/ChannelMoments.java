package org.normkit.core.replica;

/**
 * Per-channel (count, mean, M2) of one replica's batch, M2 = Σ(x − mean)², the state from which batch statistics of
 * several replicas merge exactly, in double.
 *
 * <p>{@link #merge} is the pairwise update of Chan, Golub &amp; LeVeque ("Updating formulae and a pairwise algorithm
 * for computing sample variances", 1979/1983): with δ = mean_b − mean_a and n = n_a + n_b,
 * <pre>
 *   mean = mean_a + δ·n_b/n          M2 = M2_a + M2_b + δ²·n_a·n_b/n
 * </pre>
 * It never subtracts two large sums of squares, so it keeps the accuracy of a two-pass variance, unlike summing
 * Σx and Σx² across replicas. A channel with count 0 is the identity of the merge.
 *
 * @param count one entry per channel: the number of values the statistics cover
 * @param mean  one entry per channel
 * @param m2    one entry per channel: the sum of squared deviations from the mean
 */
public record ChannelMoments(double[] count, double[] mean, double[] m2) {

    public ChannelMoments {
        if (count.length != mean.length || mean.length != m2.length) {
            throw new IllegalArgumentException("channel moments need one count, mean and M2 per channel, got "
                    + count.length + ", " + mean.length + " and " + m2.length);
        }
    }

    public int channels() {
        return mean.length;
    }

    /** The statistics of both batches together (Chan et al.), per channel. */
    public ChannelMoments merge(ChannelMoments other) {
        if (other.channels() != channels()) {
            throw new IllegalArgumentException("cannot merge the moments of " + channels() + " channels with those of "
                    + other.channels() + ": every replica must hold the same layer");
        }
        int c = channels();
        double[] n = new double[c];
        double[] mu = new double[c];
        double[] s = new double[c];
        for (int i = 0; i < c; i++) {
            n[i] = count[i] + other.count[i];
            if (n[i] == 0) {
                continue;
            }
            double delta = other.mean[i] - mean[i];
            mu[i] = mean[i] + delta * other.count[i] / n[i];
            s[i] = m2[i] + other.m2[i] + delta * delta * count[i] * other.count[i] / n[i];
        }
        return new ChannelMoments(n, mu, s);
    }

    /** count, mean and M2 one after the other: the message a replica sends (3·C doubles). */
    public double[] pack() {
        int c = channels();
        double[] packed = new double[3 * c];
        System.arraycopy(count, 0, packed, 0, c);
        System.arraycopy(mean, 0, packed, c, c);
        System.arraycopy(m2, 0, packed, 2 * c, c);
        return packed;
    }

    /** The inverse of {@link #pack}. */
    public static ChannelMoments unpack(double[] packed) {
        if (packed.length % 3 != 0) {
            throw new IllegalArgumentException("packed channel moments hold 3·C doubles, got " + packed.length);
        }
        int c = packed.length / 3;
        double[] n = new double[c];
        double[] mu = new double[c];
        double[] s = new double[c];
        System.arraycopy(packed, 0, n, 0, c);
        System.arraycopy(packed, c, mu, 0, c);
        System.arraycopy(packed, 2 * c, s, 0, c);
        return new ChannelMoments(n, mu, s);
    }
}

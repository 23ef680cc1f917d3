package org.normkit.experiments.data;

/**
 * Derives independent seeds for separate random streams (train set, test set, epoch 7's batch order) from one user
 * seed. Written out here rather than taken from a JDK generator whose algorithm the JDK may change, so the same
 * seed gives the same data and the same batches on every JVM: {@link java.util.Random}, which consumes the derived
 * seeds, has an algorithm fixed by its specification.
 */
final class Seeds {

    private Seeds() {}

    /**
     * The seed of stream {@code stream} under {@code seed}: the SplitMix64 finaliser (Steele, Lea and Flood, "Fast
     * splittable pseudorandom number generators", OOPSLA 2014) of the two combined with the golden-ratio increment,
     * so nearby seeds and nearby streams give unrelated results.
     */
    static long derive(long seed, long stream) {
        long z = seed + 0x9E3779B97F4A7C15L * (stream + 1);
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}

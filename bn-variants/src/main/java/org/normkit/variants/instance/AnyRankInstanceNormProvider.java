package org.normkit.variants.instance;

/** {@code instance_norm}: InstanceNorm over inputs of rank 3 to 5. */
public final class AnyRankInstanceNormProvider extends InstanceNormProvider {
    public AnyRankInstanceNormProvider() {
        super(InstanceNorm.Dims.ANY, InstanceNorm::new);
    }
}

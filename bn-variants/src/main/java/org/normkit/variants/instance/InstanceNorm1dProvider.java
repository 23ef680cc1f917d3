package org.normkit.variants.instance;

/** {@code instance_norm1d}: {@link InstanceNorm1d}. */
public final class InstanceNorm1dProvider extends InstanceNormProvider {
    public InstanceNorm1dProvider() {
        super(InstanceNorm.Dims.ONE_D, InstanceNorm1d::new);
    }
}

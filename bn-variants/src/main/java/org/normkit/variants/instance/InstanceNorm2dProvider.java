package org.normkit.variants.instance;

/** {@code instance_norm2d}: {@link InstanceNorm2d}. */
public final class InstanceNorm2dProvider extends InstanceNormProvider {
    public InstanceNorm2dProvider() {
        super(InstanceNorm.Dims.TWO_D, InstanceNorm2d::new);
    }
}

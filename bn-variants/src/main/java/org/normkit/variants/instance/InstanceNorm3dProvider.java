package org.normkit.variants.instance;

/** {@code instance_norm3d}: {@link InstanceNorm3d}. */
public final class InstanceNorm3dProvider extends InstanceNormProvider {
    public InstanceNorm3dProvider() {
        super(InstanceNorm.Dims.THREE_D, InstanceNorm3d::new);
    }
}

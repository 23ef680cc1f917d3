package org.normkit.variants.power;

import org.normkit.autograd.spi.NormSpec;
import org.normkit.core.ChannelFirstProvider;

/** {@code power_norm}: {@link PowerNorm}, registered in {@code META-INF/services} exactly as a plugin registers. */
public final class PowerNormProvider extends ChannelFirstProvider {
    public PowerNormProvider() {
        super(PowerNorm.INPUTS, "Power normalization over (N, C) or (N, C, L): per-channel quadratic mean over the "
                + "batch without centring, running quadratic mean for evaluation (Shen et al. 2020)",
                NormSpec.of(1), PowerNorm::new);
    }
}

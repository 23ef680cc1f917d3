package org.normkit.core.batch;

/** {@code batch_norm2d}: {@link BatchNorm2d}. */
public final class BatchNorm2dProvider extends BatchNormProvider {
    public BatchNorm2dProvider() {
        super(BatchNorm.Dims.TWO_D, BatchNorm2d::new);
    }
}

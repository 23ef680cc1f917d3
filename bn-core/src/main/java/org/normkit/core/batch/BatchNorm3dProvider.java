package org.normkit.core.batch;

/** {@code batch_norm3d}: {@link BatchNorm3d}. */
public final class BatchNorm3dProvider extends BatchNormProvider {
    public BatchNorm3dProvider() {
        super(BatchNorm.Dims.THREE_D, BatchNorm3d::new);
    }
}

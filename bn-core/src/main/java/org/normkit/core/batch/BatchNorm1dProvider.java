package org.normkit.core.batch;

/** {@code batch_norm1d}: {@link BatchNorm1d}. */
public final class BatchNorm1dProvider extends BatchNormProvider {
    public BatchNorm1dProvider() {
        super(BatchNorm.Dims.ONE_D, BatchNorm1d::new);
    }
}

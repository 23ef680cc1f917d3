package org.normkit.core.batch;

/** {@code batch_norm}: BatchNorm over inputs of rank 2 to 5. */
public final class AnyRankBatchNormProvider extends BatchNormProvider {
    public AnyRankBatchNormProvider() {
        super(BatchNorm.Dims.ANY, BatchNorm::new);
    }
}

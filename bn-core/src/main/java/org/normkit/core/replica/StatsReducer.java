package org.normkit.core.replica;

/**
 * How the K replicas of a data-parallel step exchange what cross-replica BatchNorm ({@link SyncBatchNorm}) needs:
 * an all-gather of small per-channel arrays. Every replica calls the same methods in the same order (once per
 * SyncBatchNorm layer in the forward pass, once per layer in the backward pass), and each call returns the same
 * result on every replica.
 *
 * <p>Implementations: {@link ThreadStatsReducer}, replicas on threads of one JVM (the default). A multi-machine
 * transport (MPI, Gloo or NCCL style collectives, or a parameter server) implements {@link #allGather}, or
 * overrides {@link #allSum} and {@link #allMerge} with native all-reduces; {@code docs/cross-replica-batchnorm.md}
 * lists the messages per step. Results must not depend on the transport: the defaults combine in replica order.
 */
public interface StatsReducer {

    /** K, the number of replicas. */
    int replicas();

    /**
     * Every replica's {@code local} array, indexed by replica, on every replica. Blocks until all replicas have
     * called it; throws {@link ReplicaFailedException} when another replica failed instead.
     *
     * @param replica this replica's index in [0, K)
     */
    double[][] allGather(int replica, double[] local);

    /** The element-wise sum over replicas, added in replica order so every replica gets the same bits. */
    default double[] allSum(int replica, double[] local) {
        double[][] all = allGather(replica, local);
        double[] sum = all[0].clone();
        for (int r = 1; r < all.length; r++) {
            for (int i = 0; i < sum.length; i++) {
                sum[i] += all[r][i];
            }
        }
        return sum;
    }

    /** The per-channel statistics of all replicas' batches together, merged in replica order (Chan et al.). */
    default ChannelMoments allMerge(int replica, ChannelMoments local) {
        double[][] all = allGather(replica, local.pack());
        ChannelMoments merged = ChannelMoments.unpack(all[0]);
        for (int r = 1; r < all.length; r++) {
            merged = merged.merge(ChannelMoments.unpack(all[r]));
        }
        return merged;
    }

    /** Wakes the replicas waiting in a call with a {@link ReplicaFailedException}: one of them failed. */
    void abort(Throwable cause);
}

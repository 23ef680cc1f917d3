package org.normkit.experiments.replica;

import java.io.Serializable;

/**
 * How a run trains: in one process ({@link #NONE}), or data-parallel with K replicas that each take B/K rows of every
 * batch of B, BatchNorm then normalising either with each replica's rows (the failure at small per-replica batches)
 * or, synchronised, with the whole batch ({@code --sync-bn}).
 *
 * <p>A replicated run is another experiment than the one-process run of the same norm, so its norm is recorded under
 * its own name in {@code results.csv}: {@code batch_norm_x16} (16 replicas, each BatchNorm on its own rows),
 * {@code sync_batch_norm_x16} (synchronised), {@code group_norm_x16}. With {@code --sync-bn} every
 * {@code batch_norm} is synchronised; {@code sync_batch_norm} may also be named in {@code --norms} beside
 * {@code batch_norm}, to compare both in one report.
 *
 * @param replicas      K, at least 1
 * @param syncBatchNorm whether {@code batch_norm} becomes {@code sync_batch_norm}
 */
public record Replication(int replicas, boolean syncBatchNorm) implements Serializable {
    /** The name that asks for cross-replica BatchNorm in {@code --norms}. */
    public static final String SYNC_BATCH_NORM = "sync_batch_norm";
    /** One process, no replicas: every run as before. */
    public static final Replication NONE = new Replication(1, false);

    private static final String SUFFIX = "_x";

    public Replication {
        if (replicas < 1) {
            throw new IllegalArgumentException("--replicas " + replicas + " must be >= 1");
        }
        if (syncBatchNorm && replicas == 1) {
            throw new IllegalArgumentException("--sync-bn synchronises BatchNorm across replicas: give --replicas K "
                    + "with K >= 2");
        }
    }

    public boolean isReplicated() {
        return replicas > 1;
    }

    /** The name results.csv records for {@code norm}: the norm itself without replicas. */
    public String label(String norm) {
        if (!isReplicated()) {
            return norm;
        }
        String trained = syncBatchNorm && norm.equals("batch_norm") ? SYNC_BATCH_NORM : norm;
        return trained + SUFFIX + replicas;
    }

    /** The norm a recorded {@code label} trains: {@code batch_norm_x16} → {@code batch_norm}. */
    public String normOf(String label) {
        String suffix = SUFFIX + replicas;
        return isReplicated() && label.endsWith(suffix) ? label.substring(0, label.length() - suffix.length()) : label;
    }

    /** The norms of {@code norms} that come from the registry: all but {@value #SYNC_BATCH_NORM}. */
    public java.util.List<String> registeredNorms(java.util.List<String> norms) {
        return norms.stream().filter(norm -> !norm.equals(SYNC_BATCH_NORM)).toList();
    }

    /** The per-replica batch sizes of a batch of {@code rows}: as equal as possible, the larger ones first. */
    public int[] split(int rows) {
        int[] parts = new int[replicas];
        for (int r = 0; r < replicas; r++) {
            parts[r] = rows / replicas + (r < rows % replicas ? 1 : 0);
        }
        return parts;
    }

    /** For reports: {@code 16 replicas, BatchNorm synchronised}. */
    public String describe() {
        return isReplicated() ? replicas + " data-parallel replicas on threads" + (syncBatchNorm
                ? ", BatchNorm synchronised across them" : "") : "one process";
    }
}

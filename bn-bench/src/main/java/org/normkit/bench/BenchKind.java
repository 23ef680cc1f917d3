package org.normkit.bench;

/**
 * What a benchmark run times: one norm's call ({@link NormBenchmark}, with the copy baseline {@link CopyBenchmark})
 * or a whole training step of an experiment net ({@link TrainingStepBenchmark}). One {@link BenchPlan},
 * {@link BenchRunner} and {@link BenchReport} serve both; this says which benchmark class the plan's runs go to.
 */
public enum BenchKind {
    /** One norm's call per face and pass, in milliseconds, beside a copy of the same tensor. */
    KERNEL("kernel"),
    /** Whole training steps of an experiment net, in samples per second. */
    TRAINING("training"),
    /**
     * One norm's fused call against peers (PyTorch) in one session, sides alternating in rounds
     * ({@link org.normkit.bench.versus.HeadToHead}), planned as a kernel run; its rows carry the peers' side
     * ({@link BenchResult.PeerComparison}).
     */
    HEAD_TO_HEAD("head_to_head");

    private final String id;

    BenchKind(String id) {
        this.id = id;
    }

    /** The name the report's rows carry. */
    public String id() {
        return id;
    }

    @Override
    public String toString() {
        return id;
    }
}

package org.normkit.experiments.report;

import java.io.Serializable;

/**
 * One epoch of one run as the batch-statistics probe saw it ({@code org.normkit.experiments.train
 * .BatchStatisticsProbe}): a line of {@value ProbeCsv#FILE_NAME}.
 *
 * @param key           the run
 * @param epoch         1 for the first epoch
 * @param layers        how many norm layers with running statistics were watched
 * @param meanShift     mean |μ_batch − μ_running| / σ_running over the epoch's forwards, layers and sets
 * @param varianceShift mean |σ²_batch − σ²_running| / σ²_running, likewise
 */
public record ProbeRow(RunKey key, int epoch, int layers, double meanShift, double varianceShift)
        implements Serializable {}

package org.normkit.bench.versus;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.normkit.bench.ReportJson;

/**
 * The outcome of a {@link HeadToHead} run, as written to and read from JSON ({@link ReportJson} maps the records).
 *
 * @param date     when the run started, ISO-8601
 * @param commit   the commit the measured code was built from, {@code +dirty} when the tree had changes; or unknown
 * @param machine  CPU, cores, JVM and its flags
 * @param settings rounds, sample length, warm-up
 * @param peers    each peer's id and what exactly it is (version, build, settings)
 * @param rows     one per case and thread count
 * @param skipped  what did not run, with the reason
 */
public record HeadToHeadReport(String date, String commit, String machine, String settings, Map<String, String> peers,
                               List<Row> rows, List<String> skipped) {

    /** The id of our side in {@link Row#ms()} and {@link Row#perRound()}. */
    public static final String NORMKIT = "normkit";

    /**
     * One case at one thread count.
     *
     * @param ms          each side's median milliseconds over the rounds ({@value #NORMKIT} and every peer)
     * @param normkitOver per peer: the median over the rounds of normkit ms ÷ the peer's ms in the same round (below
     *                    1, normkit is faster)
     * @param floorMs     the median over the rounds of the fastest copy of the tensor sampled in that round: any
     *                    side's copy, on one thread or on {@code threads}
     * @param timesFloor  the median over the rounds of normkit ms ÷ that round's fastest copy
     * @param floorBy     whose copy was the fastest in most rounds, e.g. {@code pytorch-2.10 copy ×2}
     * @param perRound    every sample, in round order: side ids, and {@code "<side> copy ×<threads>"}
     */
    public record Row(String norm, String shape, String dtype, String pass, int threads, Map<String, Double> ms,
                      Map<String, Double> normkitOver, double floorMs, double timesFloor, String floorBy,
                      Map<String, List<Double>> perRound) {}

    public HeadToHeadReport withCommit(String c) {
        return new HeadToHeadReport(date, c, machine, settings, peers, rows, skipped);
    }

    /** Writes the report atomically ({@link ReportJson}): an interrupted run never leaves half a file. */
    public void write(Path file) {
        ReportJson.write(file, this);
    }

    public static HeadToHeadReport read(Path file) {
        return ReportJson.read(file, HeadToHeadReport.class);
    }
}

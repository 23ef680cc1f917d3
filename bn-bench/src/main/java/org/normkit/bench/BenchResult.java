package org.normkit.bench;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * One timed combination of a kernel, head-to-head or training benchmark and its figures: one row of
 * {@link BenchReport}.
 *
 * <p>A kernel row ({@code net} null) is {@code norm, shape, dtype, pass, face, mask, threads} with milliseconds and
 * the copy baseline: the members the PyTorch peer script's rows share ({@code norm, shape, dtype, pass, face,
 * threads, ms, copyMs, ratioToCopy}). A head-to-head row ({@link BenchKind#HEAD_TO_HEAD}) is the fused face's call
 * timed against peers in one session ({@link org.normkit.bench.versus.HeadToHead}): {@code ms} is normkit's median
 * over the rounds, {@code comparison} the peers' side and the copy floor, and there is no copy baseline of its own.
 * A training row is {@code net, norm, face, threads} with samples per second. The other kinds' members are left out
 * of the JSON, and so is an unknown number ({@link LeftOutWhenUnknown}); both read back as NaN.
 *
 * @param net                    the training benchmark's net; null in a kernel row
 * @param face                   reference or fused; {@code -} for the training benchmark's norm {@code none}
 * @param mask                   {@link BenchMask}'s id; null in a training row (and in kernel rows written before
 *                               the mask axis, which were all unmasked)
 * @param ms                     average time of one call, milliseconds
 * @param msError                half-width of JMH's 99.9 % confidence interval of {@code ms}
 * @param copyMs                 the copy baseline of the same element count, dtype and threads, timed in the same run
 * @param ratioToCopy            {@code ms / copyMs}
 * @param bytesUnits             tensor-sized reads and writes the call needs at the least ({@link BytesModel}); 0 if
 *                               unknown
 * @param gbPerSecond            effective bandwidth under that model
 * @param samplesPerSecond       JMH's throughput score of a training step, the mean over the measured iterations
 * @param samplesPerSecondError  half-width of JMH's 99.9 % confidence interval of the score
 * @param msPerStep              {@code batch / samplesPerSecond}, in milliseconds
 * @param samplesPerSecondMedian the median iteration: on a machine shared with other work, a few slow iterations pull
 *                               the mean down and it stays put
 * @param comparison             a head-to-head row's peers; null in the other rows
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record BenchResult(String net, String norm, String shape, String dtype, String pass, String face, String mask,
                          int threads,
                          @LeftOutWhenUnknown double ms,
                          @LeftOutWhenUnknown double msError,
                          @LeftOutWhenUnknown double copyMs,
                          @LeftOutWhenUnknown double ratioToCopy,
                          @JsonInclude(JsonInclude.Include.NON_DEFAULT) int bytesUnits,
                          @LeftOutWhenUnknown double gbPerSecond,
                          @LeftOutWhenUnknown double samplesPerSecond,
                          @LeftOutWhenUnknown double samplesPerSecondError,
                          @LeftOutWhenUnknown double msPerStep,
                          @LeftOutWhenUnknown double samplesPerSecondMedian,
                          PeerComparison comparison) {

    /**
     * A head-to-head row's other side: the peers' times of the same call in the same rounds, and the copy floor.
     *
     * @param peerMs      each peer's median milliseconds over the rounds
     * @param normkitOver per peer: the median over the rounds of normkit ms ÷ the peer's ms in the same round (below
     *                    1, normkit is faster); a peer that could not run the case has no entry
     * @param floorMs     the median over the rounds of the fastest copy of the tensor sampled in that round: any
     *                    side's copy, on one thread or on the row's thread count
     * @param timesFloor  the median over the rounds of normkit ms ÷ that round's fastest copy
     * @param floorBy     whose copy was the fastest in most rounds, e.g. {@code pytorch-2.10 copy ×2}
     * @param perRound    every sample, in round order: side ids ({@value #NORMKIT} and the peers), and
     *                    {@code "<side> copy ×<threads>"}
     */
    public record PeerComparison(Map<String, Double> peerMs, Map<String, Double> normkitOver,
                                 @LeftOutWhenUnknown double floorMs, @LeftOutWhenUnknown double timesFloor,
                                 String floorBy, Map<String, List<Double>> perRound) {
        /** The id of our side in {@link #perRound}. */
        public static final String NORMKIT = "normkit";

        public PeerComparison {
            peerMs = new LinkedHashMap<>(peerMs);
            normkitOver = new LinkedHashMap<>(normkitOver);
            perRound = new LinkedHashMap<>(perRound);
        }
    }

    /** A kernel row. */
    public static BenchResult kernel(String norm, String shape, String dtype, String pass, String face, String mask,
                                     int threads, double ms, double msError, double copyMs, int bytesUnits,
                                     double gbPerSecond) {
        return new BenchResult(null, norm, shape, dtype, pass, face, mask, threads, ms, msError, copyMs, ms / copyMs,
                bytesUnits, gbPerSecond, Double.NaN, Double.NaN, Double.NaN, Double.NaN, null);
    }

    /** A head-to-head row: the fused face at {@code threads} threads, normkit's median {@code ms} beside the peers. */
    public static BenchResult headToHead(String norm, String shape, String dtype, String pass, String mask,
                                         int threads, double ms, PeerComparison comparison) {
        return new BenchResult(null, norm, shape, dtype, pass, "fused", mask, threads, ms, Double.NaN, Double.NaN,
                Double.NaN, 0, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN, comparison);
    }

    /** A training row at {@code batch} samples per step. */
    public static BenchResult training(String net, String norm, String face, int threads, double samplesPerSecond,
                                       double samplesPerSecondError, double samplesPerSecondMedian, int batch) {
        return new BenchResult(net, norm, null, null, null, face, null, threads, Double.NaN, Double.NaN, Double.NaN,
                Double.NaN, 0, Double.NaN, samplesPerSecond, samplesPerSecondError, 1000.0 * batch / samplesPerSecond,
                samplesPerSecondMedian, null);
    }

    /** Which benchmark the row comes from: a row with a net is a training step, one with peers a head-to-head. */
    public BenchKind kind() {
        return net != null ? BenchKind.TRAINING : comparison != null ? BenchKind.HEAD_TO_HEAD : BenchKind.KERNEL;
    }

    /** The mask id; {@code none} for kernel rows written before the mask axis. */
    public String maskOrNone() {
        return mask == null ? BenchMask.NONE.id() : mask;
    }
}

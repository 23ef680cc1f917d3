package org.normkit.bench;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * One timed combination of a kernel or training benchmark and its figures: one row of {@link BenchReport}.
 *
 * <p>A kernel row ({@code net} null) is {@code norm, shape, dtype, pass, face, mask, threads} with milliseconds and
 * the copy baseline: the members the PyTorch peer script's rows share ({@code norm, shape, dtype, pass, face,
 * threads, ms, copyMs, ratioToCopy}). A training row is {@code net, norm, face, threads} with samples per second.
 * The other kind's members are left out of the JSON, and so is an unknown number ({@link LeftOutWhenUnknown}); both
 * read back as NaN.
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
                          @LeftOutWhenUnknown double samplesPerSecondMedian) {

    /** A kernel row. */
    public static BenchResult kernel(String norm, String shape, String dtype, String pass, String face, String mask,
                                     int threads, double ms, double msError, double copyMs, int bytesUnits,
                                     double gbPerSecond) {
        return new BenchResult(null, norm, shape, dtype, pass, face, mask, threads, ms, msError, copyMs, ms / copyMs,
                bytesUnits, gbPerSecond, Double.NaN, Double.NaN, Double.NaN, Double.NaN);
    }

    /** A training row at {@code batch} samples per step. */
    public static BenchResult training(String net, String norm, String face, int threads, double samplesPerSecond,
                                       double samplesPerSecondError, double samplesPerSecondMedian, int batch) {
        return new BenchResult(net, norm, null, null, null, face, null, threads, Double.NaN, Double.NaN, Double.NaN,
                Double.NaN, 0, Double.NaN, samplesPerSecond, samplesPerSecondError, 1000.0 * batch / samplesPerSecond,
                samplesPerSecondMedian);
    }

    /** Which benchmark the row comes from: a row with a net is a training step. */
    public BenchKind kind() {
        return net == null ? BenchKind.KERNEL : BenchKind.TRAINING;
    }

    /** The mask id; {@code none} for kernel rows written before the mask axis. */
    public String maskOrNone() {
        return mask == null ? BenchMask.NONE.id() : mask;
    }
}

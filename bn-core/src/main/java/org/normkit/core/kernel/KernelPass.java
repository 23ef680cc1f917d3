package org.normkit.core.kernel;

import org.normkit.autograd.parallel.KernelThreads;
import org.normkit.autograd.parallel.PassRates;
import org.normkit.autograd.tensor.DType;
import org.normkit.autograd.tensor.Tensor;

/**
 * The passes of {@link NormKernel} with their one-thread time per element: the estimate that
 * {@link KernelThreads#forEachBlockEstimated} weighs against the cost of a second thread, so each kernel is shared
 * from its own size on rather than from one element count for all.
 *
 * <p>The rates, nanoseconds per element on one thread, are not typed in here: {@link PassRates} reads them from the
 * file that {@code ./normkit readme --write} renders from the committed benchmark run
 * ({@code docs/results/bench/versus.json}, its one-thread rows: milliseconds ÷ elements), and a bn-cli test fails
 * when that file and the run disagree. The derivation: for the channels layout the smaller rate of the two in-cache
 * shapes (8x256x14x14 and 256x1024), for the rows layout the smaller of 32x128x768 and 32x64x56x56; the backward is
 * the forward + backward row less the forward row; the moments alone are the training forward less the evaluation
 * forward (rows: half the training forward). Taking the smaller rate underestimates a call's time, which can only
 * keep a borderline call on one thread.
 */
enum KernelPass {
    /** Batch statistics, then normalise: x read twice, y written. */
    FORWARD,
    /** Given statistics: x read, y written. */
    NORMALIZE,
    /** The sums, then the input gradient. */
    BACKWARD,
    /** The moments alone. */
    MOMENTS;

    private final double channelsFloat;
    private final double channelsDouble;
    private final double rowsFloat;
    private final double rowsDouble;

    KernelPass() {
        this.channelsFloat = PassRates.nanosPerElement(key("channels", "float32"));
        this.channelsDouble = PassRates.nanosPerElement(key("channels", "float64"));
        this.rowsFloat = PassRates.nanosPerElement(key("rows", "float32"));
        this.rowsDouble = PassRates.nanosPerElement(key("rows", "float64"));
    }

    /** The key of this pass's rate over {@code layout} ("channels" or "rows") and {@code dtype} in the rates file. */
    String key(String layout, String dtype) {
        return name().toLowerCase(java.util.Locale.ROOT) + "." + layout + "." + dtype;
    }

    /** Estimated one-thread time, in nanoseconds, of this pass over {@code x} laid out as {@code layout}. */
    double nanos(Layout layout, Tensor x) {
        return nanos(layout, x.dtype(), x.numel());
    }

    /** Estimated one-thread time, in nanoseconds, of this pass over {@code elements} elements of {@code layout}. */
    double nanos(Layout layout, DType dtype, long elements) {
        boolean channels = layout instanceof Layout.Channels;
        boolean single = dtype == DType.FLOAT32;
        double perElement = channels ? (single ? channelsFloat : channelsDouble) : (single ? rowsFloat : rowsDouble);
        return perElement * elements;
    }
}

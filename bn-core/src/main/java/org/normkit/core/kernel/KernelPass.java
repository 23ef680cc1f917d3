package org.normkit.core.kernel;

import org.normkit.autograd.parallel.KernelThreads;
import org.normkit.autograd.tensor.DType;
import org.normkit.autograd.tensor.Tensor;

/**
 * The passes of {@link NormKernel} with their one-thread time per element: the estimate that
 * {@link KernelThreads#forEachBlockEstimated} weighs against the cost of a second thread, so each kernel is shared
 * from its own size on rather than from one element count for all.
 *
 * <p>The rates are nanoseconds per element on one thread, from the quiet window of 2026-12-03 at 27ad192
 * (docs/results/bench/versus.md, section "Roofline": the row's MB × passes ÷ GB/s, divided by its elements); for the
 * channels layout the smaller of the two in-cache shapes (8x256x14x14 and 256x1024), for the rows layout the smaller
 * of 32x128x768 and 32x64x56x56. The backward is the forward + backward row less the forward row; the moments alone
 * are the forward less the normalisation (rows: half the forward). Taking the smaller rate underestimates a call's
 * time, which can only keep a borderline call on one thread.
 */
enum KernelPass {
    /** Batch statistics, then normalise: x read twice, y written. */
    FORWARD(0.34, 0.37, 0.27, 0.52),
    /** Given statistics: x read, y written. */
    NORMALIZE(0.10, 0.19, 0.28, 0.55),
    /** The sums, then the input gradient. */
    BACKWARD(0.41, 0.63, 0.46, 0.93),
    /** The moments alone. */
    MOMENTS(0.24, 0.18, 0.13, 0.26);

    private final double channelsFloat;
    private final double channelsDouble;
    private final double rowsFloat;
    private final double rowsDouble;

    KernelPass(double channelsFloat, double channelsDouble, double rowsFloat, double rowsDouble) {
        this.channelsFloat = channelsFloat;
        this.channelsDouble = channelsDouble;
        this.rowsFloat = rowsFloat;
        this.rowsDouble = rowsDouble;
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

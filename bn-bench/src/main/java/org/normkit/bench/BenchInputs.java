package org.normkit.bench;

import org.normkit.autograd.tensor.DType;
import org.normkit.autograd.tensor.Shape;
import org.normkit.autograd.tensor.Tensor;

/**
 * The input x, the output gradient ∂L/∂y and a preallocated output of one shape and dtype, seeded so every run
 * times the same values. Kept for the next trial of the same shape and dtype, because in a quick run (one JVM for
 * every benchmark) drawing tens of millions of Gaussian values per trial would cost more than the measurements;
 * only one set is kept, so at most one set of large arrays is alive.
 *
 * <p>x and ∂L/∂y are only read by what is timed; the output is overwritten by every call.
 */
final class BenchInputs {
    static final long INPUT_SEED = 12345;
    static final long GRADIENT_SEED = 54321;

    private static BenchInputs cached;

    final Shape shape;
    final DType dtype;
    final Tensor x;
    final Tensor gradOutput;
    final Tensor out;

    private BenchInputs(Shape shape, DType dtype) {
        this.shape = shape;
        this.dtype = dtype;
        this.x = Tensor.randn(dtype, shape, INPUT_SEED);
        this.gradOutput = Tensor.randn(dtype, shape, GRADIENT_SEED);
        this.out = Tensor.zeros(dtype, shape);
    }

    static synchronized BenchInputs of(Shape shape, DType dtype) {
        if (cached == null || !cached.shape.equals(shape) || cached.dtype != dtype) {
            cached = null; // let the old set go before the new one is allocated
            cached = new BenchInputs(shape, dtype);
        }
        return cached;
    }

    /** The storage of a tensor: a {@code float[]} or a {@code double[]}. */
    static Object storage(Tensor t) {
        return t.dtype() == DType.FLOAT32 ? t.floatData() : t.doubleData();
    }
}

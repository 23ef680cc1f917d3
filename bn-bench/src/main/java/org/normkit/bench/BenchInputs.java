package org.normkit.bench;

import java.util.LinkedHashMap;
import java.util.Map;

import org.normkit.autograd.tensor.DType;
import org.normkit.autograd.tensor.Shape;
import org.normkit.autograd.tensor.Tensor;

/**
 * The input x, the output gradient ∂L/∂y and a preallocated output of one shape and dtype, seeded so every run
 * times the same values. The two most recent sets are kept for the next trials, because in a quick run (one JVM for
 * every benchmark) drawing tens of millions of Gaussian values per trial would cost more than the measurements, and
 * JMH alternates the dtypes of one shape; older sets are let go, so at most three sets of large arrays are alive.
 *
 * <p>x and ∂L/∂y are only read by what is timed; the output is overwritten by every call.
 */
final class BenchInputs {
    static final long INPUT_SEED = 12345;
    static final long GRADIENT_SEED = 54321;
    private static final int KEPT = 2;

    private record Key(Shape shape, DType dtype) {}

    private static final Map<Key, BenchInputs> CACHE = new LinkedHashMap<>(4, 0.75f, true) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<Key, BenchInputs> eldest) {
            return size() > KEPT;
        }
    };

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
        return CACHE.computeIfAbsent(new Key(shape, dtype), k -> new BenchInputs(k.shape(), k.dtype()));
    }

    /** The storage of a tensor: a {@code float[]} or a {@code double[]}. */
    static Object storage(Tensor t) {
        return t.dtype() == DType.FLOAT32 ? t.floatData() : t.doubleData();
    }
}

package org.normkit.autograd.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.function.DoubleBinaryOperator;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import org.normkit.autograd.tensor.DType;
import org.normkit.autograd.tensor.Shape;
import org.normkit.autograd.tensor.Tensor;

/**
 * Broadcasting over random shapes. Each try draws a result shape, then two operand shapes that broadcast to it (some
 * sizes replaced by 1, some leading axes dropped), and checks the block kernels against an element-by-element
 * reference built from {@link #broadcastOffsets}, which shares no code with them.
 */
class BroadcastingPropertiesTest {

    @Provide
    Arbitrary<int[]> shapes() {
        return Arbitraries.integers().between(1, 4).array(int[].class).ofMinSize(0).ofMaxSize(4);
    }

    /** {@code target} with each size turned to 1 with probability 1/3 and up to all leading axes dropped. */
    private static Shape operandOf(int[] target, SplittableRandom random) {
        int drop = random.nextInt(target.length + 1);
        int[] dims = Arrays.copyOfRange(target, drop, target.length);
        for (int i = 0; i < dims.length; i++) {
            if (random.nextInt(3) == 0) {
                dims[i] = 1;
            }
        }
        return Shape.of(dims);
    }

    @Property(tries = 200)
    void theResultShapeIsTheBroadcastOfBothAndSymmetric(@ForAll("shapes") int[] target, @ForAll long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        Shape a = operandOf(target, random);
        Shape b = operandOf(target, random);
        Shape expected = Shape.broadcast(a, b, "test");
        Tensor x = Tensor.randn(DType.FLOAT64, a, 1);
        Tensor y = Tensor.randn(DType.FLOAT64, b, 2);
        assertEquals(expected, x.add(y).shape());
        assertEquals(expected, y.mul(x).shape());
        assertEquals(expected, Shape.broadcast(b, a, "test"));
        // Each result axis is the larger of the two aligned sizes (the other being 1 or missing).
        for (int i = 0; i < expected.rank(); i++) {
            int fromEnd = expected.rank() - i;
            int da = fromEnd <= a.rank() ? a.dim(a.rank() - fromEnd) : 1;
            int db = fromEnd <= b.rank() ? b.dim(b.rank() - fromEnd) : 1;
            assertEquals(Math.max(da, db), expected.dim(i));
        }
    }

    @Property(tries = 200)
    void everyBinaryOpMatchesTheElementByElementReference(@ForAll("shapes") int[] target, @ForAll long seed,
                                                         @ForAll boolean float32) {
        SplittableRandom random = new SplittableRandom(seed);
        DType dtype = float32 ? DType.FLOAT32 : DType.FLOAT64;
        Tensor x = Tensor.randn(dtype, operandOf(target, random), seed);
        Tensor y = Tensor.uniform(dtype, operandOf(target, random), 0.5, 2, seed + 1);
        check(x, y, x.add(y), Double::sum);
        check(x, y, x.sub(y), (p, q) -> p - q);
        check(x, y, y.sub(x), (p, q) -> q - p);
        check(x, y, x.mul(y), (p, q) -> p * q);
        check(x, y, x.div(y), (p, q) -> p / q);
        check(x, y, y.div(x), (p, q) -> q / p);
        check(x, y, x.maximum(y), Math::max);
        check(x, y, x.gt(y), (p, q) -> p > q ? 1 : 0);
        check(x, y, y.gt(x), (p, q) -> q > p ? 1 : 0);
        check(x, x.maximum(y), x.eq(x.maximum(y)), (p, q) -> p == q ? 1 : 0);
    }

    @Property(tries = 200)
    void whereMatchesTheElementByElementReference(@ForAll("shapes") int[] target, @ForAll long seed,
                                                 @ForAll boolean float32) {
        SplittableRandom random = new SplittableRandom(seed);
        DType dtype = float32 ? DType.FLOAT32 : DType.FLOAT64;
        // Any non-zero value selects, not only 1: the condition here is -1, 0 or 2.
        Tensor condition = Tensor.randn(DType.FLOAT64, operandOf(target, random), seed + 2);
        for (int i = 0; i < condition.numel(); i++) {
            condition.set(i, condition.get(i) > 0.5 ? 2 : condition.get(i) < -0.5 ? -1 : 0);
        }
        Tensor x = Tensor.randn(dtype, operandOf(target, random), seed).requiresGrad(true);
        Tensor y = Tensor.randn(dtype, operandOf(target, random), seed + 1).requiresGrad(true);
        Tensor picked = Tensor.where(condition, x, y);
        Shape out = Shape.broadcast(Shape.broadcast(condition.shape(), x.shape(), "test"), y.shape(), "test");
        int[] ic = broadcastOffsets(condition.shape(), out);
        int[] ix = broadcastOffsets(x.shape(), out);
        int[] iy = broadcastOffsets(y.shape(), out);
        double[] expected = new double[out.numel()];
        double[] gradX = new double[x.numel()];
        double[] gradY = new double[y.numel()];
        for (int i = 0; i < expected.length; i++) {
            boolean take = condition.get(ic[i]) != 0;
            expected[i] = take ? x.get(ix[i]) : y.get(iy[i]);
            if (take) {
                gradX[ix[i]] += 1;
            } else {
                gradY[iy[i]] += 1;
            }
        }
        assertEquals(out, picked.shape());
        assertArrayEquals(expected, picked.toDoubleArray(), () -> condition.shape() + ", " + x.shape() + ", " + y.shape());
        picked.sum().backward();
        assertArrayEquals(gradX, x.grad().toDoubleArray());
        assertArrayEquals(gradY, y.grad().toDoubleArray());
    }

    private static void check(Tensor x, Tensor y, Tensor actual, DoubleBinaryOperator f) {
        Shape out = Shape.broadcast(x.shape(), y.shape(), "test");
        int[] ix = broadcastOffsets(x.shape(), out);
        int[] iy = broadcastOffsets(y.shape(), out);
        double[] expected = new double[out.numel()];
        for (int i = 0; i < expected.length; i++) {
            double v = f.applyAsDouble(x.get(ix[i]), y.get(iy[i]));
            expected[i] = x.dtype() == DType.FLOAT32 ? (float) v : v;
        }
        assertEquals(out, actual.shape());
        assertArrayEquals(expected, actual.toDoubleArray(), () -> x.shape() + " with " + y.shape());
    }

    @Property(tries = 200)
    void addMulAndMaximumCommute(@ForAll("shapes") int[] target, @ForAll long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        Tensor x = Tensor.randn(DType.FLOAT32, operandOf(target, random), seed);
        Tensor y = Tensor.randn(DType.FLOAT32, operandOf(target, random), seed + 1);
        assertArrayEquals(x.add(y).toFloatArray(), y.add(x).toFloatArray());
        assertArrayEquals(x.mul(y).toFloatArray(), y.mul(x).toFloatArray());
        assertArrayEquals(x.maximum(y).toFloatArray(), y.maximum(x).toFloatArray());
    }

    @Property(tries = 200)
    void sumToUndoesExpandUpToTheReplicationCount(@ForAll("shapes") int[] target, @ForAll long seed) {
        Shape small = operandOf(target, new SplittableRandom(seed));
        Shape big = Shape.of(target);
        Tensor x = Tensor.randn(DType.FLOAT64, small, seed);
        Tensor expanded = x.expand(big);
        Tensor back = Reduce.sumTo(expanded, small);
        assertEquals(small, back.shape());
        double copies = (double) big.numel() / small.numel();
        double[] expected = Arrays.stream(x.toDoubleArray()).map(v -> v * copies).toArray();
        assertArrayEquals(expected, back.toDoubleArray(), 1e-12 * copies);
    }

    @Property(tries = 200)
    void sumOverAnyAxesMatchesTheReference(@ForAll("shapes") int[] target, @ForAll @IntRange(min = 0, max = 15) int mask,
                                           @ForAll boolean keepDim) {
        Shape shape = Shape.of(target);
        Tensor x = Tensor.randn(DType.FLOAT64, shape, mask);
        int[] axes = java.util.stream.IntStream.range(0, shape.rank()).filter(a -> (mask >> a & 1) == 1).toArray();
        Tensor sum = x.sum(axes, keepDim);
        int[] all = axes.length == 0 ? java.util.stream.IntStream.range(0, shape.rank()).toArray() : axes;
        Shape kept = shape.reduce(all, true);
        int[] into = broadcastOffsets(kept, shape);
        double[] expected = new double[kept.numel()];
        for (int i = 0; i < shape.numel(); i++) {
            expected[into[i]] += x.get(i);
        }
        assertEquals(keepDim ? kept : shape.reduce(all, false), sum.shape());
        assertArrayEquals(expected, sum.toDoubleArray(), 1e-12);
    }

    /**
     * For every element of {@code target} in row-major order, the flat index of the element of a tensor of shape
     * {@code from} that broadcasting maps to it: the slow, obvious reference the loops are held against.
     */
    private static int[] broadcastOffsets(Shape from, Shape target) {
        assertTrue(from.broadcastsTo(target), () -> from + " does not broadcast to " + target);
        int rank = target.rank();
        int[] strides = new int[rank];
        int[] own = from.strides();
        int offset = rank - from.rank();
        for (int i = 0; i < from.rank(); i++) {
            strides[i + offset] = from.dim(i) == 1 ? 0 : own[i];
        }
        return Shape.stridedOffsets(target, strides);
    }
}

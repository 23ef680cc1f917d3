package org.normkit.core.kernel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.util.Random;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.normkit.autograd.spi.FusedNorm;
import org.normkit.autograd.spi.Statistics;
import org.normkit.autograd.tensor.DType;
import org.normkit.autograd.tensor.Shape;
import org.normkit.autograd.tensor.Tensor;

/**
 * The rows layout's backward keeps its per-block partial sums of dγ and dβ ({@link AffinePartials}) in the thread's
 * scratch from call to call ({@link KernelScratch#partials}); what an earlier call left there never shows: dγ, dβ
 * and dx are bit for bit those of the same call on a thread that never ran a kernel, after calls over other shapes
 * (more blocks, other affine sizes, other values) and over the other dtype. Both row forms: γ per element of the
 * row (LayerNorm, float32's float accumulators) and γ per run of a group (GroupNorm, added in double).
 */
class KeptPartialsTest {
    private static final double EPS = 1e-5;

    static Stream<Arguments> layouts() {
        Stream.Builder<Arguments> b = Stream.builder();
        for (DType dtype : DType.values()) {
            // 600 rows of 300: several blocks of BLOCK_ELEMENTS, more than ROWS_PER_FLUSH rows per block.
            b.add(Arguments.of("layer", Layout.rows(600, 300), Layout.rows(90, 700), dtype));
            // GroupNorm (N = 40, G = 4, C/G = 3, S = 500) against one with other groups and channels.
            b.add(Arguments.of("group", Layout.rows(160, 1500, 4, 3, 500), Layout.rows(60, 900, 6, 2, 450), dtype));
        }
        return b.build();
    }

    @ParameterizedTest(name = "{0} {3}")
    @MethodSource("layouts")
    void partialsLeftByEarlierCallsDoNotShow(String norm, Layout layout, Layout other, DType dtype) throws Exception {
        Random random = new Random(7);
        Call call = new Call(layout, dtype, random);
        Call otherCall = new Call(other, dtype, random);
        Call otherType = new Call(other, dtype == DType.FLOAT32 ? DType.FLOAT64 : DType.FLOAT32, random);
        FusedNorm.Gradients fresh = onAFreshThread(call);
        for (Call earlier : new Call[] {otherCall, otherType, call}) {
            earlier.run();
            FusedNorm.Gradients again = call.run();
            String what = norm + " " + dtype + " after a call over " + earlier.layout + " " + earlier.dtype;
            assertArrayEquals(fresh.input().toDoubleArray(), again.input().toDoubleArray(), 0.0, what + ": dx");
            assertArrayEquals(fresh.weight().toDoubleArray(), again.weight().toDoubleArray(), 0.0, what + ": dγ");
            assertArrayEquals(fresh.bias().toDoubleArray(), again.bias().toDoubleArray(), 0.0, what + ": dβ");
        }
    }

    private static FusedNorm.Gradients onAFreshThread(Call call) throws InterruptedException {
        AtomicReference<FusedNorm.Gradients> result = new AtomicReference<>();
        Thread thread = new Thread(() -> result.set(call.run()));
        thread.start();
        thread.join();
        return result.get();
    }

    /** A forward with batch statistics and the backward of all three gradients, over fixed random tensors. */
    private static final class Call {
        final Layout layout;
        final DType dtype;
        final Tensor x;
        final Tensor g;
        final Tensor gamma;
        final Tensor beta;

        Call(Layout layout, DType dtype, Random random) {
            this.layout = layout;
            this.dtype = dtype;
            Shape shape = Shape.of(layout.numel());
            x = random(dtype, shape, random, 2.0, 0.5);
            g = random(dtype, shape, random, 1.0, 0.0);
            gamma = random(dtype, Shape.of(layout.affineSize()), random, 1.0, 1.0);
            beta = random(dtype, Shape.of(layout.affineSize()), random, 1.0, 0.0);
        }

        FusedNorm.Gradients run() {
            Tensor y = Tensor.zeros(dtype, x.shape());
            FusedNorm.Saved saved = NormKernel.forward(layout, Centering.CENTERED, EPS, x, gamma, beta,
                    Statistics.batch(), y);
            return NormKernel.backward(layout, Centering.CENTERED, g, x, saved, gamma,
                    new FusedNorm.GradMask(true, true, true));
        }
    }

    private static Tensor random(DType dtype, Shape shape, Random random, double scale, double shift) {
        double[] v = new double[shape.numel()];
        for (int i = 0; i < v.length; i++) {
            v[i] = random.nextGaussian() * scale + shift;
        }
        return Tensor.of(dtype, v, shape);
    }
}

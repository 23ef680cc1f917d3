package org.normkit.core.replica;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.normkit.autograd.spi.NormSpec;
import org.normkit.autograd.tensor.DType;
import org.normkit.autograd.tensor.Shape;
import org.normkit.autograd.tensor.Tensor;
import org.normkit.core.batch.BatchNorm;

class SyncBatchNormTest {
    private static final int C = 3;

    /** What one replica (or the single process) saw and computed. */
    private record Result(double[] y, double[] dx, double[] dGamma, double[] dBeta, double[] runningMean,
                          double[] runningVar) {}

    private static double[] values(int count, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        double[] v = new double[count];
        for (int i = 0; i < v.length; i++) {
            v[i] = 3 + 2 * random.nextGaussian();
        }
        return v;
    }

    private static Tensor tensor(double[] v, Shape shape, DType dtype) {
        Tensor t = Tensor.wrap(v, shape);
        return dtype == DType.FLOAT64 ? t : t.to(dtype);
    }

    /** Forward, then backward of Σ y·w, on {@code layer}, with γ and β set to non-trivial values. */
    private static Result step(org.normkit.autograd.nn.Module layer, double[] x, double[] w, Shape shape,
                               DType dtype) {
        layer.parameters().get(0).value().copyFrom(tensor(new double[] {0.5, 1.5, -2}, Shape.of(C), dtype));
        layer.parameters().get(1).value().copyFrom(tensor(new double[] {0.1, -0.2, 0.3}, Shape.of(C), dtype));
        Tensor input = tensor(x, shape, dtype).detach();
        input.requiresGrad(true);
        Tensor y = layer.forward(input);
        y.mul(tensor(w, shape, dtype)).sum().backward();
        return new Result(y.toDoubleArray(), input.grad().toDoubleArray(),
                layer.parameters().get(0).grad().toDoubleArray(), layer.parameters().get(1).grad().toDoubleArray(),
                layer.stateDict().get("running_mean").toDoubleArray(),
                layer.stateDict().get("running_var").toDoubleArray());
    }

    /** The batch (rows × C × L) split into K contiguous parts of rows, each on its own replica thread. */
    private static List<Result> replicated(int replicas, int[] rows, int l, double[] x, double[] w, DType dtype)
            throws Exception {
        ThreadStatsReducer reducer = new ThreadStatsReducer(replicas);
        ExecutorService threads = Executors.newFixedThreadPool(replicas);
        try {
            List<Future<Result>> futures = new ArrayList<>();
            int from = 0;
            for (int r = 0; r < replicas; r++) {
                int start = from * C * l;
                int end = (from + rows[r]) * C * l;
                Shape shape = Shape.of(rows[r], C, l);
                double[] part = java.util.Arrays.copyOfRange(x, start, end);
                double[] weights = java.util.Arrays.copyOfRange(w, start, end);
                int replica = r;
                futures.add(threads.submit(() -> step(new SyncBatchNorm(NormSpec.of(C).withDtype(dtype), reducer,
                        replica), part, weights, shape, dtype)));
                from += rows[r];
            }
            List<Result> results = new ArrayList<>();
            for (Future<Result> f : futures) {
                results.add(f.get());
            }
            return results;
        } finally {
            threads.shutdownNow();
        }
    }

    private static double[] concat(List<Result> results, java.util.function.Function<Result, double[]> part) {
        return results.stream().map(part).flatMapToDouble(java.util.Arrays::stream).toArray();
    }

    private static double[] sum(List<Result> results, java.util.function.Function<Result, double[]> part) {
        double[] total = new double[C];
        for (Result r : results) {
            for (int i = 0; i < C; i++) {
                total[i] += part.apply(r)[i];
            }
        }
        return total;
    }

    private static void assertClose(double[] expected, double[] actual, double relative, String what) {
        assertEquals(expected.length, actual.length, what);
        for (int i = 0; i < expected.length; i++) {
            double tolerance = relative * Math.max(1, Math.abs(expected[i]));
            assertEquals(expected[i], actual[i], tolerance, what + " at " + i);
        }
    }

    private static void assertReplicasEqualOneProcess(DType dtype, double relative) throws Exception {
        int[] rows = {3, 2, 4, 3};
        int l = 5;
        int batch = 12;
        double[] x = values(batch * C * l, 1);
        double[] w = values(batch * C * l, 2);
        Result whole = step(new BatchNorm().create("batch_norm", NormSpec.of(C).withDtype(dtype)), x, w, Shape.of(batch, C, l), dtype);

        List<Result> parts = replicated(rows.length, rows, l, x, w, dtype);

        assertClose(whole.y(), concat(parts, Result::y), relative, "y");
        assertClose(whole.dx(), concat(parts, Result::dx), relative, "dx");
        assertClose(whole.dGamma(), sum(parts, Result::dGamma), relative, "dγ summed over replicas");
        assertClose(whole.dBeta(), sum(parts, Result::dBeta), relative, "dβ summed over replicas");
        for (Result part : parts) {
            assertClose(whole.runningMean(), part.runningMean(), relative, "running mean");
            assertClose(whole.runningVar(), part.runningVar(), relative, "running variance");
            assertArrayEquals(parts.get(0).runningVar(), part.runningVar(), "every replica holds the same bits");
        }
    }

    @Nested
    class AgainstOneProcess {
        @Test
        void replicasOfUnequalSizesGiveWhatOneProcessGivesWithTheWholeBatchInFloat64() throws Exception {
            assertReplicasEqualOneProcess(DType.FLOAT64, 1e-12);
        }

        @Test
        void inFloat32TheyAgreeToRounding() throws Exception {
            assertReplicasEqualOneProcess(DType.FLOAT32, 1e-5);
        }

        @Test
        void oneReplicaIsBatchNorm() throws Exception {
            double[] x = values(4 * C * 2, 3);
            double[] w = values(4 * C * 2, 4);
            Result whole = step(new BatchNorm().create("batch_norm", NormSpec.of(C).withDtype(DType.FLOAT64)), x, w, Shape.of(4, C, 2),
                    DType.FLOAT64);

            List<Result> one = replicated(1, new int[] {4}, 2, x, w, DType.FLOAT64);

            assertClose(whole.dx(), one.get(0).dx(), 1e-12, "dx");
        }
    }

    @Nested
    class Statistics {
        @Test
        void chansMergeEqualsTheTwoPassStatisticsOfTheConcatenation() {
            double[] a = values(7, 5);
            double[] b = values(4, 6);
            ChannelMoments merged = moments(a).merge(moments(b));
            double[] all = java.util.stream.DoubleStream.concat(java.util.Arrays.stream(a), java.util.Arrays.stream(b))
                    .toArray();
            ChannelMoments direct = moments(all);

            assertEquals(11, merged.count()[0]);
            assertEquals(direct.mean()[0], merged.mean()[0], 1e-14);
            assertEquals(direct.m2()[0], merged.m2()[0], 1e-12 * direct.m2()[0]);
        }

        @Test
        void anEmptyReplicaIsTheIdentityOfTheMerge() {
            ChannelMoments a = moments(values(5, 7));
            ChannelMoments merged = new ChannelMoments(new double[1], new double[1], new double[1]).merge(a);

            assertArrayEquals(a.pack(), merged.pack());
        }

        private ChannelMoments moments(double[] v) {
            double mean = java.util.Arrays.stream(v).average().orElseThrow();
            double m2 = java.util.Arrays.stream(v).map(d -> (d - mean) * (d - mean)).sum();
            return new ChannelMoments(new double[] {v.length}, new double[] {mean}, new double[] {m2});
        }
    }

    @Nested
    class Failures {
        @Test
        void aReplicaThatFailsWakesTheOthersInsteadOfLeavingThemWaiting() throws Exception {
            ThreadStatsReducer reducer = new ThreadStatsReducer(2);
            ExecutorService threads = Executors.newFixedThreadPool(1);
            try {
                Future<double[][]> waiting = threads.submit(() -> reducer.allGather(0, new double[] {1}));
                Thread.sleep(50);
                reducer.abort(new IllegalStateException("replica 1 diverged"));

                ExecutionException e = assertThrows(ExecutionException.class, waiting::get);
                assertInstanceOf(ReplicaFailedException.class, e.getCause());
                assertTrue(e.getCause().getMessage().contains("replica 1 diverged"), e.getCause().getMessage());
            } finally {
                threads.shutdownNow();
            }
        }

        @Test
        void theWholeBatchNeedsMoreThanOneValuePerChannel() {
            SyncBatchNorm layer = new SyncBatchNorm(NormSpec.of(C), new ThreadStatsReducer(1), 0);

            Exception e = assertThrows(RuntimeException.class, () -> layer.forward(Tensor.zeros(DType.FLOAT32,
                    Shape.of(1, C))));
            assertTrue(e.getMessage().startsWith("sync_batch_norm: expected more than 1 value per channel"),
                    e.getMessage());
        }
    }
}

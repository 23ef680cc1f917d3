package org.normkit.core.replica;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.normkit.autograd.check.FaceAgreement;
import org.normkit.autograd.nn.Module;
import org.normkit.autograd.spi.NormSpec;
import org.normkit.autograd.tensor.DType;
import org.normkit.autograd.tensor.Shape;
import org.normkit.autograd.tensor.ShapeException;
import org.normkit.autograd.tensor.Tensor;
import org.normkit.core.NormLayer;
import org.normkit.core.batch.BatchNorm;

/**
 * Cross-replica BatchNorm outside the data-parallel training step {@code SyncBatchNormTest} covers: evaluation with
 * and without running statistics (no exchange, BatchNorm's results), a layer without γ and β, and what a layer and
 * the in-JVM reducer refuse.
 */
class SyncBatchNormModesTest {
    private static final int C = 3;
    private static final Shape INPUT = Shape.of(4, C, 5);
    private static final double TOLERANCE = 1e-12;

    /** Two replicas, but any exchange is a failure: evaluation must not wait for the other replicas. */
    private static final StatsReducer NO_EXCHANGE = new StatsReducer() {
        @Override
        public int replicas() {
            return 2;
        }

        @Override
        public double[][] allGather(int replica, double[] local) {
            throw new AssertionError("replica " + replica + " exchanged statistics outside training");
        }

        @Override
        public void abort(Throwable cause) {
            throw new AssertionError("abort", cause);
        }
    };

    private static NormSpec spec() {
        return NormSpec.of(C).withDtype(DType.FLOAT64);
    }

    /** A SyncBatchNorm (replica 1 of 2) and a BatchNorm layer of the same spec, with the same random state. */
    private static Module[] pair(NormSpec spec) {
        SyncBatchNorm sync = new SyncBatchNorm(spec, NO_EXCHANGE, 1);
        NormLayer batchNorm = new BatchNorm().create("batch_norm", spec);
        Map<String, Tensor> state = FaceAgreement.randomState(batchNorm.stateDict(), 9);
        batchNorm.loadStateDict(state);
        sync.loadStateDict(state);
        return new Module[] {sync, batchNorm};
    }

    /** Output, dx, then the parameters' gradients, of forward and backward of Σ y·w. */
    private static double[][] step(Module layer) {
        Tensor x = Tensor.randn(DType.FLOAT64, INPUT, 1).mul(2).add(1).requiresGrad(true);
        Tensor y = layer.forward(x);
        y.mul(Tensor.randn(DType.FLOAT64, INPUT, 2)).sum().backward();
        double[][] result = new double[2 + layer.parameters().size()][];
        result[0] = y.toDoubleArray();
        result[1] = x.grad().toDoubleArray();
        for (int i = 0; i < layer.parameters().size(); i++) {
            Tensor grad = layer.parameters().get(i).grad();
            result[2 + i] = grad == null ? null : grad.toDoubleArray();
        }
        return result;
    }

    private static void assertSameSteps(double[][] expected, double[][] actual) {
        assertEquals(expected.length, actual.length, "results");
        String[] names = {"y", "dx", "dγ", "dβ"};
        for (int i = 0; i < expected.length; i++) {
            assertArrayEquals(expected[i], actual[i], TOLERANCE, names[i]);
        }
    }

    @Nested
    class Evaluation {
        @Test
        void runningStatisticsNormaliseAsInBatchNormWithoutAnExchange() {
            Module[] layers = pair(spec());
            for (Module layer : layers) {
                layer.eval();
            }
            Map<String, Tensor> before = new LinkedHashMap<>();
            layers[0].stateDict().forEach((name, t) -> before.put(name, t.detach().copy()));
            assertSameSteps(step(layers[1]), step(layers[0]));
            layers[0].stateDict().forEach((name, t) -> assertArrayEquals(before.get(name).toDoubleArray(),
                    t.toDoubleArray(), name + " must not change in evaluation"));
        }

        @Test
        void withoutRunningStatisticsTheReplicasOwnStatisticsNormaliseWithoutAnExchange() {
            Module[] layers = pair(spec().withTrackRunningStats(false));
            for (Module layer : layers) {
                layer.eval();
            }
            assertSameSteps(step(layers[1]), step(layers[0]));
        }

        @Test
        void aLayerWithoutAffineParametersIsTheNormalisedInput() {
            Module[] layers = pair(spec().withAffine(false));
            assertTrue(layers[0].parameters().isEmpty());
            for (Module layer : layers) {
                layer.eval();
            }
            assertSameSteps(step(layers[1]), step(layers[0]));
        }
    }

    @Nested
    class OneReplicaTraining {
        @Test
        void aLayerWithoutAffineParametersIsBatchNormWithoutThem() {
            NormSpec spec = spec().withAffine(false);
            SyncBatchNorm sync = new SyncBatchNorm(spec, new ThreadStatsReducer(1), 0);
            assertSameSteps(step(new BatchNorm().create("batch_norm", spec)), step(sync));
        }

        @Test
        void theRunningStatisticsFollowBatchNorms() {
            NormLayer batchNorm = new BatchNorm().create("batch_norm", spec());
            SyncBatchNorm sync = new SyncBatchNorm(spec(), new ThreadStatsReducer(1), 0);
            step(batchNorm);
            step(sync);
            batchNorm.stateDict().forEach((name, t) -> assertArrayEquals(t.toDoubleArray(),
                    sync.stateDict().get(name).toDoubleArray(), TOLERANCE, name));
        }
    }

    @Nested
    class Refusals {
        @Test
        void theReplicaIndexMustBeOneOfTheReducers() {
            for (int replica : new int[] {-1, 2}) {
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                        () -> new SyncBatchNorm(spec(), NO_EXCHANGE, replica));
                assertEquals("replica " + replica + " is not in [0, 2)", e.getMessage());
            }
            assertEquals(spec(), new SyncBatchNorm(spec(), NO_EXCHANGE, 0).spec());
        }

        @Test
        void theInputMustHaveTheLayersDtypeARankOfTwoOrMoreAndItsChannels() {
            SyncBatchNorm layer = new SyncBatchNorm(spec(), NO_EXCHANGE, 1);
            layer.eval();
            IllegalArgumentException dtype = assertThrows(IllegalArgumentException.class,
                    () -> layer.forward(Tensor.zeros(DType.FLOAT32, INPUT)));
            assertEquals("sync_batch_norm: the input is float32 but the layer is float64: convert the input with "
                    + "x.to(DType.FLOAT64)", dtype.getMessage());
            IllegalArgumentException rank = assertThrows(IllegalArgumentException.class,
                    () -> layer.forward(Tensor.zeros(DType.FLOAT64, Shape.of(C))));
            assertEquals("sync_batch_norm: expected an input (N, C, *), got (3)", rank.getMessage());
            ShapeException channels = assertThrows(ShapeException.class,
                    () -> layer.forward(Tensor.zeros(DType.FLOAT64, Shape.of(4, C + 1, 5))));
            assertTrue(channels.getMessage().startsWith("sync_batch_norm: expected 3 channels (numFeatures)"),
                    channels.getMessage());
        }

        @Test
        void itsDescriptionNamesTheSpecAndTheReplica() {
            assertEquals("SyncBatchNorm(" + spec().describe() + ", replica 1 of 2)",
                    new SyncBatchNorm(spec(), NO_EXCHANGE, 1).toString());
        }
    }

    @Nested
    class TheInJvmReducer {
        @Test
        void aReplicaIndexOutsideTheReducerIsRefused() {
            ThreadStatsReducer reducer = new ThreadStatsReducer(1);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> reducer.allGather(1, new double[] {1}));
            assertEquals("replica 1 is not in [0, 1)", e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> reducer.allGather(-1, new double[] {1}));
            assertArrayEquals(new double[] {2}, reducer.allGather(0, new double[] {2})[0]);
            IllegalArgumentException none = assertThrows(IllegalArgumentException.class,
                    () -> new ThreadStatsReducer(0));
            assertEquals("--replicas 0 must be >= 1", none.getMessage());
        }

        @Test
        void anInterruptedReplicaSaysSoAndKeepsItsInterruptStatus() throws Exception {
            ThreadStatsReducer reducer = new ThreadStatsReducer(2);
            ExecutorService threads = Executors.newSingleThreadExecutor();
            try {
                Future<Boolean> interruptedAfter = threads.submit(() -> {
                    Thread.currentThread().interrupt();
                    try {
                        reducer.allGather(0, new double[] {1});
                        return null;
                    } catch (ReplicaFailedException e) {
                        assertEquals("interrupted while waiting for the other replicas", e.getMessage());
                        return Thread.currentThread().isInterrupted();
                    }
                });
                assertEquals(Boolean.TRUE, interruptedAfter.get());
            } finally {
                threads.shutdownNow();
            }
        }
    }
}

package org.normkit.experiments.replica;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Function;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.normkit.autograd.nn.Linear;
import org.normkit.autograd.nn.Module;
import org.normkit.autograd.nn.ReLU;
import org.normkit.autograd.nn.Sequential;
import org.normkit.autograd.optim.Optimizer;
import org.normkit.autograd.optim.SGD;
import org.normkit.autograd.spi.NormSpec;
import org.normkit.autograd.tensor.DType;
import org.normkit.autograd.tensor.Shape;
import org.normkit.autograd.tensor.Tensor;
import org.normkit.core.batch.BatchNorm;
import org.normkit.core.replica.StatsReducer;
import org.normkit.core.replica.SyncBatchNorm;
import org.normkit.core.replica.ThreadStatsReducer;
import org.normkit.experiments.train.Trainer;

/** K replicas against one process with the whole batch, on a small float64 and float32 net, several SGD steps. */
class DataParallelTest {
    private static final int FEATURES = 8;
    private static final int HIDDEN = 6;
    private static final int CLASSES = 3;
    private static final int BATCH = 16;

    private static Module net(DType dtype, Function<NormSpec, Module> norm) {
        SplittableRandom random = new SplittableRandom(7);
        Sequential s = new Sequential();
        s.add(new Linear(FEATURES, HIDDEN, true, dtype, random));
        s.add(norm.apply(NormSpec.of(HIDDEN).withDtype(dtype)));
        s.add(new ReLU());
        s.add(new Linear(HIDDEN, CLASSES, true, dtype, random));
        return s;
    }

    private static Tensor batch(int step, DType dtype) {
        SplittableRandom random = new SplittableRandom(100 + step);
        double[] x = new double[BATCH * FEATURES];
        for (int i = 0; i < x.length; i++) {
            x[i] = random.nextGaussian() + (i % FEATURES == 0 ? 1 : 0);
        }
        Tensor t = Tensor.wrap(x, Shape.of(BATCH, FEATURES));
        return dtype == DType.FLOAT64 ? t : t.to(dtype);
    }

    private static int[] labels(int step) {
        SplittableRandom random = new SplittableRandom(200 + step);
        int[] y = new int[BATCH];
        for (int i = 0; i < y.length; i++) {
            y[i] = random.nextInt(CLASSES);
        }
        return y;
    }

    /** The losses of {@code steps} SGD steps, and the parameters and buffers after them. */
    private record Trajectory(double[] losses, double[] parameters, double[] runningVar) {}

    private static Trajectory train(Trainer.Learner learner, Module net, int steps, DType dtype) {
        double[] losses = new double[steps];
        learner.train();
        for (int step = 0; step < steps; step++) {
            Trainer.Step s = learner.forward(batch(step, dtype), labels(step));
            losses[step] = s.loss();
            s.learn();
        }
        double[] parameters = net.parameters().stream().flatMapToDouble(p -> java.util.Arrays.stream(
                p.value().toDoubleArray())).toArray();
        double[] runningVar = net.stateDict().entrySet().stream().filter(e -> e.getKey().endsWith("running_var"))
                .findFirst().orElseThrow().getValue().toDoubleArray();
        return new Trajectory(losses, parameters, runningVar);
    }

    private static Trajectory oneProcess(DType dtype, int steps) {
        Module net = net(dtype, spec -> new BatchNorm().create("batch_norm", spec));
        return train(Trainer.singleProcess(net, new SGD(net.parameters(), 0.5), 0), net, steps, dtype);
    }

    private static DataParallel replicas(int k, boolean sync, DType dtype) {
        StatsReducer reducer = new ThreadStatsReducer(k);
        List<Module> nets = new ArrayList<>();
        List<Optimizer> optimizers = new ArrayList<>();
        for (int r = 0; r < k; r++) {
            int replica = r;
            Module net = net(dtype, spec -> sync ? new SyncBatchNorm(spec, reducer, replica)
                    : new BatchNorm().create("batch_norm", spec));
            nets.add(net);
            optimizers.add(new SGD(net.parameters(), 0.5));
        }
        return new DataParallel(nets, optimizers, reducer);
    }

    private static void assertRelative(double[] expected, double[] actual, double relative, String what) {
        assertEquals(expected.length, actual.length, what);
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], actual[i], relative * Math.max(1e-3, Math.abs(expected[i])), what + " " + i);
        }
    }

    /** Every parameter and buffer (running mean, variance, count) of every replica equals replica 0's, bit for bit. */
    private static void assertReplicasHoldTheSameState(DataParallel parallel) {
        var first = parallel.primary().stateDict();
        assertTrue(first.get("1.running_var").toDoubleArray()[0] != 1.0, "the running variance was updated");
        for (Module replica : parallel.replicas()) {
            replica.stateDict().forEach((name, value) -> assertArrayEquals(first.get(name).toDoubleArray(),
                    value.toDoubleArray(), name));
        }
    }

    @Nested
    class Synchronised {
        @Test
        void fourReplicasOfFourRowsTrainAsOneProcessWithSixteenRowsInFloat64() {
            Trajectory whole = oneProcess(DType.FLOAT64, 5);
            try (DataParallel four = replicas(4, true, DType.FLOAT64)) {
                Trajectory split = train(four, four.primary(), 5, DType.FLOAT64);

                assertRelative(whole.losses(), split.losses(), 1e-9, "loss at step");
                assertRelative(whole.parameters(), split.parameters(), 1e-9, "parameter");
                assertRelative(whole.runningVar(), split.runningVar(), 1e-9, "running variance");
            }
        }

        @Test
        void inFloat32TheyAgreeToRounding() {
            Trajectory whole = oneProcess(DType.FLOAT32, 5);
            try (DataParallel four = replicas(4, true, DType.FLOAT32)) {
                Trajectory split = train(four, four.primary(), 5, DType.FLOAT32);

                assertRelative(whole.losses(), split.losses(), 1e-4, "loss at step");
            }
        }

        @Test
        void theRunningStatisticsOfAllReplicasAgree() {
            try (DataParallel three = replicas(3, true, DType.FLOAT64)) {
                train(three, three.primary(), 2, DType.FLOAT64);

                assertReplicasHoldTheSameState(three);
            }
        }
    }

    @Nested
    class Unsynchronised {
        @Test
        void eachReplicaNormalisesWithItsOwnRowsSoTheLossesDifferFromOneProcess() {
            Trajectory whole = oneProcess(DType.FLOAT64, 1);
            try (DataParallel eight = replicas(8, false, DType.FLOAT64)) {
                Trajectory split = train(eight, eight.primary(), 1, DType.FLOAT64);

                assertTrue(Math.abs(whole.losses()[0] - split.losses()[0]) > 1e-3,
                        whole.losses()[0] + " vs " + split.losses()[0]);
            }
        }

        @Test
        void replicasStillStepTogetherAndTakeReplicaZerosRunningStatistics() {
            try (DataParallel two = replicas(2, false, DType.FLOAT64)) {
                train(two, two.primary(), 3, DType.FLOAT64);

                assertReplicasHoldTheSameState(two);
            }
        }
    }
}

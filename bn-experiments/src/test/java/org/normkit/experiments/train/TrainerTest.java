package org.normkit.experiments.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.normkit.autograd.graph.GradMode;
import org.normkit.autograd.nn.Module;
import org.normkit.autograd.optim.Optimizer;
import org.normkit.autograd.tensor.Tensor;
import org.normkit.experiments.data.Batches;
import org.normkit.experiments.data.Dataset;
import org.normkit.experiments.data.DatasetSplit;
import org.normkit.experiments.report.TrainingFailures;

class TrainerTest {
    /**
     * Cross-entropy's gradient is bounded, so SGD at a merely large rate grows the weights without overflowing; at
     * this rate the logits overflow float32 within a few steps and the loss becomes NaN.
     */
    static final double HUGE_LR = 1e10;
    private static final DatasetSplit DATA = TinyData.split();
    private final Trainer trainer = new Trainer(Progress.silent());

    private static Module mlp(String norm, long seed) {
        return Nets.build("mlp", new NormSlot(TinyData.REGISTRY, norm), 0, new SplittableRandom(seed));
    }

    private static int[] range(int from, int to) {
        return IntStream.range(from, to).toArray();
    }

    @Nested
    class Training {

        @Test
        void lossDecreasesOverAFewEpochsAndTheNetBeatsChance() {
            Module net = mlp("batch_norm", 0);
            Optimizer adam = Optimizers.create("adam", net.parameters(), 1e-3, 0);
            Batches batches = Batches.of(DATA.train().rows(), 32, 0);
            List<Double> losses = new ArrayList<>();
            for (int epoch = 1; epoch <= 4; epoch++) {
                losses.add(trainer.trainEpoch(net, adam, DATA.train(), batches, epoch, "test").trainLoss());
            }

            for (int i = 1; i < losses.size(); i++) {
                assertTrue(losses.get(i) < losses.get(i - 1), "training loss per epoch: " + losses);
            }
            assertTrue(losses.get(3) < 0.7 * losses.get(0), "training loss per epoch: " + losses);
            double accuracy = trainer.evaluate(net, DATA.test()).accuracy();
            assertTrue(accuracy > 0.3, "test accuracy " + accuracy + " is near chance (0.1) on ten classes");
        }

        @Test
        void aHugeLearningRateStopsAtTheFirstDivergedLossNamingEpochAndStep() {
            Module net = mlp("none", 0);
            Optimizer sgd = Optimizers.create("sgd", net.parameters(), HUGE_LR, 0);
            Batches batches = Batches.of(DATA.train().rows(), 32, 0);

            DivergedException diverged = assertThrows(DivergedException.class,
                    () -> trainer.trainEpoch(net, sgd, DATA.train(), batches, 1, "test"));

            assertEquals(1, diverged.epoch());
            assertTrue(diverged.step() >= 2 && diverged.step() <= batches.batchesPerEpoch(), "step " + diverged.step());
            assertTrue(TrainingFailures.diverged(diverged.loss()), "loss " + diverged.loss());
        }

        @Test
        void aLastBatchOfOneImageIsSkippedSoBatchNormCanTrain() {
            Dataset rows33 = DATA.train().first(33);
            Module net = mlp("batch_norm", 0);
            Optimizer adam = Optimizers.create("adam", net.parameters(), 1e-3, 0);

            Trainer.EpochResult result = trainer.trainEpoch(net, adam, rows33, Batches.of(33, 32, 0), 1, "test");

            assertTrue(Double.isFinite(result.trainLoss()));
        }
    }

    @Nested
    class Evaluation {

        private Module trainedBatchNormNet() {
            Module net = mlp("batch_norm", 3);
            Optimizer adam = Optimizers.create("adam", net.parameters(), 1e-3, 0);
            trainer.trainEpoch(net, adam, DATA.train(), Batches.of(DATA.train().rows(), 32, 3), 1, "test");
            return net;
        }

        private static float[] forward(Module net, int[] rows) {
            try (GradMode.Scope ignored = GradMode.noGrad()) {
                return net.forward(Trainer.images(DATA.test(), rows)).toFloatArray();
            }
        }

        @Test
        void anImagesEvaluationOutputDoesNotDependOnTheOtherImagesInItsBatch() {
            Module net = trainedBatchNormNet();
            net.eval();

            float[] alone = forward(net, range(0, 7));
            float[] inABatchOf100 = Arrays.copyOf(forward(net, range(0, 100)), alone.length);

            // Not bit for bit: BLAS blocks a product of 7 rows differently from one of 100.
            assertArrayEquals(alone, inABatchOf100, 1e-5f);
        }

        @Test
        void trainingModeOutputDoesDependOnTheBatchSoEvaluationReallyUsesRunningStatistics() {
            Module net = trainedBatchNormNet();
            net.eval();
            float[] evaluated = forward(net, range(0, 7));
            net.train();
            float[] batchStatistics = forward(net, range(0, 7));

            double largest = 0;
            for (int i = 0; i < evaluated.length; i++) {
                largest = Math.max(largest, Math.abs(evaluated[i] - batchStatistics[i]));
            }
            assertTrue(largest > 1e-2, "train and eval outputs differ by at most " + largest);
        }

        @Test
        void evaluateChangesNeitherTheRunningStatisticsNorTheMode() {
            Module net = trainedBatchNormNet();
            Map<String, Tensor> before = net.stateDict();
            Map<String, double[]> valuesBefore = new java.util.TreeMap<>();
            before.forEach((name, t) -> valuesBefore.put(name, t.toDoubleArray()));

            trainer.evaluate(net, DATA.test());

            assertTrue(net.isTraining());
            net.stateDict().forEach((name, t) -> assertArrayEquals(valuesBefore.get(name), t.toDoubleArray(), name));
        }
    }

    @Nested
    class GradientPenalty {

        @Test
        void theObjectiveIsTheLossPlusLambdaTimesTheSquaredInputGradient() {
            Tensor x = Tensor.randn(org.normkit.autograd.tensor.DType.FLOAT64,
                    org.normkit.autograd.tensor.Shape.of(3, 4), 1).requiresGrad(true);
            Tensor w = Tensor.randn(org.normkit.autograd.tensor.DType.FLOAT64,
                    org.normkit.autograd.tensor.Shape.of(2, 4), 2).requiresGrad(true);
            Tensor loss = org.normkit.autograd.ops.Losses.crossEntropy(x.matmulTransposed(w), new int[] {0, 1, 1});
            Tensor gradient = org.normkit.autograd.graph.Backprop.grad(loss, new Tensor[] {x}, false)[0];
            double expected = loss.item() + 0.5 * gradient.square().sum().item();
            Tensor again = org.normkit.autograd.ops.Losses.crossEntropy(x.matmulTransposed(w), new int[] {0, 1, 1});
            assertEquals(expected, Trainer.withGradientPenalty(again, x, 0.5).item(), 1e-14);
        }

        @Test
        void theWeightGradientOfThePenalisedObjectiveMatchesFiniteDifferences() {
            org.normkit.autograd.tensor.Shape ws = org.normkit.autograd.tensor.Shape.of(2, 4);
            Tensor x = Tensor.randn(org.normkit.autograd.tensor.DType.FLOAT64,
                    org.normkit.autograd.tensor.Shape.of(3, 4), 1);
            Tensor w = Tensor.randn(org.normkit.autograd.tensor.DType.FLOAT64, ws, 2).requiresGrad(true);
            java.util.function.Function<Tensor, Tensor> objective = weight -> {
                Tensor input = x.detach().copy().requiresGrad(true);
                Tensor h = input.matmulTransposed(weight).tanh();
                return Trainer.withGradientPenalty(org.normkit.autograd.ops.Losses.crossEntropy(h, new int[] {0, 1, 1}),
                        input, 0.7);
            };
            objective.apply(w).backward();
            Tensor direction = Tensor.randn(org.normkit.autograd.tensor.DType.FLOAT64, ws, 3);
            double analytic = w.grad().mul(direction).sum().item();
            double h = 1e-6;
            double plus = objective.apply(w.detach().add(direction.mul(h)).requiresGrad(true)).item();
            double minus = objective.apply(w.detach().sub(direction.mul(h)).requiresGrad(true)).item();
            assertEquals((plus - minus) / (2 * h), analytic, 1e-6 * Math.max(1, Math.abs(analytic)));
        }

        @Test
        void anMlpWithEachNormTrainsWithThePenalty() {
            for (String norm : List.of("none", "batch_norm", "layer_norm")) {
                Module net = mlp(norm, 0);
                Optimizer adam = Optimizers.create("adam", net.parameters(), 1e-3, 0);
                Trainer.EpochResult result = trainer.trainEpoch(net, adam, DATA.train(),
                        Batches.of(DATA.train().rows(), 32, 0), 1, "test", 0.1);
                assertTrue(Double.isFinite(result.trainLoss()) && result.trainLoss() > 0, norm + ": " + result);
            }
        }
    }
}

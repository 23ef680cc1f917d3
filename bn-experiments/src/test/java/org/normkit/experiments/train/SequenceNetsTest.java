package org.normkit.experiments.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.normkit.autograd.nn.Module;
import org.normkit.autograd.spi.Face;
import org.normkit.autograd.spi.Normalization;
import org.normkit.autograd.tensor.DType;
import org.normkit.autograd.tensor.Shape;
import org.normkit.autograd.tensor.Tensor;
import org.normkit.experiments.data.TokenBatch;
import org.normkit.experiments.report.ResultsCsv;

class SequenceNetsTest {
    @TempDir
    Path dir;

    private static Module text(String net, String norm) {
        return Nets.buildForText(net, new NormSlot(TinyData.REGISTRY, norm), 12, new SplittableRandom(3));
    }

    /** The valid positions' scores of {@code batch}, row by row. */
    private static double[] validScores(Module net, TokenBatch batch) {
        Tensor logits = ((LanguageModel) net).logits(batch);
        int vocabulary = logits.dim(1);
        int[] rows = SequenceNets.validRows(batch);
        double[] out = new double[rows.length * vocabulary];
        for (int i = 0; i < rows.length; i++) {
            for (int k = 0; k < vocabulary; k++) {
                out[i * vocabulary + k] = logits.get(rows[i] * vocabulary + k);
            }
        }
        return out;
    }

    /**
     * Three sequences, the last padded; {@code pad} fills its padding. Two stay valid to the end, so the LSTM's
     * per-step statistics always have two valid rows.
     */
    private static TokenBatch padded(int pad) {
        int[] inputs = {1, 5, 6, 7, 1, 7, 6, 5, 1, 8, pad, pad};
        int[] targets = {5, 6, 7, 2, 7, 6, 5, 2, 8, 2, 0, 0};
        return new TokenBatch(inputs, targets, new int[] {4, 4, 2}, 3, 4);
    }

    @Nested
    class MaskedStatistics {
        @Test
        void maskedBatchNormIgnoresWhatThePaddingHolds() {
            for (String net : List.of("transformer", "lstm")) {
                Module a = text(net, "batch_norm");
                Module b = text(net, "batch_norm");
                assertArrayEquals(validScores(a, padded(0)), validScores(b, padded(9)), 1e-5, net);
            }
        }

        @Test
        void unmaskedBatchNormLetsThePaddingIntoTheStatistics() {
            Module a = text("transformer", "batch_norm:masked=false");
            Module b = text("transformer", "batch_norm:masked=false");
            assertNotEquals(validScores(a, padded(0))[0], validScores(b, padded(9))[0]);
        }

        @Test
        void maskedRunningStatisticsAreThoseOfTheValidTokensOnly() {
            Module masked = text("transformer", "batch_norm");
            ((LanguageModel) masked).logits(padded(0));
            Module again = text("transformer", "batch_norm");
            ((LanguageModel) again).logits(padded(9));
            Tensor first = masked.stateDict().get("layer0.norm1.norm.running_mean");
            assertArrayEquals(first.toDoubleArray(), again.stateDict().get("layer0.norm1.norm.running_mean")
                    .toDoubleArray(), 1e-6);
        }
    }

    /**
     * The LSTM's BatchNorm shared over time steps is one module called once per step, as the PyTorch twin's
     * nn.BatchNorm1d is: each call folds that step's batch statistics into the running ones (momentum 0.1, Bessel's
     * correction), so a forward over T steps makes T updates, not one over the sequence batch. The paired runs
     * (docs/results/sequence/parity-paired/) hold the two frameworks' running statistics to each other; these pin
     * them to a computation by hand.
     */
    @Nested
    class LstmRunningStatistics {
        private static final int BATCH = 5;
        private static final int STEPS = 28;

        private Tensor images() {
            return Tensor.uniform(DType.FLOAT32, Shape.of(BATCH, 1, STEPS, STEPS), 0, 1, new SplittableRandom(11));
        }

        /** The input projection W_ih·x_t of step t, (B, 4H), in double: what norm_ih sees at step t. */
        private double[][] projection(Module net, Tensor images, int t) {
            Tensor w = net.stateDict().get("lstm.weight_ih");
            int rows = w.dim(0);
            int inputs = w.dim(1);
            double[] weights = w.toDoubleArray();
            double[] x = images.toDoubleArray();
            double[][] out = new double[BATCH][rows];
            for (int b = 0; b < BATCH; b++) {
                for (int r = 0; r < rows; r++) {
                    double sum = 0;
                    for (int i = 0; i < inputs; i++) {
                        sum += weights[r * inputs + i] * x[(b * STEPS + t) * inputs + i];
                    }
                    out[b][r] = sum;
                }
            }
            return out;
        }

        /** Folds one step's batch mean and unbiased variance into (mean, variance) with momentum 0.1. */
        private static void fold(double[][] z, double[] mean, double[] variance) {
            for (int c = 0; c < mean.length; c++) {
                double mu = 0;
                for (double[] row : z) {
                    mu += row[c];
                }
                mu /= z.length;
                double squares = 0;
                for (double[] row : z) {
                    squares += (row[c] - mu) * (row[c] - mu);
                }
                mean[c] = 0.9 * mean[c] + 0.1 * mu;
                variance[c] = 0.9 * variance[c] + 0.1 * squares / (z.length - 1);
            }
        }

        @Test
        void aSharedBatchNormFoldsEveryTimeStepIntoItsRunningStatistics() {
            Module net = Nets.build("lstm", new NormSlot(TinyData.REGISTRY, "batch_norm"), 0, new SplittableRandom(5));
            Tensor images = images();
            net.forward(images);
            int features = net.stateDict().get("lstm.weight_ih").dim(0);
            double[] mean = new double[features];
            double[] variance = new double[features];
            java.util.Arrays.fill(variance, 1.0);
            for (int t = 0; t < STEPS; t++) {
                fold(projection(net, images, t), mean, variance);
            }
            var state = net.stateDict();
            assertArrayEquals(mean, state.get("lstm.norm_ih.running_mean").toDoubleArray(), 1e-5);
            assertArrayEquals(variance, state.get("lstm.norm_ih.running_var").toDoubleArray(), 1e-5);
            for (String slot : List.of("norm_ih", "norm_hh", "norm_c")) {
                assertEquals(STEPS, state.get("lstm." + slot + ".num_batches_tracked").item(), slot);
            }
        }

        @Test
        void perStepBatchNormsEachTakeTheirOwnStepOnce() {
            Module net = Nets.build("lstm", new NormSlot(TinyData.REGISTRY, "batch_norm:per_step=true"), 0,
                    new SplittableRandom(5));
            Tensor images = images();
            net.forward(images);
            var state = net.stateDict();
            for (int t : new int[] {0, 13, STEPS - 1}) {
                int features = state.get("lstm.weight_ih").dim(0);
                double[] mean = new double[features];
                double[] variance = new double[features];
                java.util.Arrays.fill(variance, 1.0);
                fold(projection(net, images, t), mean, variance);
                assertArrayEquals(mean, state.get("lstm.norm_ih." + t + ".running_mean").toDoubleArray(), 1e-5);
                assertArrayEquals(variance, state.get("lstm.norm_ih." + t + ".running_var").toDoubleArray(), 1e-5);
                assertEquals(1, state.get("lstm.norm_ih." + t + ".num_batches_tracked").item());
            }
        }
    }

    @Nested
    class Shapes {
        @Test
        void imageNetsClassifyTwentyEightRows() {
            for (String net : List.of("transformer", "lstm")) {
                Module m = Nets.build(net, new NormSlot(TinyData.REGISTRY, "layer_norm"), 0, new SplittableRandom(0));
                assertEquals(Shape.of(3, 10), m.forward(Tensor.zeros(DType.FLOAT32, 3, 1, 28, 28)).shape(), net);
            }
        }

        @Test
        void aLayerNormLanguageModelIsCausal() {
            Module m = text("transformer", "layer_norm");
            m.eval();
            double[] before = validScores(m, padded(0));
            TokenBatch changed = padded(0);
            changed.inputs()[3] = 9;
            double[] after = validScores(m, changed);
            assertArrayEquals(java.util.Arrays.copyOf(before, 3 * 12), java.util.Arrays.copyOf(after, 3 * 12), 1e-6);
        }

        @Test
        void perStepLstmNormsAreOnePerStep() {
            Module m = Nets.build("lstm", new NormSlot(TinyData.REGISTRY, "layer_norm:per_step=true"), 0,
                    new SplittableRandom(0));
            assertTrue(m.stateDict().containsKey("lstm.norm_ih.27.weight"), m.stateDict().keySet().toString());
        }

        @Test
        void theTransformerHasANormBeforeAttentionBeforeTheFeedForwardAndAtTheEnd() {
            long norms = text("transformer", "layer_norm").stateDict().keySet().stream()
                    .filter(k -> k.endsWith("norm.weight")).count();
            assertEquals(2 * SequenceNets.LAYERS + 1, norms);
        }
    }

    @Nested
    class SlotLabels {
        @Test
        void optionsAfterTheNameReachTheNorm() {
            Module norm = new NormSlot(TinyData.REGISTRY, "group_norm:groups=2:eps=0.001").create(Shape.of(2, 8), "here");
            assertEquals("2", ((Normalization) norm).spec().options().get("groups"));
            assertEquals(0.001, ((Normalization) norm).spec().eps());
        }

        @Test
        void anOptionWithoutAValueIsRefusedWithTheForm() {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> new NormSlot(TinyData.REGISTRY, "group_norm:groups"));
            assertTrue(e.getMessage().contains("name:key=value"), e.getMessage());
        }
    }

    @Nested
    class TextExperiments {
        @Test
        void aTextRunRecordsNatsPerCharacterAndPrintsBitsPerCharacter() throws IOException {
            Path file = TinyData.writeText(dir.resolve("corpus.txt"));
            Path out = dir.resolve("run");
            ExperimentConfig config = new ExperimentConfig("lstm", List.of("layer_norm"), 1, 8, OptionalDouble.empty(),
                    Optional.empty(), 0, 0, 1, Optional.empty(), out, 1, Face.AUTO, Optional.empty(),
                    Optional.empty(), 0, Optional.of(file), "default", "none");
            String console = new TinyData.Console().experiment(config);
            assertTrue(console.contains("bits per character"), console);
            assertTrue(console.startsWith("data: 36 training and 4 held-out documents"), console);
            assertEquals(2, Files.readAllLines(out.resolve(ResultsCsv.FILE_NAME)).size());
        }

        @Test
        void imageNetsRefuseText() {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new ExperimentConfig(
                    "mlp", List.of("none"), 1, 8, OptionalDouble.empty(), Optional.empty(), 0, 0, 1,
                    Optional.empty(), dir, 1, Face.AUTO, Optional.empty(), Optional.empty(), 0,
                    Optional.of(dir), "default", "none"));
            assertTrue(e.getMessage().startsWith("--text: net 'mlp' reads images only"), e.getMessage());
        }

        @Test
        void linearScalingMultipliesTheLearningRateByTheBatchOver128() {
            ExperimentConfig config = new ExperimentConfig("mlp", List.of("none"), 1, 256, OptionalDouble.of(0.1),
                    Optional.empty(), 0, 0, 1, Optional.empty(), dir, 1, Face.AUTO, Optional.empty(),
                    Optional.empty(), 0, Optional.empty(), "xavier", "linear");
            assertEquals(0.2, config.lrFor("none"), 1e-12);
        }
    }
}

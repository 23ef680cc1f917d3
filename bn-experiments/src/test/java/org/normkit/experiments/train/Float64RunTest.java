package org.normkit.experiments.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.stream.Stream;

import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.normkit.autograd.nn.Module;
import org.normkit.autograd.nn.Parameter;
import org.normkit.autograd.ops.Indexing;
import org.normkit.autograd.ops.Losses;
import org.normkit.autograd.tensor.DType;
import org.normkit.autograd.tensor.Tensor;
import org.normkit.experiments.data.DatasetSplit;
import org.normkit.experiments.data.TextCorpus;
import org.normkit.experiments.data.TokenBatch;
import org.normkit.experiments.engine.GridSetup;
import org.normkit.experiments.engine.RunOutcome;
import org.normkit.experiments.engine.RunStart;
import org.normkit.experiments.engine.RunTask;
import org.normkit.experiments.engine.RunTrainer;
import org.normkit.experiments.replica.Replication;
import org.normkit.experiments.report.ResultRow;
import org.normkit.experiments.report.RunConfig;
import org.normkit.experiments.report.RunKey;

/**
 * {@code experiment --dtype float64}: every tensor of a float64 net is float64 (parameters, norm buffers, every
 * activation and gradient of a training step), a float64 run starts from the float32 run's values, and a few steps
 * of training in float64 give what float32 gives, to float32's precision.
 */
class Float64RunTest {
    private static final DatasetSplit DATA = TinyData.split();

    @TempDir
    Path dir;

    static Stream<Arguments> imageNets() {
        return Stream.of(Arguments.of("mlp", "batch_norm"), Arguments.of("lenet", "group_norm:groups=2"),
                Arguments.of("transformer", "batch_norm"), Arguments.of("transformer", "power_norm:algorithm=vanilla"),
                Arguments.of("transformer", "dyt"), Arguments.of("lstm", "batch_norm:per_step=true"),
                Arguments.of("lstm", "layer_norm"), Arguments.of("lstm", "none"));
    }

    static Stream<Arguments> textNets() {
        return Stream.of(Arguments.of("transformer", "batch_norm"), Arguments.of("transformer", "layer_norm"),
                Arguments.of("lstm", "batch_norm"));
    }

    private static RunConfig run(String net, String norm) {
        return new RunConfig(net, norm, 16, 1e-3, "adam", 0, 0);
    }

    private static Module build(Workload work, String net, String norm, long seed) {
        return work.build(run(net, norm), new NormSlot(TinyData.REGISTRY, norm), new SplittableRandom(seed));
    }

    @ParameterizedTest(name = "{0} with {1}")
    @MethodSource("imageNets")
    void aFloat64ImageNetHasNoFloat32TensorInItsStateItsStepOrItsGradients(String net, String norm) {
        Module model = build(Workload.images(DATA, DType.FLOAT64), net, norm, 3);
        int[] rows = {0, 1, 2, 3, 4, 5, 6, 7};
        Tensor loss = Losses.crossEntropy(model.forward(Trainer.images(DATA.train(), rows, DType.FLOAT64)),
                DATA.train().gatherLabels(rows));
        assertAllFloat64(model, loss);
    }

    @ParameterizedTest(name = "{0} with {1} on text")
    @MethodSource("textNets")
    void aFloat64LanguageModelHasNoFloat32TensorInItsStateItsStepOrItsGradients(String net, String norm) {
        TextCorpus corpus = new TextCorpus(List.of("the cat sat", "a dog", "the end of it"), List.of("cat"), "test",
                false, "");
        Module model = build(Workload.text(corpus, DType.FLOAT64), net, norm, 3);
        TokenBatch batch = TokenBatch.of(corpus.train().stream().map(corpus.vocabulary()::encode).toList());
        int[] valid = SequenceNets.validRows(batch);
        int[] targets = new int[valid.length];
        for (int i = 0; i < valid.length; i++) {
            targets[i] = batch.targets()[valid[i]];
        }
        Tensor loss = Losses.crossEntropy(Indexing.gatherRows(((LanguageModel) model).logits(batch), valid), targets);
        assertAllFloat64(model, loss);
    }

    /** The state, every tensor of the graph that made {@code loss}, and every parameter's gradient after backward. */
    private static void assertAllFloat64(Module model, Tensor loss) {
        List<String> float32 = new ArrayList<>();
        model.stateDict().forEach((name, t) -> {
            if (t.dtype() != DType.FLOAT64) {
                float32.add("state " + name);
            }
        });
        Set<Tensor> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        Deque<Tensor> open = new ArrayDeque<>(List.of(loss));
        while (!open.isEmpty()) {
            Tensor t = open.pop();
            if (!seen.add(t)) {
                continue;
            }
            if (t.dtype() != DType.FLOAT64) {
                float32.add(t.isLeaf() ? "a leaf of shape " + t.shape() : "the output of " + t.creator().op());
            }
            if (!t.isLeaf()) {
                open.addAll(t.creator().inputs());
            }
        }
        loss.backward();
        List<Parameter> parameters = model.parameters();
        for (int i = 0; i < parameters.size(); i++) {
            Tensor grad = parameters.get(i).grad();
            if (grad != null && grad.dtype() != DType.FLOAT64) {
                float32.add("the gradient of parameter " + i);
            }
        }
        assertTrue(float32.isEmpty(), "float32 tensors in a float64 net: " + float32);
        assertTrue(seen.size() > 10, "the walk saw only " + seen.size() + " tensors");
    }

    @ParameterizedTest(name = "{0} with {1}")
    @MethodSource("imageNets")
    void aFloat64RunStartsFromTheFloat32RunsValuesWidened(String net, String norm) {
        GridSetup float32 = new GridSetup("", 0, 0, 2, 1, Replication.NONE, "", DType.FLOAT32);
        GridSetup float64 = new GridSetup("", 0, 0, 2, 1, Replication.NONE, "", DType.FLOAT64);
        RunKey key = new RunKey(run(net, norm), 5);
        RunStart narrow = new RunTrainer(TinyData.REGISTRY, Workload.images(DATA), Progress.silent())
                .start(new RunTask(key, float32));
        RunStart wide = new RunTrainer(TinyData.REGISTRY, Workload.images(DATA, DType.FLOAT64), Progress.silent())
                .start(new RunTask(key, float64));

        assertEquals(narrow.net().keySet(), wide.net().keySet());
        for (Map.Entry<String, Tensor> entry : narrow.net().entrySet()) {
            Tensor w = wide.net().get(entry.getKey());
            assertEquals(DType.FLOAT64, w.dtype(), entry.getKey());
            for (int i = 0; i < w.numel(); i++) {
                if (w.get(i) != entry.getValue().get(i)) {
                    fail(entry.getKey() + "[" + i + "]: float64 starts at " + w.get(i) + ", float32 at "
                            + entry.getValue().get(i));
                }
            }
        }
        for (int epoch = 1; epoch <= 2; epoch++) {
            assertEquals(java.util.Arrays.toString(narrow.batches().order(epoch)),
                    java.util.Arrays.toString(wide.batches().order(epoch)));
        }
    }

    static Stream<Arguments> trainedNets() {
        return Stream.of(Arguments.of("mlp", "batch_norm"), Arguments.of("lenet", "group_norm:groups=2"),
                Arguments.of("transformer", "batch_norm"), Arguments.of("lstm", "layer_norm"));
    }

    /**
     * One epoch of 96 images in batches of 16 (6 Adam steps): the float64 run's training loss, test loss and
     * accuracy are the float32 run's to float32's precision (relative 1e-4 on the losses; the accuracy over 50 test
     * images may move by one image where a logit is within rounding of another).
     */
    @ParameterizedTest(name = "{0} with {1}")
    @MethodSource("trainedNets")
    void aFewStepsInFloat64MatchFloat32ToFloat32Tolerance(String net, String norm) {
        ResultRow narrow = trainOneEpoch(net, norm, DType.FLOAT32);
        ResultRow wide = trainOneEpoch(net, norm, DType.FLOAT64);

        assertEquals(narrow.trainLoss(), wide.trainLoss(), 1e-4 * Math.abs(narrow.trainLoss()), "training loss");
        assertEquals(narrow.testLoss(), wide.testLoss(), 1e-4 * Math.abs(narrow.testLoss()), "test loss");
        assertEquals(narrow.testAccuracy(), wide.testAccuracy(), 0.0201, "test accuracy");
        assertTrue(narrow.trainLoss() != wide.trainLoss(), "float32 and float64 gave the same bits: float64 did not "
                + "reach the arithmetic");
    }

    private static ResultRow trainOneEpoch(String net, String norm, DType dtype) {
        GridSetup setup = new GridSetup("", 96, 50, 1, 1, Replication.NONE, "", dtype);
        RunOutcome outcome = new RunTrainer(TinyData.REGISTRY, Workload.images(setup.limit(DATA), dtype),
                Progress.silent())
                .train(new RunTask(new RunKey(run(net, norm), 2), setup), line -> { }, row -> { });
        List<ResultRow> rows = outcome.rows();
        assertEquals(1, rows.size(), outcome.toString());
        return rows.get(0);
    }

    @org.junit.jupiter.api.Test
    void aFloat64ExperimentIsRefusedInAFolderOfFloat32Results() throws IOException {
        Path out = dir.resolve("out");
        TinyData.Console console = new TinyData.Console();
        console.experiment(TinyData.config(List.of("none"), out));
        ExperimentConfig wide = TinyData.config(List.of("batch_norm"), out).withDtype(DType.FLOAT64);

        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> console.experiment(wide));
        assertTrue(e.getMessage().contains("dtype: float32 in the folder, float64 in this run"), e.getMessage());

        // A folder whose setup.txt predates the dtype line holds float32 rows: refused alike.
        Path setup = out.resolve(ExperimentRunner.SETUP_FILE);
        java.nio.file.Files.write(setup, java.nio.file.Files.readAllLines(setup).stream()
                .filter(line -> !line.startsWith("dtype:")).toList());
        e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> console.experiment(wide));
        assertTrue(e.getMessage().contains("dtype: float32 in the folder, float64 in this run"), e.getMessage());
    }

    @org.junit.jupiter.api.Test
    void float64WithReplicasIsRefusedNamingTheWayOut() {
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> new GridSetup("", 0, 0, 1, 1, new Replication(2, false), "", DType.FLOAT64));
        assertTrue(e.getMessage().startsWith("--dtype float64 with --replicas 2 is not supported"), e.getMessage());
        assertTrue(Optional.of(e.getMessage()).get().contains("leave out --replicas"), e.getMessage());
    }
}

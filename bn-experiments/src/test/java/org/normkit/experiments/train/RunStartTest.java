package org.normkit.experiments.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.normkit.autograd.nn.Module;
import org.normkit.autograd.nn.StateDicts;
import org.normkit.autograd.tensor.Tensor;
import org.normkit.experiments.data.Batches;
import org.normkit.experiments.engine.GridSetup;
import org.normkit.experiments.engine.RunStart;
import org.normkit.experiments.engine.RunTask;
import org.normkit.experiments.engine.RunTrainer;
import org.normkit.experiments.replica.Replication;
import org.normkit.experiments.report.RunConfig;
import org.normkit.experiments.report.RunKey;

/**
 * {@code --export-init}: the initial state and batch order a run is exported with are the ones it trains from, and
 * they read back.
 */
class RunStartTest {
    @TempDir
    Path dir;

    private static RunTask task(String norm, long seed, int epochs) {
        return new RunTask(new RunKey(new RunConfig("mlp", norm, 32, 1e-3, "adam", 0, 0), seed),
                new GridSetup("", 0, 0, epochs, 1, Replication.NONE));
    }

    @Test
    void anExportedInitialStateLoadsIntoANetBuiltFromAnotherSeed() {
        Path out = dir.resolve("out");
        Path starts = dir.resolve("starts");
        new TinyData.Console().runner().exportingStarts(starts)
                .experiment(TinyData.config(List.of("none", "batch_norm"), out));

        Path file = starts.resolve("batch_norm").resolve("seed-1").resolve(RunStart.STATE_FILE);
        Module other = Nets.build("mlp", new NormSlot(TinyData.REGISTRY, "batch_norm"), 0, new SplittableRandom(99));
        StateDicts.load(other, file);
        Module seedOne = Nets.build("mlp", new NormSlot(TinyData.REGISTRY, "batch_norm"), 0, new SplittableRandom(1));

        assertEquals(List.of("1.weight", "1.bias", "2.weight", "2.bias", "2.running_mean", "2.running_var",
                "2.num_batches_tracked", "4.weight", "4.bias"), List.copyOf(other.stateDict().keySet()));
        assertStatesEqual(seedOne.stateDict(), other.stateDict());
        assertTrue(Files.exists(starts.resolve("none").resolve("seed-0").resolve(RunStart.ORDER_FILE)));
    }

    @Test
    void theExportedStartIsTheOneTrainedFrom() {
        Recording work = new Recording(Workload.images(TinyData.split()));
        RunTrainer trainer = new RunTrainer(TinyData.REGISTRY, work, Progress.silent());
        RunTask task = task("batch_norm", 3, 2);
        Path folder = dir.resolve("start");

        trainer.start(task).write(folder, 3);
        trainer.train(task, line -> { }, row -> { });

        List<int[]> exported = RunStart.readOrder(folder.resolve(RunStart.ORDER_FILE));
        assertEquals(2, exported.size());
        for (int epoch = 0; epoch < 2; epoch++) {
            assertArrayEquals(exported.get(epoch), work.trained.get(epoch), "epoch " + (epoch + 1));
        }
        assertStatesEqual(StateDicts.read(folder.resolve(RunStart.STATE_FILE)), work.firstState);
    }

    @Test
    void theStartIsInitialisedWithTheSchemeItsKeyNames() {
        RunTrainer trainer = new RunTrainer(TinyData.REGISTRY, Workload.images(TinyData.split()), Progress.silent());
        RunKey xavier = new RunKey(new RunConfig("mlp", "batch_norm", 32, 1e-3, "adam", 0, 0, "xavier",
                RunConfig.NO_SCALING, RunConfig.AUTO_FACE, 0), 3);

        RunStart start = trainer.start(new RunTask(xavier, new GridSetup("", 0, 0, 1, 1, Replication.NONE)));

        SplittableRandom random = new SplittableRandom(3);
        Module expected = Nets.build("mlp", new NormSlot(TinyData.REGISTRY, "batch_norm"), 0, random);
        Initialisation.apply(expected, "xavier", random);
        assertStatesEqual(expected.stateDict(), start.net());
    }

    @Test
    void theOrderFileCutsIntoTheBatchesOfTheRun() throws IOException {
        Batches batches = Batches.of(70, 32, 5);
        Path folder = dir.resolve("order");
        new RunStart(Map.of(), batches, 3).write(folder, 5);

        String json = Files.readString(folder.resolve(RunStart.ORDER_FILE));
        List<int[]> order = RunStart.readOrder(folder.resolve(RunStart.ORDER_FILE));

        assertTrue(json.startsWith("{\"format\": \"normkit-batches/1\", \"seed\": 5, \"rows\": 70, \"batch_size\": 32, "
                + "\"skip_batches_shorter_than\": 2,"), json);
        assertEquals(3, order.size());
        for (int epoch = 1; epoch <= 3; epoch++) {
            List<int[]> cut = new ArrayList<>();
            for (int start = 0; start < 70; start += 32) {
                cut.add(Arrays.copyOfRange(order.get(epoch - 1), start, Math.min(70, start + 32)));
            }
            List<int[]> expected = batches.epoch(epoch);
            assertEquals(expected.size(), cut.size());
            for (int b = 0; b < cut.size(); b++) {
                assertArrayEquals(expected.get(b), cut.get(b), "epoch " + epoch + ", batch " + b);
            }
        }
    }

    @Test
    void aDamagedOrderFileIsRefusedNamingTheEpoch() throws IOException {
        Path folder = dir.resolve("damaged");
        new RunStart(Map.of(), Batches.of(10, 4, 1), 2).write(folder, 1);
        Path file = folder.resolve(RunStart.ORDER_FILE);
        String text = Files.readString(file);
        int second = text.indexOf("[", text.indexOf("],") + 2);
        Files.writeString(file, text.substring(0, second + 1) + "0, 0" + text.substring(text.indexOf(",", second + 4)));

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> RunStart.readOrder(file));
        assertTrue(e.getMessage().contains("epoch 2 is not an order of the 10 training rows"), e.getMessage());
    }

    @Test
    void aReplicatedRunHasNoSingleStartToExport() {
        RunTrainer trainer = new RunTrainer(TinyData.REGISTRY, Workload.images(TinyData.split()), Progress.silent());
        RunTask replicated = new RunTask(task("batch_norm", 0, 1).key(),
                new GridSetup("", 0, 0, 1, 1, new Replication(2, false)));

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> trainer.start(replicated));
        assertTrue(e.getMessage().startsWith("--export-init with --replicas 2"), e.getMessage());
    }

    @Test
    void aSequenceNetExportsItsNamesForTheMappingToPytorch() {
        Path starts = dir.resolve("starts");
        ExperimentConfig transformer = new ExperimentConfig("transformer", List.of("layer_norm"), 1, 32,
                java.util.OptionalDouble.empty(), java.util.Optional.empty(), 0, 0, 1, java.util.Optional.empty(),
                dir.resolve("out"), 1, org.normkit.autograd.spi.Face.AUTO, java.util.Optional.of(64),
                java.util.Optional.of(32));
        new TinyData.Console().runner().exportingStarts(starts).experiment(transformer);

        Map<String, Tensor> state = StateDicts.read(starts.resolve("layer_norm/seed-0").resolve(RunStart.STATE_FILE));

        // scripts/pytorch/train_sequence_reference.py maps these names onto its modules; a rename here breaks it.
        for (String name : List.of("input.weight", "positions.weight", "layer0.norm1.norm.weight",
                "layer0.attention.in_proj_weight", "layer0.attention.out_proj.bias", "layer1.norm2.norm.bias",
                "layer1.linear1.weight", "layer1.linear2.bias", "norm.norm.weight", "head.bias")) {
            assertTrue(state.containsKey(name), name + " not among " + state.keySet());
        }
        assertFalse(state.containsKey("layer2.linear1.weight"));
    }

    private static void assertStatesEqual(Map<String, Tensor> expected, Map<String, Tensor> actual) {
        assertEquals(List.copyOf(expected.keySet()), List.copyOf(actual.keySet()));
        for (String name : expected.keySet()) {
            Tensor a = expected.get(name);
            Tensor b = actual.get(name);
            assertEquals(a.shape(), b.shape(), name);
            for (int i = 0; i < a.numel(); i++) {
                assertEquals(a.get(i), b.get(i), 0.0, name + "[" + i + "]");
            }
        }
    }

    /** A workload that records each epoch's batches as the trainer hands them over, and the net's first state. */
    private static final class Recording implements Workload {
        private final Workload inner;
        final List<int[]> trained = new ArrayList<>();
        Map<String, Tensor> firstState;

        Recording(Workload inner) {
            this.inner = inner;
        }

        @Override
        public Trainer.EpochResult trainEpoch(Learning learning, Batches batches, int epoch, String task,
                                              Progress.Factory progress) {
            if (firstState == null) {
                firstState = new LinkedHashMap<>();
                learning.net().stateDict().forEach((name, t) -> firstState.put(name, t.copy()));
            }
            trained.add(batches.epoch(epoch).stream().flatMapToInt(Arrays::stream).toArray());
            return inner.trainEpoch(learning, batches, epoch, task, progress);
        }

        @Override
        public Module build(RunConfig run, NormSlot slot, SplittableRandom random) {
            return inner.build(run, slot, random);
        }

        @Override
        public int trainingRows() {
            return inner.trainingRows();
        }

        @Override
        public String rowsName() {
            return inner.rowsName();
        }

        @Override
        public Trainer.Evaluation evaluate(Module net) {
            return inner.evaluate(net);
        }

        @Override
        public String origin() {
            return inner.origin();
        }

        @Override
        public String title(String net) {
            return inner.title(net);
        }

        @Override
        public boolean synthetic() {
            return inner.synthetic();
        }

        @Override
        public String notice() {
            return inner.notice();
        }

        @Override
        public String unit() {
            return inner.unit();
        }

        @Override
        public String announce() {
            return inner.announce();
        }

        @Override
        public Map<String, String> describe() {
            return inner.describe();
        }
    }
}

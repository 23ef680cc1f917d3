package org.normkit.experiments.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.normkit.autograd.spi.Face;
import org.normkit.experiments.report.ResultRow;
import org.normkit.experiments.report.ResultsCsv;
import org.normkit.experiments.replica.Replication;

/** {@code --replicas K [--sync-bn]} seen from results.csv. */
class ReplicatedRunTest {
    @TempDir
    Path dir;

    private List<ResultRow> rows(Path out, String norm) {
        return ResultsCsv.read(out.resolve(ResultsCsv.FILE_NAME), w -> { }).stream()
                .filter(r -> r.key().config().norm().equals(norm)).toList();
    }

    /** TinyData's configuration with one seed and one epoch: mlp, batch 32. */
    private static ExperimentConfig oneSeed(List<String> norms, Path out) {
        return new ExperimentConfig("mlp", norms, 1, 32, OptionalDouble.empty(), Optional.empty(), 0, 0, 1,
                Optional.empty(), out, 1, Face.AUTO, Optional.empty(), Optional.empty());
    }

    @Test
    void fourSynchronisedReplicasGiveTheLossesAndAccuraciesOfOneProcessAndUnsynchronisedOnesDoNot() {
        Path one = dir.resolve("one");
        Path four = dir.resolve("four");
        new TinyData.Console().experiment(oneSeed(List.of("batch_norm"), one));

        String console = new TinyData.Console().runner().withReplication(new Replication(4, false)).experiment(
                oneSeed(List.of("batch_norm", Replication.SYNC_BATCH_NORM), four)).toString();

        List<ResultRow> whole = rows(one, "batch_norm");
        List<ResultRow> synced = rows(four, "sync_batch_norm_x4");
        List<ResultRow> unsynced = rows(four, "batch_norm_x4");
        assertEquals(1, whole.size());
        assertEquals(1, synced.size(), console);
        for (int i = 0; i < whole.size(); i++) {
            ResultRow w = whole.get(i);
            ResultRow s = synced.get(i);
            assertEquals(w.trainLoss(), s.trainLoss(), 1e-4 * w.trainLoss(), "train loss, row " + i);
            assertEquals(w.testLoss(), s.testLoss(), 1e-4 * w.testLoss(), "test loss, row " + i);
            assertEquals(w.testAccuracy(), s.testAccuracy(), 0.011, "test accuracy, row " + i);
            assertEquals(32, s.key().config().batchSize(), "the batch size is the whole batch");
        }
        assertTrue(Math.abs(whole.get(0).trainLoss() - unsynced.get(0).trainLoss()) > 1e-3,
                "each replica normalising its 8 rows trains differently");
    }

    @Test
    void syncBatchNormNeedsReplicas() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new TinyData.Console()
                .experiment(TinyData.config(List.of(Replication.SYNC_BATCH_NORM), dir.resolve("x"))));

        assertTrue(e.getMessage().startsWith("--norms sync_batch_norm synchronises BatchNorm across data-parallel "
                + "replicas: give --replicas K"), e.getMessage());
    }
}

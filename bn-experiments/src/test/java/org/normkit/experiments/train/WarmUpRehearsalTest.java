package org.normkit.experiments.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.normkit.autograd.spi.Face;
import org.normkit.autograd.spi.NormRegistry;
import org.normkit.autograd.tensor.DType;

/**
 * The step an experiment takes before its data loads, to start the warm-up of the vector loops its training calls:
 * it runs for every image net, norm and dtype a run can have, and never fails a run the training would run.
 */
class WarmUpRehearsalTest {

    @Test
    void takesItsStepForEachNormOfTheMlpAndOfLenetInBothDtypes() {
        List<String> norms = List.of("none", "batch_norm", "layer_norm", "group_norm:groups=2");
        for (DType dtype : List.of(DType.FLOAT32, DType.FLOAT64)) {
            assertEquals(4, WarmUpRehearsal.rehearse(TinyData.REGISTRY, "mlp", norms, dtype, Face.AUTO), "mlp " + dtype);
            assertEquals(4, WarmUpRehearsal.rehearse(TinyData.REGISTRY, "lenet", norms, dtype, Face.AUTO),
                    "lenet " + dtype);
        }
        assertEquals(1, WarmUpRehearsal.rehearse(TinyData.REGISTRY, "lenet", List.of("batch_norm"), DType.FLOAT32,
                Face.REFERENCE));
    }

    @Test
    void aNormWhoseNetCannotBeBuiltIsLeftToTheTrainingAndTheOthersStillRun() throws MalformedURLException {
        NormRegistry withFailingNorm = NormRegistry.load(new URLClassLoader(new URL[] {
            Path.of("src", "test", "failing-norm").toAbsolutePath().toUri().toURL()},
            WarmUpRehearsalTest.class.getClassLoader()));

        int ran = WarmUpRehearsal.rehearse(withFailingNorm, "mlp", List.of(FailingTestNorm.NAME, "batch_norm"),
                DType.FLOAT32, Face.AUTO);

        assertEquals(1, ran);
    }

    @Test
    void refusesTheSequenceNetsNamingTheNetsItCovers() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> WarmUpRehearsal.rehearse(
                TinyData.REGISTRY, "lstm", List.of("layer_norm"), DType.FLOAT32, Face.AUTO));

        assertTrue(e.getMessage().equals("no rehearsal for net lstm: it covers [mlp, lenet]"), e.getMessage());
    }
}

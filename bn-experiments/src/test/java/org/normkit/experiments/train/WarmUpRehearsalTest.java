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
 * it runs for every net, norm and dtype a run can have, on images and (the sequence nets) on text, and never fails
 * a run the training would run.
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
    void takesItsStepForEachNormOfTheSequenceNetsOnImagesAndOnText() {
        List<String> norms = List.of("none", "batch_norm", "batch_norm:per_step=true", "batch_norm:masked=false",
                "layer_norm", "power_norm", "dyt");
        for (String net : List.of("transformer", "lstm")) {
            for (DType dtype : List.of(DType.FLOAT32, DType.FLOAT64)) {
                assertEquals(norms.size(), WarmUpRehearsal.rehearse(TinyData.REGISTRY, net, norms, dtype,
                        Face.AUTO), net + " on images, " + dtype);
                assertEquals(norms.size(), WarmUpRehearsal.rehearseText(TinyData.REGISTRY, net, norms, dtype,
                        Face.AUTO), net + " on text, " + dtype);
            }
        }
    }

    @Test
    void refusesTextForTheImageOnlyNetsNamingTheNetsItCovers() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> WarmUpRehearsal.rehearseText(
                TinyData.REGISTRY, "lenet", List.of("layer_norm"), DType.FLOAT32, Face.AUTO));

        assertTrue(e.getMessage().equals("no rehearsal for net lenet on text: it covers [transformer, lstm]"),
                e.getMessage());
    }
}

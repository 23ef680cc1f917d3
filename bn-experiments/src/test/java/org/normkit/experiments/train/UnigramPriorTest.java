package org.normkit.experiments.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.normkit.autograd.nn.Module;
import org.normkit.autograd.tensor.DType;
import org.normkit.experiments.data.TextCorpus;
import org.normkit.experiments.report.RunConfig;

class UnigramPriorTest {
    @Test
    void eachTokenStartsAtItsSmoothedFrequencyAmongTheTargets() {
        // targets of one document "4 4 5": 4 twice, 5 once, END (id 2) once; every count + 1/2, total 7
        double[] log = UnigramPrior.logFrequencies(List.of(new int[] {4, 4, 5}), 6);
        double[] expected = {0.5 / 7, 0.5 / 7, 1.5 / 7, 0.5 / 7, 2.5 / 7, 1.5 / 7};
        for (int k = 0; k < expected.length; k++) {
            assertEquals(Math.log(expected[k]), log[k], 1e-12, "token " + k);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"transformer", "lstm"})
    void aTextNetsOutputBiasStartsAtThePriorOfItsTrainingDocuments(String net) {
        TextCorpus corpus = new TextCorpus(List.of("abba", "cab", "b"), List.of("ab"), "test", false, "");
        TextWorkload workload = new TextWorkload(corpus, DType.FLOAT32);
        Module model = workload.build(new RunConfig(net, "batch_norm", 4, 1e-3, "adam", 0, 0),
                new NormSlot(TinyData.REGISTRY, "batch_norm"), new SplittableRandom(1));
        // ids: PAD 0, BEGIN 1, END 2, UNKNOWN 3, then a 4, b 5, c 6
        double[] expected = UnigramPrior.logFrequencies(List.of(new int[] {4, 5, 5, 4}, new int[] {6, 4, 5},
                new int[] {5}), 7);
        assertArrayEquals(expected, ((LanguageModel) model).output().bias().value().toDoubleArray(), 1e-6);
    }
}

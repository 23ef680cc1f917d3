package org.normkit.experiments.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;
import org.normkit.autograd.nn.Module;
import org.normkit.autograd.optim.Optimizer;
import org.normkit.experiments.data.Batches;

/** The language model's epoch runs on {@link Trainer}'s loop: what it skips, how it weights, when it stops. */
class LanguageModelTrainerTest {
    /** Five short documents over ids 3..11 of a vocabulary of 12 (0..2 are the special tokens). */
    private static final List<int[]> DOCUMENTS = List.of(new int[] {3, 4, 5}, new int[] {6, 7}, new int[] {8, 9, 10, 11},
            new int[] {4, 4}, new int[] {5, 6, 7, 8, 9});

    private static Module net() {
        return Nets.buildForText("transformer", new NormSlot(TinyData.REGISTRY, "layer_norm"), 12,
                new SplittableRandom(5));
    }

    /** Counts the steps the progress display is told about. */
    private static final class StepCount implements Progress.Factory {
        final List<Integer> steps = new ArrayList<>();

        @Override
        public Progress start(String task, int total) {
            steps.add(0);
            return new Progress() {
                @Override
                public void step(double loss, double rate) {
                    steps.set(steps.size() - 1, steps.get(steps.size() - 1) + 1);
                }

                @Override
                public void close() {}
            };
        }
    }

    @Test
    void aLastBatchOfOneDocumentIsSkippedAndTheOthersTrain() {
        StepCount progress = new StepCount();
        Module net = net();
        Optimizer adam = Optimizers.create("adam", net.parameters(), 1e-3, 0);
        Trainer.EpochResult result = new LanguageModelTrainer(progress).trainEpoch(net, adam, DOCUMENTS,
                Batches.of(DOCUMENTS.size(), 2, 1), 1, "test");
        assertEquals(List.of(2), progress.steps, "batches of 2, 2 and 1 document: the last is skipped");
        assertTrue(result.trainLoss() > 0 && Double.isFinite(result.trainLoss()), "loss " + result.trainLoss());
        assertTrue(result.trainAccuracy() >= 0 && result.trainAccuracy() <= 1, "accuracy " + result.trainAccuracy());
    }

    @Test
    void theEpochLossIsTheMeanOverCharactersOfTheStepLosses() {
        Module net = net();
        Optimizer frozen = Optimizers.create("sgd", net.parameters(), 0, 0);
        LanguageModelTrainer trainer = new LanguageModelTrainer(Progress.silent());
        Trainer.EpochResult epoch = trainer.trainEpoch(net, frozen, DOCUMENTS.subList(0, 4),
                Batches.of(4, 4, 1), 1, "test");
        // With a learning rate of 0 the weights stay, so one training epoch over a single batch of all four
        // documents is their evaluation in training mode: for LayerNorm the same function.
        Trainer.Evaluation evaluation = trainer.evaluate(net, DOCUMENTS.subList(0, 4));
        assertEquals(evaluation.loss(), epoch.trainLoss(), 1e-6);
        assertEquals(evaluation.accuracy(), epoch.trainAccuracy(), 1e-12);
    }

    @Test
    void aHugeLearningRateStopsAtTheFirstDivergedLoss() {
        Module net = net();
        Optimizer wild = Optimizers.create("sgd", net.parameters(), 1e6, 0);
        DivergedException e = assertThrows(DivergedException.class, () -> new LanguageModelTrainer(Progress.silent())
                .trainEpoch(net, wild, DOCUMENTS, Batches.of(DOCUMENTS.size(), 1, 1), 2, "test"));
        assertTrue(e.getMessage().contains("epoch 2"), e.getMessage());
    }
}

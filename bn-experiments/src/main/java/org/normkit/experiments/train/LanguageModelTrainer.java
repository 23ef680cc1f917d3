package org.normkit.experiments.train;

import java.util.ArrayList;
import java.util.List;

import org.normkit.autograd.graph.GradMode;
import org.normkit.autograd.nn.Module;
import org.normkit.autograd.ops.Indexing;
import org.normkit.autograd.ops.Losses;
import org.normkit.autograd.optim.Optimizer;
import org.normkit.autograd.tensor.Tensor;
import org.normkit.experiments.data.Batches;
import org.normkit.experiments.data.TokenBatch;
import org.normkit.experiments.report.TrainingFailures;

/**
 * One epoch of a character language model over padded batches of documents, and its evaluation. The loss is the
 * mean cross-entropy in nats over the valid positions only (the padding's predictions are gathered out before the
 * loss, so they get no gradient); bits per character are that mean divided by ln 2. Accuracy is next-character
 * accuracy over the same positions.
 */
public final class LanguageModelTrainer {
    private static final int EVAL_BATCH = 64;

    private final Progress.Factory progress;

    public LanguageModelTrainer(Progress.Factory progress) {
        this.progress = progress;
    }

    /** Bits per character of a mean loss in nats. */
    public static double bitsPerCharacter(double nats) {
        return nats / Math.log(2);
    }

    /** Trains one epoch over {@code documents} (encoded); loss and accuracy are per predicted character. */
    public Trainer.EpochResult trainEpoch(Module net, Optimizer optimizer, List<int[]> documents, Batches batches,
                                         int epoch, String task) {
        net.train();
        List<int[]> order = batches.epoch(epoch);
        double lossSum = 0;
        long correct = 0;
        long seen = 0;
        long start = System.nanoTime();
        try (Progress bar = progress.start(task, order.size())) {
            int step = 0;
            for (int[] rows : order) {
                step++;
                if (rows.length == 1 && batches.batchSize() > 1) {
                    continue;
                }
                TokenBatch batch = batchOf(documents, rows);
                Scored scored = score((LanguageModel) net, batch);
                double value = scored.loss.item();
                if (TrainingFailures.diverged(value)) {
                    throw new DivergedException(epoch, step, value, (System.nanoTime() - start) / 1e9);
                }
                optimizer.zeroGrad();
                scored.loss.backward();
                optimizer.step();
                int n = scored.targets.length;
                lossSum += value * n;
                correct += Trainer.countCorrect(scored.logits, scored.targets);
                seen += n;
                double elapsed = (System.nanoTime() - start) / 1e9;
                bar.step(value, seen / Math.max(elapsed, 1e-9));
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        return new Trainer.EpochResult(lossSum / Math.max(1, seen), (double) correct / Math.max(1, seen), seconds,
                seen / Math.max(seconds, 1e-9));
    }

    /** Mean loss (nats per character) and accuracy in evaluation mode, without recording a graph. */
    public Trainer.Evaluation evaluate(Module net, List<int[]> documents) {
        boolean wasTraining = net.isTraining();
        net.eval();
        double lossSum = 0;
        long correct = 0;
        long seen = 0;
        try (GradMode.Scope ignored = GradMode.noGrad()) {
            for (int from = 0; from < documents.size(); from += EVAL_BATCH) {
                int[] rows = new int[Math.min(EVAL_BATCH, documents.size() - from)];
                for (int i = 0; i < rows.length; i++) {
                    rows[i] = from + i;
                }
                Scored scored = score((LanguageModel) net, batchOf(documents, rows));
                lossSum += scored.loss.item() * scored.targets.length;
                correct += Trainer.countCorrect(scored.logits, scored.targets);
                seen += scored.targets.length;
            }
        } finally {
            net.train(wasTraining);
        }
        return new Trainer.Evaluation(lossSum / Math.max(1, seen), (double) correct / Math.max(1, seen));
    }

    private record Scored(Tensor loss, Tensor logits, int[] targets) {}

    private static Scored score(LanguageModel net, TokenBatch batch) {
        int[] valid = SequenceNets.validRows(batch);
        int[] targets = new int[valid.length];
        for (int i = 0; i < valid.length; i++) {
            targets[i] = batch.targets()[valid[i]];
        }
        Tensor logits = Indexing.gatherRows(net.logits(batch), valid);
        return new Scored(Losses.crossEntropy(logits, targets), logits, targets);
    }

    private static TokenBatch batchOf(List<int[]> documents, int[] rows) {
        List<int[]> picked = new ArrayList<>(rows.length);
        for (int r : rows) {
            picked.add(documents.get(r));
        }
        return TokenBatch.of(picked);
    }
}

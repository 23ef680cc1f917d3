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

/**
 * One epoch of a character language model over padded batches of documents, and its evaluation. The loss is the
 * mean cross-entropy in nats over the valid positions only (the padding's predictions are gathered out before the
 * loss, so they get no gradient); bits per character are that mean divided by ln 2. Accuracy is next-character
 * accuracy over the same positions.
 */
public final class LanguageModelTrainer {
    private static final int EVAL_BATCH = 64;

    private final Trainer loop;

    public LanguageModelTrainer(Progress.Factory progress) {
        this.loop = new Trainer(progress);
    }

    /** Bits per character of a mean loss in nats. */
    public static double bitsPerCharacter(double nats) {
        return nats / Math.log(2);
    }

    /**
     * Trains one epoch over {@code documents} (encoded); loss and accuracy are per predicted character. The loop is
     * {@link Trainer}'s ({@link Trainer#epochLoop}): a last batch of one document is skipped, as a last batch of one
     * image is.
     */
    public Trainer.EpochResult trainEpoch(Module net, Optimizer optimizer, List<int[]> documents, Batches batches,
                                         int epoch, String task) {
        net.train();
        return loop.epochLoop(batches.epoch(epoch), Math.min(2, batches.batchSize()), epoch, task, rows -> {
            Scored scored = score((LanguageModel) net, batchOf(documents, rows));
            double value = scored.loss.item();
            long correct = Trainer.countCorrect(scored.logits, scored.targets);
            return new Trainer.CountedStep(new Trainer.Step() {
                @Override
                public double loss() {
                    return value;
                }

                @Override
                public long correct() {
                    return correct;
                }

                @Override
                public void learn() {
                    optimizer.zeroGrad();
                    scored.loss.backward();
                    optimizer.step();
                }
            }, scored.targets.length);
        });
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

    record Scored(Tensor loss, Tensor logits, int[] targets) {}

    /** The loss over the batch's valid positions (padding gets no prediction), its logits and targets. */
    static Scored score(LanguageModel net, TokenBatch batch) {
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

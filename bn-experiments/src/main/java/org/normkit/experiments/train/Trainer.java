package org.normkit.experiments.train;

import java.util.List;

import org.normkit.autograd.graph.Backprop;
import org.normkit.autograd.graph.GradMode;
import org.normkit.autograd.nn.Module;
import org.normkit.autograd.ops.Losses;
import org.normkit.autograd.optim.Optimizer;
import org.normkit.autograd.tensor.Shape;
import org.normkit.autograd.tensor.Tensor;
import org.normkit.experiments.data.Batches;
import org.normkit.experiments.data.Dataset;
import org.normkit.experiments.report.TrainingFailures;

/**
 * One epoch of mini-batch training and one evaluation pass, for image classifiers over a {@link Dataset}.
 *
 * <p>A last batch of a single image (when the batch size leaves one row over) is skipped: BatchNorm cannot
 * normalise one value per channel in training (PyTorch raises there), and one image out of an epoch changes nothing
 * measurable. When every batch is a single image (batch size 1) nothing is skipped, so a norm that cannot train on
 * one image fails on the first step, and the caller reports that pairing as impossible.
 *
 * <p>With a gradient penalty λ &gt; 0 the step minimises loss + λ·‖∂loss/∂x‖², the squared norm of the loss's
 * gradient with respect to the input batch (the R1 / WGAN-GP kind of term): the gradient is built with
 * {@code createGraph} ({@link Backprop#grad}), so the step differentiates a gradient. The reported training loss is
 * the cross-entropy alone, comparable with runs without the penalty.
 */
public final class Trainer {
    private static final int EVAL_BATCH = 1000;

    private final Progress.Factory progress;

    public Trainer(Progress.Factory progress) {
        this.progress = progress;
    }

    Progress.Factory progress() {
        return progress;
    }

    /** What one training epoch measured. */
    public record EpochResult(double trainLoss, double trainAccuracy, double seconds, double samplesPerSecond) {}

    /** Loss and accuracy on a data set in evaluation mode. */
    public record Evaluation(double loss, double accuracy) {}

    /**
     * Trains for one epoch; throws {@link DivergedException} on the first loss that is not finite or far above the start
     * ({@link TrainingFailures#diverged}).
     *
     * @param task what the progress display calls this epoch
     */
    public EpochResult trainEpoch(Module net, Optimizer optimizer, Dataset data, Batches batches, int epoch, String task) {
        return trainEpoch(net, optimizer, data, batches, epoch, task, 0);
    }

    /** {@link #trainEpoch} with a gradient penalty λ = {@code gradPenalty} (0 for none); see the class comment. */
    public EpochResult trainEpoch(Module net, Optimizer optimizer, Dataset data, Batches batches, int epoch, String task,
                                  double gradPenalty) {
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
                Tensor x = images(data, rows);
                int[] y = data.gatherLabels(rows);
                Tensor logits = net.forward(gradPenalty > 0 ? x.requiresGrad(true) : x);
                Tensor loss = Losses.crossEntropy(logits, y);
                Tensor objective = gradPenalty > 0 ? withGradientPenalty(loss, x, gradPenalty) : loss;
                double value = loss.item();
                if (TrainingFailures.diverged(value) || !Double.isFinite(objective.item())) {
                    throw new DivergedException(epoch, step, TrainingFailures.diverged(value) ? value : objective.item(),
                            (System.nanoTime() - start) / 1e9);
                }
                optimizer.zeroGrad();
                objective.backward();
                optimizer.step();
                lossSum += value * rows.length;
                correct += countCorrect(logits, y);
                seen += rows.length;
                double elapsed = (System.nanoTime() - start) / 1e9;
                bar.step(value, seen / Math.max(elapsed, 1e-9));
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        return new EpochResult(lossSum / Math.max(1, seen), (double) correct / Math.max(1, seen), seconds,
                seen / Math.max(seconds, 1e-9));
    }

    /** Mean loss and accuracy in evaluation mode (running statistics, no dropout), without recording a graph. */
    public Evaluation evaluate(Module net, Dataset data) {
        boolean wasTraining = net.isTraining();
        net.eval();
        double lossSum = 0;
        long correct = 0;
        try (GradMode.Scope ignored = GradMode.noGrad()) {
            for (int from = 0; from < data.rows(); from += EVAL_BATCH) {
                int[] rows = new int[Math.min(EVAL_BATCH, data.rows() - from)];
                for (int i = 0; i < rows.length; i++) {
                    rows[i] = from + i;
                }
                int[] y = data.gatherLabels(rows);
                Tensor logits = net.forward(images(data, rows));
                lossSum += Losses.crossEntropy(logits, y).item() * rows.length;
                correct += countCorrect(logits, y);
            }
        } finally {
            net.train(wasTraining);
        }
        return new Evaluation(lossSum / Math.max(1, data.rows()), (double) correct / Math.max(1, data.rows()));
    }

    /** loss + λ·‖∂loss/∂x‖², the gradient built with createGraph so that the sum can be differentiated. */
    static Tensor withGradientPenalty(Tensor loss, Tensor x, double lambda) {
        Tensor gradient = Backprop.grad(loss, new Tensor[] {x}, true)[0];
        return loss.add(gradient.square().sum().mul(lambda));
    }

    /** The images of {@code rows} as a float32 batch (B, 1, H, W). */
    static Tensor images(Dataset data, int[] rows) {
        return Tensor.wrap(data.gatherImages(rows), Shape.of(rows.length, 1, data.height(), data.width()));
    }

    static long countCorrect(Tensor logits, int[] labels) {
        int classes = logits.dim(1);
        long correct = 0;
        for (int n = 0; n < labels.length; n++) {
            int best = 0;
            double bestValue = Double.NEGATIVE_INFINITY;
            for (int k = 0; k < classes; k++) {
                double v = logits.get(n * classes + k);
                if (v > bestValue) {
                    bestValue = v;
                    best = k;
                }
            }
            if (best == labels[n]) {
                correct++;
            }
        }
        return correct;
    }
}

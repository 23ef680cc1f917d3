package org.normkit.experiments.train;

import java.util.List;

import org.normkit.autograd.graph.Backprop;
import org.normkit.autograd.graph.GradMode;
import org.normkit.autograd.nn.Module;
import org.normkit.autograd.ops.Losses;
import org.normkit.autograd.optim.Optimizer;
import org.normkit.autograd.tensor.DType;
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
 * one image fails on the first step, and the caller reports that pairing as impossible. Data-parallel replicas
 * likewise skip a last batch that would leave a replica a single row ({@link Learner#minimumRows}).
 *
 * <p>With a gradient penalty λ &gt; 0 the step minimises loss + λ·‖∂loss/∂x‖², the squared norm of the loss's
 * gradient with respect to the input batch (the R1 / WGAN-GP kind of term): the gradient is built with
 * {@code createGraph} ({@link Backprop#grad}), so the step differentiates a gradient. The reported training loss is
 * the cross-entropy alone, comparable with runs without the penalty.
 */
public final class Trainer {
    private static final int EVAL_BATCH = 1000;

    private final Progress.Factory progress;
    /** The nets' element type: the float32 images are widened to it. */
    private final DType dtype;

    public Trainer(Progress.Factory progress) {
        this(progress, DType.FLOAT32);
    }

    /** A trainer of nets of {@code dtype} ({@code --dtype}). */
    public Trainer(Progress.Factory progress, DType dtype) {
        this.progress = progress;
        this.dtype = dtype;
    }

    /**
     * What one training epoch measured; {@code jitSeconds} and {@code gcSeconds} are what the JVM spent compiling and
     * collecting garbage meanwhile ({@link JvmSeconds}).
     */
    public record EpochResult(double trainLoss, double trainAccuracy, double seconds, double samplesPerSecond,
                              double jitSeconds, double gcSeconds) {}

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
        return trainEpoch(singleProcess(net, optimizer, gradPenalty), data, batches, epoch, task);
    }

    /**
     * How one mini-batch is learned: {@link #forward} computes the loss, then, if the loss is finite,
     * {@link Step#learn} applies the gradient. One process learns as PyTorch's loop does; data-parallel replicas
     * ({@code org.normkit.experiments.replica}) split the batch.
     */
    public interface Learner {
        /** Switches the net(s) to training mode before an epoch. */
        void train();

        /** The forward pass on a batch: its mean loss, the rows it classified correctly, and the rest of the step. */
        Step forward(Tensor images, int[] labels);

        /**
         * The smallest last batch worth a step: a shorter last batch of an epoch is skipped (never a full one, so a
         * batch size the learner cannot take still fails loudly). One process: 2, since BatchNorm cannot train on
         * one row; K replicas: 2·K, so that no replica is left with a single row.
         */
        default int minimumRows() {
            return 2;
        }
    }

    /** A forward pass whose gradient step has not been taken yet. */
    public interface Step {
        /** The mean cross-entropy of the batch: what the epoch reports. */
        double loss();

        /** What the step minimises: the loss, plus the gradient penalty when there is one. */
        default double objective() {
            return loss();
        }

        long correct();

        /** Backward pass and optimizer step. */
        void learn();
    }

    /** The ordinary loop: forward, zero_grad, backward, step; with a gradient penalty λ &gt; 0, see the class comment. */
    public static Learner singleProcess(Module net, Optimizer optimizer, double gradPenalty) {
        return new Learner() {
            @Override
            public void train() {
                net.train();
            }

            @Override
            public Step forward(Tensor x, int[] y) {
                Tensor logits = net.forward(gradPenalty > 0 ? x.requiresGrad(true) : x);
                Tensor loss = Losses.crossEntropy(logits, y);
                Tensor objective = gradPenalty > 0 ? withGradientPenalty(loss, x, gradPenalty) : loss;
                double value = loss.item();
                double minimised = objective.item();
                long correct = countCorrect(logits, y);
                return new Step() {
                    @Override
                    public double loss() {
                        return value;
                    }

                    @Override
                    public double objective() {
                        return minimised;
                    }

                    @Override
                    public long correct() {
                        return correct;
                    }

                    @Override
                    public void learn() {
                        optimizer.zeroGrad();
                        objective.backward();
                        optimizer.step();
                    }
                };
            }
        };
    }

    /**
     * Trains for one epoch with {@code learner}; throws {@link DivergedException} on the first loss that is not finite
     * or far above the start ({@link TrainingFailures#diverged}).
     */
    public EpochResult trainEpoch(Learner learner, Dataset data, Batches batches, int epoch, String task) {
        learner.train();
        int smallest = Math.min(Math.max(2, learner.minimumRows()), batches.batchSize());
        return epochLoop(batches.epoch(epoch), smallest, epoch, task, rows ->
                new CountedStep(learner.forward(images(data, rows, dtype), data.gatherLabels(rows)), rows.length));
    }

    /** A forward pass and the number of predictions its mean loss is over (images, or characters of a text batch). */
    record CountedStep(Step step, long predictions) {}

    /**
     * The loop of one training epoch, shared by image classifiers and language models: for each batch of rows in
     * {@code order} (a batch shorter than {@code smallestBatch} is skipped), the forward pass, the divergence check,
     * the gradient step, the running loss and accuracy weighted by each step's predictions, and the progress
     * display; the epoch's seconds span the whole loop.
     */
    EpochResult epochLoop(List<int[]> order, int smallestBatch, int epoch, String task,
                          java.util.function.Function<int[], CountedStep> forward) {
        double lossSum = 0;
        long correct = 0;
        long seen = 0;
        JvmSeconds jvmStart = JvmSeconds.now();
        long start = System.nanoTime();
        try (Progress bar = progress.start(task, order.size())) {
            int step = 0;
            for (int[] rows : order) {
                step++;
                if (rows.length < smallestBatch) {
                    continue;
                }
                CountedStep counted = forward.apply(rows);
                Step learned = counted.step();
                double value = learned.loss();
                if (TrainingFailures.diverged(value) || !Double.isFinite(learned.objective())) {
                    throw new DivergedException(epoch, step, TrainingFailures.diverged(value) ? value : learned.objective(),
                            (System.nanoTime() - start) / 1e9);
                }
                learned.learn();
                lossSum += value * counted.predictions();
                correct += learned.correct();
                seen += counted.predictions();
                double elapsed = (System.nanoTime() - start) / 1e9;
                bar.step(value, seen / Math.max(elapsed, 1e-9));
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        JvmSeconds jvmEnd = JvmSeconds.now();
        return new EpochResult(lossSum / Math.max(1, seen), (double) correct / Math.max(1, seen), seconds,
                seen / Math.max(seconds, 1e-9), jvmEnd.jitSecondsSince(jvmStart), jvmEnd.gcSecondsSince(jvmStart));
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
                Tensor logits = net.forward(images(data, rows, dtype));
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

    /** The images of {@code rows} as a batch of {@code dtype} (float64: the float32 pixels widened). */
    static Tensor images(Dataset data, int[] rows, DType dtype) {
        Tensor images = images(data, rows);
        return dtype == DType.FLOAT32 ? images : images.to(dtype);
    }

    /** The rows whose largest logit is at their label. */
    public static long countCorrect(Tensor logits, int[] labels) {
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

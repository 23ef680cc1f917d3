package org.normkit.experiments.train;

import java.util.Map;
import java.util.SplittableRandom;

import org.normkit.autograd.nn.Module;
import org.normkit.autograd.optim.Optimizer;
import org.normkit.autograd.tensor.DType;
import org.normkit.experiments.data.Batches;
import org.normkit.experiments.data.DatasetSplit;
import org.normkit.experiments.data.TextCorpus;
import org.normkit.experiments.report.RunConfig;

/**
 * What a run trains on and how: images for a classifier ({@link #images}) or text for a character language model
 * ({@link #text}). The run engine ({@code org.normkit.experiments.engine.RunTrainer}) trains any net on either the
 * same way: seeds, epochs, divergence, rows and reports do not depend on the workload. A workload is only read while
 * runs train, so runs on several threads share one.
 */
public interface Workload {

    /** Image classification over {@code data} (already limited to the rows the grid uses), float32. */
    static Workload images(DatasetSplit data) {
        return images(data, DType.FLOAT32);
    }

    /** Image classification over {@code data} by nets of {@code dtype}, the images widened to it. */
    static Workload images(DatasetSplit data, DType dtype) {
        return new ImageWorkload(data, dtype);
    }

    /** Character language modelling over {@code corpus} (already limited to the documents the grid uses), float32. */
    static Workload text(TextCorpus corpus) {
        return text(corpus, DType.FLOAT32);
    }

    /** Character language modelling over {@code corpus} by nets of {@code dtype}. */
    static Workload text(TextCorpus corpus, DType dtype) {
        return new TextWorkload(corpus, dtype);
    }

    /** The element type of the nets this workload builds ({@code --dtype}). */
    default DType dtype() {
        return DType.FLOAT32;
    }

    /**
     * How one run learns: its net (the one evaluated), the optimizer of that net, and the learner that takes a batch
     * of images (alone, or as data-parallel replicas). A text workload trains {@code net} with {@code optimizer}.
     */
    record Learning(Module net, Optimizer optimizer, Trainer.Learner learner) {}

    /** The net {@code run} names, its slots filled by {@code slot}, its tensors of {@link #dtype}. */
    Module build(RunConfig run, NormSlot slot, SplittableRandom random);

    /** How many training rows (images, documents) an epoch's batches cover. */
    int trainingRows();

    /** What a training row is, in the plural: {@code images} or {@code documents}. */
    String rowsName();

    /** One epoch; throws {@link DivergedException} on a loss that means the run diverged. */
    Trainer.EpochResult trainEpoch(Learning learning, Batches batches, int epoch, String task,
                                   Progress.Factory progress);

    /** Loss and accuracy on the held-out rows, in evaluation mode. */
    Trainer.Evaluation evaluate(Module net);

    /** Where the data came from: recorded beside results.csv, and compared between driver and workers. */
    String origin();

    /** What the report's title says {@code net} was trained on. */
    String title(String net);

    boolean synthetic();

    String notice();

    /** What the throughput counts: samples or characters. */
    String unit();

    /** More of an evaluation worth a line, e.g. bits per character; empty by default. */
    default String extra(Trainer.Evaluation test) {
        return "";
    }

    /** The line that announces the data before training. */
    String announce();

    /** Report lines on the data and its metrics. */
    Map<String, String> describe();
}

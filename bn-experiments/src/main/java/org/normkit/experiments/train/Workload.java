package org.normkit.experiments.train;

import java.util.Map;
import java.util.SplittableRandom;

import org.normkit.autograd.nn.Module;
import org.normkit.autograd.optim.Optimizer;
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

    /** Image classification over {@code data} (already limited to the rows the grid uses). */
    static Workload images(DatasetSplit data) {
        return new ImageWorkload(data);
    }

    /** Character language modelling over {@code corpus} (already limited to the documents the grid uses). */
    static Workload text(TextCorpus corpus) {
        return new TextWorkload(corpus);
    }

    /**
     * How one run learns: its net (the one evaluated), the optimizer of that net, and the learner that takes a batch
     * of images (alone, or as data-parallel replicas). A text workload trains {@code net} with {@code optimizer}.
     */
    record Learning(Module net, Optimizer optimizer, Trainer.Learner learner) {}

    /** The net {@code run} names, its slots filled by {@code slot}. */
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

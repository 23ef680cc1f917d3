package org.normkit.experiments.train;

import java.util.Map;
import java.util.SplittableRandom;

import org.normkit.autograd.nn.Module;
import org.normkit.autograd.optim.Optimizer;
import org.normkit.experiments.data.Batches;

/**
 * What a run trains on and how: images for a classifier ({@link ImageWorkload}) or text for a language model
 * ({@link TextWorkload}). The runner handles seeds, results and reports the same way for both.
 */
interface Workload {
    /** The net for one run, its slots filled by {@code slot}. */
    Module build(NormSlot slot, SplittableRandom random);

    /** How many training rows (images, documents) an epoch's batches cover. */
    int trainingRows();

    /** One epoch; {@code gradPenalty} is λ of the input-gradient penalty (0 for none). */
    Trainer.EpochResult trainEpoch(Module net, Optimizer optimizer, Batches batches, int epoch, String task,
                                   double gradPenalty);

    Trainer.Evaluation evaluate(Module net);

    /** Where the data came from: recorded beside results.csv so runs on other data never mix. */
    String origin();

    /** What the report's title says the net was trained on. */
    String title();

    boolean synthetic();

    String notice();

    /** What the throughput counts: samples or characters. */
    String unit();

    /** More of an evaluation worth a line, e.g. bits per character; empty by default. */
    default String extra(Trainer.Evaluation test) {
        return "";
    }

    /** Report lines on the data and its metrics. */
    Map<String, String> describe();
}

package org.normkit.experiments.engine;

import java.io.Serializable;
import java.nio.file.Path;
import java.util.Optional;

import org.normkit.autograd.tensor.DType;
import org.normkit.experiments.data.DatasetSplit;
import org.normkit.experiments.data.FashionMnist;
import org.normkit.experiments.data.TextCorpus;
import org.normkit.experiments.replica.Replication;
import org.normkit.experiments.train.Workload;

/**
 * What every run of a grid shares besides its {@link org.normkit.experiments.report.RunKey}: where the data comes
 * from (images or text) and how much of it, how many epochs, how many kernel threads a run uses and whether it is
 * replicated. What names a run (its net, norm, optimizer, initialisation, face, gradient penalty, …) is its key's
 * {@link org.normkit.experiments.report.RunConfig}, and only there. A worker on another machine rebuilds its data and
 * training loop from this alone, so it is plain serializable values.
 *
 * @param dataFolder    the Fashion-MNIST folder; empty for the default folder (or the built-in synthetic set)
 * @param trainLimit    use only the first N training images; 0 for all
 * @param testLimit     use only the first N test images; 0 for all
 * @param epochs        epochs per run, at least 1
 * @param kernelThreads threads of the norm kernels in one run (one, unless the user asks for more)
 * @param replication   one process, or K data-parallel replicas (and whether BatchNorm is synchronised)
 * @param text          the text file or folder of a character language model ({@code --text}), or
 *                      {@link TextCorpus#DEFAULT_FOLDER} for the fortunes (or the built-in synthetic text); empty
 *                      for images
 * @param dtype         the element type of the nets ({@code --dtype}); float64 runs start from the float32 run's
 *                      initial values, widened
 */
public record GridSetup(String dataFolder, int trainLimit, int testLimit, int epochs, int kernelThreads,
                        Replication replication, String text, DType dtype) implements Serializable {

    public GridSetup {
        if (epochs < 1 || trainLimit < 0 || testLimit < 0 || kernelThreads < 1) {
            throw new IllegalArgumentException("invalid grid setup: epochs " + epochs + ", limits " + trainLimit
                    + "/" + testLimit + ", kernel threads " + kernelThreads);
        }
        if (!text.isEmpty() && replication.isReplicated()) {
            throw new IllegalArgumentException("--text with --replicas " + replication.replicas() + " is not "
                    + "supported: data-parallel replicas split batches of images; train the language model in one "
                    + "process (leave out --replicas)");
        }
        if (dtype != DType.FLOAT32 && replication.isReplicated()) {
            throw new IllegalArgumentException("--dtype " + dtype + " with --replicas " + replication.replicas()
                    + " is not supported: the replicas' merged statistics are float32; train in one process (leave "
                    + "out --replicas) or in float32");
        }
    }

    /** float32, images ({@code text} empty) or text. */
    public GridSetup(String dataFolder, int trainLimit, int testLimit, int epochs, int kernelThreads,
                     Replication replication, String text) {
        this(dataFolder, trainLimit, testLimit, epochs, kernelThreads, replication, text, DType.FLOAT32);
    }

    /** Images from {@code dataFolder}. */
    public GridSetup(String dataFolder, int trainLimit, int testLimit, int epochs, int kernelThreads,
                     Replication replication) {
        this(dataFolder, trainLimit, testLimit, epochs, kernelThreads, replication, "", DType.FLOAT32);
    }

    /** Whether the runs model text rather than classify images. */
    public boolean isText() {
        return !text.isEmpty();
    }

    /** The data a worker loads: the folder given, else the default folder or the synthetic set, then limited. */
    public DatasetSplit loadData() {
        return limit(FashionMnist.load(dataFolder.isEmpty() ? Optional.empty() : Optional.of(Path.of(dataFolder))));
    }

    /** What a worker trains on: the images of {@link #loadData}, or the text of {@link #loadText}. */
    public Workload loadWorkload() {
        return isText() ? Workload.text(loadText(), dtype) : Workload.images(loadData(), dtype);
    }

    /** The text corpus a worker loads: the file or folder given, else the fortunes or the synthetic text, limited. */
    public TextCorpus loadText() {
        return limit(TextCorpus.load(text.equals(TextCorpus.DEFAULT_FOLDER) ? Optional.empty()
                : Optional.of(Path.of(text))));
    }

    /** {@code corpus} cut to the first {@link #trainLimit} and {@link #testLimit} documents when they are set. */
    public TextCorpus limit(TextCorpus corpus) {
        TextCorpus limited = trainLimit > 0 ? corpus.limitTrain(trainLimit) : corpus;
        return testLimit > 0 ? limited.limitTest(testLimit) : limited;
    }

    /** {@code data} cut to the first {@link #trainLimit} and {@link #testLimit} images when they are set. */
    public DatasetSplit limit(DatasetSplit data) {
        return new DatasetSplit(trainLimit > 0 ? data.train().first(trainLimit) : data.train(),
                testLimit > 0 ? data.test().first(testLimit) : data.test(), data.synthetic(), data.notice());
    }
}

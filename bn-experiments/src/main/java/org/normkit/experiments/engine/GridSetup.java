package org.normkit.experiments.engine;

import java.io.Serializable;
import java.nio.file.Path;
import java.util.Optional;

import org.normkit.autograd.spi.Face;
import org.normkit.experiments.data.DatasetSplit;
import org.normkit.experiments.data.FashionMnist;
import org.normkit.experiments.replica.Replication;

/**
 * What every run of a grid shares besides its {@link org.normkit.experiments.report.RunKey}: where the data comes
 * from and how much of it, how many epochs, which face trains and how many kernel threads a run uses. A worker on
 * another machine rebuilds its data and training loop from this alone, so it is plain serializable values.
 *
 * @param dataFolder    the Fashion-MNIST folder; empty for the default folder (or the built-in synthetic set)
 * @param trainLimit    use only the first N training images; 0 for all
 * @param testLimit     use only the first N test images; 0 for all
 * @param epochs        epochs per run, at least 1
 * @param face          the {@link Face} name the norms train with
 * @param kernelThreads threads of the norm kernels in one run (one, unless the user asks for more)
 * @param gradPenalty   λ of the gradient penalty (0 for none), as {@code --grad-penalty}
 * @param replication   one process, or K data-parallel replicas (and whether BatchNorm is synchronised)
 */
public record GridSetup(String dataFolder, int trainLimit, int testLimit, int epochs, String face, int kernelThreads,
                        double gradPenalty, Replication replication) implements Serializable {

    public GridSetup {
        if (epochs < 1 || trainLimit < 0 || testLimit < 0 || kernelThreads < 1) {
            throw new IllegalArgumentException("invalid grid setup: epochs " + epochs + ", limits " + trainLimit
                    + "/" + testLimit + ", kernel threads " + kernelThreads);
        }
        Face.valueOf(face);
    }

    public Face trainingFace() {
        return Face.valueOf(face);
    }

    /** The data a worker loads: the folder given, else the default folder or the synthetic set, then limited. */
    public DatasetSplit loadData() {
        return limit(FashionMnist.load(dataFolder.isEmpty() ? Optional.empty() : Optional.of(Path.of(dataFolder))));
    }

    /** {@code data} cut to the first {@link #trainLimit} and {@link #testLimit} images when they are set. */
    public DatasetSplit limit(DatasetSplit data) {
        return new DatasetSplit(trainLimit > 0 ? data.train().first(trainLimit) : data.train(),
                testLimit > 0 ? data.test().first(testLimit) : data.test(), data.synthetic(), data.notice());
    }
}

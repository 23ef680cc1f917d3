package org.normkit.experiments.train;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;

import org.normkit.autograd.spi.Face;
import org.normkit.autograd.spi.NormRegistry;
import org.normkit.experiments.data.DatasetSplit;
import org.normkit.experiments.data.SyntheticImages;

/** Tiny synthetic data and small configurations, so a whole experiment runs in a fraction of a second. */
final class TinyData {
    static final NormRegistry REGISTRY = NormRegistry.loadDefault();

    private TinyData() {}

    /** 256 training and 100 test images (seed 1), the same on every call. */
    static DatasetSplit split() {
        return SyntheticImages.generate(256, 100, 1);
    }

    /** mlp, Adam 1e-3, batch 32, 2 epochs, 2 seeds, into {@code out}. */
    static ExperimentConfig config(List<String> norms, Path out) {
        return new ExperimentConfig("mlp", norms, 2, 32, OptionalDouble.empty(), Optional.empty(), 0, 0, 2,
                Optional.empty(), out, 1, Face.AUTO, Optional.empty(), Optional.empty());
    }

    /** Runs experiments on {@code data} and keeps what they print. */
    static final class Console {
        private final StringWriter text = new StringWriter();
        private final ExperimentRunner runner;

        Console(DatasetSplit data) {
            runner = new ExperimentRunner(REGISTRY, new PrintWriter(text, true), Progress.silent(), folder -> data);
        }

        Console() {
            this(split());
        }

        ExperimentRunner runner() {
            return runner;
        }

        /** Runs the experiment and returns what it printed. */
        String experiment(ExperimentConfig config) {
            runner.experiment(config);
            return text.toString();
        }

        String text() {
            return text.toString();
        }
    }
}

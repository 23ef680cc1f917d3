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
import org.normkit.experiments.engine.Engine;
import org.normkit.experiments.engine.LocalEngine;

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

    /** A small text of 40 documents, separated by '%' lines, written to {@code file}. */
    static Path writeText(Path file) throws java.io.IOException {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < 40; i++) {
            s.append("the cat ").append("sat ".repeat(i % 4)).append("down\n%\n");
        }
        return java.nio.file.Files.writeString(file, s);
    }

    /** A character language model {@code net} over {@code text}: batch 8, 1 epoch, 2 seeds, Xavier init. */
    static ExperimentConfig textConfig(String net, List<String> norms, Path text, Path out) {
        return new ExperimentConfig(net, norms, 1, 8, OptionalDouble.empty(), Optional.empty(), 0, 0, 2,
                Optional.empty(), out, 1, Face.AUTO, Optional.empty(), Optional.empty(), 0, Optional.of(text),
                "xavier", "none");
    }

    /** Runs experiments on {@code data} and keeps what they print. */
    static final class Console {
        private final StringWriter text = new StringWriter();
        private final ExperimentRunner runner;

        Console(NormRegistry registry, DatasetSplit data, Engine engine) {
            runner = new ExperimentRunner(registry, new PrintWriter(text, true), Progress.silent(), folder -> data,
                    engine);
        }

        Console(DatasetSplit data, Engine engine) {
            this(REGISTRY, data, engine);
        }

        Console(DatasetSplit data) {
            this(data, new LocalEngine(1));
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

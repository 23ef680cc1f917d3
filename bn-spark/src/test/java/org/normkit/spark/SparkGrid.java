package org.normkit.spark;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;

import org.normkit.autograd.spi.Face;
import org.normkit.autograd.spi.NormRegistry;
import org.normkit.experiments.data.IdxWriter;
import org.normkit.experiments.data.SyntheticImages;
import org.normkit.experiments.engine.Engine;
import org.normkit.experiments.engine.EngineSettings;
import org.normkit.experiments.engine.Engines;
import org.normkit.experiments.engine.RowsWithoutTiming;
import org.normkit.experiments.report.SweptSetting;
import org.normkit.experiments.train.ExperimentConfig;
import org.normkit.experiments.train.ExperimentRunner;
import org.normkit.experiments.train.Progress;

/**
 * The small grid the Spark tests run: the mlp, 1 epoch, on a few hundred synthetic images written as Fashion-MNIST
 * files (executors load the data from the folder, as on a cluster). {@link #main} runs it in a process of its own,
 * for the test that kills the driver.
 */
final class SparkGrid {
    static final NormRegistry REGISTRY = NormRegistry.loadDefault();

    private SparkGrid() {}

    /** 256 training and 64 test images in {@code dir}. */
    static Path writeData(Path dir) throws IOException {
        return IdxWriter.writeFashionMnist(Files.createDirectories(dir), SyntheticImages.generate(256, 64, 1));
    }

    /** {@code norms} × {@code seeds} seeds, batch 32, 1 epoch. */
    static ExperimentConfig config(List<String> norms, int seeds, Path data, Path out) {
        return new ExperimentConfig("mlp", norms, 1, 32, OptionalDouble.empty(), Optional.empty(), 0, 0, seeds,
                Optional.of(data), out, 1, Face.AUTO, Optional.empty(), Optional.empty());
    }

    /** 40 short documents separated by '%' lines in {@code file}. */
    static Path writeText(Path file) throws IOException {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < 40; i++) {
            text.append("a dog ").append("ran ".repeat(i % 3)).append("home\n%\n");
        }
        return Files.writeString(file, text);
    }

    /** The lstm as a character language model over {@code text}: {@code norms} × 2 seeds, batch 8, Xavier init. */
    static ExperimentConfig textConfig(List<String> norms, Path text, Path out) {
        return new ExperimentConfig("lstm", norms, 1, 8, OptionalDouble.empty(), Optional.empty(), 0, 0, 2,
                Optional.empty(), out, 1, Face.AUTO, Optional.empty(), Optional.empty(), 0, Optional.of(text),
                "xavier", "none");
    }

    /** Runs the experiment on {@code engine} and returns what it printed. */
    static String experiment(Engine engine, ExperimentConfig config) {
        StringWriter text = new StringWriter();
        new ExperimentRunner(REGISTRY, new PrintWriter(text, true), Progress.silent(), engine).experiment(config);
        return text.toString();
    }

    /** Runs a batch-size sweep {@code sizes} on {@code engine} and returns what it printed. */
    static String sweep(Engine engine, ExperimentConfig config, List<Double> sizes) {
        StringWriter text = new StringWriter();
        new ExperimentRunner(REGISTRY, new PrintWriter(text, true), Progress.silent(), engine)
                .sweep(config, SweptSetting.BATCH_SIZE, sizes);
        return text.toString();
    }

    /** results.csv without the timing columns, sorted. */
    static List<String> rowsWithoutTiming(Path out) throws IOException {
        return RowsWithoutTiming.of(out);
    }

    /** The grid of the driver-kill test: {@code main DATA OUT} sweeps batch sizes 16 and 32 on local[2]. */
    static ExperimentConfig killTestConfig(Path data, Path out) {
        return config(List.of("none"), 2, data, out);
    }

    static final List<Double> KILL_TEST_SIZES = List.of(16.0, 32.0);

    public static void main(String[] args) {
        try (Engine engine = Engines.loadDefault().create(Engines.SPARK, new EngineSettings(1, Optional.of("local[2]"), List.of()))) {
            sweep(engine, killTestConfig(Path.of(args[0]), Path.of(args[1])), KILL_TEST_SIZES);
        }
    }
}

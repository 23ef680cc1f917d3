package org.normkit.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.normkit.autograd.loops.VectorWarmUp;
import org.normkit.experiments.engine.Engine;
import org.normkit.experiments.report.SweptSetting;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code normkit sweep --vary batch-size=2,4,...}: final accuracy against one varied setting, per norm. */
@Command(name = "sweep", mixinStandardHelpOptions = true,
        description = {"Run an experiment grid over one varied setting and plot final test accuracy against it per norm; "
                + "resumable like experiment.",
            "Writes sweep.md, sweep.html and sweep.png beside results.csv.",
            "Examples: --vary batch-size=2,4,8,16,32,64,128   --vary lr=0.0001,0.001,0.01,0.1"})
final class SweepCommand implements Runnable {
    @ParentCommand
    NormkitCommand parent;

    @Spec
    CommandSpec spec;

    @Mixin
    TrainingOptions options;

    @Option(names = "--vary", required = true, paramLabel = "SETTING=V1,V2,...",
            description = "batch-size=... or lr=...; the other options hold for every point of the grid.")
    String vary;

    /** The varied setting as written ({@code batch-size}, {@code lr}), its meaning and its values. */
    record Vary(String name, SweptSetting setting, List<Double> values) {

        /** Parses {@code batch-size=2,4,8} or {@code lr=0.01,0.1}; errors name the part that is wrong. */
        static Vary parse(String text) {
            int eq = text.indexOf('=');
            if (eq < 0) {
                throw new IllegalArgumentException("--vary " + text + " has no '=': write it like batch-size=2,4,8 "
                        + "or lr=0.01,0.1");
            }
            String name = text.substring(0, eq).trim();
            SweptSetting setting;
            switch (name) {
                case "batch-size": setting = SweptSetting.BATCH_SIZE; break;
                case "lr": setting = SweptSetting.LEARNING_RATE; break;
                default:
                    throw new IllegalArgumentException("--vary " + name + " is not a setting a sweep can vary: use "
                            + "batch-size or lr");
            }
            List<Double> values = new ArrayList<>();
            for (String part : text.substring(eq + 1).split(",")) {
                double v;
                try {
                    v = Double.parseDouble(part.trim());
                } catch (NumberFormatException e) {
                    v = Double.NaN;
                }
                boolean valid = setting == SweptSetting.BATCH_SIZE ? v >= 1 && v == Math.rint(v) && v <= 1 << 20
                        : v > 0 && Double.isFinite(v);
                if (!valid) {
                    throw new IllegalArgumentException("--vary " + name + ": '" + part.trim() + "' is not a "
                            + (setting == SweptSetting.BATCH_SIZE ? "batch size (a whole number >= 1)"
                                    : "learning rate (a number > 0)"));
                }
                if (!values.contains(v)) {
                    values.add(v);
                }
            }
            return new Vary(name, setting, values);
        }
    }

    @Override
    public void run() {
        Vary parsed = Vary.parse(vary);
        PrintWriter out = spec.commandLine().getOut();
        // Each setting gets its own folder by default, so a batch-size sweep and an lr sweep do not share a report.
        var config = options.toConfig(Path.of("normkit-runs", "sweep-" + parsed.name()));
        parent.applyThreads(config.threads());
        // The vector loops compile on a background thread while the norms are verified and the data loads; the
        // training runs their scalar twins (same bits) until then (docs/training-throughput.md, "What epoch 1 pays").
        VectorWarmUp.startAutograd();
        parent.verifyFaces(options.replication().registeredNorms(config.norms()), options.noVerify);
        try (Engine engine = options.engine(parent)) {
            options.runner(parent, out, engine).sweep(config, parsed.setting(), parsed.values());
        }
    }
}

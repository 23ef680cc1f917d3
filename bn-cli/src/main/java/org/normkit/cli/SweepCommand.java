package org.normkit.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;

import org.normkit.experiments.report.SweptSetting;
import org.normkit.experiments.train.ExperimentRunner;
import org.normkit.experiments.train.Progress;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code normkit sweep --vary batch-size=2,4,...}: final accuracy against one varied setting, per norm. */
@Command(name = "sweep", mixinStandardHelpOptions = true,
        description = {"Run an experiment grid over one varied setting and plot final test accuracy against it per norm "
                + "(sweep.md, sweep.html, sweep.png); resumable like experiment.",
            "Examples: --vary batch-size=2,4,8,16,32,64,128   --vary lr=0.01,0.1,1,10"})
final class SweepCommand implements Runnable {
    @ParentCommand
    NormkitCommand parent;

    @Spec
    CommandSpec spec;

    @Mixin
    TrainingOptions options;

    @Option(names = "--vary", required = true, paramLabel = "SETTING=V1,V2,...",
            description = "batch-size=... or lr=...")
    String vary;

    @Override
    public void run() {
        int eq = vary.indexOf('=');
        if (eq < 0) {
            throw new IllegalArgumentException("--vary " + vary + " has no '=': write it like batch-size=2,4,8 or lr=0.1,1");
        }
        String name = vary.substring(0, eq).trim();
        SweptSetting setting;
        switch (name) {
            case "batch-size": setting = SweptSetting.BATCH_SIZE; break;
            case "lr": setting = SweptSetting.LEARNING_RATE; break;
            default:
                throw new IllegalArgumentException("--vary " + name + " is not a setting a sweep can vary: use batch-size or lr");
        }
        List<Double> values = new ArrayList<>();
        for (String part : vary.substring(eq + 1).split(",")) {
            try {
                double v = Double.parseDouble(part.trim());
                if (!(v > 0) || (setting == SweptSetting.BATCH_SIZE && v != Math.rint(v))) {
                    throw new NumberFormatException();
                }
                values.add(v);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--vary " + name + ": '" + part + "' is not a "
                        + (setting == SweptSetting.BATCH_SIZE ? "positive integer batch size" : "positive learning rate"));
            }
        }
        if (options.out.toString().equals("normkit-runs/experiment")) {
            options.out = java.nio.file.Path.of("normkit-runs/sweep-" + name);
        }
        PrintWriter out = spec.commandLine().getOut();
        var config = options.toConfig();
        parent.applyThreads(config.threads());
        new ExperimentRunner(parent.registry(), out, options.noProgress ? Progress.silent() : Progress.automatic())
                .sweep(config, setting, values);
    }
}

package org.normkit.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;

import org.normkit.autograd.loops.VectorWarmUp;
import org.normkit.experiments.engine.Engine;
import org.normkit.experiments.report.SweptSetting;
import org.normkit.experiments.report.Variation;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code normkit sweep --vary init=default,xavier,kaiming}: final accuracy per value of one varied setting (or of two,
 * as a grid), per norm.
 */
@Command(name = "sweep", mixinStandardHelpOptions = true,
        description = {"Run an experiment grid over one varied setting, or two (every combination), and report final "
                + "test accuracy per value and norm: a line plot for a numeric setting, grouped bars for a categorical "
                + "one, with Welch t-tests between values; resumable like experiment.",
            "Writes sweep.md, sweep.html and sweep.png beside results.csv.",
            "Examples: --vary batch-size=2,4,8,16,32,64,128   --vary init=default,xavier,kaiming   "
                    + "--vary groups=1,2,4,8 --norms group_norm   --vary optimizer=sgd,adam --vary lr=0.01,0.1"})
final class SweepCommand implements Runnable {
    @ParentCommand
    NormkitCommand parent;

    @Spec
    CommandSpec spec;

    @Mixin
    TrainingOptions options;

    @Option(names = "--vary", required = true, paramLabel = "SETTING=V1,V2,...",
            description = "A setting and its values: batch-size, lr, weight-decay, dropout, grad-penalty (numbers), "
                    + "init (default|xavier|kaiming), lr-scaling (none|linear), optimizer (sgd|adam), net, "
                    + "face (auto|fused|reference), or an option every norm of --norms takes (groups=1,2,4, eps=..., "
                    + "momentum=...). Give it twice for a grid of two settings; the other options hold for every point.")
    List<String> vary;

    /** The --vary options, each parsed; errors name the setting and the values it takes. */
    List<Variation> variations() {
        return vary.stream().map(SweptSetting::parse).toList();
    }

    @Override
    public void run() {
        List<Variation> variations = variations();
        PrintWriter out = spec.commandLine().getOut();
        // Each setting gets its own folder by default, so a batch-size sweep and an init sweep do not share a report.
        var config = options.toConfig(Path.of("normkit-runs", "sweep-" + variations.stream()
                .map(variation -> variation.setting().name()).collect(Collectors.joining("-"))));
        parent.applyThreads(config.threads());
        // The vector loops compile on a background thread while the norms are verified and the data loads; the
        // training runs their scalar twins (same bits) until then (docs/training-throughput.md, "What epoch 1 pays").
        VectorWarmUp.startAutograd();
        parent.verifyFaces(options.replication().registeredNorms(config.norms()), options.noVerify);
        try (Engine engine = options.engine(parent)) {
            options.runner(parent, out, engine).sweep(config, variations);
        }
    }
}

package org.normkit.cli;

import java.io.PrintWriter;
import java.nio.file.Path;

import org.normkit.autograd.loops.VectorWarmUp;
import org.normkit.experiments.engine.Engine;
import org.normkit.experiments.train.WarmUpRehearsal;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code normkit experiment}: the main job. */
@Command(name = "experiment", mixinStandardHelpOptions = true,
        description = {"Train a small net on Fashion-MNIST with each norm and several seeds, and write a report "
                + "(report.md, report.html, PNG plots, results.csv) comparing them.",
            "Rerunning with the same --out skips the runs results.csv already holds."})
final class ExperimentCommand implements Runnable {
    static final Path DEFAULT_OUT = Path.of("normkit-runs", "experiment");

    @ParentCommand
    NormkitCommand parent;

    @Spec
    CommandSpec spec;

    @Mixin
    TrainingOptions options;

    @Option(names = "--export-init", paramLabel = "DIR", description = "Before training, write each run's initial "
            + "weights (DIR/NORM/seed-S/init.state, normkit-state/1) and batch order (batches.json), so that "
            + "scripts/pytorch/train_sequence_reference.py and train_reference.py --init-from DIR train the same runs "
            + "from the same start (a paired comparison; docs/pytorch-reference.md).")
    Path exportInit;

    @Override
    public void run() {
        PrintWriter out = spec.commandLine().getOut();
        var config = options.toConfig(DEFAULT_OUT);
        parent.applyThreads(config.threads());
        // The vector loops compile on a background thread while the norms are verified and the data loads; the
        // training runs their scalar twins (same bits) until then (docs/training-throughput.md, "What epoch 1 pays").
        // A rehearsal step of the net starts exactly the loops its training calls (ninth session; the sequence nets
        // since the twelfth, docs/sequence.md).
        if (config.text().isPresent() && WarmUpRehearsal.coversText(config.net())) {
            WarmUpRehearsal.rehearseText(parent.registry(), config.net(), config.norms(), config.dtype(),
                    config.face());
        } else if (config.text().isEmpty() && WarmUpRehearsal.covers(config.net())) {
            WarmUpRehearsal.rehearse(parent.registry(), config.net(), config.norms(), config.dtype(), config.face());
        } else {
            VectorWarmUp.startAutograd();
        }
        parent.verifyFaces(options.replication().registeredNorms(config.norms()), options.noVerify);
        try (Engine engine = options.engine(parent)) {
            var runner = options.runner(parent, out, engine);
            if (exportInit != null) {
                runner.exportingStarts(exportInit);
            }
            runner.experiment(config);
        }
    }
}

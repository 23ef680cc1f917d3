package org.normkit.experiments.engine;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Consumer;

import org.normkit.autograd.nn.Module;
import org.normkit.autograd.optim.Optimizer;
import org.normkit.autograd.spi.ExecutionMode;
import org.normkit.autograd.spi.NormRegistry;
import org.normkit.autograd.spi.UnsupportedInputException;
import org.normkit.experiments.data.Batches;
import org.normkit.experiments.data.DatasetSplit;
import org.normkit.experiments.report.ResultRow;
import org.normkit.experiments.report.ResultsCsv;
import org.normkit.experiments.report.RunKey;
import org.normkit.experiments.train.DivergedException;
import org.normkit.experiments.train.ImpossiblePairingException;
import org.normkit.experiments.train.NormSlot;
import org.normkit.experiments.train.Nets;
import org.normkit.experiments.train.Optimizers;
import org.normkit.experiments.train.Progress;
import org.normkit.experiments.train.Trainer;

/**
 * Trains one run from start to end on whatever thread or machine calls it, and returns its rows: the unit of work
 * every {@link Engine} executes. It writes nothing; the driver alone appends the rows to {@code results.csv}.
 *
 * <p>A run depends on its seed alone (initialisation, dropout masks, batch order), never on the thread or the
 * process that trains it, so any engine with any number of parallel runs gives the same rows (timings aside).
 *
 * <p>Thread safety: {@link #train} may be called from several threads at once; each call builds its own net and
 * optimizer, and the data is only read.
 */
public final class RunTrainer {
    private final NormRegistry registry;
    private final DatasetSplit data;
    private final Progress.Factory progress;

    public RunTrainer(NormRegistry registry, DatasetSplit data, Progress.Factory progress) {
        this.registry = registry;
        this.data = data;
        this.progress = progress;
    }

    /** Where this trainer's data came from, as {@link RunOutcome#dataOrigin} reports it. */
    public String dataOrigin() {
        return data.train().origin() + "; " + data.test().origin();
    }

    /**
     * Trains {@code task}, printing one line per epoch to {@code log}. A diverged run finishes with a diverged row;
     * a norm that cannot sit in the net is an impossible outcome. Any other error is thrown, for the engine to
     * retry or record as failed.
     */
    public RunOutcome train(RunTask task, Consumer<String> log) {
        RunKey key = task.key();
        GridSetup setup = task.setup();
        Trainer trainer = new Trainer(progress);
        List<ResultRow> rows = new ArrayList<>();
        try {
            // One seed drives the initialisation (and dropout masks) and the batch order: same seed, same numbers.
            SplittableRandom init = new SplittableRandom(key.seed());
            Module net = Nets.build(key.net(), new NormSlot(registry, key.norm()), key.dropout(), init);
            Optimizer optimizer = Optimizers.create(key.optimizer(), net.parameters(), key.lr(), key.weightDecay());
            Batches batches = Batches.of(data.train().rows(), key.batchSize(), key.seed());
            for (int epoch = 1; epoch <= setup.epochs(); epoch++) {
                String bar = key.norm() + " seed " + key.seed() + " epoch " + epoch + "/" + setup.epochs();
                Trainer.EpochResult trained;
                Trainer.Evaluation test;
                try (ExecutionMode.Scope ignored = ExecutionMode.scope(setup.executionMode())) {
                    trained = trainer.trainEpoch(net, optimizer, data.train(), batches, epoch, bar);
                    test = trainer.evaluate(net, data.test());
                } catch (DivergedException e) {
                    rows.add(ResultRow.diverged(key, epoch, e.loss(), e.seconds()));
                    log.accept("diverged: net " + key.net() + ", norm " + key.norm() + ", seed " + key.seed()
                            + ", epoch " + e.epoch() + ", step " + e.step() + ": training loss " + e.loss() + " (lr "
                            + RunOutcome.number(key.lr()) + ", batch size " + key.batchSize() + "); recorded as "
                            + "diverged in " + ResultsCsv.FILE_NAME);
                    return RunOutcome.finished(key, rows, dataOrigin());
                }
                rows.add(ResultRow.ok(key, epoch, trained.trainLoss(), test.loss(), test.accuracy(),
                        trained.trainAccuracy(), trained.seconds(), trained.samplesPerSecond()));
                log.accept(String.format("%s epoch %d/%d: train loss %.4f, train acc %.4f, test loss %.4f, test acc "
                        + "%.4f, %.1f s, %,.0f samples/s", task.label(), epoch, setup.epochs(), trained.trainLoss(),
                        trained.trainAccuracy(), test.loss(), test.accuracy(), trained.seconds(),
                        trained.samplesPerSecond()));
            }
            return RunOutcome.finished(key, rows, dataOrigin());
        } catch (ImpossiblePairingException | UnsupportedInputException e) {
            return RunOutcome.impossible(key, key.net() + " with " + key.norm() + " at batch size " + key.batchSize()
                    + " is not possible: " + e.getMessage(), dataOrigin());
        }
    }
}

package org.normkit.experiments.engine;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Consumer;

import org.normkit.autograd.nn.Module;
import org.normkit.autograd.optim.Optimizer;
import org.normkit.autograd.spi.Face;
import org.normkit.autograd.spi.NormRegistry;
import org.normkit.autograd.spi.UnsupportedInputException;
import org.normkit.autograd.tensor.DType;
import org.normkit.autograd.tensor.Tensor;
import org.normkit.experiments.data.Batches;
import org.normkit.autograd.spi.NormSpec;
import org.normkit.core.replica.StatsReducer;
import org.normkit.core.replica.SyncBatchNorm;
import org.normkit.core.replica.ThreadStatsReducer;
import org.normkit.experiments.replica.DataParallel;
import org.normkit.experiments.replica.Replication;
import org.normkit.experiments.report.ProbeRow;
import org.normkit.experiments.report.ResultRow;
import org.normkit.experiments.report.ResultsCsv;
import org.normkit.experiments.report.RunKey;
import org.normkit.experiments.train.BatchStatisticsProbe;
import org.normkit.experiments.train.DivergedException;
import org.normkit.experiments.train.ImpossiblePairingException;
import org.normkit.experiments.train.Initialisation;
import org.normkit.experiments.train.NormSlot;
import org.normkit.experiments.train.Optimizers;
import org.normkit.experiments.train.Progress;
import org.normkit.experiments.train.Trainer;
import org.normkit.experiments.train.Workload;
import org.normkit.experiments.train.Workload.Learning;

/**
 * Trains one run from start to end on whatever thread or machine calls it, and returns its rows: the unit of work
 * every {@link Engine} executes. It writes nothing; the driver alone appends the rows to {@code results.csv}. Any
 * net trains on any {@link Workload} the same way: an image classifier on images, a sequence net on images read row
 * by row or on text.
 *
 * <p>A run depends on its seed alone (initialisation, dropout masks, batch order), never on the thread or the
 * process that trains it, so any engine with any number of parallel runs gives the same rows (timings aside).
 *
 * <p>Thread safety: {@link #train} may be called from several threads at once; each call builds its own net and
 * optimizer, and the data is only read.
 */
public final class RunTrainer {
    private final NormRegistry registry;
    private final Workload work;
    private final Progress.Factory progress;

    public RunTrainer(NormRegistry registry, Workload work, Progress.Factory progress) {
        this.registry = registry;
        this.work = work;
        this.progress = progress;
    }

    /** Where this trainer's data came from, as {@link RunOutcome#dataOrigin} reports it. */
    public String dataOrigin() {
        return work.origin();
    }

    /**
     * Trains {@code task}, printing one line per epoch to {@code log} and handing each epoch's row to {@code epochs}
     * as it ends (the outcome holds them all again). A diverged run finishes with a diverged row;
     * a norm that cannot sit in the net is an impossible outcome. Any other error is thrown, for the engine to
     * retry or record as failed.
     */
    public RunOutcome train(RunTask task, Consumer<String> log, Consumer<ResultRow> epochs) {
        RunKey key = task.key();
        GridSetup setup = task.setup();
        List<ResultRow> rows = new ArrayList<>();
        List<ProbeRow> probed = new ArrayList<>();
        Learning learning = null;
        BatchStatisticsProbe probe = null;
        try {
            learning = learning(key, setup);
            probe = BatchStatisticsProbe.attach(learning.net());
            Batches batches = batches(key);
            Face face = Face.parse(key.config().face());
            for (int epoch = 1; epoch <= setup.epochs(); epoch++) {
                String bar = key.config().norm() + " seed " + key.seed() + " epoch " + epoch + "/" + setup.epochs();
                Trainer.EpochResult trained;
                Trainer.Evaluation test;
                try (Face.Scope ignored = Face.scope(face)) {
                    trained = work.trainEpoch(learning, batches, epoch, bar, progress);
                    test = work.evaluate(learning.net());
                } catch (DivergedException e) {
                    rows.add(ResultRow.diverged(key, epoch, e.loss(), e.seconds()));
                    epochs.accept(rows.get(rows.size() - 1));
                    log.accept("diverged: net " + key.config().net() + ", norm " + key.config().norm() + ", seed " + key.seed()
                            + ", epoch " + e.epoch() + ", step " + e.step() + ": training loss " + e.loss() + " (lr "
                            + RunOutcome.number(key.config().lr()) + ", batch size " + key.config().batchSize() + "); recorded as "
                            + "diverged in " + ResultsCsv.FILE_NAME);
                    probe.endEpoch(key, epoch).ifPresent(probed::add);
                    return RunOutcome.finished(key, rows, dataOrigin()).withProbe(probed);
                }
                probe.endEpoch(key, epoch).ifPresent(probed::add);
                rows.add(ResultRow.ok(key, epoch, trained.trainLoss(), test.loss(), test.accuracy(),
                        trained.trainAccuracy(), trained.seconds(), trained.samplesPerSecond())
                        .withJvmSeconds(trained.jitSeconds(), trained.gcSeconds()));
                epochs.accept(rows.get(rows.size() - 1));
                log.accept(String.format("%s epoch %d/%d: train loss %.4f, train acc %.4f, test loss %.4f, test acc "
                        + "%.4f, %.1f s, %,.0f %s/s%s", task.label(), epoch, setup.epochs(), trained.trainLoss(),
                        trained.trainAccuracy(), test.loss(), test.accuracy(), trained.seconds(),
                        trained.samplesPerSecond(), work.unit(), work.extra(test)));
            }
            return RunOutcome.finished(key, rows, dataOrigin()).withProbe(probed);
        } catch (ImpossiblePairingException | UnsupportedInputException e) {
            return RunOutcome.impossible(key, key.config().net() + " with " + key.config().norm() + " at batch size " + key.config().batchSize()
                    + " is not possible: " + e.getMessage(), dataOrigin());
        } finally {
            if (probe != null) {
                probe.detach();
            }
            if (learning != null && learning.learner() instanceof DataParallel replicas) {
                replicas.close();
            }
        }
    }

    /**
     * Where {@code task} starts from: the initial state of the net it trains and its batch order, exactly as
     * {@link #train} builds them (the same calls, the same seed), for {@code normkit experiment --export-init}.
     */
    public RunStart start(RunTask task) {
        if (task.setup().replication().isReplicated()) {
            throw new IllegalArgumentException("--export-init with --replicas " + task.setup().replication().replicas()
                    + ": a replicated run trains K nets on parts of each batch, which no single-process run pairs with; "
                    + "export the start of runs in one process (leave out --replicas)");
        }
        Module net = build(task.key(), new NormSlot(registry, task.key().config().norm()));
        return new RunStart(net.stateDict(), batches(task.key()), task.setup().epochs());
    }

    /** The order in which the run of {@code key} visits the training rows: its seed's. */
    private Batches batches(RunKey key) {
        return Batches.of(work.trainingRows(), key.config().batchSize(), key.seed());
    }

    /** The net to evaluate, and how it learns a batch: alone, or as K data-parallel replicas. */
    private Learning learning(RunKey key, GridSetup setup) {
        Replication replication = setup.replication();
        if (!replication.isReplicated()) {
            Module net = build(key, new NormSlot(registry, key.config().norm()));
            Optimizer optimizer = optimizer(key, net);
            return new Learning(net, optimizer, Trainer.singleProcess(net, optimizer, key.config().gradPenalty()));
        }
        if (key.config().gradPenalty() > 0) {
            throw new IllegalArgumentException("--grad-penalty with --replicas is not supported: the penalty's "
                    + "input gradient would need the replicas' gradients of each other's rows; train in one process");
        }
        String norm = replication.normOf(key.config().norm());
        StatsReducer reducer = new ThreadStatsReducer(replication.replicas());
        List<Module> nets = new ArrayList<>();
        List<Optimizer> optimizers = new ArrayList<>();
        for (int r = 0; r < replication.replicas(); r++) {
            int replica = r;
            NormSlot slot = norm.equals(Replication.SYNC_BATCH_NORM)
                    ? NormSlot.of(norm, shape -> new SyncBatchNorm(NormSpec.of(shape.dim(1)), reducer, replica))
                    : new NormSlot(registry, norm);
            Module net = build(key, slot);
            nets.add(net);
            optimizers.add(optimizer(key, net));
        }
        DataParallel replicas = new DataParallel(nets, optimizers, reducer);
        return new Learning(replicas.primary(), optimizers.get(0), replicas);
    }

    /**
     * One seed drives the initialisation (and dropout masks) and the batch order: same seed, same numbers. The
     * {@code --init} scheme redraws the weights from the same stream, after the net's own initialisation. A net of
     * another dtype than float32 ({@code --dtype float64}) starts from the float32 net's values, widened: the same
     * draws, each rounded to float32, so that the float64 and the float32 run of a seed differ by the arithmetic
     * alone, and a float64 export pairs with PyTorch's float64 run from the float32 export.
     */
    private Module build(RunKey key, NormSlot slot) {
        SplittableRandom random = new SplittableRandom(key.seed());
        Module net = work.build(key.config(), slot, random);
        Initialisation.apply(net, key.config().init(), random);
        if (work.dtype() != DType.FLOAT32) {
            roundToFloat32(net);
        }
        return net;
    }

    /** Every parameter and buffer of {@code net} rounded to the nearest float32 value, in place. */
    static void roundToFloat32(Module net) {
        for (Tensor t : net.stateDict().values()) {
            for (int i = 0; i < t.numel(); i++) {
                t.set(i, (float) t.get(i));
            }
        }
    }

    private static Optimizer optimizer(RunKey key, Module net) {
        return Optimizers.create(key.config().optimizer(), net.parameters(), key.config().lr(), key.config().weightDecay());
    }
}

package org.normkit.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;

import org.normkit.autograd.spi.Face;
import org.normkit.autograd.tensor.DType;
import org.normkit.experiments.data.TextCorpus;
import org.normkit.experiments.engine.Engine;
import org.normkit.experiments.engine.EngineSettings;
import org.normkit.experiments.engine.Engines;
import org.normkit.experiments.replica.Replication;
import org.normkit.experiments.report.ReportWriter;
import org.normkit.experiments.train.ExperimentConfig;
import org.normkit.experiments.train.ExperimentRunner;
import org.normkit.experiments.train.RunBudget;
import org.normkit.experiments.train.Progress;

import picocli.CommandLine.Option;

/** The options {@code experiment} and {@code sweep} share. */
final class TrainingOptions {
    @Option(names = "--net", paramLabel = "NET", defaultValue = "mlp", description = "mlp, lenet, transformer or lstm "
            + "(default: ${DEFAULT-VALUE}); transformer and lstm read an image as 28 rows, or text with --text.")
    String net;

    @Option(names = "--norms", split = ",", paramLabel = "NAME",
            description = "Norms to compare, comma-separated; 'none' for no norm; any registered name, with options "
                    + "as name:key=value:key=value, e.g. group_norm:groups=2; the sequence nets read masked=false "
                    + "(padding in the statistics) and per_step=true (lstm) (default: none,batch_norm,layer_norm,group_norm).")
    List<String> norms = new ArrayList<>(List.of("none", "batch_norm", "layer_norm", "group_norm"));

    // The defaults make the README's first command a comparison worth reading in about five minutes on two cores:
    // 4 norms × 5 seeds × 10 epochs of the mlp (measured: none and batch_norm took 95 s). Five seeds are the fewest
    // whose 95 % intervals (t = 2.78) can separate norms that differ by a point; two seeds (t = 12.7) cannot.
    @Option(names = "--epochs", paramLabel = "N", description = "Epochs per run (default: 10; 3 for transformer and lstm).")
    Integer epochs;

    @Option(names = "--batch-size", paramLabel = "B", defaultValue = "128", description = "Mini-batch size (default: ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(names = "--lr", paramLabel = "LR", description = "Learning rate (default: 1e-3 for adam; for sgd 1.0 with a norm, 0.9 without).")
    Double lr;

    @Option(names = "--optimizer", paramLabel = "OPTIMIZER", description = "sgd or adam (default: adam for mlp, sgd for lenet).")
    String optimizer;

    @Option(names = "--weight-decay", paramLabel = "W", defaultValue = "0", description = "L2 weight decay (default: ${DEFAULT-VALUE}).")
    double weightDecay;

    @Option(names = "--dropout", paramLabel = "P", defaultValue = "0", description = "Dropout probability after the hidden activations (default: ${DEFAULT-VALUE}).")
    double dropout;

    @Option(names = "--seeds", paramLabel = "K",
            description = "How many seeds each norm trains with: seeds 0, 1, ..., K-1; each seed fixes the "
                    + "initialisation and the batch order (default: 5; 2 for transformer and lstm).")
    Integer seeds;

    @Option(names = "--data", paramLabel = "DIR", description = "Folder with the Fashion-MNIST IDX files (default: /usr/share/datasets/fashion-mnist, "
            + "or a small built-in synthetic set when absent).")
    Path data;

    @Option(names = "--out", paramLabel = "DIR", description = "Output folder (default: normkit-runs/experiment, "
            + "for a sweep normkit-runs/sweep-SETTING, or sweep-SETTING-SETTING for two); rerunning with the same "
            + "folder resumes.")
    Path out;

    @Option(names = "--threads", paramLabel = "T", defaultValue = "1", description = "Threads of the kernels (norms, convolutions, "
            + "the linear layers' products, the optimizer), as set_num_threads in PyTorch (default: ${DEFAULT-VALUE}). "
            + "./normkit runs OpenBLAS on one thread unless OPENBLAS_NUM_THREADS says otherwise.")
    int threads;

    @Option(names = "--face", paramLabel = "FACE", defaultValue = "auto", description = "Which face of each norm trains: auto (fused when "
            + "the norm has one), fused or reference, to check that both train alike (default: ${DEFAULT-VALUE}).")
    String face;

    @Option(names = "--limit-train", paramLabel = "N", description = "Use only the first N training images or documents (quick runs; "
            + "default: all, 2000 for transformer and lstm).")
    Integer limitTrain;

    @Option(names = "--limit-test", paramLabel = "N", description = "Use only the first N test images or documents (quick runs; "
            + "default: all, 1000 for transformer and lstm).")
    Integer limitTest;

    @Option(names = "--text", arity = "0..1", paramLabel = "FILE", fallbackValue = TextCorpus.DEFAULT_FOLDER,
            description = "Character-level language modelling (transformer, lstm) on FILE or a folder of files, "
                    + "documents separated by '%%' lines or blank lines; without FILE the fortunes of Debian's "
                    + "fortunes package, or a built-in synthetic text when it is not installed.")
    Path text;

    @Option(names = "--init", paramLabel = "SCHEME", defaultValue = "default", description = "Weights of linear and conv layers: default "
            + "(PyTorch's), xavier or kaiming (default: ${DEFAULT-VALUE}).")
    String init;

    @Option(names = "--lr-scaling", paramLabel = "RULE", defaultValue = "none", description = "none, or linear: lr = base x batch size / "
            + "128, for batch-size sweeps (default: ${DEFAULT-VALUE}).")
    String lrScaling;

    @Option(names = "--dtype", paramLabel = "TYPE", defaultValue = "float32", description = "Element type of the "
            + "nets' parameters, activations and norm buffers: float32, or float64, which starts from the float32 "
            + "run's initial values and shows what float32 rounding does to a run (default: ${DEFAULT-VALUE}).")
    String dtype;

    @Option(names = "--engine", defaultValue = "local", paramLabel = "ENGINE", description = "Where runs train: "
            + "local (a pool in this JVM) or spark (Apache Spark, with the bn-spark module; see --master) "
            + "(default: ${DEFAULT-VALUE}).")
    String engine;

    @Option(names = "--parallel", defaultValue = "1", paramLabel = "N", description = "Runs that train at the same "
            + "time, each with --threads kernel threads; results do not depend on it (default: ${DEFAULT-VALUE}).")
    int parallel;

    @Option(names = "--master", paramLabel = "URL", description = "For --engine spark: local[2], spark://host:7077, "
            + "...; leave it out under spark-submit, which sets it.")
    String master;

    @Option(names = "--replicas", defaultValue = "1", paramLabel = "K", description = "Train each run data-parallel "
            + "with K replicas on threads, each taking batch-size/K rows of every batch; gradients are summed, so "
            + "they step together (default: ${DEFAULT-VALUE}, one process).")
    int replicas;

    @Option(names = "--sync-bn", description = "With --replicas: BatchNorm normalises with the statistics of the "
            + "whole batch, merged across replicas (recorded as sync_batch_norm_xK); sync_batch_norm in --norms "
            + "does the same for one entry of the list.")
    boolean syncBatchNorm;

    @Option(names = "--no-verify", description = "Skip the check, made once per norm before training, that its "
            + "reference and fused faces agree on a small input.")
    boolean noVerify;

    @Option(names = "--wait", description = "When another run is writing to the same --out, wait for it to end "
            + "instead of stopping with an error.")
    boolean waitForBusyFolder;

    @Option(names = "--grad-penalty", paramLabel = "λ", defaultValue = "0",
            description = "Add λ·‖∂loss/∂input‖² to the training loss, a gradient penalty that needs the gradient of "
                    + "a gradient (docs/grad-penalty.md; default: ${DEFAULT-VALUE}, none).")
    double gradPenalty;

    @Option(names = "--no-progress", description = "No progress bar (it is also off when stderr is not a terminal).")
    boolean noProgress;

    /**
     * The engine {@code --engine} names among the command's {@link Engines}, with {@code --parallel} and
     * {@code --master}; the plugins reach its workers.
     */
    Engine engine(NormkitCommand parent) {
        return parent.part(Engines.class).create(engine, new EngineSettings(parallel, Optional.ofNullable(master),
                parent.plugins));
    }

    /**
     * The runner of {@code experiment} and {@code sweep}: the command's registry, data source, report writer and
     * output, on {@code engine}, with {@code --replicas}, {@code --sync-bn}, {@code --wait} and {@code --no-progress}; its reports
     * record the command line.
     */
    ExperimentRunner runner(NormkitCommand parent, PrintWriter out, Engine engine) {
        return new ExperimentRunner(parent.registry(), out, noProgress ? Progress.silent() : Progress.automatic(),
                parent.part(ExperimentRunner.DataSource.class), engine)
                .withCommandLine(parent.commandLine())
                .withReportWriter(parent.part(ReportWriter.class))
                .withReplication(replication())
                .waitingForBusyFolder(waitForBusyFolder);
    }

    /** {@code --replicas} and {@code --sync-bn}. */
    Replication replication() {
        return new Replication(replicas, syncBatchNorm);
    }

    /** The settings, writing to {@code --out} when given, else to {@code defaultOut}. */
    ExperimentConfig toConfig(Path defaultOut) {
        RunBudget budget = RunBudget.defaultFor(net);
        return new ExperimentConfig(net, norms, epochs == null ? budget.epochs() : epochs, batchSize,
                lr == null ? OptionalDouble.empty() : OptionalDouble.of(lr), Optional.ofNullable(optimizer),
                weightDecay, dropout, seeds == null ? budget.seeds() : seeds, Optional.ofNullable(data),
                out == null ? defaultOut : out, threads, Face.parse(face),
                limitTrain == null ? budget.trainLimit() : Optional.of(limitTrain),
                limitTest == null ? budget.testLimit() : Optional.of(limitTest), gradPenalty,
                Optional.ofNullable(text), init, lrScaling, dtype());
    }

    /** {@code --dtype}: float32 or float64, nothing else (the spellings DType.parse also takes are refused). */
    private DType dtype() {
        return switch (dtype) {
            case "float32" -> DType.FLOAT32;
            case "float64" -> DType.FLOAT64;
            default -> throw new IllegalArgumentException("--dtype " + dtype + " is unknown: use float32 or float64");
        };
    }
}

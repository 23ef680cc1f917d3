package org.normkit.experiments.train;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.stream.Collectors;

import org.normkit.autograd.nn.Module;
import org.normkit.autograd.loops.Gemm;
import org.normkit.autograd.optim.Optimizer;
import org.normkit.autograd.spi.Face;
import org.normkit.autograd.spi.NormRegistry;
import org.normkit.autograd.spi.UnsupportedInputException;
import org.normkit.experiments.data.Batches;
import org.normkit.experiments.data.Dataset;
import org.normkit.experiments.data.DatasetSplit;
import org.normkit.experiments.data.FashionMnist;
import org.normkit.experiments.data.TextCorpus;
import org.normkit.experiments.report.ExperimentReport;
import org.normkit.experiments.report.ReportContext;
import org.normkit.experiments.report.ResultRow;
import org.normkit.experiments.report.ResultsCsv;
import org.normkit.experiments.report.RunConfig;
import org.normkit.experiments.report.RunKey;
import org.normkit.experiments.report.SweepReport;
import org.normkit.experiments.report.SweptSetting;

/**
 * Runs experiments: every norm × seed of a configuration (and, for a sweep, every varied value), appending each
 * epoch's row to {@code results.csv} as it comes, skipping runs the file already holds (so a killed run resumes),
 * then writes the report. A diverged run is a result (recorded as {@code diverged}); a norm that cannot sit in the
 * net is reported and skipped, and the other norms still run.
 *
 * <p>{@code results.csv} identifies a run by its {@link RunKey}, which does not name the data or the face. So that a
 * rerun never mixes rows from different data into one report (say, synthetic rows from before the real data was
 * installed), the output folder also holds {@value #SETUP_FILE}, and a rerun whose data or face differ is refused.
 */
public final class ExperimentRunner {
    /** The file beside results.csv that records what its rows were trained on. */
    public static final String SETUP_FILE = "setup.txt";

    /**
     * Where the images come from: {@link FashionMnist#load} (Fashion-MNIST from the folder or the system's
     * package, or the built-in synthetic set), or any other source an application binds in its place.
     */
    @FunctionalInterface
    public interface DataSource {
        /** The training and test sets, read from {@code folder} when given. */
        DatasetSplit load(Optional<Path> folder);
    }

    private final NormRegistry registry;
    private final PrintWriter out;
    private final Trainer trainer;
    private final JobProgress job = new JobProgress();
    private final DataSource dataSource;
    private boolean waitForBusyFolder;
    private String commandLine = "unknown (not started from the command line)";

    public ExperimentRunner(NormRegistry registry, PrintWriter out, Progress.Factory progress) {
        this(registry, out, progress, FashionMnist::load);
    }

    public ExperimentRunner(NormRegistry registry, PrintWriter out, Progress.Factory progress, DataSource dataSource) {
        this.registry = registry;
        this.out = out;
        this.trainer = new Trainer(progress.forJob(job));
        this.dataSource = dataSource;
    }

    /**
     * With {@code wait}, a run into a folder another run is writing to waits for it to end; without (the default),
     * it is refused naming the other run.
     */
    public ExperimentRunner waitingForBusyFolder(boolean wait) {
        this.waitForBusyFolder = wait;
        return this;
    }

    /** The command line that started this run, for the reports' provenance line. */
    public ExperimentRunner withCommandLine(String line) {
        this.commandLine = line;
        return this;
    }

    /** Trains every norm × seed of {@code config} and writes report.md/report.html; returns the report's path. */
    public Path experiment(ExperimentConfig config) {
        requireRegistered(config.norms());
        try (ResultsFolderLock ignored = lock(config)) {
            return experimentInLockedFolder(config);
        }
    }

    private Path experimentInLockedFolder(ExperimentConfig config) {
        Workload work = load(config);
        ResultsCsv csv = open(config, work, Optional.empty());
        planJob(List.of(config), work, csv);
        List<String> notRun = runAll(config, work, csv);
        Map<String, String> described = describe(config, work, notRun);
        ReportContext context = ReportContext.of(described, work.notice(), work.synthetic())
                .withTitle("normkit experiment: " + config.net() + " on " + work.title());
        ExperimentReport.of(rowsOf(csv, keys(config), config.epochs()), context).writeTo(config.out());
        Path report = config.out().resolve(ExperimentReport.MARKDOWN_FILE);
        out.println("report: " + report.toAbsolutePath() + " (also " + ExperimentReport.HTML_FILE + ", "
                + ExperimentReport.ACCURACY_PLOT + ", " + ExperimentReport.LOSS_PLOT + ", " + ResultsCsv.FILE_NAME + ")");
        out.flush();
        return report;
    }

    /** Runs the grid of {@code setting} over {@code values}, then writes sweep.md/sweep.html/sweep.png. */
    public Path sweep(ExperimentConfig config, SweptSetting setting, List<Double> values) {
        requireRegistered(config.norms());
        try (ResultsFolderLock ignored = lock(config)) {
            return sweepInLockedFolder(config, setting, values);
        }
    }

    private Path sweepInLockedFolder(ExperimentConfig config, SweptSetting setting, List<Double> values) {
        Workload work = load(config);
        ResultsCsv csv = open(config, work, Optional.of(setting));
        List<ExperimentConfig> points = values.stream().map(value -> setting == SweptSetting.BATCH_SIZE
                ? config.withBatchSize((int) Math.round(value)) : config.withLr(value)).toList();
        planJob(points, work, csv);
        List<String> notRun = new ArrayList<>();
        List<RunKey> keys = new ArrayList<>();
        for (int i = 0; i < values.size(); i++) {
            double value = values.get(i);
            ExperimentConfig point = points.get(i);
            out.println("== " + setting.words() + " " + format(value));
            notRun.addAll(runAll(point, work, csv));
            keys.addAll(keys(point));
        }
        Map<String, String> described = describe(config, work, notRun);
        described.put(setting.words(), "varied: " + values.stream().map(ExperimentRunner::format)
                .collect(Collectors.joining(", ")));
        ReportContext context = ReportContext.of(described, work.notice(), work.synthetic())
                .withTitle("normkit sweep: " + config.net() + ", final test accuracy against " + setting.words());
        SweepReport report = SweepReport.of(rowsOf(csv, keys, config.epochs()), setting, context);
        report.writeTo(config.out());
        report.crossingSentences().forEach(out::println);
        Path path = config.out().resolve(SweepReport.MARKDOWN_FILE);
        out.println("report: " + path.toAbsolutePath() + " (also " + SweepReport.HTML_FILE + ", " + SweepReport.PLOT
                + ", " + ResultsCsv.FILE_NAME + ")");
        out.flush();
        return path;
    }

    private static String format(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e9 ? Long.toString((long) v) : Double.toString(v);
    }

    /** Fails before anything trains when a name is unknown, rather than after the norms before it have run. */
    private void requireRegistered(List<String> norms) {
        for (String label : norms) {
            String norm = NormSlot.nameOf(label);
            if (!NormSlot.NONE.equals(norm) && !registry.contains(norm)) {
                throw new IllegalArgumentException("--norms: unknown normalization '" + norm + "'; registered: "
                        + String.join(", ", registry.names()) + ", and " + NormSlot.NONE + " for no norm (a plugin's "
                        + "norms appear with --plugins path/to/plugin.jar)");
            }
        }
    }

    /** The data, announced: a synthetic-data notice is the first line this prints. */
    private Workload load(ExperimentConfig config) {
        if (config.text().isPresent()) {
            return loadText(config);
        }
        DatasetSplit data = dataSource.load(config.data());
        if (data.synthetic()) {
            out.println(data.notice());
        }
        Dataset train = config.trainLimit().map(data.train()::first).orElse(data.train());
        Dataset test = config.testLimit().map(data.test()::first).orElse(data.test());
        out.println("data: " + train.rows() + " training and " + test.rows() + " test images (" + train.origin()
                + "; " + test.origin() + ")");
        out.flush();
        DatasetSplit split = new DatasetSplit(train, test, data.synthetic(), data.notice());
        return new ImageWorkload(split, trainer, config.net(), config.dropout());
    }

    private Workload loadText(ExperimentConfig config) {
        Path source = config.text().get();
        TextCorpus corpus = TextCorpus.load(source.equals(Path.of(TextCorpus.DEFAULT_FOLDER)) ? Optional.empty()
                : Optional.of(source));
        if (corpus.synthetic()) {
            out.println(corpus.notice());
        }
        corpus = config.trainLimit().map(corpus::limitTrain).orElse(corpus);
        corpus = config.testLimit().map(corpus::limitTest).orElse(corpus);
        TextWorkload work = new TextWorkload(corpus, new LanguageModelTrainer(trainer.progress()), config.net());
        out.println("data: " + corpus.train().size() + " training and " + corpus.test().size() + " held-out "
                + "documents, " + TextCorpus.characters(corpus.train()) + " and " + TextCorpus.characters(corpus.test())
                + " characters, vocabulary " + work.vocabularySize() + " (" + corpus.origin() + ")");
        out.flush();
        return work;
    }

    /**
     * Waits for, or refuses, a folder another run is writing to: two runs appending to one results.csv would each
     * overwrite the other's rows.
     */
    private ResultsFolderLock lock(ExperimentConfig config) {
        return ResultsFolderLock.acquire(config.out(), waitForBusyFolder, this::warn);
    }

    /**
     * results.csv in the output folder, after checking that its rows were trained with this experiment's definition
     * ({@link ExperimentDefinition}); a folder of another definition is refused, naming the settings that differ.
     */
    private ResultsCsv open(ExperimentConfig config, Workload work, Optional<SweptSetting> swept) {
        ResultsCsv csv = ResultsCsv.open(config.out().resolve(ResultsCsv.FILE_NAME), this::warn);
        Path setupFile = config.out().resolve(SETUP_FILE);
        ExperimentDefinition definition = ExperimentDefinition.of(config, work.origin(), swept);
        if (!csv.rows().isEmpty()) {
            ExperimentDefinition.read(setupFile).ifPresent(recorded -> {
                List<String> differences = definition.differencesFrom(recorded);
                if (!differences.isEmpty()) {
                    throw new IllegalArgumentException(config.out() + " holds the results of another experiment, "
                            + "which must not mix with these in one report: " + String.join("; ", differences)
                            + ". Choose another --out, or delete " + csv.file() + " to start over");
                }
            });
        }
        definition.write(setupFile);
        return csv;
    }

    /** Tells the progress display how many runs and steps the job has left to train. */
    private void planJob(List<ExperimentConfig> points, Workload work, ResultsCsv csv) {
        int runs = 0;
        long steps = 0;
        for (ExperimentConfig point : points) {
            if (point.batchSize() > work.trainingRows()) {
                String rows = work instanceof TextWorkload ? " training documents" : " training images";
                warn("--batch-size " + point.batchSize() + " is larger than the " + work.trainingRows() + rows
                        + ": every epoch is one batch of " + work.trainingRows());
            }
            Set<RunKey> done = csv.completedRuns(point.epochs());
            long stepsPerRun = (long) point.epochs()
                    * Batches.of(work.trainingRows(), point.batchSize(), 0).batchesPerEpoch();
            for (RunKey key : keys(point)) {
                if (!done.contains(key)) {
                    runs++;
                    steps += stepsPerRun;
                }
            }
        }
        job.plan(runs, steps);
    }

    /** Runs what is missing; returns one line per norm that could not be paired with the net. */
    private List<String> runAll(ExperimentConfig config, Workload work, ResultsCsv csv) {
        Set<RunKey> done = csv.completedRuns(config.epochs());
        List<String> notRun = new ArrayList<>();
        for (String norm : config.norms()) {
            for (int seed = 0; seed < config.seeds(); seed++) {
                RunKey key = key(config, norm, seed);
                if (done.contains(key)) {
                    out.println(label(key) + ": already in " + ResultsCsv.FILE_NAME + ", skipped");
                    continue;
                }
                try {
                    run(config, work, csv, key);
                } catch (ImpossiblePairingException | UnsupportedInputException e) {
                    // The same shapes come every step and every seed, so the other seeds would fail alike.
                    String line = config.net() + " with " + norm + " at batch size " + config.batchSize()
                            + " is not possible: " + e.getMessage();
                    out.println(line);
                    notRun.add(line);
                    break;
                }
            }
        }
        out.flush();
        return notRun;
    }

    private void run(ExperimentConfig config, Workload work, ResultsCsv csv, RunKey key) {
        // One seed drives the initialisation (and dropout masks) and the batch order: same seed, same numbers.
        SplittableRandom init = new SplittableRandom(key.seed());
        Module net = work.build(new NormSlot(registry, key.config().norm()), init);
        Initialisation.apply(net, config.init(), init);
        Optimizer optimizer = Optimizers.create(key.config().optimizer(), net.parameters(), key.config().lr(),
                key.config().weightDecay());
        Batches batches = Batches.of(work.trainingRows(), config.batchSize(), key.seed());
        csv.startRun(key);
        job.startRun();
        for (int epoch = 1; epoch <= config.epochs(); epoch++) {
            String task = label(key) + " epoch " + epoch + "/" + config.epochs();
            String bar = key.config().norm() + " seed " + key.seed() + " epoch " + epoch + "/" + config.epochs();
            Trainer.EpochResult trained;
            Trainer.Evaluation test;
            try (Face.Scope ignored = Face.scope(config.face())) {
                trained = work.trainEpoch(net, optimizer, batches, epoch, bar, config.gradPenalty());
                test = work.evaluate(net);
            } catch (DivergedException e) {
                csv.append(ResultRow.diverged(key, epoch, e.loss(), e.seconds()));
                out.println("diverged: net " + key.config().net() + ", norm " + key.config().norm() + ", seed " + key.seed()
                        + ", epoch " + e.epoch() + ", step " + e.step() + ": training loss " + e.loss() + " (lr "
                        + format(key.config().lr()) + ", batch size " + key.config().batchSize() + "); recorded as diverged in "
                        + ResultsCsv.FILE_NAME);
                out.flush();
                return;
            }
            csv.append(ResultRow.ok(key, epoch, trained.trainLoss(), test.loss(), test.accuracy(),
                    trained.trainAccuracy(), trained.seconds(), trained.samplesPerSecond()));
            out.printf("%s: train loss %.4f, train acc %.4f, test loss %.4f, test acc %.4f, %.1f s, %,.0f %s/s%s%n",
                    task, trained.trainLoss(), trained.trainAccuracy(), test.loss(), test.accuracy(),
                    trained.seconds(), trained.samplesPerSecond(), work.unit(), work.extra(test));
            out.flush();
        }
    }

    private static RunKey key(ExperimentConfig config, String norm, int seed) {
        return new RunKey(new RunConfig(config.net(), norm, config.batchSize(), config.lrFor(norm),
                config.optimizerFor(norm), config.weightDecay(), config.dropout()), seed);
    }

    /** Every run {@code config} asks for. */
    private static List<RunKey> keys(ExperimentConfig config) {
        List<RunKey> keys = new ArrayList<>();
        for (String norm : config.norms()) {
            for (int seed = 0; seed < config.seeds(); seed++) {
                keys.add(key(config, norm, seed));
            }
        }
        return keys;
    }

    private static String label(RunKey key) {
        return key.config().net() + "/" + key.config().norm() + "/b" + key.config().batchSize() + "/lr " + format(key.config().lr()) + "/seed "
                + key.seed();
    }

    /**
     * The rows of the runs asked for, up to the epochs asked for: the folder may hold more seeds or epochs from an
     * earlier, larger run, and the report must describe this one.
     */
    private static List<ResultRow> rowsOf(ResultsCsv csv, List<RunKey> keys, int epochs) {
        Set<RunKey> wanted = Set.copyOf(keys);
        return csv.rows().stream().filter(r -> wanted.contains(r.key()) && r.epoch() <= epochs)
                .collect(Collectors.toList());
    }

    private Map<String, String> describe(ExperimentConfig config, Workload work, List<String> notRun) {
        Map<String, String> m = new LinkedHashMap<>(config.describe());
        m.putAll(work.describe());
        m.put("machine", Runtime.getRuntime().availableProcessors() + " cores, Java " + System.getProperty("java.version")
                + ", BLAS " + Gemm.implementation() + blasThreads());
        for (int i = 0; i < notRun.size(); i++) {
            m.put("not run " + (i + 1), notRun.get(i));
        }
        m.put("made", Provenance.describe(commandLine));
        return m;
    }

    /** Native BLAS threads are not ours to set (--threads sets the norm kernels'); say what governs them. */
    private static String blasThreads() {
        if (!Gemm.implementation().equals("JNIBLAS")) {
            return "";
        }
        String threads = System.getenv("OPENBLAS_NUM_THREADS");
        return threads == null ? " (native; OPENBLAS_NUM_THREADS unset, so OpenBLAS uses every core)"
                : " (native; OPENBLAS_NUM_THREADS=" + threads + ")";
    }

    private void warn(String warning) {
        out.println(warning.startsWith("warning: ") ? warning : "warning: " + warning);
        out.flush();
    }
}

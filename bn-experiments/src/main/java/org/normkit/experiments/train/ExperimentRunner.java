package org.normkit.experiments.train;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

import org.normkit.autograd.io.AtomicFiles;
import org.normkit.autograd.loops.Gemm;
import org.normkit.autograd.spi.NormRegistry;
import org.normkit.experiments.engine.Engine;
import org.normkit.experiments.engine.GridSetup;
import org.normkit.experiments.engine.LocalEngine;
import org.normkit.experiments.engine.RunOutcome;
import org.normkit.experiments.engine.RunStart;
import org.normkit.experiments.engine.RunTask;
import org.normkit.experiments.engine.RunTrainer;
import org.normkit.experiments.replica.Replication;
import org.normkit.experiments.data.Batches;
import org.normkit.experiments.data.DatasetSplit;
import org.normkit.experiments.data.FashionMnist;
import org.normkit.experiments.report.ExperimentReport;
import org.normkit.experiments.report.KeyDefaults;
import org.normkit.experiments.report.ProbeCsv;
import org.normkit.experiments.report.ProbeReport;
import org.normkit.experiments.report.ProbeRow;
import org.normkit.experiments.report.ReportContext;
import org.normkit.experiments.report.ReportFiles;
import org.normkit.experiments.report.ReportWriter;
import org.normkit.experiments.report.ResultRow;
import org.normkit.experiments.report.ResultsCsv;
import org.normkit.experiments.report.RunConfig;
import org.normkit.experiments.report.RunKey;
import org.normkit.experiments.report.SweepReport;
import org.normkit.experiments.report.SweptSetting;
import org.normkit.experiments.report.Variation;

/**
 * Runs experiments: every norm × seed of a configuration (and, for a sweep, every varied value), appending each
 * epoch's row to {@code results.csv} as it comes, skipping runs the file already holds (so a killed run resumes),
 * then writes the report. A diverged run is a result (recorded as {@code diverged}); a norm that cannot sit in the
 * net is reported and skipped, and the other norms still run.
 *
 * <p>{@code results.csv} identifies a run by its {@link RunKey}, which does not name the data. So that a rerun never
 * mixes rows from different data into one report (say, synthetic rows from before the real data was installed), the
 * output folder also holds {@value #SETUP_FILE}, and a rerun whose data or other settings differ is refused; a
 * sweep ({@link SweepGrid}) records the settings it varies there as "varied".
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
    private final Progress.Factory progress;
    private final DataSource dataSource;
    private final Engine engine;
    private final Replication replication;
    private final JobProgress job = new JobProgress();
    private boolean waitForBusyFolder;
    private String commandLine = "unknown (not started from the command line)";
    private ReportWriter reports = new ReportFiles();
    private Optional<Path> exportStarts = Optional.empty();

    /** A runner training one run at a time in this JVM. */
    public ExperimentRunner(NormRegistry registry, PrintWriter out, Progress.Factory progress) {
        this(registry, out, progress, new LocalEngine(1));
    }

    /** A runner over {@code dataSource}'s images, training one run at a time in this JVM. */
    public ExperimentRunner(NormRegistry registry, PrintWriter out, Progress.Factory progress, DataSource dataSource) {
        this(registry, out, progress, dataSource, new LocalEngine(1));
    }

    /** A runner whose runs train on {@code engine}; the runner alone writes results.csv. */
    public ExperimentRunner(NormRegistry registry, PrintWriter out, Progress.Factory progress, Engine engine) {
        this(registry, out, progress, FashionMnist::load, engine);
    }

    /** A runner over {@code dataSource}'s images whose runs train on {@code engine}. */
    public ExperimentRunner(NormRegistry registry, PrintWriter out, Progress.Factory progress, DataSource dataSource,
                            Engine engine) {
        this(registry, out, progress, dataSource, engine, Replication.NONE);
    }

    private ExperimentRunner(NormRegistry registry, PrintWriter out, Progress.Factory progress,
                             DataSource dataSource, Engine engine, Replication replication) {
        this.registry = registry;
        this.out = out;
        this.progress = progress;
        this.dataSource = dataSource;
        this.engine = engine;
        this.replication = replication;
    }

    /** This runner with every run trained data-parallel as {@code replication} says ({@code --replicas}). */
    public ExperimentRunner withReplication(Replication other) {
        ExperimentRunner runner = new ExperimentRunner(registry, out, progress, dataSource, engine, other)
                .waitingForBusyFolder(waitForBusyFolder).withCommandLine(commandLine).withReportWriter(reports);
        runner.exportStarts = exportStarts;
        return runner;
    }

    /** This runner writing its reports with {@code writer} (by default {@link ReportFiles}). */
    public ExperimentRunner withReportWriter(ReportWriter writer) {
        this.reports = writer;
        return this;
    }

    /**
     * With {@code wait}, a run into a folder another run is writing to waits for it to end; without (the default),
     * it is refused naming the other run.
     */
    public ExperimentRunner waitingForBusyFolder(boolean wait) {
        this.waitForBusyFolder = wait;
        return this;
    }

    /**
     * Before training, writes where every run of the experiment starts from (its net's initial state and its batch
     * order, {@link RunStart}) under {@code folder}, for a paired comparison with another framework
     * ({@code --export-init}); runs results.csv already holds are exported too, since their start depends on the
     * seed alone.
     */
    public ExperimentRunner exportingStarts(Path folder) {
        this.exportStarts = Optional.of(folder);
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
        Folder folder = open(config, work, List.of());
        ResultsCsv csv = folder.csv();
        planJob(List.of(config), work, csv);
        exportStarts.ifPresent(starts -> exportStarts(config, work, starts));
        List<String> notRun = runAll(List.of(config), work, folder);
        Map<String, String> described = describe(config, work, notRun);
        ReportContext context = ReportContext.of(described, work.notice(), work.synthetic())
                .withTitle("normkit experiment: " + config.net() + " on " + work.title(config.net()));
        writeProbe(config, keys(config), folder.legacy(),
                "normkit experiment: " + config.net() + " on " + work.title(config.net()));
        return announce(reports.write(ExperimentReport.of(rowsOf(csv, keys(config), config.epochs()), context),
                config.out()), config.out());
    }

    /** Runs the grid of {@code setting} over {@code values}, then writes sweep.md/sweep.html/sweep.png. */
    public Path sweep(ExperimentConfig config, SweptSetting setting, List<Double> values) {
        return sweep(config, List.of(Variation.of(setting, values)));
    }

    /**
     * Runs the grid of one varied setting, or of two (every combination of their values), then writes
     * sweep.md/sweep.html/sweep.png, whose axis is the first setting's; the second tells the curves apart.
     */
    public Path sweep(ExperimentConfig config, List<Variation> variations) {
        requireRegistered(config.norms());
        List<SweepGrid.Point> points = SweepGrid.points(config, variations, registry);
        try (ResultsFolderLock ignored = lock(config)) {
            return sweepInLockedFolder(config, variations, points);
        }
    }

    private Path sweepInLockedFolder(ExperimentConfig config, List<Variation> variations,
                                     List<SweepGrid.Point> points) {
        Workload work = load(config);
        List<SweptSetting> settings = variations.stream().map(Variation::setting).toList();
        Folder folder = open(config, work, settings);
        ResultsCsv csv = folder.csv();
        List<ExperimentConfig> configs = points.stream().map(SweepGrid.Point::config).toList();
        planJob(configs, work, csv);
        List<RunKey> keys = new ArrayList<>();
        for (SweepGrid.Point point : points) {
            keys.addAll(keys(point.config()));
            List<String> at = new ArrayList<>();
            for (int i = 0; i < settings.size(); i++) {
                at.add(settings.get(i).words() + " " + point.values().get(i));
            }
            out.println("== " + String.join(", ", at) + ": " + keys(point.config()).size() + " runs");
        }
        // The whole grid goes to the engine at once, so parallel runs span the swept values.
        List<String> notRun = runAll(configs, work, folder);
        Map<String, String> described = describe(config, work, notRun);
        for (Variation variation : variations) {
            described.put(variation.setting().words(), "varied: " + String.join(", ", variation.values()));
        }
        SweptSetting axis = settings.get(0);
        String per = settings.size() > 1 ? ", per " + settings.get(1).words() : "";
        ReportContext context = ReportContext.of(described, work.notice(), work.synthetic())
                .withTitle("normkit sweep: " + config.net() + ", final test accuracy against " + axis.words() + per);
        SweepReport report = SweepReport.of(rowsOf(csv, keys, config.epochs()), axis, context);
        writeProbe(config, keys, folder.legacy(), "normkit sweep: " + config.net() + ", "
                + settings.stream().map(SweptSetting::words).collect(Collectors.joining(" and ")) + " varied");
        List<Path> written = reports.write(report, config.out());
        report.findings().forEach(out::println);
        return announce(written, config.out());
    }

    /**
     * One line naming the report and the other files beside it; returns the report's path, or results.csv's when the
     * writer kept no file here (it published the report elsewhere).
     */
    private Path announce(List<Path> written, Path folder) {
        if (written.isEmpty()) {
            Path rows = folder.resolve(ResultsCsv.FILE_NAME);
            out.println("report: written by " + reports.getClass().getName() + "; rows in " + rows.toAbsolutePath());
            out.flush();
            return rows;
        }
        Path report = written.get(0);
        List<String> also = new ArrayList<>(written.subList(1, written.size()).stream()
                .map(path -> path.getFileName().toString()).toList());
        also.add(ResultsCsv.FILE_NAME);
        out.println("report: " + report.toAbsolutePath() + " (also " + String.join(", ", also) + ")");
        out.flush();
        return report;
    }

    /**
     * The batch-statistics probe's report ({@link ProbeReport}) of the runs asked for, when any of their nets has a
     * norm with running statistics.
     */
    private void writeProbe(ExperimentConfig config, List<RunKey> keys, KeyDefaults legacy, String title) {
        Set<RunKey> wanted = Set.copyOf(keys);
        List<ProbeRow> rows = ProbeCsv.read(config.out().resolve(ProbeCsv.FILE_NAME), legacy).stream()
                .filter(r -> wanted.contains(r.key()) && r.epoch() <= config.epochs()).toList();
        if (!rows.isEmpty()) {
            ProbeReport.of(rows).writeTo(config.out(), "Batch statistics against running statistics: " + title);
            out.println("batch-statistics probe: " + config.out().resolve(ProbeReport.MARKDOWN_FILE).toAbsolutePath()
                    + " (also " + ProbeReport.PLOT + ", " + ProbeCsv.FILE_NAME + ")");
        }
    }

    /** Fails before anything trains when a name is unknown, rather than after the norms before it have run. */
    private void requireRegistered(List<String> norms) {
        for (String label : norms) {
            String norm = NormSlot.nameOf(label);
            if (norm.equals(Replication.SYNC_BATCH_NORM) && !replication.isReplicated()) {
                throw new IllegalArgumentException("--norms " + norm + " synchronises BatchNorm across data-parallel "
                        + "replicas: give --replicas K with K >= 2, or use batch_norm");
            }
            if (!NormSlot.NONE.equals(norm) && !norm.equals(Replication.SYNC_BATCH_NORM) && !registry.contains(norm)) {
                throw new IllegalArgumentException("--norms: unknown normalization '" + norm + "'; registered: "
                        + String.join(", ", registry.names()) + ", and " + NormSlot.NONE + " for no norm (a plugin's "
                        + "norms appear with --plugins path/to/plugin.jar)");
            }
        }
    }

    /**
     * The data, announced: a synthetic-data notice is the first line this prints. Images come from the data source;
     * text ({@code --text}) as every worker loads it ({@link GridSetup#loadText}).
     */
    private Workload load(ExperimentConfig config) {
        GridSetup setup = gridSetup(config);
        Workload work = setup.isText() ? Workload.text(setup.loadText(), setup.dtype())
                : Workload.images(setup.limit(dataSource.load(config.data())), setup.dtype());
        if (work.synthetic()) {
            out.println(work.notice());
        }
        out.println(work.announce());
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

    /** A results folder opened for a run: its results.csv, and what the rows of an older file were trained with. */
    private record Folder(ResultsCsv csv, KeyDefaults legacy) {}

    /**
     * results.csv in the output folder, after checking that its rows were trained with this experiment's definition
     * ({@link ExperimentDefinition}); a folder of another definition is refused, naming the settings that differ.
     * Rows of a file written before results.csv named the initialisation, learning-rate scaling, face and gradient
     * penalty take them from the folder's recorded definition.
     */
    private Folder open(ExperimentConfig config, Workload work, List<SweptSetting> swept) {
        Path setupFile = config.out().resolve(SETUP_FILE);
        Optional<ExperimentDefinition> recorded = ExperimentDefinition.read(setupFile);
        KeyDefaults legacy = recorded.map(ExperimentDefinition::keyDefaults).orElse(KeyDefaults.DEFAULT);
        ResultsCsv csv = ResultsCsv.open(config.out().resolve(ResultsCsv.FILE_NAME), this::warn, legacy);
        ExperimentDefinition definition = ExperimentDefinition.of(config, work.origin(), swept);
        if (!csv.rows().isEmpty()) {
            recorded.ifPresent(earlier -> {
                List<String> differences = definition.differencesFrom(earlier);
                if (!differences.isEmpty()) {
                    throw new IllegalArgumentException(config.out() + " holds the results of another experiment, "
                            + "which must not mix with these in one report: " + String.join("; ", differences)
                            + ". Choose another --out, or delete " + csv.file() + " to start over");
                }
            });
        }
        definition.write(setupFile);
        return new Folder(csv, legacy);
    }

    /** Tells the progress display how many runs and steps the job has left to train. */
    private void planJob(List<ExperimentConfig> points, Workload work, ResultsCsv csv) {
        int runs = 0;
        long steps = 0;
        for (ExperimentConfig point : points) {
            if (point.batchSize() > work.trainingRows()) {
                warn("--batch-size " + point.batchSize() + " is larger than the " + work.trainingRows() + " training "
                        + work.rowsName() + ": every epoch is one batch of " + work.trainingRows());
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

    /**
     * Trains, on the engine, every run of {@code points} that results.csv does not hold yet, appending each run's
     * rows as it ends; returns one line per norm that could not be paired with the net and per run that failed.
     */
    private List<String> runAll(List<ExperimentConfig> points, Workload work, Folder folder) {
        ResultsCsv csv = folder.csv();
        List<RunTask> tasks = new ArrayList<>();
        for (ExperimentConfig config : points) {
            Set<RunKey> done = csv.completedRuns(config.epochs());
            GridSetup setup = gridSetup(config);
            for (RunKey key : keys(config)) {
                RunTask task = new RunTask(key, setup);
                if (done.contains(key)) {
                    out.println(task.label() + ": already in " + ResultsCsv.FILE_NAME + ", skipped");
                } else {
                    tasks.add(task);
                }
            }
        }
        if (!tasks.isEmpty()) {
            out.println("engine: " + engine.describe() + "; " + tasks.size() + (tasks.size() == 1 ? " run" : " runs")
                    + " to train");
        }
        out.flush();
        DriverListener listener = new DriverListener(work.origin(), csv, folder.legacy());
        RunTrainer trainer = new RunTrainer(registry, work, engine.showsProgress() ? progress.forJob(job)
                : Progress.silent());
        engine.execute(tasks, trainer, listener);
        out.flush();
        return listener.notRun;
    }

    /** Writes the {@link RunStart} of every run of {@code config} under {@code folder}. */
    private void exportStarts(ExperimentConfig config, Workload work, Path folder) {
        RunTrainer trainer = new RunTrainer(registry, work, Progress.silent());
        GridSetup setup = gridSetup(config);
        List<RunKey> keys = keys(config);
        for (RunKey key : keys) {
            trainer.start(new RunTask(key, setup)).write(RunStart.folder(folder, key), key.seed());
        }
        out.println("initial states and batch orders of " + keys.size() + " runs: " + folder.toAbsolutePath()
                + "/NORM/seed-S/{" + RunStart.STATE_FILE + "," + RunStart.ORDER_FILE + "}");
        out.flush();
    }

    private GridSetup gridSetup(ExperimentConfig config) {
        return new GridSetup(config.data().map(Path::toString).orElse(""), config.trainLimit().orElse(0),
                config.testLimit().orElse(0), config.epochs(), config.threads(), replication,
                config.text().map(Path::toString).orElse(""), config.dtype());
    }

    /** The driver's side of the engine: the one writer of results.csv, and the console. */
    private final class DriverListener implements Engine.Listener {
        private final String dataOrigin;
        private final ResultsCsv csv;
        private final KeyDefaults legacy;
        private final List<String> notRun = new ArrayList<>();

        DriverListener(String dataOrigin, ResultsCsv csv, KeyDefaults legacy) {
            this.dataOrigin = dataOrigin;
            this.csv = csv;
            this.legacy = legacy;
        }

        @Override
        public void line(String line) {
            synchronized (out) {
                out.println(line);
                out.flush();
            }
        }

        @Override
        public void epoch(ResultRow row) {
            if (row.epoch() == 1) {
                csv.startRun(row.key());
            }
            csv.append(row);
        }

        @Override
        public void started(RunTask task) {
            job.startRun();
        }

        @Override
        public void finished(RunOutcome outcome) {
            outcome.lines().forEach(this::line);
            String problem = switch (outcome.status()) {
                case FINISHED -> outcome.dataOrigin().equals(dataOrigin) ? null : "run " + outcome.key()
                        + " failed: its worker trained on other data (" + outcome.dataOrigin() + ") than the "
                        + "driver's (" + dataOrigin + "); give every worker the data at the path --data names";
                case IMPOSSIBLE -> outcome.message();
                case FAILED -> "run " + outcome.key() + " failed: " + outcome.message() + "; rerun to try it again";
            };
            // The run's rows replace whatever its epochs left (nothing, if it trained elsewhere), in one rewrite.
            csv.appendRun(outcome.key(), problem == null ? outcome.rows() : List.of());
            if (problem == null && !outcome.probe().isEmpty()) {
                ProbeCsv.replaceRun(csv.file().resolveSibling(ProbeCsv.FILE_NAME), outcome.key(), outcome.probe(),
                        legacy);
            }
            if (problem == null) {
                return;
            }
            // Every seed of an impossible pairing says the same: report it once.
            if (!notRun.contains(problem)) {
                notRun.add(problem);
                line(problem);
            }
        }
    }

    private RunKey key(ExperimentConfig config, String norm, int seed) {
        return new RunKey(new RunConfig(config.net(), replication.label(norm), config.batchSize(), config.lrFor(norm),
                config.optimizerFor(norm), config.weightDecay(), config.dropout(), config.init(), config.lrScaling(),
                config.face().name().toLowerCase(Locale.ROOT), config.gradPenalty()), seed);
    }

    /** Every run {@code config} asks for. */
    private List<RunKey> keys(ExperimentConfig config) {
        List<RunKey> keys = new ArrayList<>();
        for (String norm : config.norms()) {
            for (int seed = 0; seed < config.seeds(); seed++) {
                keys.add(key(config, norm, seed));
            }
        }
        return keys;
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
        m.put("engine", engine.describe());
        if (replication.isReplicated()) {
            m.put("replicas", replication.describe() + "; batch size is the whole batch, "
                    + "split over the replicas");
        }
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

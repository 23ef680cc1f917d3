package org.normkit.experiments.train;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.stream.Collectors;

import org.normkit.autograd.nn.Module;
import org.normkit.autograd.optim.Optimizer;
import org.normkit.autograd.spi.ExecutionMode;
import org.normkit.autograd.spi.NormRegistry;
import org.normkit.experiments.data.Batches;
import org.normkit.experiments.data.Dataset;
import org.normkit.experiments.data.DatasetSplit;
import org.normkit.experiments.data.FashionMnist;
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
 * net is reported and skipped.
 */
public final class ExperimentRunner {
    private final NormRegistry registry;
    private final PrintWriter out;
    private final Trainer trainer;

    public ExperimentRunner(NormRegistry registry, PrintWriter out, Progress.Factory progress) {
        this.registry = registry;
        this.out = out;
        this.trainer = new Trainer(progress);
    }

    /** Trains every norm × seed of {@code config} and writes report.md/report.html; returns the report's path. */
    public Path experiment(ExperimentConfig config) {
        DatasetSplit data = load(config);
        ResultsCsv csv = ResultsCsv.open(config.out().resolve(ResultsCsv.FILE_NAME), this::warn);
        List<String> notRun = runAll(config, data, csv);
        List<RunConfig> configs = config.norms().stream()
                .map(norm -> key(config, norm, 0).config()).collect(Collectors.toList());
        Map<String, String> described = describe(config, data, notRun);
        ReportContext context = ReportContext.of(described, data.notice(), data.synthetic())
                .withTitle("normkit experiment: " + config.net() + " on " + (data.synthetic() ? "synthetic data"
                        : "Fashion-MNIST"));
        ExperimentReport.of(rowsOf(csv, configs), context).writeTo(config.out());
        Path report = config.out().resolve(ExperimentReport.MARKDOWN_FILE);
        out.println("report: " + report.toAbsolutePath() + " (also " + ExperimentReport.HTML_FILE + ", "
                + ExperimentReport.ACCURACY_PLOT + ", " + ExperimentReport.LOSS_PLOT + ", " + ResultsCsv.FILE_NAME + ")");
        out.flush();
        return report;
    }

    /** Runs the grid of {@code setting} over {@code values}, then writes sweep.md/sweep.html/sweep.png. */
    public Path sweep(ExperimentConfig config, SweptSetting setting, List<Double> values) {
        DatasetSplit data = load(config);
        ResultsCsv csv = ResultsCsv.open(config.out().resolve(ResultsCsv.FILE_NAME), this::warn);
        List<String> notRun = new ArrayList<>();
        List<RunConfig> configs = new ArrayList<>();
        for (double value : values) {
            ExperimentConfig point = setting == SweptSetting.BATCH_SIZE
                    ? config.withBatchSize((int) Math.round(value)) : config.withLr(value);
            out.println("== " + setting + " = " + format(value));
            notRun.addAll(runAll(point, data, csv));
            for (String norm : point.norms()) {
                configs.add(key(point, norm, 0).config());
            }
        }
        Map<String, String> described = describe(config, data, notRun);
        described.put("varied", setting + " = " + values.stream().map(ExperimentRunner::format)
                .collect(Collectors.joining(", ")));
        ReportContext context = ReportContext.of(described, data.notice(), data.synthetic())
                .withTitle("normkit sweep: " + config.net() + ", final test accuracy against " + setting);
        SweepReport report = SweepReport.of(rowsOf(csv, configs), setting, context);
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

    private DatasetSplit load(ExperimentConfig config) {
        DatasetSplit data = FashionMnist.load(config.data());
        if (data.synthetic()) {
            out.println(data.notice());
        }
        Dataset train = config.trainLimit().map(n -> data.train().first(Math.min(n, data.train().rows())))
                .orElse(data.train());
        Dataset test = config.testLimit().map(n -> data.test().first(Math.min(n, data.test().rows())))
                .orElse(data.test());
        out.println("data: " + train.rows() + " training and " + test.rows() + " test images from " + train.origin());
        out.flush();
        return new DatasetSplit(train, test, data.synthetic(), data.notice());
    }

    /** Runs what is missing; returns one line per norm that could not be paired with the net. */
    private List<String> runAll(ExperimentConfig config, DatasetSplit data, ResultsCsv csv) {
        Set<RunKey> done = csv.completedRuns(config.epochs());
        List<String> notRun = new ArrayList<>();
        for (String norm : config.norms()) {
            for (int seed = 0; seed < config.seeds(); seed++) {
                RunKey key = key(config, norm, seed);
                if (done.contains(key)) {
                    out.println(label(config, norm, seed) + ": already in " + ResultsCsv.FILE_NAME + ", skipped");
                    continue;
                }
                try {
                    run(config, data, csv, key);
                } catch (ImpossiblePairingException e) {
                    String line = config.net() + " with " + norm + " is not possible: " + e.getMessage();
                    out.println(line);
                    notRun.add(line);
                    break;
                }
            }
        }
        out.flush();
        return notRun;
    }

    private void run(ExperimentConfig config, DatasetSplit data, ResultsCsv csv, RunKey key) {
        String label = label(config, key.norm(), key.seed());
        SplittableRandom init = new SplittableRandom(key.seed());
        Module net = Nets.build(config.net(), new NormSlot(registry, key.norm(), Nets.baseSpec()), config.dropout(), init);
        Optimizer optimizer = Optimizers.create(key.optimizer(), net.parameters(), key.lr(), key.weightDecay());
        Batches batches = Batches.of(data.train().rows(), config.batchSize(), key.seed());
        csv.startRun(key);
        for (int epoch = 1; epoch <= config.epochs(); epoch++) {
            Trainer.EpochResult trained;
            try (ExecutionMode.Scope ignored = ExecutionMode.scope(config.face())) {
                trained = trainer.trainEpoch(net, optimizer, data.train(), batches, epoch, label);
            } catch (DivergedException e) {
                csv.append(ResultRow.diverged(key, epoch, e.loss(), 0));
                out.println(label + ": diverged: " + config.net() + ", norm " + key.norm() + ", seed " + key.seed()
                        + ", epoch " + e.epoch() + ", step " + e.step() + ": loss " + e.loss());
                out.flush();
                return;
            }
            Trainer.Evaluation test;
            try (ExecutionMode.Scope ignored = ExecutionMode.scope(config.face())) {
                test = trainer.evaluate(net, data.test());
            }
            csv.append(ResultRow.ok(key, epoch, trained.trainLoss(), test.loss(), test.accuracy(),
                    trained.trainAccuracy(), trained.seconds(), trained.samplesPerSecond()));
            out.printf("%s epoch %d/%d: train loss %.4f, train acc %.4f, test loss %.4f, test acc %.4f, %.1f s, %,.0f samples/s%n",
                    label, epoch, config.epochs(), trained.trainLoss(), trained.trainAccuracy(), test.loss(),
                    test.accuracy(), trained.seconds(), trained.samplesPerSecond());
            out.flush();
        }
    }

    private static RunKey key(ExperimentConfig config, String norm, int seed) {
        return new RunKey(config.net(), norm, config.batchSize(), config.lrFor(norm), config.optimizerFor(norm),
                config.weightDecay(), config.dropout(), seed);
    }

    private static String label(ExperimentConfig config, String norm, long seed) {
        return config.net() + "/" + norm + "/b" + config.batchSize() + "/seed " + seed;
    }

    private static List<ResultRow> rowsOf(ResultsCsv csv, List<RunConfig> configs) {
        Set<RunConfig> wanted = Set.copyOf(configs);
        return csv.rows().stream().filter(r -> wanted.contains(r.key().config())).collect(Collectors.toList());
    }

    private Map<String, String> describe(ExperimentConfig config, DatasetSplit data, List<String> notRun) {
        Map<String, String> m = new LinkedHashMap<>(config.describe());
        m.put("data", data.train().rows() + " training / " + data.test().rows() + " test images, "
                + data.train().origin());
        m.put("machine", Runtime.getRuntime().availableProcessors() + " cores, Java " + System.getProperty("java.version")
                + ", BLAS " + org.normkit.autograd.ops.Gemm.implementation());
        for (int i = 0; i < notRun.size(); i++) {
            m.put("not run " + (i + 1), notRun.get(i));
        }
        return m;
    }

    private void warn(String warning) {
        out.println("warning: " + warning);
        out.flush();
    }
}

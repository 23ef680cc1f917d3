package org.normkit.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.normkit.autograd.spi.PluginLoader;
import org.normkit.autograd.tensor.DType;
import org.normkit.autograd.spi.Face;
import org.normkit.bench.BenchMask;
import org.normkit.bench.BenchPass;
import org.normkit.bench.BenchPlan;
import org.normkit.bench.BenchReport;
import org.normkit.bench.BenchRunner;
import org.normkit.bench.BenchSelection;
import org.normkit.bench.Versus;
import org.normkit.bench.versus.HeadToHead;
import org.normkit.bench.ReportTable;
import org.normkit.bench.RunSettings;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code normkit bench}: the JMH suite over every registered norm (plugins included), each figure also as a ratio
 * to a copy of the same tensor timed in the same run, optionally beside PyTorch's figures on the same machine; or,
 * with {@code --training}, the training-step benchmark of the experiment nets: one {@link BenchPlan} of either, run by
 * {@link BenchRunner}, into one {@link BenchReport}.
 */
@Command(name = "bench", mixinStandardHelpOptions = true, sortOptions = false,
        description = {
            "Time every registered normalization (plugins included) with JMH: reference and fused faces, training "
                    + "forward, evaluation forward and forward+backward, float32 and float64, 1 and 2 kernel threads.",
            "Each time is also given as a multiple of copying a tensor of the same size (timed in the same run) and "
                    + "as effective GB/s under a stated bytes model.",
            "The full run forks a JVM per benchmark; --quick runs everything in one JVM per thread count with short "
                    + "iterations (indicative figures, minutes instead of tens of minutes).",
            "--masks none,padded adds the masked call of the norms that take a mask of valid positions.",
            "--training times whole training steps of the experiment nets instead (samples/s of zero_grad, forward, "
                    + "cross-entropy, backward and optimizer step at batch 128), per net, norm, face and thread count."})
final class BenchCommand implements Runnable {
    @ParentCommand
    NormkitCommand parent;

    @Spec
    CommandSpec spec;

    @Option(names = "--quick", description = "Few, short iterations (1 warm-up × 100 ms, 2 × 100 ms; with "
            + "--training 3 × 1 s and 3 × 500 ms), one JVM per thread count for every benchmark. For a look, not for publishing.")
    boolean quick;

    @Option(names = "--training", description = "Time training steps of the experiment nets (see --nets) with each "
            + "norm on each face, instead of the norms alone: ms/step and samples/s at batch 128. Default thread "
            + "count 1; one JVM per thread count, with OpenBLAS's thread count set to it.")
    boolean training;

    @Option(names = "--nets", split = ",", paramLabel = "NET", defaultValue = "mlp,lenet",
            description = "With --training: mlp, lenet (default: both).")
    List<String> nets;

    @Option(names = "--norms", split = ",", paramLabel = "NAME",
            description = "Norms to time (default: every registered one; with --training also none, the net "
                    + "without norms).")
    List<String> norms = new ArrayList<>();

    @Option(names = "--dtypes", split = ",", paramLabel = "DTYPE", defaultValue = "float32,float64",
            description = "float32, float64 (default: both).")
    List<String> dtypes;

    @Option(names = "--threads", split = ",", paramLabel = "N", defaultValue = "1,2",
            description = "Kernel thread counts (default: 1,2; with --training 1).")
    List<Integer> threads;

    @Option(names = "--faces", split = ",", paramLabel = "FACE", defaultValue = "reference,fused",
            description = "reference, fused (default: both; fused is n/a for a norm without one).")
    List<String> faces;

    @Option(names = "--passes", split = ",", paramLabel = "PASS",
            defaultValue = "train_forward,eval_forward,train_forward_backward",
            description = "train_forward, eval_forward, train_forward_backward (default: all three).")
    List<String> passes;

    @Option(names = "--masks", split = ",", paramLabel = "MASK", defaultValue = "none",
            description = "none, padded (default: none). padded adds the masked call of the norms that take a mask "
                    + "(batch, instance and group norms), with the last " + BenchMask.PADDED_PERCENT + " %% of every "
                    + "sample's positions padding, beside the unmasked one; n/a for the others.")
    List<String> masks;

    @Option(names = "--json", paramLabel = "FILE", description = "Write the results as JSON (the schema the "
            + "PyTorch peer script shares).")
    Path json;

    @Option(names = "--markdown", paramLabel = "FILE", description = "Write the report as Markdown.")
    Path markdown;

    @Option(names = "--peer", split = ",", paramLabel = "NAME", description = "Compare the fused face with peers "
            + "sample by sample, sides alternating in rounds, each case (norm, shape, dtype, pass) in a fresh JVM: pytorch (the system Python's torch "
            + "through scripts/pytorch/bench_peer.py), pytorch-2.10 (PyTorch 2.10's library in the JVM; needs the "
            + "optional module: mvn -B -P pytorch -pl bn-pytorch -am package). Reports normkit ms ÷ peer ms and ms ÷ "
            + "the fastest copy of the tensor. With --masks padded, the masked rows are timed on normkit's side "
            + "alone (PyTorch's norms take no mask of valid positions), and the report says so for each.")
    List<String> peer;

    @Option(names = "--rounds", paramLabel = "N", description = "With --peer: rounds of alternating samples per "
            + "combination (default 5; quick 3).")
    Integer rounds;

    @Option(names = "--no-verify", description = "Skip the check, made once per norm before timing, that its "
            + "reference and fused faces agree on a small input.")
    boolean noVerify;

    @Option(names = "--forks", paramLabel = "N", description = "JMH forks per benchmark in a full run (default 1). "
            + "With --peer: fresh JVMs per case, their rounds pooled into one median (default 1): what the JIT makes of "
            + "a kernel differs from one JVM to the next.")
    Integer forks;

    @Option(names = "--warmup", paramLabel = "N", description = "Warm-up iterations per benchmark (default 3; "
            + "quick 1; --training 10, quick 3).")
    Integer warmup;

    @Option(names = "--iterations", paramLabel = "N", description = "Measured iterations per benchmark (default 5; "
            + "quick 2; --training 5, quick 3).")
    Integer iterations;

    @Option(names = "--iteration-ms", paramLabel = "MS", description = "Length of each iteration (default 500; "
            + "quick 100; --training 1000, quick 1000 for warm-up and 500 measured).")
    Integer iterationMs;

    @Override
    public void run() {
        PrintWriter out = spec.commandLine().getOut();
        List<Path> plugins = PluginLoader.pluginPaths(parent.plugins);
        BenchSelection selection;
        RunSettings settings;
        if (training) {
            for (String option : List.of("--dtypes", "--passes", "--masks", "--peer")) {
                if (given(option)) {
                    throw new IllegalArgumentException(option + " does not go with --training, which times float32 "
                            + "training steps of whole nets; drop one of them");
                }
            }
            selection = BenchSelection.training()
                    .withNets(nets)
                    .withNorms(norms)
                    .withFaces(faces.stream().map(Face::parseConcrete).toList())
                    .withThreads(given("--threads") ? threads : List.of(1));
            settings = settings(quick ? RunSettings.trainingQuick(plugins) : RunSettings.trainingFull(plugins));
        } else {
            if (given("--nets")) {
                throw new IllegalArgumentException("--nets chooses the nets of --training; add --training, or drop "
                        + "--nets");
            }
            selection = BenchSelection.all()
                    .withNorms(norms)
                    .withDtypes(dtypes.stream().map(DType::parse).toList())
                    .withThreads(threads)
                    .withFaces(faces.stream().map(Face::parseConcrete).toList())
                    .withPasses(passes.stream().map(BenchPass::parse).toList())
                    .withMasks(masks.stream().map(BenchMask::parse).toList());
            settings = settings(quick ? RunSettings.quick(plugins) : RunSettings.full(plugins));
        }
        BenchPlan plan = BenchPlan.of(parent.registry(), selection);
        parent.verifyFaces(norms.isEmpty() ? parent.registry().names() : norms, noVerify);
        if (plan.groups().isEmpty()) {
            out.println("normkit bench" + (training ? " --training" : "") + ": nothing to time"
                    + (parent.registry().names().isEmpty()
                            ? ": no normalizations are registered (add a plugin with --plugins)" : ""));
            plan.skipped().forEach(s -> out.println("  " + s.what() + ": " + s.reason()));
            out.flush();
            return;
        }
        BenchReport report = peer != null ? runVersus(plan, plugins, out) : BenchRunner.run(plan, settings, out);
        out.println();
        out.print(ReportTable.text(report));
        if (json != null) {
            report.write(json);
            out.println("wrote " + json);
        }
        if (markdown != null) {
            ReportTable.writeMarkdown(markdown, report);
            out.println("wrote " + markdown);
        }
        out.flush();
    }

    /** The head-to-head comparison with the peers ({@link Versus}). */
    private BenchReport runVersus(BenchPlan plan, List<Path> plugins, PrintWriter out) {
        if (given("--faces")) {
            throw new IllegalArgumentException("--faces does not go with --peer, which compares the fused face; drop "
                    + "--faces");
        }
        HeadToHead.Settings base = quick ? HeadToHead.Settings.quick() : HeadToHead.Settings.full();
        if (rounds != null && rounds < 1) {
            throw new IllegalArgumentException("--rounds " + rounds + ": give 1 or more (3 or more for a median)");
        }
        HeadToHead.Settings settings = (rounds != null ? base.withRounds(rounds) : base)
                .withForks(forks != null ? forks : 1);
        BenchPlan fused = BenchPlan.of(parent.registry(), plan.selection().withFaces(List.of(Face.FUSED)));
        return Versus.run(fused, peer, settings, RunSettings.forkJvmArgs(plugins), out);
    }

    private boolean given(String option) {
        return spec.commandLine().getParseResult().hasMatchedOption(option);
    }

    private RunSettings settings(RunSettings base) {
        RunSettings s = base;
        if (forks != null) {
            if (quick && peer == null) {
                throw new IllegalArgumentException("--forks does not go with --quick, which runs every benchmark in "
                        + "one JVM per thread count; drop one of them");
            }
            if (forks < 1) {
                throw new IllegalArgumentException("--forks " + forks + ": give 1 or more");
            }
            s = s.withForks(forks);
        }
        if (warmup != null || iterationMs != null) {
            s = s.withWarmup(warmup != null ? warmup : s.warmupIterations(),
                    iterationMs != null ? Duration.ofMillis(iterationMs) : s.warmupTime());
        }
        if (iterations != null || iterationMs != null) {
            s = s.withMeasurement(iterations != null ? iterations : s.iterations(),
                    iterationMs != null ? Duration.ofMillis(iterationMs) : s.iterationTime());
        }
        return s;
    }
}

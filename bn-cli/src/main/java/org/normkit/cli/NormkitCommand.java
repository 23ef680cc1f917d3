package org.normkit.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.normkit.autograd.spi.NormRegistry;
import org.normkit.autograd.spi.PluginLoader;
import org.normkit.cli.readme.ReadmeCommand;
import org.normkit.core.kernel.KernelThreads;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** The top-level command: global options, the registry shared by every subcommand, and the subcommand list. */
@Command(name = "normkit", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = "Normalization layers for deep learning on the JVM: list, check, benchmark and compare them.",
        subcommands = {ListCommand.class, ConformanceCommand.class, GradcheckCommand.class, BenchCommand.class,
            ExperimentCommand.class, SweepCommand.class, ReadmeCommand.class})
public final class NormkitCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Option(names = "--plugins", split = ":", paramLabel = "PATH",
            description = "Plugin jars or folders of jars (':'-separated) whose normalizations join the registry. "
                    + "Also read from the environment variable " + PluginLoader.ENVIRONMENT_VARIABLE + ".")
    List<Path> plugins = new ArrayList<>();

    @Option(names = "--debug", description = "Print stack traces on errors.")
    boolean debug;

    private NormRegistry registry;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** Sets the kernels' thread count for this run (like torch.set_num_threads). */
    void applyThreads(int threads) {
        KernelThreads.set(threads);
    }

    boolean debug() {
        return debug;
    }

    /**
     * The registry, built once for this run over our class path and the plugins; load problems are printed as
     * warnings, one line each, and the other norms still work.
     */
    public NormRegistry registry() {
        if (registry == null) {
            registry = NormRegistry.load(PluginLoader.classLoaderFor(PluginLoader.pluginPaths(plugins)));
            for (String problem : registry.loadProblems()) {
                spec.commandLine().getErr().println("normkit: warning: plugin not loaded: " + problem);
            }
            spec.commandLine().getErr().flush();
        }
        return registry;
    }
}

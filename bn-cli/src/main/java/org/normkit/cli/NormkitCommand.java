package org.normkit.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import com.google.inject.Guice;
import com.google.inject.Injector;
import com.google.inject.Module;
import com.google.inject.util.Modules;

import org.normkit.autograd.check.NormVerifier;
import org.normkit.autograd.spi.NormRegistry;
import org.normkit.autograd.spi.PluginLoader;
import org.normkit.cli.readme.ReadmeCommand;
import org.normkit.cli.wiring.KernelPool;
import org.normkit.cli.wiring.NormkitModule;
import org.normkit.experiments.train.NormSlot;

import picocli.CommandLine.Command;
import picocli.CommandLine.HelpCommand;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** The top-level command: global options, the registry shared by every subcommand, and the subcommand list. */
@Command(name = "normkit", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = "Normalization layers for deep learning on the JVM: list, check, benchmark and compare them.",
        subcommands = {ListCommand.class, ConformanceCommand.class, GradcheckCommand.class, VerifyCommand.class,
            BenchCommand.class, ExperimentCommand.class, SweepCommand.class, ReadmeCommand.class, HelpCommand.class})
public final class NormkitCommand implements Runnable {

    @Spec
    CommandSpec spec;

    // Inherited, so they work before or after the subcommand: "normkit experiment ... --debug".
    @Option(names = "--plugins", split = ":", paramLabel = "PATH", scope = ScopeType.INHERIT,
            description = "Plugin jars or folders of jars (':'-separated) whose normalizations join the registry. "
                    + "Also read from the environment variable " + PluginLoader.ENVIRONMENT_VARIABLE + ".")
    List<Path> plugins = new ArrayList<>();

    @Option(names = "--debug", scope = ScopeType.INHERIT, description = "Print stack traces on errors.")
    boolean debug;

    /** Parts bound in place of {@link NormkitModule}'s (tests, other applications); none by default. */
    private Module overrides = Modules.EMPTY_MODULE;
    private Injector injector;
    private NormRegistry registry;
    private String commandLine = "normkit";

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** Sets the kernels' thread count for this run (like torch.set_num_threads). */
    void applyThreads(int threads) {
        int cores = Runtime.getRuntime().availableProcessors();
        if (threads > cores) {
            spec.commandLine().getErr().println("normkit: warning: --threads " + threads + " is more than the " + cores
                    + " cores of this machine: the extra threads only take turns, and each costs its share");
            spec.commandLine().getErr().flush();
        }
        part(KernelPool.class).useThreads(threads);
    }

    void overrideParts(Module parts) {
        this.overrides = parts;
    }

    /** A part of the application, from the run's one injector. */
    <T> T part(Class<T> type) {
        return injector().getInstance(type);
    }

    /**
     * Checks, before any work, that each registered norm among {@code norms} has faces that agree (once per norm
     * and run, {@link NormVerifier}); {@code none} and unknown names are left to the command's own checks.
     * {@code skip} is the command's {@code --no-verify}.
     */
    void verifyFaces(List<String> norms, boolean skip) {
        if (skip) {
            return;
        }
        NormRegistry known = registry();
        part(NormVerifier.class).requireFacesAgree(norms.stream().map(NormSlot::nameOf).filter(known::contains)
                .distinct().toList());
    }

    /** The one injector of this run, over our class path and the plugins, built when first needed. */
    private Injector injector() {
        if (injector == null) {
            ClassLoader loader = PluginLoader.classLoaderFor(PluginLoader.pluginPaths(plugins));
            injector = Guice.createInjector(Modules.override(new NormkitModule(loader)).with(overrides));
        }
        return injector;
    }

    /** The command line as typed, for reports to say what made them. */
    String commandLine() {
        return commandLine;
    }

    void commandLine(String[] args) {
        commandLine = "normkit" + (args.length == 0 ? "" : " " + String.join(" ", args));
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
            registry = part(NormRegistry.class);
            for (String problem : registry.loadProblems()) {
                spec.commandLine().getErr().println("normkit: warning: plugin not loaded: " + problem);
            }
            spec.commandLine().getErr().flush();
        }
        return registry;
    }
}

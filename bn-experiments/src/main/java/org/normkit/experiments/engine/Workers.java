package org.normkit.experiments.engine;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.normkit.autograd.parallel.KernelThreads;
import org.normkit.autograd.spi.NormRegistry;
import org.normkit.autograd.spi.PluginLoader;
import org.normkit.experiments.train.Progress;

/**
 * The training side of an engine whose workers are other JVMs (Spark executors): each JVM builds one
 * {@link RunTrainer} per grid, loading the data and the norm registry once, not once per run.
 *
 * <p>A worker loads the data from the folder the driver names (or the default folder, or the synthetic set), so a
 * worker without the data would train on other images; the driver compares each outcome's
 * {@link RunOutcome#dataOrigin} with its own and refuses such rows.
 */
public final class Workers {
    private static final Map<Key, RunTrainer> TRAINERS = new ConcurrentHashMap<>();

    private Workers() {}

    private record Key(GridSetup setup, List<String> plugins) {}

    /** Trains {@code task} in this JVM, returning the lines it printed with the outcome; errors are thrown. */
    public static RunOutcome train(RunTask task, List<String> plugins) {
        KernelThreads.set(task.setup().kernelThreads());
        RunTrainer trainer = TRAINERS.computeIfAbsent(new Key(task.setup(), List.copyOf(plugins)), key -> {
            List<Path> paths = key.plugins().stream().map(Path::of).toList();
            NormRegistry registry = NormRegistry.load(PluginLoader.classLoaderFor(PluginLoader.pluginPaths(paths)));
            return new RunTrainer(registry, key.setup().loadWorkload(), Progress.silent());
        });
        List<String> lines = new java.util.ArrayList<>();
        RunOutcome outcome = trainer.train(task, lines::add, row -> { });
        return outcome.withLines(lines);
    }
}

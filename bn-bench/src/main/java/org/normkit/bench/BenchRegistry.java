package org.normkit.bench;

import java.util.List;

import org.normkit.autograd.spi.NormRegistry;
import org.normkit.autograd.spi.PluginLoader;

/**
 * The registry a benchmark JVM times: everything on its class path plus the plugins named by
 * {@code -Dnormkit.plugins} (or {@code NORMKIT_PLUGINS}), which is how a JMH fork sees the same plugins as the
 * command that started it. Built once per JVM, at this edge.
 */
final class BenchRegistry {
    private static NormRegistry registry;

    private BenchRegistry() {}

    static synchronized NormRegistry get() {
        if (registry == null) {
            registry = NormRegistry.load(PluginLoader.classLoaderFor(PluginLoader.pluginPaths(List.of())));
            for (String problem : registry.loadProblems()) {
                System.err.println("normkit bench: warning: plugin not loaded: " + problem);
            }
        }
        return registry;
    }
}

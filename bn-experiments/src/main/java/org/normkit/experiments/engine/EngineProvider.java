package org.normkit.experiments.engine;

import com.google.inject.Module;

/**
 * An engine that {@code --engine NAME} can choose, found by {@link java.util.ServiceLoader} (one line in
 * {@code META-INF/services/org.normkit.experiments.engine.EngineProvider}), as norms are. It hands out the Guice
 * module that binds {@link Engine}: the command creates its injector with that module, so choosing an engine is
 * choosing a module, and an engine that lives in another jar (Spark's) needs only to be on the class path.
 */
public interface EngineProvider {
    /** The name {@code --engine} takes, e.g. {@code local} or {@code spark}. */
    String name();

    /** The module binding {@link Engine} for these settings. */
    Module module(EngineSettings settings);
}

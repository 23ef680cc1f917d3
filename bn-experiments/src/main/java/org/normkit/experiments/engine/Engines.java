package org.normkit.experiments.engine;

import java.util.ServiceLoader;
import java.util.TreeMap;

import com.google.inject.Guice;
import com.google.inject.ProvisionException;

/**
 * Finds an engine by name among the {@link EngineProvider}s on the class path and builds it through a Guice injector
 * over the provider's module. Asking for an engine that is not on the class path names the module that has it.
 */
public final class Engines {
    /** The engine in the {@code bn-spark} module, which the main jar leaves out because Spark is large. */
    public static final String SPARK = "spark";

    private Engines() {}

    /** The engine {@code name} with {@code settings}; an error naming the known engines when there is none. */
    public static Engine create(String name, EngineSettings settings) {
        TreeMap<String, EngineProvider> known = new TreeMap<>();
        for (EngineProvider provider : ServiceLoader.load(EngineProvider.class, Engines.class.getClassLoader())) {
            known.put(provider.name(), provider);
        }
        EngineProvider provider = known.get(name);
        if (provider == null && SPARK.equals(name)) {
            throw new IllegalArgumentException("--engine spark: the Spark engine is not on the class path. It is the "
                    + "bn-spark module, left out of the main jar because Spark is large: run ./normkit from the "
                    + "source tree (it adds bn-spark when it sees --engine spark), or submit "
                    + "bn-spark/target/normkit-spark.jar with spark-submit (see the README, 'Sweeps on a Spark "
                    + "cluster'); known engines here: " + String.join(", ", known.keySet()));
        }
        if (provider == null) {
            throw new IllegalArgumentException("--engine " + name + " is not an engine; known: "
                    + String.join(", ", known.keySet()) + (known.containsKey(SPARK) ? "" : ", and " + SPARK
                    + " with the bn-spark module"));
        }
        try {
            return Guice.createInjector(provider.module(settings)).getInstance(Engine.class);
        } catch (ProvisionException e) {
            // Guice wraps what the engine's constructor threw in a page of its own; the user needs the cause.
            throw e.getCause() instanceof RuntimeException cause ? cause : e;
        }
    }
}

package org.normkit.experiments.engine;

import java.util.Map;
import java.util.TreeMap;

import com.google.inject.Guice;
import com.google.inject.Inject;
import com.google.inject.Injector;
import com.google.inject.ProvisionException;

/**
 * The engines the application knows ({@link EnginesModule}), by name. {@link #create} builds one in a child
 * injector of the application's, over the module its {@link EngineProvider} hands out for the command's settings,
 * so an engine may inject any part the application binds. Asking for an engine that is not on the class path names
 * the module that has it.
 */
public final class Engines {
    /** The engine in the {@code bn-spark} module, which the main jar leaves out because Spark is large. */
    public static final String SPARK = "spark";

    private final TreeMap<String, EngineProvider> known;
    private final Injector application;

    @Inject
    Engines(Map<String, EngineProvider> providers, Injector application) {
        this.known = new TreeMap<>(providers);
        this.application = application;
    }

    /** The engines on this class's class path, in an injector of their own: for tests and tools without one. */
    public static Engines loadDefault() {
        return Guice.createInjector(new EnginesModule(Engines.class.getClassLoader())).getInstance(Engines.class);
    }

    /** The engine {@code name} with {@code settings}; an error naming the known engines when there is none. */
    public Engine create(String name, EngineSettings settings) {
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
            return application.createChildInjector(provider.module(settings)).getInstance(Engine.class);
        } catch (ProvisionException e) {
            // Guice wraps what the engine's constructor threw in a page of its own; the user needs the cause.
            throw e.getCause() instanceof RuntimeException cause ? cause : e;
        }
    }
}

package org.normkit.experiments.engine;

import java.util.ServiceLoader;

import com.google.inject.AbstractModule;
import com.google.inject.multibindings.MapBinder;

/**
 * The engines' wiring: every {@link EngineProvider} that {@link ServiceLoader} finds on the class loader is added to
 * a {@code MapBinder<String, EngineProvider>} under its name, and {@link Engines} builds the one {@code --engine}
 * names in a child injector of the application's. Another engine joins by one more {@code MapBinder} entry in any
 * module of that injector, or by a service line in a jar on the class path (Spark's).
 */
public final class EnginesModule extends AbstractModule {
    private final Iterable<EngineProvider> providers;

    /** @param loader the class loader whose {@code META-INF/services} lines name the engines */
    public EnginesModule(ClassLoader loader) {
        // Discovery runs here, not in configure(), so that configure() stays fast and free of side effects.
        this.providers = ServiceLoader.load(EngineProvider.class, loader).stream().map(ServiceLoader.Provider::get)
                .toList();
    }

    @Override
    protected void configure() {
        MapBinder<String, EngineProvider> byName = MapBinder.newMapBinder(binder(), String.class, EngineProvider.class);
        providers.forEach(provider -> byName.addBinding(provider.name()).toInstance(provider));
    }
}

package org.normkit.autograd.spi;

import java.util.List;

import com.google.inject.AbstractModule;
import com.google.inject.TypeLiteral;
import com.google.inject.multibindings.MapBinder;
import com.google.inject.name.Names;

/**
 * The registry's wiring: every provider {@link ProviderDiscovery} finds on the class loader is added to a
 * {@code MapBinder<String, NormalizationProvider>} under its name, and the load problems are bound for the edges
 * to print. Our own norms arrive the same way as a researcher's: one line in {@code META-INF/services}.
 *
 * <p>Create the injector once, at the edge (CLI, benchmark setup, test fixture): {@link NormRegistry#load}.
 */
public final class NormalizationsModule extends AbstractModule {
    private final ProviderDiscovery discovery;

    public NormalizationsModule(ClassLoader loader) {
        // Discovery runs here, not in configure(), so that configure() stays fast and free of side effects.
        this.discovery = ProviderDiscovery.on(loader);
    }

    @Override
    protected void configure() {
        MapBinder<String, NormalizationProvider> byName =
                MapBinder.newMapBinder(binder(), String.class, NormalizationProvider.class);
        discovery.providers().forEach((name, provider) -> byName.addBinding(name).toInstance(provider));
        bind(new TypeLiteral<List<String>>() {}).annotatedWith(Names.named("loadProblems"))
                .toInstance(List.copyOf(discovery.problems()));
    }
}

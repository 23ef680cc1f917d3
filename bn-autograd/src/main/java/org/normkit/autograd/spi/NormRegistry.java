package org.normkit.autograd.spi;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

import com.google.inject.Guice;
import com.google.inject.Inject;
import com.google.inject.name.Named;

/**
 * The registered normalizations, sorted by name (MapBinder's order across modules is not defined). An unknown
 * name is an error that lists the known ones.
 */
public final class NormRegistry {
    private final SortedMap<String, NormalizationProvider> providers;
    private final List<String> loadProblems;

    @Inject
    NormRegistry(Map<String, NormalizationProvider> providers, @Named("loadProblems") List<String> loadProblems) {
        this.providers = new TreeMap<>(providers);
        this.loadProblems = loadProblems;
    }

    /** Builds the injector with {@link NormalizationsModule} on {@code loader}: for the edges of the program. */
    public static NormRegistry load(ClassLoader loader) {
        return Guice.createInjector(new NormalizationsModule(loader)).getInstance(NormRegistry.class);
    }

    /** The registry of everything on the class path of this class. */
    public static NormRegistry loadDefault() {
        return load(NormRegistry.class.getClassLoader());
    }

    public List<String> names() {
        return List.copyOf(providers.keySet());
    }

    public Collection<NormalizationProvider> providers() {
        return providers.values();
    }

    public boolean contains(String name) {
        return providers.containsKey(name);
    }

    public NormalizationProvider get(String name) {
        NormalizationProvider p = providers.get(name);
        if (p == null) {
            throw new IllegalArgumentException("unknown normalization '" + name + "'; registered: "
                    + String.join(", ", providers.keySet())
                    + " (a plugin's norms appear after --plugins path/to/plugin.jar)");
        }
        return p;
    }

    /** Entries that failed to load, one line each (broken service lines, duplicate names). */
    public List<String> loadProblems() {
        return loadProblems;
    }
}

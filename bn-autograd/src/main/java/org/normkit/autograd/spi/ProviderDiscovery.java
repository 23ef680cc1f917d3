package org.normkit.autograd.spi;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;

/**
 * Finds the providers on a class loader with {@link ServiceLoader}, and turns its failures into one line each that
 * names the service file, the line and the cause. A broken entry or a duplicate name is reported and skipped, so
 * one bad plugin does not take the other norms down with it.
 */
public final class ProviderDiscovery {
    public static final String SERVICE_FILE = "META-INF/services/" + NormalizationProvider.class.getName();

    private final Map<String, NormalizationProvider> providers = new LinkedHashMap<>();
    private final List<String> problems = new ArrayList<>();

    private ProviderDiscovery() {}

    public static ProviderDiscovery on(ClassLoader loader) {
        ProviderDiscovery d = new ProviderDiscovery();
        d.load(loader);
        return d;
    }

    /** Providers by name, in discovery order, duplicates removed. */
    public Map<String, NormalizationProvider> providers() {
        return providers;
    }

    /** One line per entry that could not be loaded; empty when all went well. */
    public List<String> problems() {
        return problems;
    }

    private void load(ClassLoader loader) {
        Iterator<NormalizationProvider> it = ServiceLoader.load(NormalizationProvider.class, loader).iterator();
        while (true) {
            NormalizationProvider p;
            try {
                if (!it.hasNext()) {
                    break;
                }
                p = it.next();
            } catch (ServiceConfigurationError e) {
                problems.add(describe(e, loader));
                continue;
            }
            List<NormalizationProvider> entries;
            try {
                entries = p.family();
            } catch (RuntimeException e) {
                problems.add(p.getClass().getName() + ".family() failed: " + e + " (from " + origin(p.getClass()) + ")");
                continue;
            }
            entries.forEach(this::add);
        }
    }

    private void add(NormalizationProvider p) {
        Class<?> declaring = p.declaringClass();
        String name;
        try {
            name = p.name();
        } catch (RuntimeException e) {
            problems.add(declaring.getName() + ".name() failed: " + e + " (from " + origin(declaring) + ")");
            return;
        }
        NormalizationProvider previous = providers.get(name);
        if (previous != null) {
            Class<?> first = previous.declaringClass();
            problems.add("duplicate normalization name '" + name + "': " + first.getName() + " (" + origin(first)
                    + ") and " + declaring.getName() + " (" + origin(declaring) + ") both use it; the second is "
                    + "ignored: rename one provider's name()");
            return;
        }
        if (name == null || !name.matches("[a-z][a-z0-9_]*")) {
            problems.add(declaring.getName() + " has the name '" + name + "' (" + origin(declaring)
                    + "): names are lower_snake_case, e.g. my_norm");
            return;
        }
        providers.put(name, p);
    }

    /** Finds the service-file line that names the class the error is about. */
    private static String describe(ServiceConfigurationError e, ClassLoader loader) {
        String message = String.valueOf(e.getMessage());
        Throwable cause = e.getCause();
        String because = cause == null ? message : message + " (" + cause + ")";
        try {
            Enumeration<URL> files = loader.getResources(SERVICE_FILE);
            while (files.hasMoreElements()) {
                URL url = files.nextElement();
                try (BufferedReader r = new BufferedReader(new InputStreamReader(url.openStream(), StandardCharsets.UTF_8))) {
                    String line;
                    int number = 0;
                    while ((line = r.readLine()) != null) {
                        number++;
                        String entry = line.replaceAll("#.*", "").trim();
                        if (!entry.isEmpty() && mentions(message, entry)) {
                            return url + " line " + number + " ('" + entry + "'): " + because
                                    + "; fix the class name, or give the class a public zero-argument constructor";
                        }
                    }
                }
            }
        } catch (IOException io) {
            // Fall through to the plain message: the service file itself could not be read again.
        }
        return SERVICE_FILE + ": " + because;
    }

    private static boolean mentions(String message, String entry) {
        int at = message.indexOf(entry);
        if (at < 0) {
            return false;
        }
        int end = at + entry.length();
        return end == message.length() || !Character.isJavaIdentifierPart(message.charAt(end));
    }

    /** The jar or folder a class came from, for messages. */
    static String origin(Class<?> type) {
        try {
            var source = type.getProtectionDomain().getCodeSource();
            return source == null || source.getLocation() == null ? "unknown location" : source.getLocation().toString();
        } catch (SecurityException e) {
            return "unknown location";
        }
    }
}

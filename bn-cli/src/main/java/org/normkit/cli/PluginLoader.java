package org.normkit.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Builds the class loader that plugin jars live in: their own {@link URLClassLoader} whose parent is normkit's
 * loader, so a plugin sees the SPI and our shared base classes but nothing it ships can shadow ours.
 */
public final class PluginLoader {
    /** A ':'-separated list of plugin jars or folders, read in addition to {@code --plugins}. */
    public static final String ENVIRONMENT_VARIABLE = "NORMKIT_PLUGINS";

    private PluginLoader() {}

    /** The plugin paths from the command line and from {@value #ENVIRONMENT_VARIABLE}. */
    static List<Path> pluginPaths(List<Path> fromCommandLine) {
        List<Path> all = new ArrayList<>(fromCommandLine);
        String env = System.getenv(ENVIRONMENT_VARIABLE);
        if (env != null && !env.isBlank()) {
            for (String part : env.split(":")) {
                if (!part.isBlank()) {
                    all.add(Path.of(part.trim()));
                }
            }
        }
        return all;
    }

    /**
     * A loader over the given jars (a folder contributes every {@code *.jar} in it); the application's loader when
     * there are none. A path that does not exist is an error naming it.
     */
    public static ClassLoader classLoaderFor(List<Path> paths) {
        ClassLoader parent = PluginLoader.class.getClassLoader();
        if (paths.isEmpty()) {
            return parent;
        }
        List<URL> urls = new ArrayList<>();
        for (Path p : paths) {
            if (Files.isDirectory(p)) {
                try (Stream<Path> jars = Files.list(p)) {
                    jars.filter(j -> j.getFileName().toString().endsWith(".jar")).sorted().forEach(j -> urls.add(url(j)));
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot list plugin folder " + p + ": " + e.getMessage(), e);
                }
            } else if (Files.isRegularFile(p)) {
                urls.add(url(p));
            } else {
                throw new IllegalArgumentException("plugin path " + p.toAbsolutePath() + " does not exist: pass a jar "
                        + "or a folder of jars to --plugins (or " + ENVIRONMENT_VARIABLE + ")");
            }
        }
        return new URLClassLoader("normkit-plugins", urls.toArray(URL[]::new), parent);
    }

    private static URL url(Path p) {
        try {
            return p.toAbsolutePath().toUri().toURL();
        } catch (MalformedURLException e) {
            throw new IllegalArgumentException("plugin path " + p + " is not a valid location: " + e.getMessage(), e);
        }
    }
}

package org.normkit.autograd.spi;

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
import java.util.zip.ZipException;
import java.util.zip.ZipFile;

/**
 * Builds the class loader that plugin jars live in: their own {@link URLClassLoader} whose parent is normkit's
 * loader, so a plugin sees the SPI and our shared base classes but nothing it ships can shadow ours.
 */
public final class PluginLoader {
    /** A ':'-separated list of plugin jars or folders, read in addition to {@code --plugins}. */
    public static final String ENVIRONMENT_VARIABLE = "NORMKIT_PLUGINS";

    private PluginLoader() {}

    /**
     * System property with the same ':'-separated list; set by tools that start other JVMs (JMH forks) so the
     * children see the same plugins.
     */
    public static final String SYSTEM_PROPERTY = "normkit.plugins";

    /** The plugin paths from the command line, {@value #ENVIRONMENT_VARIABLE} and {@value #SYSTEM_PROPERTY}. */
    public static List<Path> pluginPaths(List<Path> fromCommandLine) {
        List<Path> all = new ArrayList<>(fromCommandLine);
        for (String list : new String[] {System.getenv(ENVIRONMENT_VARIABLE), System.getProperty(SYSTEM_PROPERTY)}) {
            if (list != null && !list.isBlank()) {
                for (String part : list.split(":")) {
                    if (!part.isBlank() && !all.contains(Path.of(part.trim()))) {
                        all.add(Path.of(part.trim()));
                    }
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
                    jars.filter(j -> j.getFileName().toString().endsWith(".jar")).sorted()
                            .forEach(j -> urls.add(url(requireJar(j))));
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot list plugin folder " + p + ": " + e.getMessage(), e);
                }
            } else if (Files.isRegularFile(p)) {
                urls.add(url(requireJar(p)));
            } else {
                throw new IllegalArgumentException("plugin path " + p.toAbsolutePath() + " does not exist: pass a jar "
                        + "or a folder of jars to --plugins (or " + ENVIRONMENT_VARIABLE + ")");
            }
        }
        return new URLClassLoader("normkit-plugins", urls.toArray(URL[]::new), parent);
    }

    /**
     * {@code p} when it is a jar with at least one entry. A file that is not a zip, or an empty one, would otherwise
     * be skipped by the class loader without a word, and the user would look for their norm in vain.
     */
    private static Path requireJar(Path p) {
        try (ZipFile zip = new ZipFile(p.toFile())) {
            if (zip.size() == 0) {
                throw new IllegalArgumentException("plugin " + p.toAbsolutePath() + " is an empty jar: it holds no "
                        + "classes and no META-INF/services entry; pass the plugin's built jar (mvn package)");
            }
        } catch (ZipException e) {
            throw new IllegalArgumentException("plugin " + p.toAbsolutePath() + " is not a jar (" + e.getMessage()
                    + "); pass a plugin's jar or a folder of jars", e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read plugin " + p.toAbsolutePath() + ": " + e.getMessage(), e);
        }
        return p;
    }

    private static URL url(Path p) {
        try {
            return p.toAbsolutePath().toUri().toURL();
        } catch (MalformedURLException e) {
            throw new IllegalArgumentException("plugin path " + p + " is not a valid location: " + e.getMessage(), e);
        }
    }
}

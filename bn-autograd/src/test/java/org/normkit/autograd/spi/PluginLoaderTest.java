package org.normkit.autograd.spi;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.jar.JarOutputStream;
import java.util.zip.ZipEntry;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Where plugins come from (the command line, then the environment variable and the system property, without
 * repeats) and the class loader over them: a folder's jars in name order, and a clear refusal of a path that is
 * missing, not a jar, or an empty jar.
 */
class PluginLoaderTest {
    @TempDir
    Path dir;

    private static Path jarWith(Path path, String entry) throws IOException {
        try (OutputStream file = Files.newOutputStream(path); JarOutputStream jar = new JarOutputStream(file)) {
            jar.putNextEntry(new ZipEntry(entry));
            jar.write(entry.getBytes(StandardCharsets.UTF_8));
            jar.closeEntry();
        }
        return path;
    }

    private static URL url(Path p) throws IOException {
        return p.toAbsolutePath().toUri().toURL();
    }

    @Nested
    class Paths {
        private String saved;

        @BeforeEach
        void keepTheProperty() {
            // The environment variable cannot be set from a test; every expectation below assumes it is not set.
            assertNull(System.getenv(PluginLoader.ENVIRONMENT_VARIABLE),
                    "unset " + PluginLoader.ENVIRONMENT_VARIABLE + " to run these tests");
            saved = System.getProperty(PluginLoader.SYSTEM_PROPERTY);
        }

        @AfterEach
        void restoreTheProperty() {
            if (saved == null) {
                System.clearProperty(PluginLoader.SYSTEM_PROPERTY);
            } else {
                System.setProperty(PluginLoader.SYSTEM_PROPERTY, saved);
            }
        }

        @Test
        void withoutThePropertyTheCommandLineIsAll() {
            System.clearProperty(PluginLoader.SYSTEM_PROPERTY);
            assertEquals(List.of(Path.of("a.jar")), PluginLoader.pluginPaths(List.of(Path.of("a.jar"))));
        }

        @Test
        void aBlankPropertyAddsNothing() {
            System.setProperty(PluginLoader.SYSTEM_PROPERTY, "  ");
            assertEquals(List.of(Path.of("a.jar")), PluginLoader.pluginPaths(List.of(Path.of("a.jar"))));
        }

        @Test
        void thePropertysEntriesFollowTrimmedWithoutBlanksOrRepeats() {
            System.setProperty(PluginLoader.SYSTEM_PROPERTY, " b.jar :: a.jar:c.jar: b.jar");
            assertEquals(List.of(Path.of("a.jar"), Path.of("b.jar"), Path.of("c.jar")),
                    PluginLoader.pluginPaths(List.of(Path.of("a.jar"))));
        }
    }

    @Nested
    class Loaders {
        @Test
        void noPluginsMeansTheApplicationsOwnLoader() {
            assertSame(PluginLoader.class.getClassLoader(), PluginLoader.classLoaderFor(List.of()));
        }

        @Test
        void aJarGetsAChildLoaderOfNormkitsOwn() throws IOException {
            Path jar = jarWith(dir.resolve("plugin.jar"), "plugin.txt");

            URLClassLoader loader = assertInstanceOf(URLClassLoader.class, PluginLoader.classLoaderFor(List.of(jar)));

            assertEquals("normkit-plugins", loader.getName());
            assertSame(PluginLoader.class.getClassLoader(), loader.getParent());
            assertArrayEquals(new URL[] {url(jar)}, loader.getURLs());
            assertNotNull(loader.getResource("plugin.txt"));
        }

        @Test
        void aFolderContributesItsJarsInNameOrderAndNothingElse() throws IOException {
            Path folder = Files.createDirectory(dir.resolve("plugins"));
            Path second = jarWith(folder.resolve("b.jar"), "b.txt");
            Path first = jarWith(folder.resolve("a.jar"), "a.txt");
            Files.writeString(folder.resolve("notes.txt"), "not a plugin");

            URLClassLoader loader = (URLClassLoader) PluginLoader.classLoaderFor(List.of(folder));

            assertArrayEquals(new URL[] {url(first), url(second)}, loader.getURLs());
        }

        @Test
        void aMissingPathIsRefusedNamingItAndTheWayOut() {
            Path missing = dir.resolve("nowhere.jar");
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> PluginLoader.classLoaderFor(List.of(missing)));
            assertEquals("plugin path " + missing.toAbsolutePath() + " does not exist: pass a jar or a folder of jars "
                    + "to --plugins (or NORMKIT_PLUGINS)", e.getMessage());
        }

        @Test
        void aFileThatIsNotAJarIsRefused() throws IOException {
            Path text = Files.writeString(dir.resolve("plugin.jar"), "just text");
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> PluginLoader.classLoaderFor(List.of(text)));
            assertTrue(e.getMessage().startsWith("plugin " + text.toAbsolutePath() + " is not a jar ("), e.getMessage());
            assertTrue(e.getMessage().endsWith("); pass a plugin's jar or a folder of jars"), e.getMessage());
        }

        @Test
        void anEmptyJarIsRefusedEvenInsideAFolder() throws IOException {
            Path folder = Files.createDirectory(dir.resolve("plugins"));
            jarWith(folder.resolve("a.jar"), "a.txt");
            Path empty = folder.resolve("empty.jar");
            try (JarOutputStream jar = new JarOutputStream(Files.newOutputStream(empty))) {
                jar.finish();
            }
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> PluginLoader.classLoaderFor(List.of(folder)));
            assertEquals("plugin " + empty.toAbsolutePath() + " is an empty jar: it holds no classes and no "
                    + "META-INF/services entry; pass the plugin's built jar (mvn package)", e.getMessage());
        }
    }
}

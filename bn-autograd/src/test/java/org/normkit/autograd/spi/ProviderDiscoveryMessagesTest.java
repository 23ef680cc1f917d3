package org.normkit.autograd.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Enumeration;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The details of a load problem's line: which service-file line it names when one class name starts with another,
 * the cause of the error in brackets only when there is one, the plain message when no line names the class, and
 * the jar or folder a class came from.
 */
class ProviderDiscoveryMessagesTest {
    private static final String FIX = "; fix the class name, or give the class a public zero-argument constructor";

    @TempDir
    Path dir;

    /** A loader that sees only the service file written here (and the test's classes through its parent). */
    private ClassLoader servicing(String... lines) throws IOException {
        Path services = dir.resolve(ProviderDiscovery.SERVICE_FILE);
        Files.createDirectories(services.getParent());
        Files.writeString(services, String.join("\n", lines) + "\n");
        return new URLClassLoader(new URL[] {dir.toUri().toURL()}, getClass().getClassLoader()) {
            @Override
            public Enumeration<URL> getResources(String name) throws IOException {
                return name.equals(ProviderDiscovery.SERVICE_FILE) ? findResources(name) : super.getResources(name);
            }
        };
    }

    private static String name(Class<?> type) {
        return type.getName();
    }

    @Test
    void aClassWhoseNameStartsWithAnEarlierEntryIsFoundOnItsOwnLine() throws IOException {
        String missing = name(RegistryDiscoveryTest.Alpha.class) + "Missing";
        ProviderDiscovery discovery = ProviderDiscovery.on(servicing(name(RegistryDiscoveryTest.Alpha.class), missing));

        assertEquals(List.of("alpha_norm"), List.copyOf(discovery.providers().keySet()));
        String problem = discovery.problems().get(0);
        assertTrue(problem.contains(" line 2 ('" + missing + "'): "), problem);
    }

    @Test
    void aClassThatIsNotFoundHasNoCauseInBrackets() throws IOException {
        ProviderDiscovery discovery = ProviderDiscovery.on(servicing("org.example.NoSuchNorm"));

        String problem = discovery.problems().get(0);
        assertTrue(problem.endsWith(" line 1 ('org.example.NoSuchNorm'): " + NormalizationProvider.class.getName()
                + ": Provider org.example.NoSuchNorm not found" + FIX), problem);
    }

    @Test
    void aClassWithoutAPublicConstructorHasItsCauseInBrackets() throws IOException {
        ProviderDiscovery discovery = ProviderDiscovery.on(servicing(name(RegistryDiscoveryTest.Named.class)));

        String problem = discovery.problems().get(0);
        assertTrue(problem.contains(" (java.lang.NoSuchMethodException: "), problem);
        assertTrue(problem.endsWith(")" + FIX), problem);
    }

    @Test
    void aLineNoClassCanHaveIsReportedWithTheServiceFileAndTheLoadersMessage() throws IOException {
        ProviderDiscovery discovery = ProviderDiscovery.on(servicing("org.example.Bad Name"));

        assertEquals(1, discovery.problems().size(), discovery.problems().toString());
        String problem = discovery.problems().get(0);
        assertTrue(problem.startsWith(ProviderDiscovery.SERVICE_FILE + ": " + NormalizationProvider.class.getName()
                + ": "), problem);
        assertTrue(problem.endsWith("Illegal configuration-file syntax"), problem);
    }

    @Test
    void theOriginOfAClassIsTheJarOrFolderItCameFrom() {
        assertEquals(getClass().getProtectionDomain().getCodeSource().getLocation().toString(),
                ProviderDiscovery.origin(getClass()));
    }

    @Test
    void aClassOfTheJdkHasNoKnownLocation() {
        assertEquals("unknown location", ProviderDiscovery.origin(String.class));
    }
}

package org.normkit.autograd.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the registry makes of service lines, good and bad: entries sorted by name, one problem line per broken entry
 * naming the file, the line or the class and the fix, and the other entries still loaded.
 */
class RegistryDiscoveryTest {
    @TempDir
    Path dir;

    /** A provider the tests register; only its name matters here. */
    public abstract static class Named implements NormalizationProvider {
        private final String name;

        Named(String name) {
            this.name = name;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public String summary() {
            return name + " (test double)";
        }

        @Override
        public InputContract contract() {
            throw new UnsupportedOperationException("not needed by the registry");
        }

        @Override
        public Normalization create(NormSpec spec) {
            throw new UnsupportedOperationException("not needed by the registry");
        }
    }

    public static final class Zeta extends Named {
        public Zeta() {
            super("zeta_norm");
        }
    }

    public static final class Alpha extends Named {
        public Alpha() {
            super("alpha_norm");
        }
    }

    public static final class SecondZeta extends Named {
        public SecondZeta() {
            super("zeta_norm");
        }
    }

    public static final class BadlyNamed extends Named {
        public BadlyNamed() {
            super("Fancy-Norm");
        }
    }

    public static final class NameFails extends Named {
        public NameFails() {
            super(null);
        }

        @Override
        public String name() {
            throw new IllegalStateException("no name yet");
        }
    }

    public static final class FamilyFails extends Named {
        public FamilyFails() {
            super("family_fails");
        }

        @Override
        public List<NormalizationProvider> family() {
            throw new IllegalStateException("members not ready");
        }
    }

    /** Two entries from one service line. */
    public static final class Pair extends Named {
        public Pair() {
            super("pair_a");
        }

        @Override
        public List<NormalizationProvider> family() {
            return List.of(this, new Named("pair_b") {});
        }
    }

    private ClassLoader servicing(String... lines) throws IOException {
        Path services = dir.resolve(ProviderDiscovery.SERVICE_FILE);
        Files.createDirectories(services.getParent());
        Files.writeString(services, String.join("\n", lines) + "\n");
        // No parent entries: a loader above the platform's sees only the temporary service file.
        return new URLClassLoader(new URL[] {dir.toUri().toURL()}, getClass().getClassLoader()) {
            @Override
            public java.util.Enumeration<URL> getResources(String name) throws IOException {
                return name.equals(ProviderDiscovery.SERVICE_FILE) ? findResources(name) : super.getResources(name);
            }
        };
    }

    private static String name(Class<?> type) {
        return type.getName();
    }

    @Nested
    class GoodEntries {
        @Test
        void namesAreSortedWhateverTheOrderOfTheServiceLines() throws IOException {
            NormRegistry registry = NormRegistry.load(servicing(name(Zeta.class), "# a comment", name(Alpha.class)));
            assertEquals(List.of("alpha_norm", "zeta_norm"), registry.names());
            assertEquals(List.of(), registry.loadProblems());
            assertEquals("zeta_norm", registry.get("zeta_norm").name());
            assertEquals(2, registry.providers().size());
        }

        @Test
        void aFamilyRegistersEveryMember() throws IOException {
            NormRegistry registry = NormRegistry.load(servicing(name(Pair.class)));
            assertEquals(List.of("pair_a", "pair_b"), registry.names());
            assertTrue(registry.contains("pair_b"));
            assertFalse(registry.contains("pair_c"));
        }

        @Test
        void anUnknownNameListsTheRegisteredOnesAndHowPluginsJoin() throws IOException {
            NormRegistry registry = NormRegistry.load(servicing(name(Zeta.class), name(Alpha.class)));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> registry.get("beta"));
            assertEquals("unknown normalization 'beta'; registered: alpha_norm, zeta_norm (a plugin's norms appear "
                    + "after --plugins path/to/plugin.jar)", e.getMessage());
        }
    }

    @Nested
    class BrokenEntries {
        @Test
        void aDuplicateNameKeepsTheFirstAndNamesBothClasses() throws IOException {
            NormRegistry registry = NormRegistry.load(servicing(name(Zeta.class), name(SecondZeta.class)));
            assertEquals(List.of("zeta_norm"), registry.names());
            assertTrue(registry.get("zeta_norm") instanceof Zeta, "the first one wins");
            assertEquals(1, registry.loadProblems().size(), registry.loadProblems().toString());
            String problem = registry.loadProblems().get(0);
            assertTrue(problem.startsWith("duplicate normalization name 'zeta_norm': " + name(Zeta.class) + " ("),
                    problem);
            assertTrue(problem.contains(") and " + name(SecondZeta.class) + " ("), problem);
            assertTrue(problem.endsWith("both use it; the second is ignored: rename one provider's name()"), problem);
        }

        @Test
        void aNameThatIsNotLowerSnakeCaseIsRefusedWithAnExample() throws IOException {
            NormRegistry registry = NormRegistry.load(servicing(name(BadlyNamed.class), name(Alpha.class)));
            assertEquals(List.of("alpha_norm"), registry.names(), "the other entries still load");
            String problem = registry.loadProblems().get(0);
            assertTrue(problem.startsWith(name(BadlyNamed.class) + " has the name 'Fancy-Norm' ("), problem);
            assertTrue(problem.endsWith("): names are lower_snake_case, e.g. my_norm"), problem);
        }

        @Test
        void aProviderWhoseNameOrFamilyFailsIsReportedWithTheCause() throws IOException {
            NormRegistry registry = NormRegistry.load(servicing(name(NameFails.class), name(FamilyFails.class),
                    name(Alpha.class)));
            assertEquals(List.of("alpha_norm"), registry.names());
            List<String> problems = registry.loadProblems();
            assertEquals(2, problems.size(), problems.toString());
            assertTrue(problems.get(0).startsWith(name(NameFails.class) + ".name() failed: "
                    + "java.lang.IllegalStateException: no name yet (from "), problems.get(0));
            assertTrue(problems.get(1).startsWith(name(FamilyFails.class) + ".family() failed: "
                    + "java.lang.IllegalStateException: members not ready (from "), problems.get(1));
        }

        @Test
        void aMissingClassNamesTheServiceFileTheLineAndTheFix() throws IOException {
            NormRegistry registry = NormRegistry.load(servicing(name(Alpha.class), "", "org.example.NoSuchNorm"));
            assertEquals(List.of("alpha_norm"), registry.names());
            String problem = registry.loadProblems().get(0);
            assertTrue(problem.contains(ProviderDiscovery.SERVICE_FILE + " line 3 ('org.example.NoSuchNorm'): "),
                    problem);
            assertTrue(problem.endsWith("; fix the class name, or give the class a public zero-argument constructor"),
                    problem);
        }

        @Test
        void aClassWithoutAPublicConstructorIsNamedToo() throws IOException {
            NormRegistry registry = NormRegistry.load(servicing(name(Named.class)));
            assertEquals(List.of(), registry.names());
            String problem = registry.loadProblems().get(0);
            assertTrue(problem.contains("line 1 ('" + name(Named.class) + "')"), problem);
        }
    }
}

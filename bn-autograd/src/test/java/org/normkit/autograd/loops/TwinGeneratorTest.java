package org.normkit.autograd.loops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.stream.Stream;

import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The generator that writes this module's float32/float64 twins ({@code build-tools/twins/TwinGenerator.java}, run
 * by Maven before compiling): what a template expands to, and that a broken template stops the build with its name
 * and line. The generated loops themselves are pinned down by the tests of the ops that use them, in both dtypes.
 */
class TwinGeneratorTest {
    private static final Path GENERATOR = Path.of("..", "build-tools", "twins", "TwinGenerator.java");
    private static Method expand;
    private static Method generate;

    @BeforeAll
    static void compileTheGenerator(@TempDir Path classes) throws Exception {
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        assertNotNull(javac, "the tests need a JDK, not a JRE");
        assertEquals(0, javac.run(null, null, null, "-d", classes.toString(), GENERATOR.toString()),
                "the generator does not compile: " + GENERATOR.toAbsolutePath());
        Class<?> generator = new URLClassLoader(new URL[] {classes.toUri().toURL()}).loadClass("TwinGenerator");
        expand = generator.getDeclaredMethod("expand", String.class, List.class);
        generate = generator.getDeclaredMethod("generate", Path.class, Path.class);
        expand.setAccessible(true);
        generate.setAccessible(true);
    }

    @SuppressWarnings("unchecked")
    private static List<String> expand(String... lines) {
        try {
            return (List<String>) expand.invoke(null, "T.java.template", List.of(lines));
        } catch (InvocationTargetException e) {
            throw (RuntimeException) e.getCause();
        } catch (IllegalAccessException e) {
            throw new AssertionError(e);
        }
    }

    private static String failure(String... lines) {
        return assertThrows(RuntimeException.class, () -> expand(lines)).getMessage();
    }

    @Nested
    class Expansion {
        @Test
        void aTwinsRegionIsWrittenForFloatThenDoubleWithEveryPlaceholderFilled() {
            assertEquals(List.of(
                    "class T {",
                    "    $ float[] FLOAT32 Float sgemm (float) x",
                    "",
                    "    $ double[] FLOAT64 Double dgemm x",
                    "}"), expand(
                    "class T {",
                    "    //#twins",
                    "    $ $type$[] $DTYPE$ $Type$ $blas$gemm $round$x",
                    "    //#end",
                    "}"));
        }

        @Test
        void betweenLinesStandBetweenTheTwoCopies() {
            assertEquals(List.of(
                    "if (f32) {",
                    "    float[] a;",
                    "} else {",
                    "    double[] a;",
                    "}"), expand(
                    "if (f32) {",
                    "    //#twins",
                    "    $type$[] a;",
                    "    //#between",
                    "} else {",
                    "    //#end",
                    "}"));
        }

        @Test
        void anIfKeepsItsLinesForOneTypeAndItsElseForTheOther() {
            assertEquals(List.of("fast float", "both", "plain double", "both"), expand(
                    "//#twins",
                    "//#if float",
                    "fast $type$",
                    "//#else",
                    "plain $type$",
                    "//#end",
                    "both",
                    "//#end").stream().filter(line -> !line.isEmpty()).toList());
        }

        @Test
        void aFragmentIsWrittenWhereverItIsInsertedAndNowhereElse() {
            assertEquals(List.of("class T {", "  x = 1;", "  y = x;", "  x = 1;", "  y = x;", "float a;", "  x = 1;",
                    "  y = x;", "", "double a;", "  x = 1;", "  y = x;", "}"), expand(
                    "class T {",
                    "//#fragment body",
                    "  x = 1;",
                    "  y = x;",
                    "//#end",
                    "//#insert body",
                    "//#insert body",
                    "//#twins",
                    "$type$ a;",
                    "//#insert body",
                    "//#end",
                    "}"));
        }

        @Test
        void linesOutsideARegionAreCopiedAsTheyAre() {
            assertEquals(List.of("package p;", "  // a comment with # and $ signs"),
                    expand("package p;", "  // a comment with # and $ signs"));
        }
    }

    @Nested
    class BrokenTemplates {
        @Test
        void anUnknownPlaceholderNamesTheTemplateLineAndTheKnownOnes() {
            String message = failure("//#twins", "ok", "$kind$ x;", "//#end");
            assertTrue(message.startsWith("T.java.template:3: unknown placeholder $kind$; known: $type$"), message);
        }

        @Test
        void aPlaceholderOutsideARegionIsRefused() {
            assertTrue(failure("int a;", "$type$ b;").startsWith("T.java.template:2: placeholder $type$ outside"));
        }

        @Test
        void aRegionLeftOpenNamesTheLineThatOpenedIt() {
            assertEquals("T.java.template:2: //#twins is never closed; add //#end", failure("a", "//#twins", "b"));
        }

        @Test
        void nestedRegionsAndStrayDirectivesAreRefused() {
            assertTrue(failure("//#twins", "//#twins", "//#end", "//#end").contains("//#twins inside the region"));
            assertTrue(failure("//#end").startsWith("T.java.template:1: //#end without an open"));
            assertTrue(failure("//#twins", "//#if half", "//#end", "//#end").contains("float or double"));
            assertTrue(failure("//#if float", "//#end").contains("//#if stands only directly inside"));
            assertTrue(failure("//#twin").contains("unknown directive '//#twin'"));
        }

        @Test
        void aFragmentMustBeClosedInsertedKnownAndFreeOfDirectives() {
            assertEquals("T.java.template:2: //#fragment f is never closed; add //#end", failure("a", "//#fragment f",
                    "b"));
            assertEquals("T.java.template:1: //#fragment f is never inserted; add //#insert f where it belongs, or"
                    + " remove it", failure("//#fragment f", "b", "//#end"));
            assertTrue(failure("//#fragment f", "b", "//#end", "//#insert g").startsWith(
                    "T.java.template:4: //#insert of an unknown fragment: '//#insert g'; defined above it: [f]"));
            assertTrue(failure("//#insert f", "//#fragment f", "b", "//#end").contains("unknown fragment"));
            assertTrue(failure("//#fragment f", "//#twins", "//#end").contains("a //#fragment holds no directive"));
            assertTrue(failure("//#twins", "//#fragment f", "//#end", "//#end").contains("//#fragment inside"));
            assertTrue(failure("//#fragment f", "//#end", "//#fragment f", "//#end", "//#insert f").contains(
                    "is defined at line 1"));
            assertTrue(failure("//#fragment f", "$type$ b;", "//#end", "//#insert f").startsWith(
                    "T.java.template:2: placeholder $type$ outside"));
        }
    }

    @Nested
    class OutputFiles {
        @Test
        void everyTemplateBecomesAJavaFileAndStaleOnesAreDeleted(@TempDir Path dir) throws Exception {
            Path templates = dir.resolve("templates/p");
            Files.createDirectories(templates);
            Files.writeString(templates.resolve("A.java.template"), "package p;\n//#twins\nclass A$Type$ {}\n//#end\n");
            Path out = dir.resolve("out");
            Path stale = out.resolve("p/Old.java");
            Files.createDirectories(stale.getParent());
            Files.writeString(stale, "class Old {}");

            generate.invoke(null, dir.resolve("templates"), out);

            String a = Files.readString(out.resolve("p/A.java"));
            assertTrue(a.startsWith("// Generated from p/A.java.template"), a);
            assertTrue(a.contains("class AFloat {}") && a.contains("class ADouble {}"), a);
            assertFalse(Files.exists(stale), "a file no template produces must go");
        }

        @Test
        void anUnchangedOutputIsNotRewrittenSoTheCompilerCanSkipIt(@TempDir Path dir) throws Exception {
            Path templates = dir.resolve("templates");
            Files.createDirectories(templates);
            Files.writeString(templates.resolve("B.java.template"), "class B {}\n");
            Path out = dir.resolve("out");
            generate.invoke(null, templates, out);
            Path b = out.resolve("B.java");
            FileTime old = FileTime.fromMillis(1_000_000L);
            Files.setLastModifiedTime(b, old);

            generate.invoke(null, templates, out);

            assertEquals(old, Files.getLastModifiedTime(b));
        }

        /**
         * A pair converted once must not come back by hand (the check below sees only what is generated): each of
         * this module's twins stays a template, the last of them PoolingLoops.
         */
        @Test
        void theTwinsOnceKeptByHandStayTemplates() {
            Path templates = Path.of("src", "main", "java-templates", "org", "normkit", "autograd");
            Path sources = Path.of("src", "main", "java", "org", "normkit", "autograd");
            for (String twin : List.of("loops/Elementwise", "loops/BlockReduction", "loops/Gemm",
                    "loops/ConvolutionLoops", "loops/Im2Col", "loops/RowCopy", "loops/PoolingLoops",
                    "ops/LstmCell", "ops/Softmax", "tensor/Storage",
                    // Not a twin: float32 only, but its polynomial was written out by hand in both of its loops.
                    "loops/VectorExp")) {
                assertTrue(Files.exists(templates.resolve(twin + ".java.template")), twin + " is no template any more");
                assertFalse(Files.exists(sources.resolve(twin + ".java")), twin + " is kept by hand in src/main/java");
            }
        }

        @Test
        void thisModulesGeneratedSourcesAllComeFromItsTemplates() throws IOException {
            Path generated = Path.of("target", "generated-sources", "twins");
            Path templates = Path.of("src", "main", "java-templates");
            try (Stream<Path> files = Files.walk(generated)) {
                List<Path> java = files.filter(p -> p.toString().endsWith(".java")).toList();
                assertFalse(java.isEmpty(), "nothing generated under " + generated.toAbsolutePath());
                for (Path file : java) {
                    Path relative = generated.relativize(file);
                    assertTrue(Files.exists(templates.resolve(relative + ".template")), "no template for " + file);
                    assertFalse(Files.exists(Path.of("src", "main", "java").resolve(relative)),
                            relative + " is both generated and kept by hand in src/main/java");
                }
            }
        }
    }
}

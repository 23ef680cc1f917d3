package org.normkit.autograd.architecture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

/**
 * The engine's layout: primitives ({@code ops}) record into the graph ({@code graph}) and run on the loops
 * ({@code loops}); the arrows point one way, so neither the graph nor the loops may name an op, and the loops know
 * no graph. Read from the sources, the twin templates included (src/main/java-templates), so a violation names
 * the file and the line.
 */
class PackageDependenciesTest {
    private static final Path SOURCES = Path.of("src/main/java/org/normkit/autograd");
    private static final Path TEMPLATES = Path.of("src/main/java-templates/org/normkit/autograd");
    /** A class of a package named in full, or the whole package by a wildcard import. */
    private static final Pattern REFERENCE = Pattern.compile("org\\.normkit\\.autograd\\.(\\w+)\\.([A-Z]|\\*)");

    @Test
    void theGraphDoesNotKnowTheOps() {
        assertEquals(List.of(), references("graph", "ops"));
    }

    @Test
    void theLoopsKnowNeitherTheOpsNorTheGraph() {
        assertEquals(List.of(), references("loops", "ops"));
        assertEquals(List.of(), references("loops", "graph"));
    }

    @Test
    void theThreadPoolKnowsNothingAboveIt() {
        for (String above : List.of("tensor", "ops", "graph", "loops", "nn", "optim")) {
            assertEquals(List.of(), references("parallel", above), "parallel -> " + above);
        }
    }

    @Test
    void theSourcesAreWhereTheTestLooks() {
        assertTrue(Files.isDirectory(SOURCES.resolve("ops")), SOURCES.toAbsolutePath().toString());
    }

    /** Lines of the sources in package {@code from} that name a class of package {@code to}, as "File:line: text". */
    private static List<String> references(String from, String to) {
        try (Stream<Path> files = Stream.concat(Files.list(SOURCES.resolve(from)), templates(from))) {
            return files.filter(PackageDependenciesTest::isSource).sorted().flatMap(f -> {
                List<String> lines = read(f);
                return java.util.stream.IntStream.range(0, lines.size()).filter(i -> {
                    Matcher m = REFERENCE.matcher(lines.get(i));
                    while (m.find()) {
                        if (m.group(1).equals(to)) {
                            return true;
                        }
                    }
                    return false;
                }).mapToObj(i -> f.getFileName() + ":" + (i + 1) + ": " + lines.get(i).trim());
            }).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static boolean isSource(Path file) {
        return file.toString().endsWith(".java") || file.toString().endsWith(".java.template");
    }

    private static Stream<Path> templates(String from) throws IOException {
        Path dir = TEMPLATES.resolve(from);
        return Files.isDirectory(dir) ? Files.list(dir) : Stream.empty();
    }

    private static List<String> read(Path file) {
        try {
            return Files.readAllLines(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

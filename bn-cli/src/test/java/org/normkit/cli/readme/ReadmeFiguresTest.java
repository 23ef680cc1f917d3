package org.normkit.cli.readme;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.normkit.cli.Normkit;

class ReadmeFiguresTest {

    /** Surefire runs in the module's folder; the repository root is its parent. */
    private static final Path ROOT = Path.of("").toAbsolutePath().getParent();

    @Nested
    class TheCommittedReadme {

        @Test
        void agreesWithTheCommittedResultFiles() throws IOException {
            ReadmeBlocks blocks = ReadmeBlocks.parse(Files.readString(ROOT.resolve("README.md")));

            List<String> problems = blocks.disagreements(ReadmeFigures.render(ReadmeFigures.ALL, ROOT));

            assertTrue(problems.isEmpty(), () -> String.join("\n", problems)
                    + "\nrun ./normkit readme --write to rewrite the README's figures from docs/results/");
        }

        @Test
        void holdsABlockForEveryRegisteredFigure() throws IOException {
            ReadmeBlocks blocks = ReadmeBlocks.parse(Files.readString(ROOT.resolve("README.md")));

            assertEquals(ReadmeFigures.ALL.stream().map(ReadmeFigure::key).toList(), blocks.keys());
        }
    }

    @Nested
    class Blocks {
        private static final String README = "intro 0.5\n<!-- results:table -->\n| a |\n| 0.87 |\n"
                + "<!-- /results:table -->\nprose 0.5\n";

        @Test
        void aDifferingBlockIsNamedWithItsFirstDifferingLine() {
            List<String> problems = ReadmeBlocks.parse(README).disagreements(Map.of("table", "| a |\n| 0.88 |\n"));

            assertEquals(1, problems.size());
            assertTrue(problems.get(0).startsWith("README block table disagrees with its result files at line 2"),
                    problems.get(0));
            assertTrue(problems.get(0).contains("README: | 0.87 |") && problems.get(0).contains("files:  | 0.88 |"),
                    problems.get(0));
        }

        @Test
        void aShorterRenderingIsADifferenceToo() {
            List<String> problems = ReadmeBlocks.parse(README).disagreements(Map.of("table", "| a |\n"));

            assertTrue(problems.get(0).contains("line 2") && problems.get(0).contains("files:  (no line)"),
                    problems.get(0));
        }

        @Test
        void agreeingBlocksGiveNoProblems() {
            assertEquals(List.of(), ReadmeBlocks.parse(README).disagreements(Map.of("table", "| a |\n| 0.87 |\n")));
        }

        @Test
        void aFigureWithoutBlockAndABlockWithoutFigureAreBothReported() {
            List<String> problems = ReadmeBlocks.parse(README).disagreements(Map.of("other", "x\n"));

            assertEquals(2, problems.size());
            assertTrue(problems.get(0).startsWith("README has no block other"), problems.get(0));
            assertTrue(problems.get(1).startsWith("README block table has no figure"), problems.get(1));
        }

        @Test
        void rewritingReplacesOnlyTheBlocksContent() {
            String rewritten = ReadmeBlocks.parse(README).rewrite(Map.of("table", "| b |\n"));

            assertEquals("intro 0.5\n<!-- results:table -->\n| b |\n<!-- /results:table -->\nprose 0.5\n", rewritten);
        }

        @Test
        void anUnclosedBlockIsAnErrorNamingIt() {
            var error = assertThrows(IllegalArgumentException.class,
                    () -> ReadmeBlocks.parse("<!-- results:table -->\nx\n"));

            assertTrue(error.getMessage().contains("table opened on line 1 is never closed"), error.getMessage());
        }

        @Test
        void aNestedBlockIsAnError() {
            var error = assertThrows(IllegalArgumentException.class, () -> ReadmeBlocks.parse(
                    "<!-- results:a -->\n<!-- results:b -->\n<!-- /results:b -->\n<!-- /results:a -->\n"));

            assertTrue(error.getMessage().contains("opens block b inside block a"), error.getMessage());
        }
    }

    @Nested
    class Command {
        @TempDir
        Path dir;

        @Test
        void aReadmeThatDisagreesExitsWithOneAndNamesTheBlock() throws IOException {
            Path readme = dir.resolve("README.md");
            Files.writeString(readme, Files.readString(ROOT.resolve("README.md"))
                    .replace("<!-- /results:experiment -->", "stale line\n<!-- /results:experiment -->"));
            copyResults(dir);
            StringWriter err = new StringWriter();

            int exit = Normkit.run(new String[] {"readme", "--readme", readme.toString()},
                    new PrintWriter(new StringWriter()), new PrintWriter(err));

            assertEquals(1, exit);
            assertTrue(err.toString().contains("README block experiment disagrees"), err.toString());
        }

        @Test
        void writeMakesTheReadmeAgree() throws IOException {
            Path readme = dir.resolve("README.md");
            Files.writeString(readme, Files.readString(ROOT.resolve("README.md"))
                    .replace("<!-- /results:experiment -->", "stale line\n<!-- /results:experiment -->"));
            copyResults(dir);

            int exit = Normkit.run(new String[] {"readme", "--write", "--readme", readme.toString()},
                    new PrintWriter(new StringWriter()), new PrintWriter(new StringWriter()));

            assertEquals(0, exit);
            assertEquals(Files.readString(ROOT.resolve("README.md")), Files.readString(readme));
        }

        private void copyResults(Path target) throws IOException {
            Path results = ROOT.resolve("docs/results");
            try (var files = Files.walk(results)) {
                for (Path file : files.filter(Files::isRegularFile).filter(f -> !f.toString().endsWith(".png")
                        && !f.toString().endsWith(".html")).toList()) {
                    Path copy = target.resolve(ROOT.relativize(file));
                    Files.createDirectories(copy.getParent());
                    Files.copy(file, copy);
                }
            }
        }
    }
}

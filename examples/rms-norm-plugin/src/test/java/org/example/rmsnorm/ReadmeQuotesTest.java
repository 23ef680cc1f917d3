package org.example.rmsnorm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The README cannot drift from the example: every fenced block right after a {@code <!-- quote: PATH -->} line
 * (PATH relative to this module) must appear in that file byte for byte, and the jar it tells people to use must be
 * the one the build makes.
 */
class ReadmeQuotesTest {
    private static final Path MODULE = Path.of("").toAbsolutePath();
    private static final Pattern QUOTE = Pattern.compile("^<!-- quote: (\\S+) -->$");
    private static final Pattern JAR = Pattern.compile("target/(rms-norm-plugin[^/\\s]*\\.jar)");

    /** A fenced block of the README and the file it claims to quote. */
    record Quote(int line, String file, String text) {}

    @Test
    void everyQuotedBlockAppearsVerbatimInTheFileItNames() throws IOException {
        List<Quote> quotes = quotes(Files.readAllLines(MODULE.resolve("README.md")));
        assertTrue(quotes.size() >= 4, "the README should quote the norm, the service line, the pom and the "
                + "test; found " + quotes.size() + " quotes");
        for (Quote q : quotes) {
            Path file = MODULE.resolve(q.file());
            assertTrue(Files.isRegularFile(file), "README.md line " + q.line() + " quotes " + q.file()
                    + ", which does not exist");
            String content = Files.readString(file);
            assertTrue(content.contains(q.text()), "README.md line " + q.line() + ": the block is not in " + q.file()
                    + " verbatim; copy it from there again:\n" + q.text());
        }
    }

    @Test
    void jarPathsAreTheJarTheBuildMakes() throws IOException {
        String expected = System.getProperty("plugin.jar.name");
        Assumptions.assumeTrue(expected != null, "plugin.jar.name is set by the pom (run with Maven)");
        Matcher m = JAR.matcher(Files.readString(MODULE.resolve("README.md")));
        int seen = 0;
        while (m.find()) {
            assertEquals(expected, m.group(1), "README.md names a jar the build does not make");
            seen++;
        }
        assertTrue(seen > 0, "README.md names no plugin jar");
    }

    /** Every block that follows a quote marker, with its lines joined by \n and a final \n. */
    static List<Quote> quotes(List<String> lines) {
        List<Quote> quotes = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            Matcher marker = QUOTE.matcher(lines.get(i));
            if (!marker.matches()) {
                continue;
            }
            if (i + 1 >= lines.size() || !lines.get(i + 1).startsWith("```")) {
                fail("README.md line " + (i + 1) + ": a quote marker must be followed by a fenced block");
            }
            StringBuilder text = new StringBuilder();
            int j = i + 2;
            for (; j < lines.size() && !lines.get(j).startsWith("```"); j++) {
                text.append(lines.get(j)).append('\n');
            }
            if (j == lines.size()) {
                fail("README.md line " + (i + 2) + ": the fenced block is never closed");
            }
            quotes.add(new Quote(i + 1, marker.group(1), text.toString()));
            i = j;
        }
        return quotes;
    }
}

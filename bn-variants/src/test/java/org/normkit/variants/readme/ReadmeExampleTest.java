package org.normkit.variants.readme;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's "Use normkit from Java" example is this module's {@link UseNormkitFromJava}, compiled and run here:
 * the README block must equal the source between its {@code README:begin} and {@code README:end} lines, so the
 * example cannot drift from code that builds and trains.
 */
class ReadmeExampleTest {
    private static final Path SOURCE = Path.of("src/test/java/org/normkit/variants/readme/UseNormkitFromJava.java");
    private static final Path README = Path.of("../README.md");
    private static final String BLOCK_START = "<!-- example:use-from-java -->\n```java\n";

    @Test
    void theReadmeShowsExactlyTheExampleThatRuns() throws IOException {
        String source = Files.readString(SOURCE);
        int begin = source.indexOf('\n', source.indexOf("// README:begin")) + 1;
        String example = source.substring(begin, source.indexOf("// README:end"));
        String readme = Files.readString(README);
        int start = readme.indexOf(BLOCK_START);
        assertTrue(start >= 0, "README.md lacks the block that starts with " + BLOCK_START);
        int from = start + BLOCK_START.length();
        String shown = readme.substring(from, readme.indexOf("```\n", from));
        assertEquals(example, shown, "README.md's example differs from " + SOURCE + ": copy the lines between "
                + "README:begin and README:end into the README block");
    }

    @Test
    void theExampleTrainsSavesAndReloadsTheSameNet(@TempDir Path dir) {
        double[] result = UseNormkitFromJava.run(dir.resolve("mlp.state"));
        assertTrue(result[1] < 0.5 * result[0], "the loss fell only from " + result[0] + " to " + result[1]);
        assertEquals(0.0, result[2], "the reloaded net's outputs differ from the trained net's");
    }
}

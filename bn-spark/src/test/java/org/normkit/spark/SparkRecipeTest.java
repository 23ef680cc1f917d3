package org.normkit.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.normkit.cli.Normkit;

/**
 * The README's spark-submit recipe, run as spark-submit would run it, in local mode: spark-submit sets
 * {@code spark.master} and calls {@code org.normkit.cli.Normkit} with the arguments after the jar. The grid is cut
 * to 2 batch sizes × 2 norms × 1 seed × 1 epoch on a few hundred images, and the folders point into the test's own.
 */
class SparkRecipeTest {
    private static final String JAR = "bn-spark/target/normkit-spark.jar";

    @TempDir
    Path dir;

    /** The recipe's words, continuation lines joined: the lines between the markers, without the code fences. */
    static List<String> recipe() throws IOException {
        String readme = Files.readString(Path.of("..", "README.md"));
        int from = readme.indexOf("<!-- spark-recipe -->");
        int to = readme.indexOf("<!-- /spark-recipe -->");
        assertTrue(from >= 0 && to > from, "README.md has the spark-recipe block");
        String block = readme.substring(from, to).replace("\\\n", " ");
        String submit = block.lines().filter(l -> l.startsWith("spark-submit ")).findFirst().orElseThrow();
        return List.of(submit.trim().split("\\s+"));
    }

    @Test
    void theReadmeRecipeSubmitsNormkitsMainWithTheSparkEngine() throws IOException {
        List<String> words = recipe();

        assertEquals("org.normkit.cli.Normkit", words.get(words.indexOf("--class") + 1));
        assertTrue(words.indexOf(JAR) > 0, words.toString());
        List<String> normkit = words.subList(words.indexOf(JAR) + 1, words.size());
        assertEquals("sweep", normkit.get(0));
        assertEquals("spark", normkit.get(normkit.indexOf("--engine") + 1));
        assertTrue(!normkit.contains("--master"), "spark-submit sets the master");
    }

    @Test
    void theReadmeRecipeRunsInLocalModeOnAFewHundredImages() throws IOException {
        Path data = SparkGrid.writeData(dir.resolve("data"));
        Path out = dir.resolve("sweep");
        List<String> words = recipe();
        Map<String, String> smaller = Map.of("--vary", "batch-size=16,32", "--norms", "none,batch_norm",
                "--seeds", "1", "--epochs", "1", "--data", data.toString(), "--out", out.toString());
        List<String> args = new ArrayList<>(words.subList(words.indexOf(JAR) + 1, words.size()));
        for (int i = 0; i < args.size() - 1; i++) {
            if (smaller.containsKey(args.get(i))) {
                args.set(i + 1, smaller.get(args.get(i)));
            }
        }
        args.addAll(List.of("--limit-train", "256", "--limit-test", "64"));
        StringWriter stdout = new StringWriter();
        StringWriter stderr = new StringWriter();

        System.setProperty("spark.master", "local[2]");
        int code;
        try {
            code = Normkit.run(args.toArray(String[]::new), new PrintWriter(stdout, true), new PrintWriter(stderr,
                    true));
        } finally {
            System.clearProperty("spark.master");
        }

        assertEquals(0, code, stderr.toString());
        assertTrue(stdout.toString().contains("engine: spark, master local[2,4]"), stdout.toString());
        assertEquals(2 * 2, SparkGrid.rowsWithoutTiming(out).size(), stdout.toString());
        assertTrue(Files.size(out.resolve("sweep.md")) > 0);
    }
}

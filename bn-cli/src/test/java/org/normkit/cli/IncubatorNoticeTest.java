package org.normkit.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;

import org.junit.jupiter.api.Test;

/**
 * Every JVM started with the Vector API module prints "WARNING: Using incubator modules" first; a benchmark run
 * starts one of its own, and that line is about our build, not the user's command, so it must not reach the screen.
 * (The command's own JVM is covered by the launcher, {@code LauncherIT}.)
 */
class IncubatorNoticeTest {
    private static final String NOTICE = "WARNING: Using incubator modules";

    @Test
    void theForkedBenchmarkJvmsNoticeIsKeptOffBothStreams() {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();

        int exit = Normkit.run(new String[] {"bench", "--quick", "--norms", "batch_norm", "--dtypes", "float32",
            "--threads", "1", "--faces", "fused", "--passes", "eval_forward", "--no-verify"},
                new PrintWriter(out, true), new PrintWriter(err, true));

        String all = out + "\n" + err;
        assertEquals(0, exit, all);
        assertTrue(all.contains("batch_norm"), "the forked JVM's results came back:\n" + all);
        assertFalse(all.contains(NOTICE), all);
    }
}

package org.normkit.experiments.train;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.concurrent.TimeUnit;

/**
 * Where a report comes from: when it was made, from which commit, by which command line, so that a report found
 * later can be reproduced (or known not to be reproducible).
 */
final class Provenance {

    private Provenance() {}

    /** "2026-12-02T06:50:12Z, commit 1a2b3c4, command: normkit experiment --epochs 3". */
    static String describe(String commandLine) {
        return Instant.now().truncatedTo(ChronoUnit.SECONDS) + ", commit " + commit() + ", command: " + commandLine;
    }

    /** The checked-out commit of the working directory, or why it is unknown; never blocks more than 5 s. */
    static String commit() {
        try {
            Process git = new ProcessBuilder("git", "rev-parse", "--short", "HEAD").redirectErrorStream(true).start();
            if (!git.waitFor(5, TimeUnit.SECONDS)) {
                git.destroyForcibly();
                return "unknown (git did not answer)";
            }
            String output = new String(git.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            return git.exitValue() == 0 && output.matches("[0-9a-f]{4,40}") ? output
                    : "unknown (not run in a git checkout)";
        } catch (IOException e) {
            return "unknown (git is not installed)";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "unknown (interrupted)";
        }
    }
}

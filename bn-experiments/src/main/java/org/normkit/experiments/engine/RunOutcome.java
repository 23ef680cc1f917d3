package org.normkit.experiments.engine;

import java.io.Serializable;
import java.util.List;

import org.normkit.experiments.report.ProbeRow;
import org.normkit.experiments.report.ResultRow;
import org.normkit.experiments.report.RunKey;

/**
 * What became of one run, as it travels back to the driver, which alone writes {@code results.csv}.
 *
 * @param key        the run
 * @param status     finished (its rows, the last one {@code diverged} if the loss blew up), impossible (the norm
 *                   cannot sit in the net: every seed would fail alike) or failed (an error, after the engine's
 *                   retries)
 * @param rows       one row per epoch trained; empty unless finished
 * @param message    why the run is impossible or failed; empty when finished
 * @param dataOrigin where the worker's data came from, so the driver can refuse rows trained on other data
 * @param lines      console lines the worker could not print itself (a remote worker's); empty for local runs
 * @param probe      the batch-statistics probe's rows, one per epoch ({@link ProbeRow}); empty when the net has no
 *                   norm with running statistics
 */
public record RunOutcome(RunKey key, Status status, List<ResultRow> rows, String message, String dataOrigin,
                         List<String> lines, List<ProbeRow> probe) implements Serializable {

    /** How a run ended. */
    public enum Status { FINISHED, IMPOSSIBLE, FAILED }

    public RunOutcome {
        rows = List.copyOf(rows);
        lines = List.copyOf(lines);
        probe = List.copyOf(probe);
    }

    public static RunOutcome finished(RunKey key, List<ResultRow> rows, String dataOrigin) {
        return new RunOutcome(key, Status.FINISHED, rows, "", dataOrigin, List.of(), List.of());
    }

    public static RunOutcome impossible(RunKey key, String message, String dataOrigin) {
        return new RunOutcome(key, Status.IMPOSSIBLE, List.of(), message, dataOrigin, List.of(), List.of());
    }

    /** A run that raised an error: recorded with its message, never dropped silently. */
    public static RunOutcome failed(RunKey key, String message) {
        return new RunOutcome(key, Status.FAILED, List.of(), message, "", List.of(), List.of());
    }

    /** This outcome carrying {@code workerLines} for the driver to print. */
    public RunOutcome withLines(List<String> workerLines) {
        return new RunOutcome(key, status, rows, message, dataOrigin, workerLines, probe);
    }

    /** This outcome carrying the probe's rows. */
    public RunOutcome withProbe(List<ProbeRow> probeRows) {
        return new RunOutcome(key, status, rows, message, dataOrigin, lines, probeRows);
    }

    /** A number as a person writes it: 128, not 128.0; 0.001 as is. */
    static String number(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e9 ? Long.toString((long) v) : Double.toString(v);
    }
}

package org.normkit.experiments.report;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Consumer;
import org.normkit.autograd.io.AtomicFiles;

/**
 * The {@code results.csv} of an experiment: one row per epoch per run, appended as training goes, so an interrupted
 * experiment keeps every finished epoch and a rerun skips the runs that {@link #completedRuns} lists.
 *
 * <p>Columns: {@code net,norm,batch_size,lr,optimizer,weight_decay,dropout,seed,epoch,train_loss,test_loss,
 * test_accuracy,train_accuracy,seconds,samples_per_second,status,init,lr_scaling,face,grad_penalty,jit_seconds,
 * gc_seconds}; {@link ResultRow} says what each means and what a {@code diverged} row holds. Empty cells are NaN. A
 * file written before the four key columns {@code init…grad_penalty} existed is read as well, its rows completed by
 * {@link KeyDefaults}, and so is one written before the two JVM columns, its rows with those NaN; the next write
 * rewrites it with every column.
 *
 * <p>Each append rewrites the whole file through {@link AtomicFiles}, rather than appending a line to it. At our
 * sizes (thousands of rows, one append per epoch) that costs milliseconds, and it buys the property that matters:
 * the file on disk is always a whole, valid CSV, so a run killed at any moment (even {@code kill -9} in the middle
 * of a write) leaves either the file before the append or the file after it, and a user opening it in a
 * spreadsheet never meets half a row. Reading is nevertheless tolerant, since a file may have been copied while
 * incomplete or written by other means: a last line that does not parse is dropped with a warning and its run is
 * simply run again; a bad line anywhere else is an error naming the line, because dropping it silently would lose
 * data the next rewrite could not bring back.
 *
 * <p>Thread safety: the methods are synchronized, so runs on several threads may share one instance. Two processes
 * must not write the same file: each would overwrite the other's rows.
 */
public final class ResultsCsv {

    /** The file name an experiment folder uses. */
    public static final String FILE_NAME = "results.csv";
    /** The header line, without line break. */
    public static final String HEADER = CsvRows.HEADER;

    private final Path file;
    private final List<ResultRow> rows;
    private final List<String> lines;

    private ResultsCsv(Path file, List<ResultRow> rows) {
        this.file = file;
        this.rows = new ArrayList<>(rows);
        this.lines = new ArrayList<>(rows.stream().map(CsvRows::format).toList());
    }

    /** Opens {@code file}, reading the rows it already holds; warnings go to standard error. */
    public static ResultsCsv open(Path file) {
        return open(file, System.err::println);
    }

    /**
     * Opens {@code file}, reading the rows it already holds (none if it does not exist yet; nothing is written until
     * the first {@link #append}). Problems that are tolerated, such as a torn last line, go to {@code warnings}.
     */
    public static ResultsCsv open(Path file, Consumer<String> warnings) {
        return open(file, warnings, KeyDefaults.DEFAULT);
    }

    /**
     * Opens {@code file} like {@link #open(Path, Consumer)}; rows of a file written before the columns
     * {@code init,lr_scaling,face,grad_penalty} existed take them from {@code legacy}.
     */
    public static ResultsCsv open(Path file, Consumer<String> warnings, KeyDefaults legacy) {
        return new ResultsCsv(file, read(file, warnings, legacy));
    }

    /** The rows of {@code file}, for a report made after the runs; empty if the file does not exist. */
    public static List<ResultRow> read(Path file, Consumer<String> warnings) {
        return read(file, warnings, KeyDefaults.DEFAULT);
    }

    /** The rows of {@code file}; those of an older file without the extra key columns take them from {@code legacy}. */
    public static List<ResultRow> read(Path file, Consumer<String> warnings, KeyDefaults legacy) {
        if (!Files.exists(file)) {
            return List.of();
        }
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new UncheckedIOException("could not read " + file + ": " + e.getMessage(), e);
        }
        // Decoding by String's constructor replaces a multi-byte character cut in half instead of throwing, so a
        // torn last line reaches the parser and is dropped like any other.
        List<String> lines = new ArrayList<>(Arrays.asList(new String(bytes, StandardCharsets.UTF_8).split("\n", -1)));
        boolean complete = lines.get(lines.size() - 1).isEmpty();
        if (complete) {
            lines.remove(lines.size() - 1);
        }
        lines.replaceAll(line -> line.endsWith("\r") ? line.substring(0, line.length() - 1) : line);
        if (lines.isEmpty()) {
            return List.of();
        }
        if (lines.get(0).equals(CsvRows.LEGACY_HEADER)) {
            return parseRows(file, lines, warnings, legacy, CsvRows.LEGACY_COLUMNS.size());
        }
        if (lines.get(0).equals(CsvRows.KEYED_HEADER)) {
            return parseRows(file, lines, warnings, null, CsvRows.KEYED_COLUMNS.size());
        }
        if (!lines.get(0).equals(HEADER)) {
            if (lines.size() == 1 && !complete && HEADER.startsWith(lines.get(0))) {
                warnings.accept("warning: " + file + " holds only part of its header line; starting it afresh");
                return List.of();
            }
            throw new ResultsFileException(file + " does not start with the results header, so it is not a normkit "
                    + "results file or was written by another version; move it aside or write to another folder.\n"
                    + "  expected: " + HEADER + "\n  found:    " + lines.get(0));
        }
        return parseRows(file, lines, warnings, null, CsvRows.COLUMNS.size());
    }

    /** The rows after the header; {@code legacy} completes the rows of an older file, null for a current one. */
    private static List<ResultRow> parseRows(Path file, List<String> lines, Consumer<String> warnings,
                                             KeyDefaults legacy, int columns) {
        Map<EpochOfRun, Integer> seen = new HashMap<>();
        List<ResultRow> rows = new ArrayList<>();
        int last = lines.size() - 1;
        for (int i = 1; i <= last; i++) {
            String line = lines.get(i);
            if (line.isBlank()) {
                continue;
            }
            ResultRow row;
            try {
                row = CsvRows.parse(line, legacy, columns);
            } catch (IllegalArgumentException e) {
                if (i == last) {
                    warnings.accept("warning: ignoring the last line of " + file + " (line " + (i + 1) + "), which is "
                            + "incomplete or garbled (" + e.getMessage() + "), probably cut off when a run was "
                            + "stopped; that run will be run again");
                    continue;
                }
                throw new ResultsFileException(file + " line " + (i + 1) + " is not a valid row: " + e.getMessage()
                        + "; fix or delete that line.\n  line: " + line, e);
            }
            Integer earlier = seen.put(new EpochOfRun(row.key(), row.epoch()), rows.size());
            if (earlier != null) {
                warnings.accept("warning: " + file + " line " + (i + 1) + " repeats epoch " + row.epoch() + " of "
                        + row.key() + "; keeping the later line");
                rows.set(earlier, null);
            }
            rows.add(row);
        }
        return rows.stream().filter(Objects::nonNull).toList();
    }

    public Path file() {
        return file;
    }

    /** Every row, in the order they were appended. */
    public synchronized List<ResultRow> rows() {
        return List.copyOf(rows);
    }

    /**
     * The runs a rerun can skip: those with a row for epoch {@code finalEpoch} (or later), and those that diverged.
     * A run with only some of its epochs is not listed: call {@link #startRun} before running it again.
     */
    public synchronized Set<RunKey> completedRuns(int finalEpoch) {
        if (finalEpoch < 1) {
            throw new IllegalArgumentException("the final epoch must be at least 1, got " + finalEpoch);
        }
        Set<RunKey> done = new LinkedHashSet<>();
        for (ResultRow row : rows) {
            if (row.isDiverged() || row.epoch() >= finalEpoch) {
                done.add(row.key());
            }
        }
        return done;
    }

    /**
     * Forgets the rows of an earlier attempt at {@code key}, such as the first epochs of a run that was interrupted,
     * so the file holds each epoch of each run once. Call it before a run's first {@link #append}.
     */
    public synchronized void startRun(RunKey key) {
        boolean removed = false;
        for (int i = rows.size() - 1; i >= 0; i--) {
            if (rows.get(i).key().equals(key)) {
                rows.remove(i);
                lines.remove(i);
                removed = true;
            }
        }
        if (removed) {
            rewrite();
        }
    }

    /**
     * Adds {@code row} and rewrites the file atomically before returning, so the row survives the process being
     * killed right after. Adding an epoch the file already holds for the run, or any row after the run diverged,
     * is an error: the training loop forgot {@link #startRun}.
     */
    public synchronized void append(ResultRow row) {
        for (ResultRow earlier : rows) {
            if (!earlier.key().equals(row.key())) {
                continue;
            }
            if (earlier.epoch() == row.epoch() || earlier.isDiverged()) {
                throw new IllegalStateException(file + " already holds " + (earlier.isDiverged()
                        ? "a diverged row (epoch " + earlier.epoch() + ")" : "epoch " + row.epoch())
                        + " of " + row.key() + "; call startRun(key) before running it again");
            }
        }
        rows.add(row);
        lines.add(CsvRows.format(row));
        rewrite();
    }

    /**
     * Replaces whatever the file holds of {@code key} with {@code runRows}, a whole run, in one atomic rewrite: the
     * file then holds all of the run or none of it, whenever the process dies. This is how an engine's driver
     * records a run that ended.
     */
    public synchronized void appendRun(RunKey key, List<ResultRow> runRows) {
        for (ResultRow row : runRows) {
            if (!row.key().equals(key)) {
                throw new IllegalArgumentException("a row of " + row.key() + " among the rows of run " + key);
            }
        }
        for (int i = rows.size() - 1; i >= 0; i--) {
            if (rows.get(i).key().equals(key)) {
                rows.remove(i);
                lines.remove(i);
            }
        }
        for (ResultRow row : runRows) {
            rows.add(row);
            lines.add(CsvRows.format(row));
        }
        rewrite();
    }

    private void rewrite() {
        AtomicFiles.write(file, out -> {
            Writer writer = new BufferedWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8));
            writer.write(HEADER);
            writer.write('\n');
            for (String line : lines) {
                writer.write(line);
                writer.write('\n');
            }
            writer.flush();
        });
    }

    private record EpochOfRun(RunKey key, int epoch) {}
}

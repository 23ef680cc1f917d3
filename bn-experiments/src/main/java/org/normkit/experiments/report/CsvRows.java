package org.normkit.experiments.report;

import java.util.ArrayList;
import java.util.List;

/**
 * The one place that knows the columns of {@code results.csv}: writes a {@link ResultRow} as a line and parses it
 * back. NaN is an empty cell, so spreadsheets and pandas read it as missing; infinities are spelled
 * {@code Infinity} and {@code -Infinity}; every other number is the shortest decimal that reads back exactly, so a
 * resumed run sees the same values as the run that wrote them.
 *
 * <p>A run is named by the first eight columns and the last four ({@link #EXTRA_KEY_COLUMNS}: initialisation,
 * learning-rate scaling, face, gradient penalty), which came later so that a sweep can vary them; they follow the
 * columns an older file has, so scripts that pick columns by position read both. A file with the older
 * {@link #LEGACY_HEADER} is still read: its rows take those four from {@link KeyDefaults}.
 *
 * <p>The last two columns ({@link #JVM_COLUMNS}) are what the JVM spent during the epoch besides training: the JIT
 * compilers' seconds and the garbage collectors'. They measure the machine, like {@code seconds}, and name nothing;
 * a file with the {@link #KEYED_HEADER} (written before they existed) reads with them NaN.
 */
final class CsvRows {

    /** The columns of a file written before the four extra key columns existed. */
    static final List<String> LEGACY_COLUMNS = List.of("net", "norm", "batch_size", "lr", "optimizer", "weight_decay",
            "dropout", "seed", "epoch", "train_loss", "test_loss", "test_accuracy", "train_accuracy", "seconds",
            "samples_per_second", "status");
    /** The settings that name a run besides the first eight columns, last in every row. */
    static final List<String> EXTRA_KEY_COLUMNS = List.of("init", "lr_scaling", "face", "grad_penalty");
    /** What the JVM spent during the epoch: compiling (JIT) and collecting garbage, seconds. */
    static final List<String> JVM_COLUMNS = List.of("jit_seconds", "gc_seconds");
    /** The columns of a file written before {@link #JVM_COLUMNS} existed. */
    static final List<String> KEYED_COLUMNS = concat(LEGACY_COLUMNS, EXTRA_KEY_COLUMNS);
    static final List<String> COLUMNS = concat(KEYED_COLUMNS, JVM_COLUMNS);
    static final String HEADER = String.join(",", COLUMNS);
    static final String KEYED_HEADER = String.join(",", KEYED_COLUMNS);
    static final String LEGACY_HEADER = String.join(",", LEGACY_COLUMNS);
    /** The first columns, which name the run with {@link #EXTRA_KEY_COLUMNS}: configuration and seed. */
    static final List<String> KEY_COLUMNS = LEGACY_COLUMNS.subList(0, 8);

    private CsvRows() {}

    static String format(ResultRow row) {
        return String.join(",", keyCells(row.key()), Integer.toString(row.epoch()), metric(row.trainLoss()),
                metric(row.testLoss()), metric(row.testAccuracy()), metric(row.trainAccuracy()),
                metric(row.seconds()), metric(row.samplesPerSecond()), row.status().csv(), extraKeyCells(row.key()),
                metric(row.jitSeconds()), metric(row.gcSeconds()));
    }

    /** The row on {@code line} of a file with {@link #HEADER}; an {@link IllegalArgumentException} otherwise. */
    static ResultRow parse(String line) {
        return parse(line, null);
    }

    /**
     * The row on {@code line}: of a file with {@link #HEADER} when {@code legacy} is null, else of a file with
     * {@link #LEGACY_HEADER}, whose rows take the extra key settings from {@code legacy}.
     */
    static ResultRow parse(String line, KeyDefaults legacy) {
        return parse(line, legacy, legacy == null ? COLUMNS.size() : LEGACY_COLUMNS.size());
    }

    /**
     * The row on {@code line} of a file whose header has {@code columns} columns: {@link #COLUMNS},
     * {@link #KEYED_COLUMNS} (no JVM seconds: NaN) or, with {@code legacy}, {@link #LEGACY_COLUMNS}.
     */
    static ResultRow parse(String line, KeyDefaults legacy, int columns) {
        String[] cells = line.split(",", -1);
        if (cells.length != columns) {
            throw new IllegalArgumentException("it has " + cells.length + " cells, a row has " + columns);
        }
        RunKey key = legacy == null ? parseKey(cells, 16) : parseLegacyKey(cells, legacy);
        boolean jvm = columns == COLUMNS.size();
        return new ResultRow(key, whole(cells, 8), decimal(cells, 9), decimal(cells, 10), decimal(cells, 11),
                decimal(cells, 12), decimal(cells, 13), decimal(cells, 14), RunStatus.fromCsv(cells[15]),
                jvm ? decimal(cells, 20) : Double.NaN, jvm ? decimal(cells, 21) : Double.NaN);
    }

    /** The {@link #KEY_COLUMNS} cells of {@code key}, joined by commas. */
    static String keyCells(RunKey key) {
        return String.join(",", key.config().net(), key.config().norm(), Integer.toString(key.config().batchSize()),
                Numbers.plain(key.config().lr()), key.config().optimizer(), Numbers.plain(key.config().weightDecay()),
                Numbers.plain(key.config().dropout()), Long.toString(key.seed()));
    }

    /** The {@link #EXTRA_KEY_COLUMNS} cells of {@code key}, joined by commas. */
    static String extraKeyCells(RunKey key) {
        RunConfig c = key.config();
        return String.join(",", c.init(), c.lrScaling(), c.face(), Numbers.plain(c.gradPenalty()));
    }

    /** The run named by the first {@link #KEY_COLUMNS} cells of a line and the four extra ones from {@code extra} on. */
    static RunKey parseKey(String[] cells, int extra) {
        RunConfig config = new RunConfig(cells[0], cells[1], whole(cells, 2), decimal(cells, 3), cells[4],
                decimal(cells, 5), decimal(cells, 6), cells[extra], cells[extra + 1], cells[extra + 2],
                number(cells, extra + 3, EXTRA_KEY_COLUMNS.get(3)));
        return new RunKey(config, integer(cells, 7));
    }

    /** The run named by the first {@link #KEY_COLUMNS} cells of an older line, completed by {@code legacy}. */
    static RunKey parseLegacyKey(String[] cells, KeyDefaults legacy) {
        return new RunKey(legacy.complete(cells[0], cells[1], whole(cells, 2), decimal(cells, 3), cells[4],
                decimal(cells, 5), decimal(cells, 6)), integer(cells, 7));
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> all = new ArrayList<>(a);
        all.addAll(b);
        return List.copyOf(all);
    }

    private static String metric(double value) {
        return Double.isNaN(value) ? "" : Numbers.plain(value);
    }

    private static int whole(String[] cells, int column) {
        long value = integer(cells, column);
        if (value != (int) value) {
            throw new IllegalArgumentException(COLUMNS.get(column) + " " + value + " is too large");
        }
        return (int) value;
    }

    private static long integer(String[] cells, int column) {
        try {
            return Long.parseLong(cells[column]);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(COLUMNS.get(column) + " '" + cells[column] + "' is not a whole number");
        }
    }

    private static double decimal(String[] cells, int column) {
        return number(cells, column, COLUMNS.get(column));
    }

    private static double number(String[] cells, int column, String name) {
        String cell = cells[column];
        if (cell.isEmpty()) {
            return Double.NaN;
        }
        try {
            return Double.parseDouble(cell);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " '" + cell + "' is not a number");
        }
    }
}

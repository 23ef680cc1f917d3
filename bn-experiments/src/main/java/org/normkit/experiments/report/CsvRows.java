package org.normkit.experiments.report;

import java.util.List;

/**
 * The one place that knows the columns of {@code results.csv}: writes a {@link ResultRow} as a line and parses it
 * back. NaN is an empty cell, so spreadsheets and pandas read it as missing; infinities are spelled
 * {@code Infinity} and {@code -Infinity}; every other number is the shortest decimal that reads back exactly, so a
 * resumed run sees the same values as the run that wrote them.
 */
final class CsvRows {

    static final List<String> COLUMNS = List.of("net", "norm", "batch_size", "lr", "optimizer", "weight_decay",
            "dropout", "seed", "epoch", "train_loss", "test_loss", "test_accuracy", "train_accuracy", "seconds",
            "samples_per_second", "status");
    static final String HEADER = String.join(",", COLUMNS);
    /** The columns that name the run: its configuration and seed. */
    static final List<String> KEY_COLUMNS = COLUMNS.subList(0, 8);

    private CsvRows() {}

    static String format(ResultRow row) {
        return String.join(",", keyCells(row.key()), Integer.toString(row.epoch()), metric(row.trainLoss()),
                metric(row.testLoss()), metric(row.testAccuracy()), metric(row.trainAccuracy()),
                metric(row.seconds()), metric(row.samplesPerSecond()), row.status().csv());
    }

    /** The row on {@code line}; an {@link IllegalArgumentException} saying what is wrong with it otherwise. */
    static ResultRow parse(String line) {
        String[] cells = line.split(",", -1);
        if (cells.length != COLUMNS.size()) {
            throw new IllegalArgumentException("it has " + cells.length + " cells, a row has " + COLUMNS.size());
        }
        return new ResultRow(parseKey(cells), whole(cells, 8), decimal(cells, 9), decimal(cells, 10), decimal(cells, 11),
                decimal(cells, 12), decimal(cells, 13), decimal(cells, 14), RunStatus.fromCsv(cells[15]));
    }

    /** The {@link #KEY_COLUMNS} cells of {@code key}, joined by commas. */
    static String keyCells(RunKey key) {
        return String.join(",", key.config().net(), key.config().norm(), Integer.toString(key.config().batchSize()),
                Numbers.plain(key.config().lr()), key.config().optimizer(), Numbers.plain(key.config().weightDecay()),
                Numbers.plain(key.config().dropout()), Long.toString(key.seed()));
    }

    /** The run named by the first {@link #KEY_COLUMNS} cells of a line. */
    static RunKey parseKey(String[] cells) {
        return new RunKey(new RunConfig(cells[0], cells[1], whole(cells, 2), decimal(cells, 3), cells[4],
                decimal(cells, 5), decimal(cells, 6)), integer(cells, 7));
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
        String cell = cells[column];
        if (cell.isEmpty()) {
            return Double.NaN;
        }
        try {
            return Double.parseDouble(cell);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(COLUMNS.get(column) + " '" + cell + "' is not a number");
        }
    }
}

package org.normkit.experiments.report;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.normkit.autograd.io.AtomicFiles;

/**
 * {@value #FILE_NAME}: the batch-statistics probe's rows beside {@code results.csv}, one per run and epoch, keyed
 * like results.csv (its first eight columns), then {@code epoch,layers,mean_shift,variance_shift}, then the four
 * extra key columns of results.csv ({@code init,lr_scaling,face,grad_penalty}). A file written before those four
 * existed is read too, its rows completed by {@link KeyDefaults}. The driver replaces a run's rows in one atomic
 * rewrite when the run ends, so a rerun never doubles them.
 */
public final class ProbeCsv {
    public static final String FILE_NAME = "statistics-probe.csv";
    private static final String LEGACY_HEADER = String.join(",", CsvRows.KEY_COLUMNS)
            + ",epoch,layers,mean_shift,variance_shift";
    static final String HEADER = LEGACY_HEADER + "," + String.join(",", CsvRows.EXTRA_KEY_COLUMNS);

    private ProbeCsv() {}

    /** The rows of {@code file}; none when it does not exist. */
    public static List<ProbeRow> read(Path file) {
        return read(file, KeyDefaults.DEFAULT);
    }

    /** The rows of {@code file}; those of an older file take the extra key settings from {@code legacy}. */
    public static List<ProbeRow> read(Path file, KeyDefaults legacy) {
        if (!Files.exists(file)) {
            return List.of();
        }
        try {
            List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
            boolean older = !lines.isEmpty() && lines.get(0).equals(LEGACY_HEADER);
            if (lines.isEmpty() || !(older || lines.get(0).equals(HEADER))) {
                throw new ResultsFileException(file + " does not start with the probe header " + HEADER);
            }
            int k = CsvRows.KEY_COLUMNS.size();
            int width = older ? k + 4 : k + 4 + CsvRows.EXTRA_KEY_COLUMNS.size();
            List<ProbeRow> rows = new ArrayList<>();
            for (int i = 1; i < lines.size(); i++) {
                String[] cells = lines.get(i).split(",", -1);
                if (cells.length != width) {
                    throw new ResultsFileException(file + " line " + (i + 1) + " has " + cells.length + " cells, a "
                            + "row has " + width);
                }
                RunKey key = older ? CsvRows.parseLegacyKey(cells, legacy) : CsvRows.parseKey(cells, k + 4);
                rows.add(new ProbeRow(key, Integer.parseInt(cells[k]), Integer.parseInt(cells[k + 1]),
                        Double.parseDouble(cells[k + 2]), Double.parseDouble(cells[k + 3])));
            }
            return rows;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        } catch (NumberFormatException e) {
            throw new ResultsFileException(file + " holds a cell that is not a number: " + e.getMessage());
        }
    }

    /** Rewrites {@code file} with {@code run}'s rows replaced by {@code rows}, atomically. */
    public static void replaceRun(Path file, RunKey run, List<ProbeRow> rows) {
        replaceRun(file, run, rows, KeyDefaults.DEFAULT);
    }

    /**
     * Rewrites {@code file} with {@code run}'s rows replaced by {@code rows}, atomically, in the current format; the
     * rows of an older file take the extra key settings from {@code legacy}.
     */
    public static void replaceRun(Path file, RunKey run, List<ProbeRow> rows, KeyDefaults legacy) {
        List<ProbeRow> all = new ArrayList<>(read(file, legacy).stream().filter(r -> !r.key().equals(run)).toList());
        all.addAll(rows);
        StringBuilder text = new StringBuilder(HEADER).append('\n');
        for (ProbeRow r : all) {
            text.append(CsvRows.keyCells(r.key())).append(',').append(r.epoch()).append(',').append(r.layers())
                    .append(',').append(Numbers.plain(r.meanShift())).append(',')
                    .append(Numbers.plain(r.varianceShift())).append(',').append(CsvRows.extraKeyCells(r.key()))
                    .append('\n');
        }
        AtomicFiles.writeString(file, text.toString());
    }
}

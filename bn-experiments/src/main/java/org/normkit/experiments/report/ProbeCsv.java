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
 * like results.csv (its first eight columns), then {@code epoch,layers,mean_shift,variance_shift}. The driver
 * replaces a run's rows in one atomic rewrite when the run ends, so a rerun never doubles them.
 */
public final class ProbeCsv {
    public static final String FILE_NAME = "statistics-probe.csv";
    static final String HEADER = String.join(",", CsvRows.KEY_COLUMNS) + ",epoch,layers,mean_shift,variance_shift";

    private ProbeCsv() {}

    /** The rows of {@code file}; none when it does not exist. */
    public static List<ProbeRow> read(Path file) {
        if (!Files.exists(file)) {
            return List.of();
        }
        try {
            List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
            if (lines.isEmpty() || !lines.get(0).equals(HEADER)) {
                throw new ResultsFileException(file + " does not start with the probe header " + HEADER);
            }
            List<ProbeRow> rows = new ArrayList<>();
            for (int i = 1; i < lines.size(); i++) {
                String[] cells = lines.get(i).split(",", -1);
                int k = CsvRows.KEY_COLUMNS.size();
                if (cells.length != k + 4) {
                    throw new ResultsFileException(file + " line " + (i + 1) + " has " + cells.length + " cells, a "
                            + "row has " + (k + 4));
                }
                rows.add(new ProbeRow(CsvRows.parseKey(cells), Integer.parseInt(cells[k]),
                        Integer.parseInt(cells[k + 1]), Double.parseDouble(cells[k + 2]),
                        Double.parseDouble(cells[k + 3])));
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
        List<ProbeRow> all = new ArrayList<>(read(file).stream().filter(r -> !r.key().equals(run)).toList());
        all.addAll(rows);
        StringBuilder text = new StringBuilder(HEADER).append('\n');
        for (ProbeRow r : all) {
            text.append(CsvRows.keyCells(r.key())).append(',').append(r.epoch()).append(',').append(r.layers())
                    .append(',').append(Numbers.plain(r.meanShift())).append(',')
                    .append(Numbers.plain(r.varianceShift())).append('\n');
        }
        AtomicFiles.writeString(file, text.toString());
    }
}

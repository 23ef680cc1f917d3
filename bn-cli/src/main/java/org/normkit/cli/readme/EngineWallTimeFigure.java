package org.normkit.cli.readme;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import org.normkit.experiments.report.MarkdownTable;

/**
 * The wall time of the README's batch-size sweep on each run engine (local with 1 and 2 runs at a time, Spark
 * {@code local[2]}), from {@code docs/results/engine-wall-time/wall-time.csv}, which
 * {@code scripts/engine-wall-time.sh} writes after checking that the engines gave the same rows. The file's first
 * line is a comment saying when, where and with which arguments it was measured; it is printed under the table.
 */
final class EngineWallTimeFigure implements ReadmeFigure {

    static final String FILE = "docs/results/engine-wall-time/wall-time.csv";
    private static final String HEADER = "engine,runs,wall_seconds,training_seconds_summed";

    @Override
    public String key() {
        return "engine-wall-time";
    }

    @Override
    public String render(Path repositoryRoot) {
        List<String> lines;
        try {
            lines = Files.readAllLines(ResultFiles.existing(repositoryRoot, FILE));
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + FILE + ": " + e.getMessage(), e);
        }
        if (lines.size() < 3 || !lines.get(0).startsWith("# ") || !lines.get(1).equals(HEADER)) {
            throw new IllegalStateException(FILE + " is not what scripts/engine-wall-time.sh writes (a '# ' comment, "
                    + "then '" + HEADER + "', then one line per engine): rerun the script");
        }
        List<String[]> engines = lines.subList(2, lines.size()).stream().map(line -> line.split(",")).toList();
        double firstWall = number(engines.get(0), 2);
        List<List<String>> table = new ArrayList<>();
        for (String[] engine : engines) {
            double wall = number(engine, 2);
            table.add(List.of(engine[0], engine[1], seconds(wall), seconds(number(engine, 3)),
                    String.format(Locale.ROOT, "%.2f×", firstWall / wall)));
        }
        return new MarkdownTable(List.of("engine", "runs", "wall time, s", "training time summed over runs, s",
                "speed-up over " + engines.get(0)[0]), table).markdown()
                + "\n" + lines.get(0).substring(2) + ".\n";
    }

    private static double number(String[] cells, int column) {
        try {
            return Double.parseDouble(cells[column]);
        } catch (RuntimeException e) {
            throw new IllegalStateException(FILE + ": the line '" + String.join(",", cells) + "' has no number in "
                    + "column " + (column + 1) + ": rerun scripts/engine-wall-time.sh", e);
        }
    }

    private static String seconds(double value) {
        return String.format(Locale.ROOT, "%.1f", value);
    }
}

package org.normkit.cli.readme;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import com.fasterxml.jackson.databind.JsonNode;

import org.normkit.experiments.report.MarkdownTable;

/**
 * Training as users run it: the epoch times that {@code normkit experiment} records, against PyTorch's
 * {@code train_reference.py} on the same nets, data, batch and threads, each run in a fresh process so that its first
 * epoch pays its own warm-up. Rendered from {@code docs/results/training-epochs/results.json}, which
 * {@code scripts/pytorch/epoch_times.py} writes from rounds alternating the two sides in one session. When the file
 * has every configuration's whole-command seconds on both sides (the script records them since the seventh session),
 * a column shows them, so that a change which only moves epoch 1's cost into start-up shows as such.
 */
final class TrainingEpochsFigure implements ReadmeFigure {

    static final String FILE = "docs/results/training-epochs/results.json";

    @Override
    public String key() {
        return "training-epochs";
    }

    @Override
    public String render(Path repositoryRoot) {
        JsonNode doc = ResultFiles.json(repositoryRoot, FILE);
        List<List<String>> table = new ArrayList<>();
        boolean commands = doc.path("summary").size() > 0;
        for (JsonNode row : doc.path("summary")) {
            commands &= row.path("normkit").path("commandSeconds").isNumber()
                    && row.path("pytorch").path("commandSeconds").isNumber();
        }
        for (JsonNode row : doc.path("summary")) {
            String config = row.path("net").asText() + " " + row.path("norm").asText();
            double firstOurs = seconds(row, "normkit", "firstEpoch", config);
            double laterOurs = seconds(row, "normkit", "laterEpoch", config);
            double firstTheirs = seconds(row, "pytorch", "firstEpoch", config);
            double laterTheirs = seconds(row, "pytorch", "laterEpoch", config);
            List<String> cells = new ArrayList<>(List.of(row.path("net").asText(), row.path("norm").asText(),
                    s(firstOurs) + " / " + s(laterOurs), ratio(firstOurs / laterOurs),
                    s(firstTheirs) + " / " + s(laterTheirs), ratio(firstTheirs / laterTheirs),
                    ratio(firstOurs / firstTheirs), ratio(laterOurs / laterTheirs)));
            if (commands) {
                cells.add(s(row.path("normkit").path("commandSeconds").asDouble()) + " / "
                        + s(row.path("pytorch").path("commandSeconds").asDouble()));
            }
            table.add(cells);
        }
        JsonNode machine = doc.path("machine");
        JsonNode runs = doc.path("runs");
        double lowestLoad = Double.MAX_VALUE;
        double highestLoad = 0;
        for (JsonNode run : runs) {
            for (JsonNode load : run.path("loadAverage")) {
                lowestLoad = Math.min(lowestLoad, load.asDouble());
                highestLoad = Math.max(highestLoad, load.asDouble());
            }
        }
        String loads = runs.size() == 0 ? "not recorded"
                : String.format(Locale.ROOT, "%.1f–%.1f", lowestLoad, highestLoad);
        List<String> header = new ArrayList<>(List.of("net", "norm", "normkit epoch 1 / later, s",
                "normkit epoch 1 ÷ later", "PyTorch epoch 1 / later, s", "PyTorch epoch 1 ÷ later",
                "normkit ÷ PyTorch, epoch 1", "normkit ÷ PyTorch, later"));
        if (commands) {
            header.add("whole command, normkit / PyTorch, s");
        }
        return new MarkdownTable(header, table).markdown()
                + "\n" + doc.path("trainImages").asInt() + " training images, batch " + doc.path("batch").asInt()
                + ", " + doc.path("threads").asInt() + " thread(s), " + doc.path("epochs").asInt()
                + " epochs per run, each run in a fresh process; median of " + doc.path("rounds").asInt()
                + " rounds alternating the sides (\"later\": the median of epochs 2 on"
                + (commands ? "; \"whole command\": the process's wall seconds from start to exit, start-up, data "
                        + "loading and the test passes included" : "") + "). Measured "
                + machine.path("date").asText() + " at " + machine.path("commit").asText() + " on "
                + machine.path("cores").asInt() + " cores, load average " + loads + ", PyTorch "
                + machine.path("torch").asText() + "."
                + (doc.hasNonNull("note") ? " " + doc.path("note").asText() : "") + "\n";
    }

    private static double seconds(JsonNode row, String side, String field, String config) {
        JsonNode value = row.path(side).get(field);
        if (value == null || !value.isNumber() || value.asDouble() <= 0) {
            throw new IllegalStateException(FILE + " has no " + side + " " + field + " for " + config
                    + ": rerun scripts/pytorch/epoch_times.py with --out " + FILE);
        }
        return value.asDouble();
    }

    private static String s(double seconds) {
        return String.format(Locale.ROOT, "%.2f", seconds);
    }

    private static String ratio(double value) {
        return String.format(Locale.ROOT, "%.2f×", value);
    }
}

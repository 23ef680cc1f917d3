package org.normkit.experiments.engine;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import org.normkit.experiments.report.ResultsCsv;

/**
 * The rows of an output folder's results.csv without seconds, samples_per_second, jit_seconds and gc_seconds (they
 * measure the machine, not the training), sorted, since runs end in any order when several train at once: what must not depend on the engine.
 */
public final class RowsWithoutTiming {
    private RowsWithoutTiming() {}

    public static List<String> of(Path out) throws IOException {
        return Files.readAllLines(out.resolve(ResultsCsv.FILE_NAME), StandardCharsets.UTF_8).stream().skip(1)
                .map(line -> {
                    String[] cells = line.split(",", -1);
                    return String.join(",", Arrays.copyOfRange(cells, 0, 13)) + "," + String.join(",",
                            Arrays.copyOfRange(cells, 15, Math.min(cells.length, 20)));
                }).sorted().toList();
    }
}

package org.normkit.experiments.report;

import java.util.ArrayList;
import java.util.List;

/** Builds result rows for tests: accuracy curves given per seed, other metrics derived from them. */
final class Rows {

    private final List<ResultRow> rows = new ArrayList<>();

    static RunKey key(String norm, int batchSize, double lr, long seed) {
        return new RunKey(new RunConfig("mlp", norm, batchSize, lr, "adam", 0, 0), seed);
    }

    /** One run whose test accuracy after epoch {@code i + 1} is {@code accuracies[i]}. */
    Rows run(RunKey key, double... accuracies) {
        for (int i = 0; i < accuracies.length; i++) {
            rows.add(ResultRow.ok(key, i + 1, 1 - accuracies[i], 1.1 - accuracies[i], accuracies[i],
                    Math.min(1, accuracies[i] + 0.02), 2.0, 1000.0));
        }
        return this;
    }

    /** One run that diverged in epoch {@code epoch} after finishing the epochs before it. */
    Rows diverged(RunKey key, int epoch) {
        for (int i = 1; i < epoch; i++) {
            rows.add(ResultRow.ok(key, i, 0.5, 0.6, 0.5, 0.5, 2.0, 1000.0));
        }
        rows.add(ResultRow.diverged(key, epoch, Double.NaN, 1.0));
        return this;
    }

    List<ResultRow> list() {
        return List.copyOf(rows);
    }
}

package org.normkit.experiments.report;

import java.util.function.ToDoubleFunction;

/** The setting a sweep varies. Both are swept in powers, so sweep plots put them on a logarithmic axis. */
public enum SweptSetting {
    BATCH_SIZE("batch_size", "batch size", config -> config.batchSize()),
    LEARNING_RATE("lr", "learning rate", RunConfig::lr);

    private final String column;
    private final String words;
    private final ToDoubleFunction<RunConfig> value;

    SweptSetting(String column, String words, ToDoubleFunction<RunConfig> value) {
        this.column = column;
        this.words = words;
        this.value = value;
    }

    /** The column of {@code results.csv} that holds the setting. */
    public String column() {
        return column;
    }

    /** The setting in words, for sentences and axis titles: "batch size". */
    public String words() {
        return words;
    }

    /** The value of the setting in {@code config}. */
    public double valueOf(RunConfig config) {
        return value.applyAsDouble(config);
    }

    /** "batch size 32", "learning rate 0.001". */
    String at(double settingValue) {
        return words + " " + Numbers.plain(settingValue);
    }
}

package org.normkit.experiments.train;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

import org.normkit.autograd.io.AtomicFiles;
import org.normkit.experiments.report.KeyDefaults;
import org.normkit.experiments.report.SweptSetting;

/**
 * What a results folder's rows were trained with, apart from what a rerun may extend (norms, seeds, epochs): the
 * net, the optimizer and its settings, the batch size, the gradient penalty, the dtype, the data and the face. It is
 * kept beside {@code results.csv} as {@value ExperimentRunner#SETUP_FILE}, one {@code setting: value} line each, and a
 * rerun with a different definition is refused with the settings that differ, because the report would silently show
 * only the new setting's runs beside the old rows. A file written by an older normkit has fewer settings: only the
 * settings both name are compared, and the dtype, which older files do not name, was float32.
 */
record ExperimentDefinition(Map<String, String> settings) {
    /** What a setting that older setup files do not name was in every run of theirs. */
    private static final Map<String, String> EARLIER_DEFAULTS = Map.of("dtype", "float32");

    ExperimentDefinition {
        settings = Collections.unmodifiableMap(new LinkedHashMap<>(settings));
    }

    /**
     * The definition of {@code config} on the data of {@code dataOrigin}; each setting a sweep varies reads "varied"
     * (a norm option lives in the norms, which a rerun may extend, so it has no line).
     */
    static ExperimentDefinition of(ExperimentConfig config, String dataOrigin, List<SweptSetting> swept) {
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("data", dataOrigin);
        settings.put("face", config.face().name().toLowerCase(Locale.ROOT));
        settings.put("net", config.net());
        settings.put("optimizer", config.optimizer().orElse("default"));
        settings.put("lr", config.lr().isPresent() ? plain(config.lr().getAsDouble()) : "default");
        settings.put("batch size", Integer.toString(config.batchSize()));
        settings.put("weight decay", plain(config.weightDecay()));
        settings.put("dropout", plain(config.dropout()));
        settings.put("grad penalty", plain(config.gradPenalty()));
        settings.put("dtype", config.dtype().label());
        if (!config.init().equals(Initialisation.DEFAULT)) {
            settings.put("init", config.init());
        }
        if (!config.lrScaling().equals("none")) {
            settings.put("lr scaling", config.lrScaling());
        }
        for (SweptSetting setting : swept) {
            if (setting.optionKey().isEmpty()) {
                settings.put(settingName(setting), "varied");
            }
        }
        return new ExperimentDefinition(settings);
    }

    /** The line of a setting a sweep varies: {@code batch-size} is "batch size", as {@link #of} writes it. */
    private static String settingName(SweptSetting setting) {
        return switch (setting.name()) {
            case "batch-size" -> "batch size";
            case "weight-decay" -> "weight decay";
            case "grad-penalty" -> "grad penalty";
            case "lr-scaling" -> "lr scaling";
            default -> setting.name();
        };
    }

    /**
     * What the rows of this folder's results.csv were trained with, for a file written before results.csv named
     * the initialisation, learning-rate scaling, face and gradient penalty in every row: the folder held one of
     * each, recorded here (a setting not recorded had its default).
     */
    KeyDefaults keyDefaults() {
        String penalty = settings.getOrDefault("grad penalty", "0");
        return new KeyDefaults(settings.getOrDefault("init", KeyDefaults.DEFAULT.init()),
                settings.getOrDefault("lr scaling", KeyDefaults.DEFAULT.lrScaling()),
                settings.getOrDefault("face", KeyDefaults.DEFAULT.face()),
                penalty.equals("varied") ? 0 : Double.parseDouble(penalty));
    }

    /** The definition recorded in {@code file}; empty when there is none. */
    static Optional<ExperimentDefinition> read(Path file) {
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("could not read " + file + ": " + e.getMessage(), e);
        }
        Map<String, String> settings = new LinkedHashMap<>();
        for (String line : lines) {
            int colon = line.indexOf(": ");
            if (colon > 0) {
                settings.put(line.substring(0, colon), line.substring(colon + 2));
            }
        }
        return Optional.of(new ExperimentDefinition(settings));
    }

    void write(Path file) {
        StringBuilder text = new StringBuilder();
        settings.forEach((name, value) -> text.append(name).append(": ").append(value).append('\n'));
        AtomicFiles.writeString(file, text.toString());
    }

    /**
     * "lr: 0.001 in the folder, 0.01 in this run", one line per setting both name with different values. A folder
     * written before a setting was recorded had that setting's {@link #EARLIER_DEFAULTS} value (its rows are
     * float32), so a float64 rerun into it is refused too.
     */
    List<String> differencesFrom(ExperimentDefinition recorded) {
        List<String> differences = new ArrayList<>();
        settings.forEach((name, value) -> {
            String earlier = recorded.settings.getOrDefault(name, EARLIER_DEFAULTS.get(name));
            if (earlier != null && !earlier.equals(value)) {
                differences.add(name + ": " + earlier + " in the folder, " + value + " in this run");
            }
        });
        return differences;
    }

    private static String plain(double value) {
        return value == Math.rint(value) && Math.abs(value) < 1e15 ? Long.toString((long) value)
                : Double.toString(value);
    }
}
